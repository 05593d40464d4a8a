import { mkdirSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import inventory from '../../engines/inventory/index.js';
import { opsProject } from '../../test-support/ops-project.js';
import { runProject } from '../../test-support/run-project.js';
import type { TempProject } from '../../test-support/temp-project.js';
import { UpdatedAtWalk } from '../http/incremental.js';
import { openProject, type OpenProject } from '../project/open-project.js';
import { emptyCounts } from '../state/state-store.js';
import { createMetrics } from './metrics.js';

let project: TempProject | undefined;
let open: OpenProject | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
  project?.remove();
});

/** The samples of an exposition, parsed as Prometheus reads them: `name{labels}` → value. */
function samples(body: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of body.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-z_:]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (match === null) throw new Error(`not an exposition line: ${line}`);
    out.set(`${match[1]}${match[2] ?? ''}`, Number(match[3]));
  }
  return out;
}

describe('Prometheus metrics of a project', () => {
  it('count what real runs read, wrote and dead-lettered, and show runs, reservations, held orders and open dead letters', async () => {
    project = opsProject();
    const outRoot = project.path('out');
    mkdirSync(outRoot);
    const env = { OUT_ROOT: outRoot };
    await runProject(project.dir, { pipeline: 'stock', env });
    await runProject(project.dir, { pipeline: 'route', env });
    const failed = await runProject(project.dir, { pipeline: 'export', env: {} });
    expect(failed.summary.status).toBe('failed');
    const exported = await runProject(project.dir, { pipeline: 'export', env });
    expect(exported.summary).toMatchObject({ status: 'dead_letters', read: 5, written: 3, deadLettered: 2 });
    await runProject(project.dir, { pipeline: 'export', env, dryRun: true });

    open = await openProject(project.dir);
    const runs = await open.store.listRuns({ pipeline: 'export', limit: 10 });
    const lastExport = runs.find((run) => run.status === 'dead_letters');
    const { contentType, body } = await createMetrics(open).collect();
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const values = samples(body);
    expect(values.get('keel_records_read_total{pipeline="export"}')).toBe(5);
    expect(values.get('keel_records_written_total{pipeline="export"}')).toBe(3);
    expect(values.get('keel_records_dead_lettered_total{pipeline="export"}')).toBe(2);
    expect(values.get('keel_records_read_total{pipeline="stock"}')).toBe(3);
    expect(values.get('keel_records_read_total{pipeline="route"}')).toBe(3);
    expect(values.get('keel_runs_total{pipeline="export",kind="run",status="failed"}')).toBe(1);
    expect(values.get('keel_runs_total{pipeline="export",kind="run",status="dead_letters"}')).toBe(1);
    expect(values.get('keel_last_run_failed{pipeline="export"}')).toBe(0);
    expect(values.get('keel_dead_letters_open{pipeline="export"}')).toBe(2);
    expect(values.get('keel_dead_letters_open{pipeline="stock"}')).toBe(0);
    expect(values.get('keel_last_success_timestamp_seconds{pipeline="export"}')).toBe(Date.parse(lastExport?.finishedAt ?? '') / 1000);
    expect(values.get('keel_run_last_duration_seconds{pipeline="export",kind="run",status="dead_letters"}')).toBe((lastExport?.durationMs ?? -1) / 1000);
    // Order 1 and 2 are held at the nearest location (routed); the 5 MUG cannot be served: held.
    expect(values.get('keel_orders_held')).toBe(1);
    expect(values.get('keel_reserved_units{channel="shop",kind="stock",at_location="true"}')).toBe(3);
    expect(values.get('keel_reservations{channel="shop",kind="stock",at_location="true"}')).toBe(2);
    // Names and help follow Prometheus conventions.
    for (const name of new Set([...values.keys()].map((key) => key.replace(/\{.*$/, '')))) {
      expect(name).toMatch(/^keel_[a-z_]+$/);
      expect(body).toMatch(new RegExp(`^# HELP ${name} \\S`, 'm'));
    }
  });

  it('show sync lag, drift and API budget as the state file holds them at the scrape, written by any process', async () => {
    project = opsProject();
    open = await openProject(project.dir);
    const T = Date.parse('2026-11-23T08:00:00Z');
    // What another process left in the state: an updated-at walk's checkpoint, a budget, drift.
    const walk = new UpdatedAtWalk({ field: 'updated_at', param: 'since' }, { since: T - 90_000, seen: {} });
    const run = await open.store.startRun({ pipeline: 'export', kind: 'run', dryRun: false });
    await open.store.commit({ pipeline: 'export', runId: run, source: 'rows', cursor: { checkpoint: walk.checkpoint(), skip: 0 }, deliveries: [], deadLetters: [], sequences: [], counts: emptyCounts() });
    await open.store.rates.take('shop-api', { capacity: 40, leakPerMs: 2 / 1000 }, T - 1000, 10);
    await open.engines.get(inventory)?.reconcile('shop', [{ sku: 'TEE', quantity: 7 }], new Date(T));

    const metrics = createMetrics(open, { now: () => T });
    const values = samples((await metrics.collect()).body);
    expect(values.get('keel_sync_lag_seconds{pipeline="export",source="rows"}')).toBe(90);
    expect(values.get('keel_api_budget_used{account="shop-api"}')).toBe(8);
    expect(values.get('keel_api_budget_capacity{account="shop-api"}')).toBe(40);
    expect(values.get('keel_stock_drift_skus{channel="shop"}')).toBe(1);
    expect(values.get('keel_stock_drift_units{channel="shop"}')).toBe(7);
    expect(values.get('keel_runs_running{pipeline="export"}')).toBe(1);
    expect(values.get('keel_orders_held')).toBe(0);
    // A second scrape reads again: nothing is carried over in this process.
    await open.store.finishRun(run, { status: 'failed', error: 'boom' });
    const again = samples((await metrics.collect()).body);
    expect(again.get('keel_runs_running{pipeline="export"}')).toBe(0);
    expect(again.get('keel_last_run_failed{pipeline="export"}')).toBe(1);
    expect(again.get('keel_runs_total{pipeline="export",kind="run",status="failed"}')).toBe(1);
  });
});
