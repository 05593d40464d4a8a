import { codecFor, formatFromFileName, type Encoder, type FormatName } from '../codecs/index.js';
import { KeelError, RecordRejection } from '../errors.js';
import type { WriteContext, WriteRecord, WriteResult } from '../sdk/connector.js';
import { writeResultFor } from '../sdk/error-outcome.js';
import type { FileWriteOptions } from './file-options.js';
import type { FileStore } from './file-store.js';
import { batchFileName, recordFileName } from './output-names.js';
import { storePath } from './store-path.js';

/**
 * Writes a batch as one file (or one file per record for document formats), atomically. The name
 * comes from the batch number or key, both deterministic, so a batch written again after a crash
 * replaces its own file instead of adding a second one: that is a file target's idempotency.
 * Store failures go by the one mapping (core/sdk/error-outcome.ts): a transient one (a dropped
 * connection) makes every unwritten record 'retryable', so the runner writes them again; a record
 * error fails the records of that file alone; any other stops the run. Records the encoder cannot
 * take are 'permanent'.
 */
export async function writeBatchFiles(ctx: WriteContext<unknown, FileWriteOptions>, store: FileStore, batch: WriteRecord[]): Promise<WriteResult[]> {
  const options = ctx.options;
  const name = storePath(batchFileName(options.path, ctx.sequence, ctx.batchKey), store.label);
  const format = (options.format ?? formatFromFileName(name)) as FormatName | undefined;
  if (format === undefined) {
    throw new KeelError('config', `cannot tell the format of ${name}; set format: in the target options`, { code: 'format_unknown', stage: 'files' });
  }
  const encoder = codecFor(format).createEncoder((options[format] ?? {}) as Record<string, unknown>);
  const files: { name: string; body: string; indexes: number[] }[] = [];
  const results: WriteResult[] = batch.map(() => ({ status: 'ok' }));
  const reject = (index: number, error: unknown): void => {
    results[index] = writeResultFor(new RecordRejection(`cannot encode as ${format}: ${(error as Error).message}`, 'encode_failed', { stage: 'files' }));
  };
  if (encoder.singleRecord === true) {
    for (const [index, record] of batch.entries()) {
      try {
        files.push({ name: recordFileName(name, ctx.batchKey, batch, index), body: encoder.encode([record.data]), indexes: [index] });
      } catch (error) {
        reject(index, error);
      }
    }
  } else {
    const encoded = encodeSkippingRejects(encoder, batch, reject);
    if (encoded !== undefined) files.push({ name, ...encoded });
  }
  for (const [position, file] of files.entries()) {
    try {
      await store.writeAtomic(file.name, file.body);
    } catch (error) {
      const failed = writeResultFor(error);
      if (failed.status === 'permanent') {
        for (const index of file.indexes) results[index] = failed;
        continue;
      }
      // Every file not yet written is retried; names are deterministic, so rewriting is harmless.
      for (const pending of files.slice(position)) for (const index of pending.indexes) results[index] = failed;
      return results;
    }
    ctx.logger.debug('wrote file', { file: file.name, root: store.label, records: file.indexes.length, bytes: Buffer.byteLength(file.body) });
    ctx.wroteFile?.(file.name, file.indexes.length);
    if (encoder.singleRecord === true) results[file.indexes[0] as number] = { status: 'ok', ref: file.name };
  }
  return results;
}

/** Encodes the batch as one body; when the encoder refuses it, finds the records it cannot take and leaves them out. */
function encodeSkippingRejects(encoder: Encoder, batch: WriteRecord[], reject: (index: number, error: unknown) => void): { body: string; indexes: number[] } | undefined {
  try {
    return { body: encoder.encode(batch.map((record) => record.data)), indexes: batch.map((_, index) => index) };
  } catch {
    const indexes: number[] = [];
    for (const [index, record] of batch.entries()) {
      try {
        encoder.encode([record.data]);
        indexes.push(index);
      } catch (error) {
        reject(index, error);
      }
    }
    if (indexes.length === 0) return undefined;
    return { body: encoder.encode(indexes.map((index) => (batch[index] as WriteRecord).data)), indexes };
  }
}
