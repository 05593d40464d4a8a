import { describe, expect, it } from 'vitest';
import { readAhead } from './read-ahead.js';

/** A source that counts how far it was read and whether it was ended early. */
function counting(count: number, failAt?: number): { source: AsyncGenerator<number>; read: () => number; ended: () => boolean } {
  let read = 0;
  let ended = false;
  const source = (async function* () {
    try {
      for (let index = 0; index < count; index += 1) {
        if (index === failAt) throw new Error(`broken at ${index}`);
        read += 1;
        yield index;
      }
    } finally {
      ended = true;
    }
  })();
  return { source, read: () => read, ended: () => ended };
}

describe('readAhead', () => {
  it('hands on every item in order', async () => {
    const out: number[] = [];
    for await (const item of readAhead(counting(50).source, 4)) out.push(item);
    expect(out).toEqual(Array.from({ length: 50 }, (_, index) => index));
  });

  it('reads ahead while the consumer waits, but never more than the limit', async () => {
    const { source, read } = counting(100);
    const iterator = readAhead(source, 4)[Symbol.asyncIterator]();
    expect((await iterator.next()).value).toBe(0);
    // The consumer is busy elsewhere: the source is read on, up to the limit.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(read()).toBeGreaterThan(1);
    expect(read()).toBeLessThanOrEqual(1 + 4 + 1);
    await iterator.return?.(undefined);
  });

  it('passes on the items before an error, then the error', async () => {
    const out: number[] = [];
    await expect(
      (async () => {
        for await (const item of readAhead(counting(10, 3).source, 2)) out.push(item);
      })(),
    ).rejects.toThrow('broken at 3');
    expect(out).toEqual([0, 1, 2]);
  });

  it('ends the source when the consumer stops early', async () => {
    const { source, ended } = counting(1000);
    for await (const item of readAhead(source, 3)) if (item === 2) break;
    expect(ended()).toBe(true);
  });
});
