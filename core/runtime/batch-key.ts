import type { Batch } from './batch.js';
import { hashParts, hashRecords } from './record-key.js';
import type { SourceContext } from './run-context.js';

/**
 * Names a batch so that a run repeated after a crash gives the same batch the same name: what
 * lets a target that writes a batch as one unit (a file) find it wrote it before, and write it
 * again under the same name. A batch from a source that replays is named by its place in the
 * source; a replay by the dead letters it holds.
 */
export function batchKeyOf(scope: SourceContext, batch: Batch): string {
  if (batch.kind === 'replay') return hashParts('replay', ...batch.items.map((item) => String(item.deadLetterId)));
  const { plan, source } = scope;
  if (source.read.replayable !== false) {
    return hashParts(plan.name, source.name, JSON.stringify(batch.start.checkpoint), String(batch.start.skip), String(batch.items.length));
  }
  // A live source's position does not say what it holds: its pages' identities or the records themselves name the batch.
  if (batch.pages !== undefined && batch.pages.length > 0) return hashParts(plan.name, source.name, 'pages', ...batch.pages);
  return hashRecords([plan.name, source.name], batch.items.map((item) => item.original));
}
