import type { RunRecord, RunStatus } from './state-store.js';

/**
 * What the run history adds up to (metrics, alerts): records per pipeline, runs per outcome with
 * the latest of each, dead letters still open. A read must not grow with the history: a store
 * keeps these totals as runs and dead letters change (SQLite: triggers). Dry runs change
 * nothing and are left out. Totals keep what pruned runs had counted, so they only ever grow: a
 * Prometheus counter built on them never resets because old history was cleaned up.
 */
export interface RunStats {
  /** One row per pipeline, kind and status that (non-dry) runs have, running runs included, or had where pruned runs counted records. */
  outcomes(): Promise<RunOutcomeStats[]>;
  /** Dead letters still open, per pipeline that has any. */
  openDeadLetters(): Promise<{ pipeline: string; open: number }[]>;
}

export interface RunOutcomeStats {
  pipeline: string;
  kind: RunRecord['kind'];
  status: RunStatus;
  /** Runs with this outcome, pruned ones included; for `running`, the runs marked running now. */
  runs: number;
  read: number;
  written: number;
  deadLettered: number;
  /** The newest run with this outcome still in the history (undefined once all were pruned). */
  last: { id: number; startedAt: string; finishedAt: string | null } | undefined;
}
