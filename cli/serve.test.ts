import type { ChildProcess } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { listeningUrl, runCli, startCli } from '../test-support/run-cli.js';
import { scheduleProject } from '../test-support/schedule-project.js';
import { SERVE_ENV, serveProject } from '../test-support/serve-project.js';
import type { TempProject } from '../test-support/temp-project.js';

let project: TempProject | undefined;
let child: ChildProcess | undefined;
afterEach(() => {
  if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  project?.remove();
  project = undefined;
  child = undefined;
});

describe('keel token', () => {
  it('prints a token once, lists it without its secret, and revokes it', async () => {
    project = serveProject();
    const made = await runCli(['token', 'create', '--name', 'pos-1', '--scope', 'store:store-1', '--json', '--project', project.dir], { env: SERVE_ENV });
    expect(made.code).toBe(0);
    const { token, scopes } = JSON.parse(made.stdout) as { token: string; scopes: string[] };
    expect(token).toMatch(/^keel_[A-Za-z0-9_-]{43}$/);
    expect(scopes).toEqual(['store:store-1']);
    const listed = await runCli(['token', 'list', '--project', project.dir], { env: SERVE_ENV });
    expect(listed.stdout).toMatch(/pos-1\s+store:store-1/);
    expect(listed.stdout + listed.stderr).not.toContain(token);
    expect((await runCli(['token', 'revoke', 'pos-1', '--project', project.dir], { env: SERVE_ENV })).code).toBe(0);
    expect((await runCli(['token', 'list', '--project', project.dir], { env: SERVE_ENV })).stdout).toMatch(/no tokens/);
  });

  it('refuses a scope of no kind and a store the inventory does not have, naming the fix', async () => {
    project = serveProject();
    const wrong = await runCli(['token', 'create', '--name', 'x', '--scope', 'admin', '--project', project.dir], { env: SERVE_ENV });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/scope "admin" is none of read, ops, store:<location>/);
    const nowhere = await runCli(['token', 'create', '--name', 'x', '--scope', 'store:mars', '--project', project.dir], { env: SERVE_ENV });
    expect(nowhere.code).toBe(2);
    expect(nowhere.stderr).toMatch(/no location mars under inventory.locations \(locations: wh, store-1\)/);
  });
});

describe('keel serve', () => {
  it('listens on 127.0.0.1, answers /health and an authorised request, and stops on SIGTERM with exit 0', async () => {
    project = serveProject();
    const made = await runCli(['token', 'create', '--name', 'ops', '--scope', 'ops', '--json', '--project', project.dir], { env: SERVE_ENV });
    const { token } = JSON.parse(made.stdout) as { token: string };
    const started = startCli(['serve', '--project', project.dir, '--port', '0'], { env: SERVE_ENV });
    child = started.child;
    const url = await listeningUrl(started);
    expect(await (await fetch(`${url}/health`)).json()).toEqual({ status: 'up' });
    const runs = await fetch(`${url}/api/runs`, { headers: { authorization: `Bearer ${token}` } });
    expect(runs.status).toBe(200);
    child.kill('SIGTERM');
    const result = await started.done;
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/SIGTERM/);
    expect(result.stdout + result.stderr).not.toContain(token);
  }, 60_000);
});

describe('keel serve with schedules', () => {
  const tokenFor = async (dir: string): Promise<string> =>
    (JSON.parse((await runCli(['token', 'create', '--name', 'ops', '--scope', 'ops', '--json', '--project', dir])).stdout) as { token: string }).token;

  it('runs the scheduler: /ready says so, fires run and show in /api/runs and /metrics, SIGTERM stops both', async () => {
    project = scheduleProject({ cron: '* * * * * *' });
    const token = await tokenFor(project.dir);
    const started = startCli(['serve', '--project', project.dir, '--port', '0'], { env: { KEEL_LOG_LEVEL: 'warn' } });
    child = started.child;
    const url = await listeningUrl(started);
    const auth = { headers: { authorization: `Bearer ${token}` } };
    let runs: { pipeline: string; status: string }[] = [];
    for (let attempt = 0; attempt < 100 && runs.length < 2; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      runs = ((await (await fetch(`${url}/api/runs?status=ok`, auth)).json()) as { runs: typeof runs }).runs;
    }
    expect(runs.slice(0, 2).map((run) => run.pipeline)).toEqual(['tick', 'tick']);
    expect(await (await fetch(`${url}/ready`)).json()).toEqual({ status: 'ready', checks: { state: 'ok', scheduler: 'running' } });
    const metrics = await (await fetch(`${url}/metrics`, auth)).text();
    expect(metrics).toMatch(/keel_runs_total\{pipeline="tick",kind="run",status="ok"\} [1-9]/);
    child.kill('SIGTERM');
    const result = await started.done;
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/tick \(fire [^)]+\): ok/);
    expect(result.stdout).toContain('keel schedule: stopped');
  }, 60_000);

  it('--no-schedule runs nothing by itself and says the scheduler is not configured', async () => {
    project = scheduleProject({ cron: '* * * * * *' });
    const token = await tokenFor(project.dir);
    const started = startCli(['serve', '--project', project.dir, '--port', '0', '--no-schedule']);
    child = started.child;
    const url = await listeningUrl(started);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(await (await fetch(`${url}/ready`)).json()).toEqual({ status: 'ready', checks: { state: 'ok', scheduler: 'not_configured' } });
    expect(((await (await fetch(`${url}/api/runs`, { headers: { authorization: `Bearer ${token}` } })).json()) as { runs: unknown[] }).runs).toEqual([]);
    child.kill('SIGTERM');
    expect((await started.done).code).toBe(0);
  }, 60_000);
});
