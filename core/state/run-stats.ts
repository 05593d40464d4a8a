import type { RunRecord, RunStatus } from './state-store.js';

/**
 * What the run history adds up to, read in a few aggregate queries (metrics, alerts): records per
 * pipeline, runs per outcome with the latest of each, dead letters still open. Dry runs change
 * nothing and are left out. Totals keep what pruned runs had counted, so they only ever grow: a
 * Prometheus counter built on them never resets because old history was cleaned up.
 */
export interface RunStats {
  /** One row per pipeline, kind and status that any (non-dry) run has had, running runs included. */
  outcomes(): Promise<RunOutcomeStats[]>;
  /** Dead letters still open, per pipeline that has any. */
  openDeadLetters(): Promise<{ pipeline: string; open: number }[]>;
}

export interface RunOutcomeStats {
  pipeline: string;
  kind: RunRecord['kind'];
  status: RunStatus;
  /** Runs with this outcome, pruned ones included. */
  runs: number;
  read: number;
  written: number;
  deadLettered: number;
  /** The newest run with this outcome still in the history (undefined once all were pruned). */
  last: { id: number; startedAt: string; finishedAt: string | null } | undefined;
}
