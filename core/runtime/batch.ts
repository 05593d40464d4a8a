import type { DecodeReject } from '../sdk/connector.js';
import type { FileTouch, StageCounts } from '../state/run-details.js';
import { emptyCounts, type DeadLetterInput, type LedgerEntry, type RunCounts, type StoredCursor } from '../state/state-store.js';
import { deadLetter } from './dead-letter.js';
import { sourceStage } from './stage-counts.js';
import type { ItemInFlight } from './item-in-flight.js';
import type { SourceContext } from './run-context.js';

interface BatchRecords {
  items: ItemInFlight[];
  /** What the decoders refused: dead-lettered with the batch. */
  rejects: readonly DecodeReject[];
  /** Actions the source asked for once the batch is committed (archiving a file it finished). */
  afterCommit: readonly (() => Promise<void>)[];
}

/** A batch read from a source: committed with the cursor at its end. */
export interface ReadBatch extends BatchRecords {
  kind: 'read';
  start: StoredCursor;
  end: StoredCursor;
  /** For a live source: the identities of the page slices it holds, or undefined when a page had none. */
  pages: string[] | undefined;
  /** The files its records came from (a file or SFTP source), with how many records of each. */
  filesRead: ReadonlyMap<string, number>;
}

/** A batch of dead letters being replayed: its items carry the dead letters they stand for, and it moves no cursor. */
export interface ReplayBatch extends BatchRecords {
  kind: 'replay';
}

export type Batch = ReadBatch | ReplayBatch;

/** What a batch came to, committed with it in one transaction. */
export interface BatchOutcome {
  counts: RunCounts;
  deadLetters: DeadLetterInput[];
  /** Effect ledger entries: what steps remembered and what targets accepted. */
  deliveries: LedgerEntry[];
  /** Each target's batch counter after this batch. */
  sequences: { target: string; value: number }[];
  /** What each stage did with the batch, and the files read and written: added to the run's detail with the commit. */
  detail: { stages: StageCounts[]; files: FileTouch[] };
}

/** A batch's outcome once read: its records and rejects counted, the rejects dead letters. */
export function outcomeOfReading(scope: SourceContext, batch: Batch): BatchOutcome {
  const counts = emptyCounts();
  counts.read = batch.items.length + batch.rejects.length;
  const deadLetters = batch.rejects.map((reject) => deadLetter(scope, reject, { stage: 'decode', code: 'decode_failed', reason: reject.reason }));
  const source = sourceStage(scope);
  source.in = counts.read;
  source.out = batch.items.length;
  source.deadLettered = batch.rejects.length;
  const files: FileTouch[] = [];
  if (batch.kind === 'read') for (const [name, records] of batch.filesRead) files.push({ direction: 'read', stage: source.stage, name, records });
  return { counts, deadLetters, deliveries: [], sequences: [], detail: { stages: [source], files } };
}
