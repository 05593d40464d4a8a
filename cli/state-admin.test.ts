import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../test-support/run-cli.js';
import { tempProject, type TempProject } from '../test-support/temp-project.js';

let project: TempProject | undefined;
afterEach(() => project?.remove());

interface StageJson {
  stage: string;
  in: number;
  out: number;
  filtered: number;
  deadLettered: number;
}

/** `keel init`'s project (paid orders from CSV files to NDJSON), with a second file whose last row breaks the CSV. */
async function initProject(): Promise<TempProject> {
  const made = tempProject();
  expect((await runCli(['init', made.dir])).code).toBe(0);
  made.write({ 'data/inbox/more.csv': 'id,status,total,currency\n2001,paid,1.00,EUR\n"2002,paid,2.00,EUR\n' });
  writeFileSync(made.path('keel.yaml'), `${readFileSync(made.path('keel.yaml'), 'utf8')}retention: { runs_days: 30, dead_letters_days: 7 }\n`);
  return made;
}

describe('keel runs, keel runs show and keel state', () => {
  it('shows what each step of a run did, its errors and its files, in text and in --json with the same words', async () => {
    project = await initProject();
    const run = await runCli(['run', project.dir]);
    expect(run.code).toBe(1);

    const listed = JSON.parse((await runCli(['runs', '--json', '--project', project.dir])).stdout) as { runs: Record<string, unknown>[] };
    const [first] = listed.runs;
    expect(first).toMatchObject({ pipeline: 'orders', status: 'dead_letters', filtered: 1, errors: { deadLetters: [{ stage: 'decode', code: 'decode_failed', count: 1 }], fatal: null } });
    const text = (await runCli(['runs', '--project', project.dir])).stdout.split('\n');
    expect(text[0]?.split(/\s{2,}/)).toEqual(['ID', 'PIPELINE', 'KIND', 'STATUS', 'STARTED', 'SECONDS', 'READ', 'WRITTEN', 'FILTERED', 'DUPLICATES', 'DEAD', 'RE-SENT', 'ERRORS']);
    expect(text[1]?.split(/\s{2,}/).slice(8)).toEqual(['1', '0', '1', '0', 'decode_failed 1']);

    const shown = JSON.parse((await runCli(['runs', 'show', String(first?.['id']), '--json', '--project', project.dir])).stdout) as {
      run: { read: number; written: number; filtered: number; deadLettered: number };
      stages: StageJson[];
      files: { read: { name: string; records: number }[]; written: { name: string; records: number }[] };
    };
    expect(shown.stages.map((stage) => stage.stage)).toEqual(['source:inbox', 'step:1:filter', 'target:outbox']);
    const [source, filter, target] = shown.stages as [StageJson, StageJson, StageJson];
    // Each stage takes in what the one before passed on; the totals are the stages' sums.
    expect([source.in, source.deadLettered, filter.in, filter.filtered, target.in, target.out]).toEqual([shown.run.read, shown.run.deadLettered, source.out, shown.run.filtered, filter.out, shown.run.written]);
    expect(shown.files.read.map((file) => file.name).sort()).toEqual(['more.csv', 'orders.csv']);
    expect(shown.files.read.reduce((sum, file) => sum + file.records, 0)).toBe(source.out);
    expect(shown.files.written).toEqual([{ direction: 'written', stage: 'target:outbox', name: 'orders-000001.ndjson', records: shown.run.written }]);
    const page = (await runCli(['runs', 'show', String(first?.['id']), '--project', project.dir])).stdout;
    expect(page).toContain(`step:1:filter  ${filter.in}   ${filter.out}    1`);
    expect(page).toContain('1 dead letter decode_failed at decode');
    expect(page).toMatch(/files written:\n {2}orders-000001\.ndjson \(target:outbox, \d+ records\)/);

    const missing = await runCli(['runs', 'show', '999', '--project', project.dir]);
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringContaining('no run 999 in this project')]);
  }, 120_000);

  it('lists source positions, resets one so the next run reads again (delivered records as duplicates), and prunes by keel.yaml retention', async () => {
    project = await initProject();
    const before = JSON.parse((await runCli(['state', 'cursors', '--json', '--project', project.dir])).stdout) as unknown;
    expect(before).toEqual({ cursors: [{ pipeline: 'orders', source: 'inbox', sync: 'incremental', position: 'start', checkpoint: null, skip: 0, moved: null }] });
    await runCli(['run', project.dir]);
    const cursors = (await runCli(['state', 'cursors', '--project', project.dir])).stdout.split('\n');
    expect(cursors[0]?.split(/\s{2,}/)).toEqual(['PIPELINE', 'SOURCE', 'SYNC', 'POSITION', 'SKIP', 'MOVED']);
    expect(cursors[1]?.split(/\s{2,}/).slice(0, 5)).toEqual(['orders', 'inbox', 'incremental', '2 files done', '0']);

    const unknown = await runCli(['state', 'reset', 'order', '--project', project.dir]);
    expect([unknown.code, unknown.stderr]).toEqual([2, 'keel: no pipeline order in this project; did you mean orders?\n']);
    const reset = await runCli(['state', 'reset', 'orders', '--stream', 'inbox', '--json', '--project', project.dir]);
    expect(JSON.parse(reset.stdout)).toMatchObject({ reset: [{ pipeline: 'orders', source: 'inbox', was: '2 files done' }] });
    const again = JSON.parse((await runCli(['run', project.dir, '--json'])).stdout) as { runs: { read: number; written: number; duplicates: number }[] };
    expect(again.runs[0]).toMatchObject({ written: 0 });
    expect(again.runs[0]?.duplicates).toBeGreaterThan(0);

    const dry = JSON.parse((await runCli(['state', 'prune', '--dry-run', '--json', '--project', project.dir])).stdout) as { dryRun: boolean; parts: { part: string; keptDays: number | null; pruned: number }[] };
    expect(dry).toEqual({
      dryRun: true,
      parts: [
        { part: 'runs', keptDays: 30, olderThan: expect.any(String), pruned: 0 },
        { part: 'deadLetters', keptDays: 7, olderThan: expect.any(String), pruned: 0 },
        { part: 'ledger', keptDays: null, olderThan: null, pruned: 0 },
      ],
    });
    const pruned = (await runCli(['state', 'prune', '--project', project.dir])).stdout;
    expect(pruned).toContain('runs: pruned 0 started before');
    expect(pruned).toContain('ledger entries (delivered keys): kept for ever (retention.ledger_days is not set)');
    expect(JSON.parse((await runCli(['runs', '--json', '--project', project.dir])).stdout)).toMatchObject({ runs: [{}, {}] });
  }, 120_000);
});
