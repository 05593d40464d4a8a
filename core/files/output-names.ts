import type { WriteRecord } from '../sdk/connector.js';

/** The batch's file name: `{seq}` is the batch number (zero-padded, so name order is batch order), `{key}` the batch key. */
export function batchFileName(template: string, sequence: number, batchKey: string): string {
  return template.replaceAll('{seq}', String(sequence).padStart(6, '0')).replaceAll('{key}', batchKey.slice(0, 16));
}

/**
 * The file of record n of a batch written one record per file: the batch's name with `-n` before
 * the extension, always (also for a batch of one, so import patterns see one shape and a retry of
 * a single record cannot land under a second name). n is the record's place in the whole batch,
 * read from its key (`<batch key>:<index>`), so a retry of part of the batch writes each record
 * under the name it had the first time.
 */
export function recordFileName(batchName: string, batchKey: string, batch: readonly WriteRecord[], position: number): string {
  const record = batch[position];
  const keyed = record !== undefined && record.key.startsWith(`${batchKey}:`) ? Number(record.key.slice(batchKey.length + 1)) : Number.NaN;
  const index = Number.isSafeInteger(keyed) ? keyed : position;
  const dot = batchName.lastIndexOf('.');
  return dot > batchName.lastIndexOf('/') ? `${batchName.slice(0, dot)}-${index + 1}${batchName.slice(dot)}` : `${batchName}-${index + 1}`;
}
