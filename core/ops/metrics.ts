import { Counter, Gauge, Registry } from 'prom-client';
import type { OpenProject } from '../project/open-project.js';
import { lastFinishedRun, lastSuccessAt, readOpsState, type OpsState } from './ops-state.js';

/** What `/metrics` answers: the Prometheus text exposition and its content type. */
export interface Metrics {
  collect(): Promise<{ contentType: string; body: string }>;
}

export interface MetricsOptions {
  /** The clock (epoch ms); a test steps it. */
  now?: () => number;
}

/**
 * Prometheus metrics of a project, read from the state store and the engines at each scrape (so
 * every process's runs count, not only this one's), on a registry of their own: nothing global,
 * two projects in one process do not mix. Counters are totals of the run history (kept when old
 * runs are pruned); gauges are the state at the scrape.
 */
export function createMetrics(project: OpenProject, options: MetricsOptions = {}): Metrics {
  const now = options.now ?? Date.now;
  const registry = new Registry();
  const registers = [registry];
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) => new Counter<L>({ name, help, labelNames, registers });
  const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]) => new Gauge<L>({ name, help, labelNames, registers });
  const m = {
    read: counter('keel_records_read_total', 'Records read from sources, per pipeline (dry runs left out).', ['pipeline']),
    written: counter('keel_records_written_total', 'Records targets accepted, per pipeline (dry runs left out).', ['pipeline']),
    deadLettered: counter('keel_records_dead_lettered_total', 'Records sent to the dead-letter queue, per pipeline (dry runs left out).', ['pipeline']),
    runs: counter('keel_runs_total', 'Runs that finished, per pipeline, kind (run, replay) and status (ok, dead_letters, failed, interrupted).', ['pipeline', 'kind', 'status']),
    running: gauge('keel_runs_running', 'Runs under way at the scrape, per pipeline.', ['pipeline']),
    duration: gauge('keel_run_last_duration_seconds', 'How long the latest finished run of each pipeline, kind and status took.', ['pipeline', 'kind', 'status']),
    lastSuccess: gauge('keel_last_success_timestamp_seconds', 'When the latest run of each pipeline that ran to its end (ok or dead_letters) finished, in unix seconds.', ['pipeline']),
    lastRun: gauge('keel_last_run_failed', '1 when the latest finished run of each pipeline failed or was interrupted, else 0.', ['pipeline']),
    deadLettersOpen: gauge('keel_dead_letters_open', 'Dead letters not yet replayed or discarded, per pipeline.', ['pipeline']),
    syncLag: gauge('keel_sync_lag_seconds', 'Per incremental source whose checkpoint is a time: how far behind now it has read everything.', ['pipeline', 'source']),
    budgetUsed: gauge('keel_api_budget_used', "What is used of each external account's request budget (requests, or points where the API counts points).", ['account']),
    budgetCapacity: gauge('keel_api_budget_capacity', "Each external account's request budget (absent when unlimited).", ['account']),
    budgetPause: gauge('keel_api_budget_paused_seconds', 'How much longer the vendor asked each account to pause (0: no pause).', ['account']),
    reservations: gauge('keel_reservations', 'Active reservations, per channel, kind (stock, backorder, preorder) and whether held at a location (routed).', ['channel', 'kind', 'at_location']),
    reservedUnits: gauge('keel_reserved_units', 'Units active reservations hold, per channel, kind and whether held at a location.', ['channel', 'kind', 'at_location']),
    heldOrders: gauge('keel_orders_held', 'Orders with a part the routing engine holds because no location can serve it.', []),
    oldestHold: gauge('keel_oldest_hold_age_seconds', 'How long the oldest held order part has been held (0: none).', []),
    driftSkus: gauge('keel_stock_drift_skus', 'SKUs a channel showed with another quantity than it should at its last reconciliation.', ['channel']),
    driftUnits: gauge('keel_stock_drift_units', 'Units apart over those SKUs (sum of |shown − expected|).', ['channel']),
  };
  const metrics = Object.values(m);

  const fill = (state: OpsState): void => {
    for (const metric of metrics) metric.reset();
    for (const pipeline of state.pipelines) {
      for (const metric of [m.read, m.written, m.deadLettered]) metric.inc({ pipeline }, 0);
      m.running.set({ pipeline }, 0);
      m.deadLettersOpen.set({ pipeline }, state.openDeadLetters.get(pipeline) ?? 0);
      const success = lastSuccessAt(state, pipeline);
      if (success !== undefined) m.lastSuccess.set({ pipeline }, success / 1000);
      const last = lastFinishedRun(state, pipeline);
      if (last !== undefined) m.lastRun.set({ pipeline }, last.status === 'failed' || last.status === 'interrupted' ? 1 : 0);
    }
    for (const row of state.outcomes) {
      const { pipeline, kind, status } = row;
      m.read.inc({ pipeline }, row.read);
      m.written.inc({ pipeline }, row.written);
      m.deadLettered.inc({ pipeline }, row.deadLettered);
      if (status === 'running') {
        m.running.set({ pipeline }, row.runs);
        continue;
      }
      m.runs.inc({ pipeline, kind, status }, row.runs);
      if (row.last?.finishedAt != null) m.duration.set({ pipeline, kind, status }, (Date.parse(row.last.finishedAt) - Date.parse(row.last.startedAt)) / 1000);
    }
    for (const { pipeline, source, at } of state.checkpoints) m.syncLag.set({ pipeline, source }, Math.max(0, state.now - at) / 1000);
    for (const budget of state.budgets) {
      m.budgetUsed.set({ account: budget.account }, budget.used);
      if (budget.capacity !== undefined) m.budgetCapacity.set({ account: budget.account }, budget.capacity);
      m.budgetPause.set({ account: budget.account }, Math.max(0, budget.pausedUntil - state.now) / 1000);
    }
    for (const row of state.reservations ?? []) {
      const labels = { channel: row.channel, kind: row.kind, at_location: String(row.atLocation) };
      m.reservations.set(labels, row.reservations);
      m.reservedUnits.set(labels, row.units);
    }
    for (const row of state.drift ?? []) {
      m.driftSkus.set({ channel: row.channel }, row.skus);
      m.driftUnits.set({ channel: row.channel }, row.units);
    }
    if (state.held !== undefined) {
      m.heldOrders.set(state.held.orders);
      m.oldestHold.set(state.held.oldestAt === undefined ? 0 : Math.max(0, state.now - state.held.oldestAt) / 1000);
    }
  };

  // One scrape at a time: a second one must not reset the values while the first is writing them out.
  let queue: Promise<unknown> = Promise.resolve();
  const scrape = async (): Promise<{ contentType: string; body: string }> => {
    fill(await readOpsState(project, now()));
    return { contentType: registry.contentType, body: await registry.metrics() };
  };
  return {
    collect: () => {
      const next = queue.then(scrape, scrape);
      queue = next.catch(() => undefined);
      return next;
    },
  };
}
