import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { tempProject, type TempProject } from '../../test-support/temp-project.js';
import { FLAKY_CONNECTOR, MOODY_CONNECTOR } from '../../test-support/test-connectors.js';
import { runProject, type ProjectRun } from '../../test-support/run-project.js';
import { loadProject } from '../config/load-project.js';
import { createLogger } from '../logger.js';
import { Redactor } from '../redact.js';
import { SqliteStateStore } from '../state/sqlite-store.js';
import { runPipeline } from './run-pipeline.js';

const TOKEN = 'sk_live_9f8e7d6c5b4a';

let project: TempProject | undefined;
afterEach(() => project?.remove());

function ordersCsv(count: number): string {
  const rows = ['n,customer,total'];
  for (let n = 1; n <= count; n += 1) rows.push(`${n},customer-${n},${(n * 1.5).toFixed(2)}`);
  return `${rows.join('\n')}\n`;
}

function flakyProject(count: number): TempProject {
  return tempProject({
    'keel.yaml': `name: flaky
connections:
  inbox: { connector: file, config: { root: ./in } }
  erp: { connector: ./flaky.js, config: { token: "\${env:ERP_TOKEN}" } }
`,
    'flaky.js': FLAKY_CONNECTOR,
    'in/orders.csv': ordersCsv(count),
    'pipelines/orders.yaml': `name: orders
source: { connection: inbox, stream: files, options: { path: "*.csv" } }
targets:
  - { connection: erp, stream: orders, key: "order-{{n}}" }
batch_size: 10
on_error: { retry: { max_attempts: 2, initial_delay_ms: 1, max_delay_ms: 2 } }
`,
  });
}

function run(dir: string, mode: { replayAll?: boolean; dryRun?: boolean } = {}): Promise<ProjectRun> {
  return runProject(dir, { ...mode, env: { ERP_TOKEN: TOKEN } });
}

function delivered(dir: string): number[] {
  const lines = readFileSync(`${dir}/delivered.ndjson`, 'utf8').trim().split('\n');
  return lines.map((line) => Number((JSON.parse(line) as { n: string }).n)).sort((a, b) => a - b);
}

describe('a target that fails every 7th record', () => {
  it('dead-letters those records, goes on, and delivers them on replay after the fix', async () => {
    project = flakyProject(100);
    const first = await run(project.dir);
    expect(first.summary).toMatchObject({ status: 'dead_letters', read: 100, written: 86, deadLettered: 14, duplicates: 0 });
    expect(delivered(project.dir)).toHaveLength(86);
    expect(delivered(project.dir).some((n) => n % 7 === 0)).toBe(false);

    const store = new SqliteStateStore(`${project.dir}/.keel/state.db`);
    const letters = await store.listDeadLetters({ status: 'open' });
    const runs = await store.listRuns();
    await store.close();
    expect(letters).toHaveLength(14);
    expect(letters[0]).toMatchObject({ stage: 'target:erp', code: 'erp_refused', origin: 'orders.csv:8', recordKey: 'order-7' });
    expect(JSON.parse(letters[0]?.payload ?? '{}')).toEqual({ n: '7', customer: 'customer-7', total: '10.50' });
    // The vendor echoed the token; it is stored redacted.
    expect(letters[0]?.reason).toBe('ERP refused order 7 (auth ***)');
    for (const text of [JSON.stringify(letters), JSON.stringify(runs), first.log]) expect(text).not.toContain(TOKEN);

    // A second run reads nothing new; replay before the fix fails again and keeps the same 14 letters open.
    expect((await run(project.dir)).summary).toMatchObject({ read: 0, written: 0 });
    expect((await run(project.dir, { replayAll: true })).summary).toMatchObject({ status: 'dead_letters', written: 0, deadLettered: 14 });
    const reopened = new SqliteStateStore(`${project.dir}/.keel/state.db`);
    expect((await reopened.listDeadLetters()).map((letter) => [letter.id, letter.status, letter.origin])).toEqual(
      letters.map((letter) => [letter.id, 'open', letter.origin]),
    );
    await reopened.close();
    writeFileSync(project.path('fixed.flag'), '');
    const replay = await run(project.dir, { replayAll: true });
    expect(replay.summary).toMatchObject({ status: 'ok', written: 14, deadLettered: 0 });
    expect(replay.summary.replayed).toHaveLength(14);
    expect(delivered(project.dir)).toEqual(Array.from({ length: 100 }, (_, index) => index + 1));

    // Replaying again finds nothing open; the ledger would also refuse duplicates.
    const again = await run(project.dir, { replayAll: true });
    expect(again.summary).toMatchObject({ read: 0, written: 0 });
    expect(delivered(project.dir)).toHaveLength(100);
  });

  it('writes nothing and stores nothing in a dry run', async () => {
    project = flakyProject(20);
    const dry = await run(project.dir, { dryRun: true });
    expect(dry.summary).toMatchObject({ dryRun: true, read: 20, written: 20, deadLettered: 0 });
    expect(readdirSync(project.dir)).not.toContain('delivered.ndjson');
    const real = await run(project.dir);
    expect(real.summary).toMatchObject({ read: 20, written: 18, deadLettered: 2 });
  });
});

describe('resolution of secrets', () => {
  it('fails with the file and line of a reference to an unset variable', async () => {
    project = flakyProject(3);
    const { plan } = await loadProject(project.dir);
    const store = new SqliteStateStore(plan.statePath);
    const redactor = new Redactor();
    const logger = createLogger({ level: 'error', format: 'json', redactor, write: () => undefined });
    const pipeline = plan.pipelines[0];
    if (pipeline === undefined) throw new Error('no pipeline');
    const summary = await runPipeline(pipeline, { store, logger, redactor, projectDir: plan.dir, env: {} });
    await store.close();
    expect(summary.status).toBe('failed');
    expect(summary.error).toMatch(/(^|\/)keel\.yaml:4:50: environment variable ERP_TOKEN is not set; export it before running$/);
  });
});

describe('retryable target errors', () => {
  it('are retried with backoff until accepted, and dead-lettered once attempts run out', async () => {
    project = tempProject({
      'keel.yaml': 'name: moody\nconnections:\n  inbox: { connector: file, config: { root: ./in } }\n  api: { connector: ./moody.js, config: { fail_times: 2 } }\n',
      'moody.js': MOODY_CONNECTOR,
      'in/orders.csv': 'id,hopeless\n1,no\n2,yes\n3,no\n',
      'pipelines/orders.yaml':
        'name: orders\nsource: { connection: inbox, stream: files, options: { path: "*.csv" } }\n' +
        'targets:\n  - { connection: api, stream: sink, key: "{{id}}" }\non_error: { retry: { max_attempts: 4, initial_delay_ms: 1, max_delay_ms: 4 } }\n',
    });
    const { summary } = await run(project.dir);
    expect(summary).toMatchObject({ status: 'dead_letters', read: 3, written: 2, deadLettered: 1 });
    const store = new SqliteStateStore(`${project.dir}/.keel/state.db`);
    const letters = await store.listDeadLetters();
    await store.close();
    expect(letters.map((letter) => [letter.recordKey, letter.code, letter.reason])).toEqual([
      ['2', 'retries_exhausted', 'gave up after 4 attempts: busy (attempt 4)'],
    ]);
  });
});

/** A live source (it cannot replay) serving the pages in feed.json as they are. */
const LIVE_CONNECTOR = `
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
export default {
  name: 'live',
  kind: 'generic',
  sdkVersion: 1,
  configSchema: { type: 'object', additionalProperties: false },
  streams: {
    levels: {
      read: {
        replayable: false,
        read: async function* (ctx) {
          for (const page of JSON.parse(readFileSync(join(ctx.projectDir, 'feed.json'), 'utf8'))) yield page;
        },
      },
    },
  },
};
`;

describe('batches of a live source', () => {
  function liveProject(): TempProject {
    return tempProject({
      'keel.yaml': 'name: live\nconnections:\n  api: { connector: ./live.js }\n  outbox: { connector: file, config: { root: ./out } }\n',
      'live.js': LIVE_CONNECTOR,
      'pipelines/levels.yaml':
        'name: levels\nsource: { connection: api, stream: levels }\ntargets:\n  - { connection: outbox, stream: files, options: { path: "levels-{seq}.ndjson" } }\nbatch_size: 3\n',
    });
  }
  const feed = (pages: { identity?: string; quantities: number[] }[]): string =>
    JSON.stringify(pages.map((page) => ({ ...(page.identity !== undefined ? { identity: page.identity } : {}), records: page.quantities.map((quantity) => ({ data: { sku: 'A', quantity } })) })));
  const files = (dir: string): string[] => readdirSync(`${dir}/out`).filter((name) => !name.startsWith('.'));

  it('are named by their content, or by the identities of their pages where the source gives them', async () => {
    project = liveProject();
    writeFileSync(project.path('feed.json'), feed([{ quantities: [1, 2] }, { quantities: [3, 4] }]));
    expect((await run(project.dir)).summary).toMatchObject({ read: 4, written: 4, duplicates: 0 });
    // The same records again: the same content, already delivered.
    expect((await run(project.dir)).summary).toMatchObject({ read: 4, written: 0, duplicates: 4 });
    expect(files(project.dir)).toHaveLength(2);

    // Pages that name themselves: the name decides, not the records (which the runner then never hashes).
    writeFileSync(project.path('feed.json'), feed([{ identity: 'p1', quantities: [1, 2] }, { identity: 'p2', quantities: [3, 4] }]));
    expect((await run(project.dir)).summary).toMatchObject({ written: 4, duplicates: 0 });
    writeFileSync(project.path('feed.json'), feed([{ identity: 'p1', quantities: [9, 9] }, { identity: 'p2', quantities: [9, 9] }]));
    expect((await run(project.dir)).summary).toMatchObject({ written: 0, duplicates: 4 });
    writeFileSync(project.path('feed.json'), feed([{ identity: 'p1', quantities: [1, 2] }, { identity: 'p3', quantities: [3, 4] }]));
    // The first batch (p1 and the first record of p3) is new as a whole, and so is the second.
    expect((await run(project.dir)).summary).toMatchObject({ written: 4, duplicates: 0 });
    // A batch holding a page without a name falls back to the content: [1, 2, 3] and [4] went out in the first run.
    writeFileSync(project.path('feed.json'), feed([{ identity: 'p1', quantities: [1, 2] }, { quantities: [3, 4] }]));
    expect((await run(project.dir)).summary).toMatchObject({ written: 0, duplicates: 4 });
    writeFileSync(project.path('feed.json'), feed([{ identity: 'p1', quantities: [1, 2] }, { quantities: [5, 6] }]));
    expect((await run(project.dir)).summary).toMatchObject({ written: 4, duplicates: 0 });
    expect(files(project.dir)).toHaveLength(8);
  });
});
