import { mkdir, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { codecFor, formatFromFileName, type Encoder, type FormatName } from '../../core/codecs/index.js';
import { KeelError } from '../../core/errors.js';
import type { WriteContext, WriteRecord, WriteResult } from '../../core/sdk/connector.js';
import type { FileWriteOptions } from './options.js';
import { insideRoot, resolveRoot } from './paths.js';

interface FileConfig {
  root: string;
}

/**
 * Writes a batch as one file, atomically (a hidden temp file, then rename). The name comes from
 * the batch number or key, both deterministic, so a batch written again after a crash replaces
 * its own file instead of adding a second one: that is this target's idempotency.
 */
export async function writeFiles(ctx: WriteContext<FileConfig, FileWriteOptions>, batch: WriteRecord[]): Promise<WriteResult[]> {
  const root = resolveRoot(ctx.projectDir, ctx.config.root);
  const options = ctx.options;
  const name = options.path
    .replaceAll('{seq}', String(ctx.sequence).padStart(6, '0'))
    .replaceAll('{key}', ctx.batchKey.slice(0, 16));
  const path = insideRoot(root, name);
  const format = (options.format ?? formatFromFileName(name)) as FormatName | undefined;
  if (format === undefined) {
    throw new KeelError('config', `cannot tell the format of ${name}; set format: in the target options`, { code: 'format_unknown', stage: 'file' });
  }
  const encoder = codecFor(format).createEncoder((options[format] ?? {}) as Record<string, unknown>);
  if (encoder.singleRecord === true) return writeOneFilePerRecord(path, encoder, format, batch);
  const results: WriteResult[] = batch.map(() => ({ status: 'ok' }));
  let body: string;
  try {
    body = encoder.encode(batch.map((record) => record.data));
  } catch {
    // Find the records the encoder cannot take, dead-letter them, write the rest.
    const good: WriteRecord[] = [];
    for (const [index, record] of batch.entries()) {
      try {
        encoder.encode([record.data]);
        good.push(record);
      } catch (error) {
        results[index] = { status: 'permanent', error: `cannot encode as ${format}: ${(error as Error).message}`, code: 'encode_failed' };
      }
    }
    if (good.length === 0) return results;
    body = encoder.encode(good.map((record) => record.data));
  }
  await writeAtomically(path, body);
  return results;
}

/**
 * Business documents (an openTRANS ORDER) are one per file: record n of the batch goes to the
 * batch's name with `-n` before the extension, so names stay deterministic under a re-run.
 */
async function writeOneFilePerRecord(path: string, encoder: Encoder, format: string, batch: WriteRecord[]): Promise<WriteResult[]> {
  const results: WriteResult[] = [];
  const dot = path.lastIndexOf('.');
  for (const [index, record] of batch.entries()) {
    const name = batch.length === 1 ? path : dot > path.lastIndexOf('/') ? `${path.slice(0, dot)}-${index + 1}${path.slice(dot)}` : `${path}-${index + 1}`;
    let body: string;
    try {
      body = encoder.encode([record.data]);
    } catch (error) {
      results.push({ status: 'permanent', error: `cannot encode as ${format}: ${(error as Error).message}`, code: 'encode_failed' });
      continue;
    }
    await writeAtomically(name, body);
    results.push({ status: 'ok', ref: name });
  }
  return results;
}

async function writeAtomically(path: string, body: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  await writeFile(temp, body);
  await rename(temp, path);
}
