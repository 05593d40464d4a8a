import { expect } from 'vitest';
import { openProject } from '../core/project/open-project.js';
import { startCli } from './run-cli.js';
import { scheduleProject } from './schedule-project.js';

/**
 * Two real `keel schedule` processes on one project for `seconds`, the pipeline firing every
 * `everySeconds`: then each fire in that time must have run exactly once, in one of them, and no
 * two runs overlapped. Answers how many fires each process ran.
 */
export async function twoSchedulersFor(seconds: number, everySeconds: number): Promise<{ fires: number; byHolder: Record<string, number> }> {
  const project = scheduleProject({ cron: `*/${everySeconds} * * * * *` });
  try {
    const schedulers = [startCli(['schedule', project.dir, '--json']), startCli(['schedule', project.dir, '--json'])];
    // The time counts from when both are up (starting one takes a second or more on a busy machine).
    await Promise.all(schedulers.map(({ child }) => new Promise<void>((resolve, reject) => {
      const timeout = setTimeout(() => reject(new Error('keel schedule did not start within 30 s')), 30_000);
      child.stdout?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('"type":"started"')) clearTimeout(timeout), resolve();
      });
    })));
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    for (const { child } of schedulers) child.kill('SIGTERM');
    const results = await Promise.all(schedulers.map(({ done }) => done));
    for (const result of results) expect([result.code, result.stderr]).toEqual([0, expect.stringContaining('SIGTERM: starting nothing new')]);

    const session = await openProject(project.dir, { withoutEngines: true });
    try {
      const runs = (await session.store.listRuns({ limit: 10_000 })).sort((a, b) => a.id - b.id);
      const ranEvents = results.flatMap((result) => result.stdout.split('\n').filter((line) => line.includes('"type":"run"')));
      const fires = await session.store.fires.list('tick', 10_000);
      // Every fire instant from the first to the last is there, once (the state's key), every `everySeconds`.
      expect(fires.length).toBeGreaterThanOrEqual(Math.floor(seconds / everySeconds) - 2);
      for (let i = 1; i < fires.length; i += 1) expect(Date.parse(fires[i]?.fireAt ?? '') - Date.parse(fires[i - 1]?.fireAt ?? '')).toBe(everySeconds * 1000);
      // Each ran once: one run per fire, each fire names its run, each run reported by one process.
      expect(fires.map((fire) => fire.outcome)).toEqual(fires.map(() => 'ok'));
      expect(new Set(fires.map((fire) => fire.runId)).size).toBe(fires.length);
      expect(runs).toHaveLength(fires.length);
      expect(ranEvents).toHaveLength(fires.length);
      // None overlapped: each run started after the one before it finished.
      for (let i = 1; i < runs.length; i += 1) expect((runs[i]?.startedAt ?? '') >= (runs[i - 1]?.finishedAt ?? '~')).toBe(true);
      const byHolder: Record<string, number> = {};
      for (const fire of fires) byHolder[fire.holder] = (byHolder[fire.holder] ?? 0) + 1;
      return { fires: fires.length, byHolder };
    } finally {
      await session.close();
    }
  } finally {
    project.remove();
  }
}
