import { afterEach, describe, expect, it } from 'vitest';
import { scheduleProject } from '../../test-support/schedule-project.js';
import { tempProject, type TempProject } from '../../test-support/temp-project.js';

import { openProject, type OpenProject } from '../project/open-project.js';
import type { FireRecord } from '../state/schedule-fires.js';
import { fireWave, jitterFor } from './fire-wave.js';
import { Scheduler, type ScheduleEvent } from './scheduler.js';

let project: TempProject | undefined;
const opened: OpenProject[] = [];
const schedulers: Scheduler[] = [];

afterEach(async () => {
  await Promise.all(schedulers.splice(0).map((scheduler) => scheduler.stop()));
  await Promise.all(opened.splice(0).map((session) => session.close()));
  project?.remove();
});

async function open(dir: string): Promise<OpenProject> {
  const session = await openProject(dir);
  opened.push(session);
  return session;
}

async function start(session: OpenProject, events: ScheduleEvent[] = []): Promise<Scheduler> {
  const scheduler = await Scheduler.start(session, { onEvent: (event) => events.push(event) });
  schedulers.push(scheduler);
  return scheduler;
}

/** Waits until `check` holds, polling; fails after `ms`. */
async function until(check: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not reached within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('Scheduler', () => {
  it('claims every fire once across two schedulers on one state file, and runs the follower after each', async () => {
    project = scheduleProject({ cron: '*/2 * * * * *', follower: true });
    const [one, two] = [await open(project.dir), await open(project.dir)];
    const events: ScheduleEvent[] = [];
    await start(one, events);
    await start(two, events);
    await until(() => events.filter((event) => event.type === 'run' && event.pipeline === 'follow').length >= 4, 20_000);
    await Promise.all(schedulers.splice(0).map((scheduler) => scheduler.stop()));

    const runs = events.flatMap((event) => (event.type === 'run' ? [event] : []));
    // The scheduler that lost a claim did not try: no fire found its pipeline busy.
    expect(events.filter((event) => event.type === 'not_run')).toEqual([]);
    const fires = (pipeline: string) => runs.filter((run) => run.pipeline === pipeline).map((run) => run.fireAt);
    // Each fire instant ran once, in either scheduler, and consecutive fires are two seconds apart.
    for (const pipeline of ['tick', 'follow']) expect(new Set(fires(pipeline)).size).toBe(fires(pipeline).length);
    const ticks = fires('tick').sort();
    for (let i = 1; i < ticks.length; i += 1) expect(Date.parse(ticks[i] ?? '') - Date.parse(ticks[i - 1] ?? '')).toBe(2000);
    // The follower ran for a fire only after tick's run of that fire ended.
    const history = await one.store.listRuns({ limit: 1000 });
    for (const run of runs.filter((item) => item.pipeline === 'follow')) {
      const tick = runs.find((item) => item.pipeline === 'tick' && item.fireAt === run.fireAt);
      expect(tick).toBeDefined();
      const tickEnd = history.find((record) => record.id === tick?.summary.runId)?.finishedAt ?? '';
      const followStart = history.find((record) => record.id === run.summary.runId)?.startedAt ?? '';
      expect(followStart >= tickEnd).toBe(true);
    }
    // The first run copied both records; later fires found nothing new.
    expect(runs.reduce((sum, run) => sum + (run.pipeline === 'tick' ? run.summary.written : 0), 0)).toBe(2);
  }, 30_000);

  it('records a fire whose pipeline is still running as busy and skips its follower, naming why', async () => {
    project = scheduleProject({ cron: '* * * * * *', follower: true });
    const session = await open(project.dir);
    expect(await session.store.acquireLease('pipeline:tick', 'elsewhere:1:x', 60_000)).toBe(true);
    const events: ScheduleEvent[] = [];
    await start(session, events);
    await until(() => events.some((event) => event.type === 'not_run' && event.pipeline === 'follow'), 10_000);
    const busy = events.find((event) => event.type === 'not_run' && event.pipeline === 'tick');
    expect(busy).toMatchObject({ outcome: 'busy', reason: expect.stringContaining('already running in another process') });
    const skipped = events.find((event) => event.type === 'not_run' && event.pipeline === 'follow');
    expect(skipped).toMatchObject({ outcome: 'skipped', reason: 'it runs after tick (busy)' });
    const fireAt = (skipped as { fireAt: string }).fireAt;
    expect(await session.store.fires.get('tick', fireAt)).toMatchObject({ outcome: 'busy' });
    expect(await session.store.fires.get('follow', fireAt)).toMatchObject({ outcome: 'skipped' });
    expect(await session.store.listRuns()).toEqual([]);
  }, 20_000);

  it.each([
    ['skip', 0],
    ['run_once', 1],
  ] as const)('treats fires missed while no scheduler ran by misfire: %s', async (misfire, runsAtStart) => {
    project = scheduleProject({ cron: '0 * * * * *', misfire });
    const session = await open(project.dir);
    // A scheduler last fired `tick` 10 minutes and 30 seconds ago (on a minute boundary), then stopped.
    const lastFire = new Date(Math.floor((Date.now() - 630_000) / 60_000) * 60_000);
    await session.store.fires.claim({ pipeline: 'tick', fireAt: lastFire.toISOString(), holder: 'gone:1', claimedAt: lastFire.toISOString() });
    await session.store.fires.finish('tick', lastFire.toISOString(), 'ok');
    const events: ScheduleEvent[] = [];
    const scheduler = await start(session, events);
    const missed = events.find((event) => event.type === 'missed');
    expect(missed).toMatchObject({ pipeline: 'tick', since: lastFire.toISOString(), policy: misfire });
    // 10 whole minutes passed since the last fire (11 when a minute turned while the test started).
    expect([10, 11]).toContain((missed as { count: number }).count);
    await until(() => events.filter((event) => event.type === 'run').length === runsAtStart, 5000);
    await scheduler.stop();
    const latest = (await session.store.fires.last('tick')) as FireRecord;
    expect(Date.parse(latest.fireAt)).toBeGreaterThan(lastFire.getTime() + 9 * 60_000);
    expect(latest.outcome).toBe(misfire === 'skip' ? 'skipped' : 'ok');
    expect(await session.store.listRuns()).toHaveLength(runsAtStart);

    // Started again, nothing more was missed: the skipped or made-up fire was recorded.
    const again: ScheduleEvent[] = [];
    await start(session, again);
    expect(again.filter((event) => event.type === 'missed')).toEqual([]);
  }, 20_000);

  it('stops gracefully: the run in hand finishes and the lease is free again', async () => {
    project = scheduleProject({ cron: '* * * * * *' });
    const session = await open(project.dir);
    const events: ScheduleEvent[] = [];
    const scheduler = await start(session, events);
    await until(() => events.some((event) => event.type === 'run'), 10_000);
    await scheduler.stop();
    expect(scheduler.running()).toBe(false);
    expect(events.at(-1)).toEqual({ type: 'stopped' });
    expect(await session.store.acquireLease('pipeline:tick', 'next:1:x', 60_000)).toBe(true);
    const count = events.length;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(events).toHaveLength(count);
  }, 20_000);
});

describe('fireWave and jitterFor', () => {
  const plan = (name: string, scheduled: boolean, after: string[] = []) => ({ name, after, schedule: scheduled ? { cron: '* * * * *', timezone: 'UTC', jitterMs: 0, misfire: 'skip' as const } : undefined });

  it('adds unscheduled followers down the chain, never scheduled ones or unrelated ones', () => {
    const pipelines = [plan('stock', true), plan('routing', false, ['stock']), plan('requests', false, ['routing']), plan('report', true, ['stock']), plan('other', false)];
    const wave = fireWave(pipelines as never, new Set(['stock']), new Date(0));
    expect(wave.members.map((member) => member.name)).toEqual(['stock', 'routing', 'requests']);
    expect(Object.fromEntries(wave.waitsFor)).toEqual({ stock: [], routing: ['stock'], requests: ['routing'] });
  });

  it('spreads fires over the jitter, the same for the same fire', () => {
    const at = new Date('2026-12-08T02:00:00Z');
    const delays = ['a', 'b', 'c', 'd', 'e', 'f'].map((name) => jitterFor(name, at, 30_000));
    for (const delay of delays) expect(delay).toBeGreaterThanOrEqual(0), expect(delay).toBeLessThan(30_000);
    expect(new Set(delays).size).toBeGreaterThan(3);
    expect(jitterFor('a', at, 30_000)).toBe(delays[0]);
    expect(jitterFor('a', at, 0)).toBe(0);
  });
});

describe('schedules in keel.yaml and pipeline files', () => {
  it("fills a pipeline's schedule from keel.yaml's schedule: defaults, the pipeline's own settings first", async () => {
    project = tempProject({
      'keel.yaml': 'name: s\nschedule: { timezone: Europe/Berlin, jitter_seconds: 30, misfire: run_once }\nconnections:\n  inbox: { connector: file, config: { root: ./in } }\n',
      'pipelines/a.yaml': 'name: a\nschedule: "0 2 * * *"\nsource: { connection: inbox, stream: files, options: { path: "*.ndjson" } }\ntargets: [{ connection: inbox, stream: files, options: { path: "out-{seq}.ndjson" } }]\n',
      'pipelines/b.yaml': 'name: b\nschedule: { cron: "*/5 * * * *", timezone: UTC, jitter_seconds: 0, misfire: skip }\nsource: { connection: inbox, stream: files, options: { path: "*.ndjson" } }\ntargets: [{ connection: inbox, stream: files, options: { path: "out-{seq}.ndjson" } }]\n',
    });
    const session = await open(project.dir);
    expect(Object.fromEntries(session.plan.pipelines.map((pipeline) => [pipeline.name, pipeline.schedule]))).toEqual({
      a: { cron: '0 2 * * *', timezone: 'Europe/Berlin', jitterMs: 30_000, misfire: 'run_once' },
      b: { cron: '*/5 * * * *', timezone: 'UTC', jitterMs: 0, misfire: 'skip' },
    });
  });
});
