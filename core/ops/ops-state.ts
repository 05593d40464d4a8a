import inventory from '../../engines/inventory/index.js';
import routing from '../../engines/routing/index.js';
import type { DriftTotal, ReservationTotalsRow } from '../inventory/inventory-store.js';
import type { OpenProject } from '../project/open-project.js';
import type { AccountBudget } from '../state/rate-ledger.js';
import type { RunOutcomeStats } from '../state/run-stats.js';
import type { RunStatus } from '../state/state-store.js';
import { checkpointTime } from './checkpoint-time.js';

/**
 * What the state file says about the running system at one moment, read in a handful of aggregate
 * queries: metrics and alerts both start from it. Everything comes from the state store and the
 * engines, never from this process's memory, so runs of every process on the state file count.
 */
export interface OpsState {
  now: number;
  /** Pipelines of the project, and those the history knows that the project no longer has. */
  pipelines: string[];
  outcomes: RunOutcomeStats[];
  openDeadLetters: Map<string, number>;
  /** Incremental sources whose checkpoint is a time: the time each has read everything up to (epoch ms). */
  checkpoints: { pipeline: string; source: string; at: number }[];
  budgets: AccountBudget[];
  /** Undefined where the project has no inventory (routing) engine. */
  reservations: ReservationTotalsRow[] | undefined;
  drift: DriftTotal[] | undefined;
  held: { orders: number; oldestAt: number | undefined } | undefined;
}

export async function readOpsState(project: OpenProject, now: number): Promise<OpsState> {
  const { store, engines, plan } = project;
  const outcomes = await store.runStats.outcomes();
  const open = await store.runStats.openDeadLetters();
  const checkpoints: OpsState['checkpoints'] = [];
  for (const pipeline of plan.pipelines) {
    for (const source of pipeline.sources) {
      if (source.sync !== 'incremental') continue;
      const at = checkpointTime((await store.readCursor(pipeline.name, source.name))?.checkpoint);
      if (at !== undefined) checkpoints.push({ pipeline: pipeline.name, source: source.name, at });
    }
  }
  const stock = engines.get(inventory);
  const orders = engines.get(routing);
  const names = new Set([...plan.pipelines.map((pipeline) => pipeline.name), ...outcomes.map((row) => row.pipeline), ...open.map((row) => row.pipeline)]);
  return {
    now,
    pipelines: [...names].sort(),
    outcomes,
    openDeadLetters: new Map(open.map((row) => [row.pipeline, row.open])),
    checkpoints,
    budgets: await store.rates.budgets(now),
    reservations: stock === undefined ? undefined : await stock.store.reservationTotals(now),
    drift: stock === undefined ? undefined : await stock.store.driftTotals(),
    held: orders === undefined ? undefined : await orders.store.heldTotals(),
  };
}

/** Statuses of a run that completed: with dead letters it still ran to its end. */
export const SUCCESS: ReadonlySet<RunStatus> = new Set(['ok', 'dead_letters']);

/** The pipeline's latest finished run (not a replay), from the newest run of each outcome. */
export function lastFinishedRun(state: OpsState, pipeline: string): { id: number; status: RunStatus; finishedAt: string | null } | undefined {
  let last: { id: number; status: RunStatus; finishedAt: string | null } | undefined;
  for (const row of state.outcomes) {
    if (row.pipeline !== pipeline || row.kind !== 'run' || row.status === 'running' || row.last === undefined) continue;
    if (last === undefined || row.last.id > last.id) last = { id: row.last.id, status: row.status, finishedAt: row.last.finishedAt };
  }
  return last;
}

/** When the pipeline's last run (not a replay) that completed finished (epoch ms). */
export function lastSuccessAt(state: OpsState, pipeline: string): number | undefined {
  let latest: number | undefined;
  for (const row of state.outcomes) {
    if (row.pipeline !== pipeline || row.kind !== 'run' || !SUCCESS.has(row.status) || row.last?.finishedAt == null) continue;
    const at = Date.parse(row.last.finishedAt);
    latest = latest === undefined ? at : Math.max(latest, at);
  }
  return latest;
}
