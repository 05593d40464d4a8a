import { toKeelError } from '../errors.js';
import type { DecodeReject, SourcePage, SourceRecord } from '../sdk/connector.js';
import type { StoredCursor } from '../state/state-store.js';
import type { ReadBatch } from './batch.js';
import { connectorState } from './connector-state.js';
import type { ItemInFlight } from './item-in-flight.js';
import { stopRequested, type SourceContext } from './run-context.js';
import { streamContext } from './stream-context.js';

/**
 * Reads one source page by page and cuts the stream into batches of `batch_size` records, each
 * ending at an exact cursor: a checkpoint the source gave plus how many records after it are
 * done. Batches therefore start at the same positions when a run is repeated after a crash,
 * which is what lets batch-scoped targets (files) deduplicate. A stop request ends the reading
 * between batches; the cursor of the last batch committed says where the next run goes on.
 */
export async function* readBatches(scope: SourceContext, config: unknown): AsyncGenerator<ReadBatch, void, undefined> {
  const { plan, source, store } = scope;
  const stored = source.sync === 'incremental' ? await store.readCursor(plan.name, source.name) : undefined;
  let checkpoint = stored?.checkpoint ?? null;
  // A source that cannot replay (a live API) re-reads its page whole; the ledger drops what was delivered.
  let skip = source.read.replayable === false ? 0 : (stored?.skip ?? 0);
  const open = new OpenBatch({ checkpoint, skip });
  // Records consumed since `checkpoint` before the current page: a cursor is (checkpoint, count).
  let pageBase = 0;
  const pages = source.read.read({
    ...streamContext(scope, source, config, connectorState(store, source.connection.name), scope.logger),
    cursor: checkpoint ?? undefined,
    sync: source.sync,
  });
  const iterator = pages[Symbol.asyncIterator]();
  try {
    while (!stopRequested(scope)) {
      let next: IteratorResult<SourcePage>;
      try {
        next = await iterator.next();
      } catch (error) {
        throw toKeelError(error, `source:${source.name}`);
      }
      if (next.done === true) break;
      const page = next.value;
      const unit = page.unit;
      const mark = page.positions === 'item' ? '#' : ':';
      const records = page.records;
      // Listed even when all it held was rejected or read before.
      const file = page.unitIsFile === true ? unit : undefined;
      if (file !== undefined) open.noteFile(file, 0);
      let index = 0;
      if (skip > 0) {
        // Resuming inside this page: its first `skip` records (and its rejects) were committed before.
        index = Math.min(skip, records.length);
        skip -= index;
      } else if (page.rejects !== undefined) {
        open.rejects.push(...page.rejects);
      }
      while (index < records.length) {
        const items = open.items;
        const end = Math.min(records.length, index + plan.batchSize - items.length);
        open.addSlice(page.identity, index, end);
        if (file !== undefined) open.noteFile(file, end - index);
        for (; index < end; index += 1) {
          const record = records[index] as SourceRecord;
          // Every field set, in this order, as replay.ts does too: one shape for all items keeps the path's property reads monomorphic.
          items.push({
            data: record.data,
            original: record.data,
            unit,
            mark,
            at: record.at,
            replayOrigin: undefined,
            deadLetterId: undefined,
            replayCode: undefined,
            onlyTarget: undefined,
          });
        }
        if (items.length >= plan.batchSize) {
          const batch = open.cut({ checkpoint, skip: pageBase + index });
          if (batch !== undefined) yield batch;
          if (stopRequested(scope)) break;
        }
      }
      if (index < records.length) break; // stopped inside the page; the cursor says where
      if (page.checkpoint !== undefined) {
        checkpoint = page.checkpoint;
        pageBase = 0;
      } else {
        pageBase += records.length;
      }
      if (page.afterCommit !== undefined) open.afterCommit.push(page.afterCommit);
    }
    if (!stopRequested(scope) || open.items.length > 0) {
      const batch = open.cut({ checkpoint, skip: pageBase });
      if (batch !== undefined) yield batch;
    }
  } finally {
    await iterator.return?.();
  }
}

/** The batch being filled: what was read since the last cut, and where the source stood then. */
class OpenBatch {
  items: ItemInFlight[] = [];
  rejects: DecodeReject[] = [];
  afterCommit: (() => Promise<void>)[] = [];
  private pages: string[] | undefined = [];
  private files = new Map<string, number>();

  constructor(private start: StoredCursor) {}

  /** Records `from`–`end` of a page join the batch: a live source's batch is named by its page slices while every page has an identity. */
  addSlice(identity: string | undefined, from: number, end: number): void {
    if (this.pages === undefined) return;
    if (identity === undefined) this.pages = undefined;
    else this.pages.push(`${identity}@${from}-${end}`);
  }

  noteFile(name: string, records: number): void {
    this.files.set(name, (this.files.get(name) ?? 0) + records);
  }

  /** Ends the batch at `end` and opens the next there; undefined when nothing was read, rejected or finished since the last cut. */
  cut(end: StoredCursor): ReadBatch | undefined {
    const batch: ReadBatch = { kind: 'read', items: this.items, rejects: this.rejects, afterCommit: this.afterCommit, start: this.start, end, pages: this.pages, filesRead: this.files };
    this.items = [];
    this.files = new Map();
    this.rejects = [];
    this.afterCommit = [];
    this.pages = [];
    this.start = end;
    const empty = batch.items.length === 0 && batch.rejects.length === 0 && batch.afterCommit.length === 0 && sameCursor(batch.start, end);
    return empty ? undefined : batch;
  }
}

function sameCursor(a: StoredCursor, b: StoredCursor): boolean {
  return a.skip === b.skip && JSON.stringify(a.checkpoint) === JSON.stringify(b.checkpoint);
}
