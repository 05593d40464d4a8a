import { describe, expect, it } from 'vitest';
import { runCli } from '../test-support/run-cli.js';
import { scheduleProject } from '../test-support/schedule-project.js';
import { twoSchedulersFor } from '../test-support/schedule-soak.js';

describe('keel schedule in two processes on one project', () => {
  it('runs each fire of a pipeline every 2 s exactly once for 20 s, never two runs at once', async () => {
    const { fires } = await twoSchedulersFor(20, 2);
    expect(fires).toBeGreaterThanOrEqual(8);
  }, 60_000);
});

describe('keel schedule --list and wrong input', () => {
  it('lists the next fires in the schedule’s time zone, the follower by what it follows, and names unknown pipelines', async () => {
    const project = scheduleProject({ cron: '0 30 2 * * *', follower: true });
    try {
      const listed = await runCli(['schedule', '--list', '--json', '--count', '2', project.dir]);
      expect(listed.code).toBe(0);
      const { schedules } = JSON.parse(listed.stdout) as { schedules: { pipeline: string; schedule: string | null; timezone: string | null; after: string[]; next: string[]; lastFire: unknown }[] };
      expect(schedules.map((item) => [item.pipeline, item.schedule, item.timezone, item.after, item.lastFire])).toEqual([
        ['tick', '0 30 2 * * *', 'UTC', [], null],
        ['follow', null, null, ['tick'], null],
      ]);
      const [first, second] = schedules[0]?.next ?? [];
      expect(first).toMatch(/T02:30:00Z$/);
      expect(Date.parse(second ?? '') - Date.parse(first ?? '')).toBe(86_400_000);
      const text = await runCli(['schedule', '--list', project.dir]);
      expect(text.stdout).toMatch(/follow\s+after tick\s+-\s+-/);

      const unknown = await runCli(['schedule', project.dir, '-p', 'nope']);
      expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringContaining('no pipeline named nope; have: tick, follow')]);
      const onlyFollower = await runCli(['schedule', project.dir, '-p', 'follow']);
      expect([onlyFollower.code, onlyFollower.stderr]).toEqual([2, expect.stringContaining('no pipeline has a schedule')]);
    } finally {
      project.remove();
    }
  }, 60_000);
});
