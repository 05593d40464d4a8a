import { setImmediate as nextTurn } from 'node:timers/promises';
import type { StateStore } from './state-store.js';
import { PRUNABLE_PARTS, type PrunablePart } from './state-pruning.js';

/**
 * How long the state keeps what it may forget (keel.yaml `retention:`), in days; undefined keeps
 * it for ever. The effect ledger is kept for ever unless a project says otherwise: an entry
 * forgotten is a record that would be sent again if a source ever read it again (a full sync, a
 * reset), so only the project can say when that can no longer happen.
 */
export interface Retention {
  runs: number | undefined;
  deadLetters: number | undefined;
  ledger: number | undefined;
}

export const DEFAULT_RETENTION: Retention = { runs: 90, deadLetters: 30, ledger: undefined };

/** Rows looked at per transaction: small enough that a run waiting for the state file waits milliseconds. */
const DEFAULT_WINDOW = 2000;
const DAY_MS = 86_400_000;

export interface PruneOptions {
  /** Count what would go, forget nothing. */
  dryRun?: boolean;
  /** Rows looked at per transaction. */
  window?: number;
}

export interface PrunedPart {
  part: PrunablePart;
  /** Days kept, or null: kept for ever (nothing pruned). */
  keptDays: number | null;
  /** What older than this (ISO 8601) was prunable; null when kept for ever. */
  olderThan: string | null;
  pruned: number;
}

export interface PruneReport {
  dryRun: boolean;
  parts: PrunedPart[];
}

/**
 * Forgets runs, handled dead letters and settled ledger entries older than the retention, a
 * window at a time with a turn of the event loop between windows, so a large state file is never
 * locked for long and a server pruning once a day stays responsive. What each part keeps whatever
 * its age is in state-pruning.ts; open dead letters and unsettled or in-doubt ledger entries among it.
 */
export async function pruneState(store: StateStore, retention: Retention, now: Date, options: PruneOptions = {}): Promise<PruneReport> {
  const window = options.window ?? DEFAULT_WINDOW;
  const parts: PrunedPart[] = [];
  for (const part of PRUNABLE_PARTS) {
    const days = retention[part];
    if (days === undefined) {
      parts.push({ part, keptDays: null, olderThan: null, pruned: 0 });
      continue;
    }
    const olderThan = new Date(now.getTime() - days * DAY_MS).toISOString();
    let pruned = 0;
    if (options.dryRun === true) pruned = await store.pruning.count(part, olderThan);
    else {
      let after: string | undefined;
      do {
        const chunk = await store.pruning.prune(part, olderThan, window, after);
        pruned += chunk.pruned;
        after = chunk.next;
        await nextTurn();
      } while (after !== undefined);
    }
    parts.push({ part, keptDays: days, olderThan, pruned });
  }
  return { dryRun: options.dryRun === true, parts };
}
