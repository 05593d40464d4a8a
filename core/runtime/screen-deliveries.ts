import type { OnChange } from '../sdk/connector.js';
import type { KeyRecall } from '../state/state-store.js';
import { CHANGED_AFTER_DELIVERY, judgeVersion } from './changed-version.js';
import type { ItemInFlight } from './item-in-flight.js';

/** A record of the batch on its way to one target, with its key. */
export interface Candidate {
  item: ItemInFlight;
  /** Set by the screen: an earlier run had started sending this record and never learnt the answer. */
  resent?: boolean;
  /** Its place in the batch as the source gave it: one-file-per-record batches are named by it. */
  index: number;
  key: string;
  /** For a target keyed by what identifies a record (key: or a primary key): the version, to tell changes apart. */
  version: { hash: string; content: string | undefined } | undefined;
}

/** What an earlier version looked like, for the dead letter of a changed one. */
export interface EarlierVersion {
  content: string | undefined;
  /** When it was delivered; undefined when it goes out earlier in this very batch. */
  at: string | undefined;
}

export interface Screened {
  /** To write, each with the idempotency key it goes out under. */
  send: { candidate: Candidate; idempotencyKey: string }[];
  /** Delivered before with the same content, changed and skipped, or superseded in this batch. */
  duplicates: number;
  /** Accepted by a run killed before its batch committed: written, and settled with this batch. */
  recovered: Candidate[];
  /** Changed versions that `on_change: dead_letter` holds back, with what went out before. */
  heldBack: { candidate: Candidate; earlier: EarlierVersion }[];
  /** Of `send` and `recovered`, those an earlier run had started sending without learning the answer. */
  resent: number;
}

/**
 * Sorts one target's share of a batch against the effect ledger: new records go out; a record
 * whose key was delivered with the same content is a duplicate; one whose content changed
 * follows `onChange` (a replayed dead letter held back for its change always goes out: a person
 * decided). Records of one key within the batch count too: the first goes, a repeat is a
 * duplicate or a change; with `send`, only the last version in source order goes out, so an
 * API never receives two versions at once in an order it might not keep.
 *
 * Pure: the same records against the same ledger give the same answer, which is what lets a
 * batch written again after a crash hold the same records.
 */
export function screenAgainstLedger(
  candidates: readonly Candidate[],
  recall: ReadonlyMap<string, KeyRecall>,
  options: { onChange: OnChange; runId: number },
): Screened {
  const out: Screened = { send: [], duplicates: 0, recovered: [], heldBack: [], resent: 0 };
  const last = options.onChange === 'send' ? lastPositions(candidates) : undefined;
  const inBatch = new Map<string, { hash: string | undefined; content: string | undefined }>();
  for (const [position, candidate] of candidates.entries()) {
    const { key, version } = candidate;
    if (last !== undefined && last.get(key) !== position) {
      out.duplicates += 1; // a later version of this key in the batch goes instead
      continue;
    }
    const recalled = recall.get(key);
    const delivered = recalled?.delivered;
    const earlier = inBatch.get(key);
    const previous = earlier ?? delivered;
    // A record keyed by its content: the key is the version.
    const verdict = previous === undefined ? 'new' : version === undefined ? 'same' : judgeVersion(previous, version.hash);
    let idempotencyKey = key;
    if (verdict === 'same') {
      if (earlier === undefined && delivered?.unsettledRun !== undefined && delivered.unsettledRun !== options.runId) {
        // The killed run's own send may have repeated one left in doubt: this batch counts it.
        if (delivered.unsettledResent) {
          candidate.resent = true;
          out.resent += 1;
        }
        out.recovered.push(candidate);
      } else out.duplicates += 1;
      inBatch.set(key, { hash: version?.hash, content: version?.content });
      continue;
    }
    if (verdict === 'changed' && version !== undefined) {
      const policy = candidate.item.replayCode === CHANGED_AFTER_DELIVERY ? 'send' : options.onChange;
      if (policy === 'skip') {
        out.duplicates += 1;
        continue;
      }
      if (policy === 'dead_letter') {
        out.heldBack.push({ candidate, earlier: earlier !== undefined ? { content: earlier.content, at: undefined } : { content: delivered?.content, at: delivered?.at } });
        continue;
      }
      // A new idempotency key for the new version: an API that remembers keys would otherwise
      // answer with the first result and drop the update.
      idempotencyKey = `${key}#${version.hash.slice(0, 16)}`;
    }
    inBatch.set(key, { hash: version?.hash, content: version?.content });
    if (recalled?.inDoubtSince !== undefined && recalled.inDoubtSince !== options.runId) {
      candidate.resent = true;
      out.resent += 1;
    }
    out.send.push({ candidate, idempotencyKey });
  }
  return out;
}

function lastPositions(candidates: readonly Candidate[]): Map<string, number> {
  const last = new Map<string, number>();
  for (const [position, candidate] of candidates.entries()) last.set(candidate.key, position);
  return last;
}
