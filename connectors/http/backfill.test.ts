import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStateStore } from '../../core/state/sqlite-store.js';
import { runCli } from '../../test-support/run-cli.js';
import { tempProject, type TempProject } from '../../test-support/temp-project.js';

/** Orders of a small shop API, one per day; `GET /orders?updated_at_min=` answers those updated at or after it. */
const ORDERS = ['2024-05-01', '2024-05-02', '2024-05-03', '2024-05-04'].map((day, index) => ({ id: index + 1, updated_at: `${day}T12:00:00.000Z`, total: `${index + 1}0.00` }));

let server: Server | undefined;
let project: TempProject | undefined;
afterEach(async () => {
  project?.remove();
  project = undefined;
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  server = undefined;
});

/** A real HTTP server on 127.0.0.1 that remembers the `updated_at_min` of every request (null: none given). */
async function shopApi(): Promise<{ url: string; asked: (string | null)[] }> {
  const asked: (string | null)[] = [];
  server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    const from = url.searchParams.get('updated_at_min');
    asked.push(from);
    const orders = ORDERS.filter((order) => from === null || Date.parse(order.updated_at) >= Date.parse(from));
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ orders }));
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server?.address() as AddressInfo).port}`, asked };
}

function shopProject(url: string): TempProject {
  return tempProject({
    'keel.yaml': `name: backfill
connections:
  shop: { connector: http, config: { base_url: "${url}" } }
  out: { connector: file, config: { root: out } }
`,
    'pipelines/orders.yaml': `name: orders
source:
  connection: shop
  stream: api
  options:
    path: /orders
    records: orders
    incremental: { field: updated_at, param: updated_at_min, lookback_seconds: 0 }
targets:
  - connection: out
    stream: files
    options: { path: "orders-{seq}.ndjson" }
`,
  });
}

const runJson = async (dir: string): Promise<{ read: number; written: number; duplicates: number; runId: number }> => {
  const result = await runCli(['run', dir, '--json']);
  expect(result.stderr).toBe('');
  return (JSON.parse(result.stdout) as { runs: { read: number; written: number; duplicates: number; runId: number }[] }).runs[0] as { read: number; written: number; duplicates: number; runId: number };
};

describe('keel state backfill with the http connector', () => {
  it('puts an incremental API source at a time: the next run asks the API for what changed from then on', async () => {
    const api = await shopApi();
    project = shopProject(api.url);
    expect((await runJson(project.dir)).read).toBe(4);
    // The boundary is the newest order now: a second run asks from there and finds nothing new.
    expect((await runJson(project.dir)).read).toBe(0);
    expect(api.asked).toEqual([null, '2024-05-04T12:00:00.000Z']);

    const backfill = await runCli(['state', 'backfill', 'orders', '--stream', 'shop', '--from', '2024-05-02T00:00:00Z', '--project', project.dir, '--json']);
    expect([backfill.code, backfill.stderr]).toEqual([0, '']);
    expect(JSON.parse(backfill.stdout)).toEqual({
      backfill: {
        pipeline: 'orders',
        source: 'shop',
        was: 'updated since 2024-05-04T12:00:00.000Z (1 version remembered)',
        wasCheckpoint: { since: Date.parse(ORDERS[3]?.updated_at ?? ''), seen: { '4': Date.parse(ORDERS[3]?.updated_at ?? '') } },
        now: 'updated since 2024-05-02T00:00:00.000Z (0 versions remembered)',
        checkpoint: { since: Date.parse('2024-05-02T00:00:00Z'), seen: {} },
      },
    });
    const cursors = JSON.parse((await runCli(['state', 'cursors', '--project', project.dir, '--json'])).stdout) as { cursors: { position: string; sync: string }[] };
    expect(cursors.cursors).toEqual([expect.objectContaining({ sync: 'incremental', position: 'updated since 2024-05-02T00:00:00.000Z (0 versions remembered)' })]);

    const again = await runJson(project.dir);
    expect(api.asked.at(-1)).toBe('2024-05-02T00:00:00.000Z');
    expect(again.read).toBe(3);
    const shown = JSON.parse((await runCli(['runs', 'show', String(again.runId), '--project', project.dir, '--json'])).stdout) as { stages: { stage: string; in: number }[] };
    expect(shown.stages.find((stage) => stage.stage === 'source:shop')?.in).toBe(3);
  }, 60_000);

  it('refuses a value that is not a time with an offset, and a source whose stream cannot start from a value, saying what to do', async () => {
    const api = await shopApi();
    project = shopProject(api.url);
    project.write({
      'pipelines/files.yaml': `name: files
source: { connection: out, stream: files, options: { path: "*.ndjson" } }
targets: [{ connection: out, stream: files, options: { path: "copy-{seq}.ndjson" } }]
`,
    });
    const noOffset = await runCli(['state', 'backfill', 'orders', '--from', '2024-05-02T00:00:00', '--project', project.dir]);
    expect([noOffset.code, noOffset.stderr]).toEqual([2, expect.stringContaining('"2024-05-02T00:00:00" has no offset; add one (Z for UTC, or +02:00)')]);
    const notATime = await runCli(['state', 'backfill', 'orders', '--from', 'last tuesday', '--project', project.dir]);
    expect([notATime.code, notATime.stderr]).toEqual([2, expect.stringContaining('"last tuesday" is not an ISO 8601 time')]);
    const files = await runCli(['state', 'backfill', 'files', '--from', '2024-05-02T00:00:00Z', '--project', project.dir]);
    expect([files.code, files.stderr]).toEqual([2, expect.stringContaining('source out of pipeline files (connector file, stream files) cannot backfill')]);
    // Nothing was read, nor stored.
    expect(api.asked).toEqual([]);
    expect(JSON.parse((await runCli(['state', 'cursors', '--project', project.dir, '--json'])).stdout)).toMatchObject({ cursors: [{ moved: null }, { moved: null }] });
  }, 60_000);

  it('refuses to move a position while another process runs the pipeline', async () => {
    const api = await shopApi();
    project = shopProject(api.url);
    expect((await runJson(project.dir)).read).toBe(4);
    const store = new SqliteStateStore(project.path('.keel', 'state.db'));
    try {
      expect(await store.acquireLease('pipeline:orders', 'another-host:4242:run', 60_000)).toBe(true);
      const busy = await runCli(['state', 'backfill', 'orders', '--from', '2024-05-01T00:00:00Z', '--project', project.dir]);
      expect([busy.code, busy.stderr]).toEqual([3, expect.stringContaining('pipeline orders is already running in another process')]);
      const reset = await runCli(['state', 'reset', 'orders', '--project', project.dir]);
      expect(reset.code).toBe(3);
      expect((await store.readCursor('orders', 'shop'))?.checkpoint).toMatchObject({ since: Date.parse(ORDERS[3]?.updated_at ?? '') });
      await store.releaseLease('pipeline:orders', 'another-host:4242:run');
      const done = await runCli(['state', 'reset', 'orders', '--project', project.dir]);
      expect([done.code, done.stdout]).toEqual([0, 'reset pipeline orders source shop (was: updated since 2024-05-04T12:00:00.000Z (1 version remembered)); the next run reads it from the start\n']);
      expect(await store.readCursor('orders', 'shop')).toBeUndefined();
      // The lease was given back: a run can start.
      expect(await store.acquireLease('pipeline:orders', 'another-host:4242:run', 60_000)).toBe(true);
      await store.releaseLease('pipeline:orders', 'another-host:4242:run');
    } finally {
      await store.close();
    }
    // Read from the start again; the file target's ledger knows the batch, so nothing is written twice.
    expect(await runJson(project.dir)).toMatchObject({ read: 4, written: 0, duplicates: 4 });
  }, 60_000);
});
