/**
 * Pulls from `source` ahead of its consumer, up to `max` items: decoding goes on while the
 * pipeline waits on a write (a file, a server, the ledger's worker thread), instead of only when
 * the next item is asked for. Memory stays bounded by `max`. An error of the source reaches the
 * consumer after the items before it; a consumer that stops early ends the source.
 */
export async function* readAhead<T>(source: AsyncIterable<T>, max: number): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  const buffer: T[] = [];
  let exhausted = false;
  let finished = false;
  let failure: { error: unknown } | undefined;
  let stopped = false;
  let wake: () => void = () => undefined;
  let room: () => void = () => undefined;
  const pump = (async () => {
    try {
      while (!stopped) {
        if (buffer.length >= max) {
          await new Promise<void>((resolve) => (room = resolve));
          continue;
        }
        const next = await iterator.next();
        if (next.done === true) {
          exhausted = true;
          break;
        }
        buffer.push(next.value);
        wake();
      }
    } catch (error) {
      failure = { error };
    } finally {
      finished = true;
      wake();
    }
  })();
  try {
    for (;;) {
      const item = buffer.shift();
      if (item !== undefined || buffer.length > 0) {
        room();
        yield item as T;
        continue;
      }
      if (finished) {
        if (failure !== undefined) throw failure.error;
        return;
      }
      await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    stopped = true;
    room();
    await pump;
    if (!exhausted && failure === undefined) await iterator.return?.();
  }
}
