import { createHash } from 'node:crypto';
import { KeelError } from '../../core/errors.js';
import type { WriteContext, WriteRecord, WriteResult } from '../../core/sdk/connector.js';

/**
 * A failure of one record's requests as its result: retry what may pass later, dead-letter what
 * the record itself caused; throw the rest (credentials, config), which no record can mend.
 */
export function failureResult(error: unknown): WriteResult {
  if (!(error instanceof KeelError)) throw error;
  if (error.kind === 'transient' || error.kind === 'rate_limited') return { status: 'retryable', error: error.message, retryAfterMs: error.retryAfterMs };
  if (error.kind === 'record') return { status: 'permanent', error: error.message, code: error.code };
  throw error;
}

/**
 * Writes a batch in groups: the records of one group one after another in batch order (two
 * versions of one stock level, the later wins), groups side by side up to `concurrency`. Each
 * send and answer is reported to the runner as it happens (perRecordProgress).
 */
export async function writeGrouped<Config, Options>(
  ctx: WriteContext<Config, Options>,
  batch: readonly WriteRecord[],
  groupOf: (record: WriteRecord) => string,
  concurrency: number,
  writeOne: (record: WriteRecord) => Promise<WriteResult>,
): Promise<WriteResult[]> {
  const groups = new Map<string, number[]>();
  batch.forEach((record, index) => {
    const key = groupOf(record);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [index]);
    else group.push(index);
  });
  const queue = [...groups.values()];
  const results = new Array<WriteResult>(batch.length);
  const worker = async (): Promise<void> => {
    for (let group = queue.shift(); group !== undefined; group = queue.shift()) {
      for (const index of group) {
        await ctx.sending?.(index);
        const result = await writeOne(batch[index] as WriteRecord);
        results[index] = result;
        ctx.settled?.(index, result);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, queue.length)) }, worker));
  return results;
}

/** A UUID-shaped key derived from its parts: the same request gets the same key, a changed one a new key. */
export function derivedKey(...parts: (string | number)[]): string {
  const hex = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
