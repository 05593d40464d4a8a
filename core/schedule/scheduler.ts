import { hostname } from 'node:os';
import type { PipelinePlan } from '../config/plan.js';
import { KeelError } from '../errors.js';
import type { OpenProject } from '../project/open-project.js';
import { runPipeline, type RunSummary } from '../runtime/run-pipeline.js';
import type { FireOutcome } from '../state/schedule-fires.js';
import { CronSchedule } from './cron-schedule.js';
import { fireWave, jitterFor, type FireWave } from './fire-wave.js';

/** Names given to choose pipelines (`-p`) must be pipelines of the project. */
export function checkPipelineNames(pipelines: readonly PipelinePlan[], names: readonly string[] | undefined): void {
  const unknown = (names ?? []).filter((name) => !pipelines.some((pipeline) => pipeline.name === name));
  if (unknown.length > 0) {
    throw new KeelError('config', `no pipeline named ${unknown.join(', ')}; have: ${pipelines.map((pipeline) => pipeline.name).join(', ')}`, {
      code: 'pipeline_unknown',
      stage: 'schedule',
    });
  }
}

/** What the scheduler did, for the terminal and for logs. */
export type ScheduleEvent =
  | { type: 'started'; pipelines: { pipeline: string; next: string | undefined }[] }
  | { type: 'missed'; pipeline: string; count: number; since: string; policy: 'skip' | 'run_once' }
  | { type: 'run'; pipeline: string; fireAt: string; summary: RunSummary }
  | { type: 'not_run'; pipeline: string; fireAt: string; outcome: Extract<FireOutcome, 'busy' | 'skipped' | 'failed'>; reason: string }
  | { type: 'stopping'; running: string[] }
  | { type: 'stopped' };

export interface SchedulerOptions {
  /** Only these pipelines (default: every pipeline of the project). */
  pipelines?: readonly string[];
  onEvent?: (event: ScheduleEvent) => void;
}

/** A fire time is never exactly on time; later than this and it is treated as missed, not due. */
const LATE_TOLERANCE_MS = 1000;
/** Timers are re-armed at least this often, so a clock change or a very distant fire is noticed. */
const MAX_SLEEP_MS = 60 * 60_000;
/** How many missed fires are counted at start (a per-second schedule down for a week need not be counted to the end). */
const MAX_MISSED_COUNTED = 10_000;

/**
 * Starts pipelines on their `schedule:`. Every fire is claimed in the state store before it runs,
 * so schedulers sharing a state file run each fire once; the pipeline lease (taken by the run)
 * keeps a fire from starting while the previous run of the pipeline still goes on. Stopping lets
 * running batches finish and releases the leases.
 */
export class Scheduler {
  private readonly holder = `${hostname()}:${process.pid}`;
  private readonly schedules = new Map<string, CronSchedule>();
  private readonly nextFire = new Map<string, Date>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly runningNow = new Set<string>();
  private readonly stopRuns = new AbortController();
  private readonly abortRuns = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;
  private readonly pipelines: PipelinePlan[];
  private markStopped: () => void = () => undefined;
  /** Settles when `stop` has finished: every run ended, every lease released. */
  readonly stopped = new Promise<void>((resolve) => {
    this.markStopped = resolve;
  });

  private constructor(
    private readonly project: OpenProject,
    private readonly options: SchedulerOptions,
  ) {
    const wanted = options.pipelines;
    this.pipelines = project.plan.pipelines.filter((pipeline) => wanted === undefined || wanted.includes(pipeline.name));
    for (const pipeline of this.pipelines) {
      if (pipeline.schedule !== undefined) this.schedules.set(pipeline.name, new CronSchedule(pipeline.schedule.cron, pipeline.schedule.timezone));
    }
  }

  /** Starts scheduling: first the fires missed while no scheduler ran (by each pipeline's misfire policy), then the timer. */
  static async start(project: OpenProject, options: SchedulerOptions = {}): Promise<Scheduler> {
    checkPipelineNames(project.plan.pipelines, options.pipelines);
    const scheduler = new Scheduler(project, options);
    const now = new Date();
    for (const [name, schedule] of scheduler.schedules) {
      const next = schedule.next(new Date(now.getTime() - LATE_TOLERANCE_MS));
      if (next !== undefined) scheduler.nextFire.set(name, next);
    }
    scheduler.emit({ type: 'started', pipelines: scheduler.upcoming().map(({ pipeline, next }) => ({ pipeline, next: next?.toISOString() })) });
    await scheduler.catchUp(now);
    scheduler.arm();
    return scheduler;
  }

  /** True until `stop` is called. */
  running(): boolean {
    return !this.stopping;
  }

  /** The next fire of every scheduled pipeline. */
  upcoming(): { pipeline: string; next: Date | undefined }[] {
    return [...this.schedules.keys()].map((pipeline) => ({ pipeline, next: this.nextFire.get(pipeline) }));
  }

  /**
   * Stops: no new fire starts, running pipelines finish the batch in hand and save their state,
   * leases are released. `stop` again (a second signal) cancels the writes in flight.
   */
  async stop(): Promise<void> {
    if (this.stopping) {
      this.abortRuns.abort();
    } else {
      this.stopping = true;
      clearTimeout(this.timer);
      this.emit({ type: 'stopping', running: [...this.runningNow] });
      this.stopRuns.abort();
    }
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    this.emit({ type: 'stopped' });
    this.markStopped();
  }

  private emit(event: ScheduleEvent): void {
    this.options.onEvent?.(event);
  }

  /** Fires missed while no scheduler ran, judged from the last fire any scheduler claimed. */
  private async catchUp(now: Date): Promise<void> {
    for (const pipeline of this.pipelines) {
      const schedule = this.schedules.get(pipeline.name);
      if (schedule === undefined || pipeline.schedule === undefined) continue;
      const last = await this.project.store.fires.last(pipeline.name);
      if (last === undefined) continue;
      const missed = schedule.firesBetween(new Date(last.fireAt), new Date(now.getTime() - LATE_TOLERANCE_MS), MAX_MISSED_COUNTED);
      const latest = missed.at(-1);
      if (latest === undefined) continue;
      const policy = pipeline.schedule.misfire;
      this.emit({ type: 'missed', pipeline: pipeline.name, count: missed.length, since: last.fireAt, policy });
      if (policy === 'run_once') {
        this.launch(fireWave(this.pipelines, new Set([pipeline.name]), latest));
      } else if (await this.claim(pipeline.name, latest)) {
        // Recorded, so that the next start does not report the same misses again.
        await this.project.store.fires.finish(pipeline.name, latest.toISOString(), 'skipped');
      }
    }
  }

  private arm(): void {
    if (this.stopping) return;
    const soonest = Math.min(...[...this.nextFire.values()].map((fire) => fire.getTime()));
    if (!Number.isFinite(soonest)) return;
    this.timer = setTimeout(() => this.wake(), Math.min(Math.max(soonest - Date.now(), 0), MAX_SLEEP_MS));
  }

  private wake(): void {
    if (this.stopping) return;
    const now = new Date();
    const due = new Map<number, Set<string>>();
    for (const [name, fire] of this.nextFire) {
      if (fire > now) continue;
      const schedule = this.schedules.get(name);
      // Fires passed while the process could not run (a suspended machine) are not made up: the latest one runs.
      let latest = fire;
      for (let next = schedule?.next(latest); next !== undefined && next <= now; next = schedule?.next(next)) latest = next;
      const at = latest.getTime();
      due.set(at, (due.get(at) ?? new Set()).add(name));
      const upcoming = schedule?.next(latest);
      if (upcoming === undefined) this.nextFire.delete(name);
      else this.nextFire.set(name, upcoming);
    }
    for (const [at, names] of due) this.launch(fireWave(this.pipelines, names, new Date(at)));
    this.arm();
  }

  /** Starts a wave: members that wait for nobody start now (after their jitter); the others when the ones they wait for end. */
  private launch(wave: FireWave): void {
    for (const member of wave.members) {
      if ((wave.waitsFor.get(member.name) ?? []).length > 0) continue;
      this.track(this.fire(wave, member, jitterFor(member.name, wave.fireAt, member.schedule?.jitterMs ?? 0)));
    }
  }

  private track(work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => {
      this.project.logger.error('the scheduler could not start a fire', { error: error instanceof Error ? error.message : String(error) });
    });
    this.inFlight.add(tracked);
    void tracked.finally(() => this.inFlight.delete(tracked));
  }

  private async fire(wave: FireWave, pipeline: PipelinePlan, delayMs: number): Promise<void> {
    if (delayMs > 0) await this.sleep(delayMs);
    if (this.stopping || !(await this.claim(pipeline.name, wave.fireAt))) return;
    const fireAt = wave.fireAt.toISOString();
    let ended: { outcome: FireOutcome; runId?: number };
    if (this.runningNow.has(pipeline.name)) {
      ended = { outcome: 'busy' };
      this.emit({ type: 'not_run', pipeline: pipeline.name, fireAt, outcome: 'busy', reason: 'its previous run is still going on in this scheduler' });
    } else {
      ended = await this.run(pipeline, fireAt);
    }
    await this.project.store.fires.finish(pipeline.name, fireAt, ended.outcome, ended.runId);
    await this.startFollowers(wave, pipeline.name);
  }

  private async run(pipeline: PipelinePlan, fireAt: string): Promise<{ outcome: FireOutcome; runId?: number }> {
    this.runningNow.add(pipeline.name);
    try {
      const summary = await runPipeline(pipeline, { ...this.project.runOptions(), stop: this.stopRuns.signal, abort: this.abortRuns.signal });
      this.emit({ type: 'run', pipeline: pipeline.name, fireAt, summary });
      return { outcome: summary.status, runId: summary.runId };
    } catch (error) {
      const outcome = error instanceof KeelError && error.code === 'pipeline_busy' ? 'busy' : 'failed';
      this.emit({ type: 'not_run', pipeline: pipeline.name, fireAt, outcome, reason: error instanceof Error ? error.message : String(error) });
      return { outcome };
    } finally {
      this.runningNow.delete(pipeline.name);
    }
  }

  /**
   * After a member ends: each member waiting for it starts once everything it waits for has ended,
   * by whichever scheduler sees that first (each records its outcome before it looks, so the last
   * one to end always sees all ended). It is skipped when one of them did not succeed.
   */
  private async startFollowers(wave: FireWave, ended: string): Promise<void> {
    const fireAt = wave.fireAt.toISOString();
    for (const follower of wave.members) {
      const waitsFor = wave.waitsFor.get(follower.name) ?? [];
      if (!waitsFor.includes(ended) || this.stopping) continue;
      const ends = await Promise.all(waitsFor.map(async (name) => ({ name, outcome: (await this.project.store.fires.get(name, fireAt))?.outcome })));
      if (ends.some(({ outcome }) => outcome === undefined || outcome === 'running')) continue;
      const unsuccessful = ends.filter(({ outcome }) => outcome !== 'ok' && outcome !== 'dead_letters');
      if (unsuccessful.length === 0) {
        this.track(this.fire(wave, follower, 0));
      } else if (await this.claim(follower.name, wave.fireAt)) {
        await this.project.store.fires.finish(follower.name, fireAt, 'skipped');
        const reason = `it runs after ${unsuccessful.map(({ name, outcome }) => `${name} (${outcome})`).join(', ')}`;
        this.emit({ type: 'not_run', pipeline: follower.name, fireAt, outcome: 'skipped', reason });
        await this.startFollowers(wave, follower.name);
      }
    }
  }

  private claim(pipeline: string, fireAt: Date): Promise<boolean> {
    return this.project.store.fires.claim({ pipeline, fireAt: fireAt.toISOString(), holder: this.holder, claimedAt: new Date().toISOString() });
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const signal = this.stopRuns.signal;
      function done(): void {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
  }
}
