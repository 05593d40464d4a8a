import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { loadProject } from '../../core/config/load-project.js';
import { SqliteStateStore } from '../../core/state/sqlite-store.js';
import { runProject } from '../../test-support/run-project.js';
import { tempProject, type TempProject } from '../../test-support/temp-project.js';
import { NEAREST_PROFILE, STOCK_THEN_ROUTE, TWO_LOCATIONS } from '../../test-support/routing-fixtures.js';

let project: TempProject | undefined;
afterEach(() => project?.remove());

const KEEL_YAML = `name: routing
connections:
  counts: { connector: file, config: { root: ./counts } }
  orders: { connector: file, config: { root: ./orders } }
  answers: { connector: file, config: { root: ./answers } }
  inventory: { connector: inventory }
  routing: { connector: routing }
  warehouse-inbox: { connector: file, config: { root: ./out/warehouse } }
  store-inbox: { connector: file, config: { root: ./out/store } }
${TWO_LOCATIONS}`;

const PROFILE = NEAREST_PROFILE;

const PIPELINES = {
  ...STOCK_THEN_ROUTE,
  'pipelines/answers.yaml': `name: answers
after: [route]
source: { connection: answers, stream: files, options: { path: "*.csv" } }
targets:
  - { connection: routing, stream: responses }
`,
  'pipelines/to-warehouse.yaml': `name: to-warehouse
after: [answers]
source: { connection: routing, stream: requests, options: { location_types: [warehouse] } }
targets:
  - { connection: warehouse-inbox, stream: files, options: { path: "requests-{seq}.ndjson" } }
`,
  'pipelines/to-store.yaml': `name: to-store
after: [answers]
source: { connection: routing, stream: requests, options: { locations: [store-1] } }
targets:
  - { connection: store-inbox, stream: files, options: { path: "requests-{seq}.ndjson" } }
`,
};

const order = (id: string, sku: string, quantity: number, lat: number, lon: number) => ({
  channel: 'shop',
  external_id: id,
  status: 'received',
  currency: 'EUR',
  created_at: '2026-11-23T08:00:00Z',
  shipping_address: { country_code: 'DE', coordinates: { lat, lon } },
  lines: [{ line_id: '1', sku, quantity }],
});

/** Every record the file target wrote under out/<folder>, in file order. */
function written(dir: string, folder: string): { external_id: string; lines: { sku: string; quantity: number; fulfillment_location_id: string }[]; extensions: { fulfilment: { kind: string } } }[] {
  const root = `${dir}/out/${folder}`;
  let files: string[] = [];
  try {
    files = readdirSync(root).filter((name) => !name.startsWith('.')).sort();
  } catch {
    return [];
  }
  return files.flatMap((file) =>
    readFileSync(`${root}/${file}`, 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as ReturnType<typeof written>[number]),
  );
}

async function runAll(dir: string): Promise<Record<string, { read: number; written: number; deadLettered: number }>> {
  const out: Record<string, { read: number; written: number; deadLettered: number }> = {};
  for (const pipeline of ['stock', 'route', 'answers', 'to-warehouse', 'to-store']) out[pipeline] = (await runProject(dir, { pipeline })).summary;
  return out;
}

describe('routing pipelines', () => {
  it('routes orders, takes answers from stores, and sends each location its requests once', async () => {
    project = tempProject({
      'keel.yaml': KEEL_YAML,
      'profile.yaml': PROFILE,
      ...PIPELINES,
      'counts/day1.csv': 'sku,location_id,on_hand,updated_at\nTEE,wh,10,2026-11-23T06:00:00Z\nTEE,store-1,2,2026-11-23T06:00:00Z\nMUG,wh,1,2026-11-23T06:00:00Z\n',
      // Berlin customers: the store is nearer than the Frankfurt DC.
      'orders/batch1.json': JSON.stringify([order('1', 'TEE', 1, 52.5, 13.4), order('2', 'MUG', 1, 52.5, 13.4), order('3', 'TEE', 1, 52.5, 13.4)]),
      'answers/a1.csv': 'order,location_id,action,reason\nshop:3,store-1,unclaim,no staff today\nshop:9,store-1,claim,\n',
    });
    const first = await runAll(project.dir);
    expect(first['route']).toMatchObject({ read: 3, written: 3 });
    // The answer for an order that was never routed is dead-lettered with the reason.
    expect(first['answers']).toMatchObject({ read: 2, written: 1, deadLettered: 1 });
    const state = new SqliteStateStore(`${project.dir}/.keel/state.db`);
    const letters = await state.listDeadLetters({ status: 'open' });
    await state.close();
    expect(letters.map((letter) => letter.reason)).toEqual([expect.stringContaining('order shop:9 was never routed here')]);

    // Order 3 was unclaimed by the store and went to the DC; order 1 waits for the store's claim.
    const warehouse = written(project.dir, 'warehouse').map((request) => [request.external_id, request.extensions.fulfilment.kind, request.lines[0]?.fulfillment_location_id]);
    expect(warehouse).toEqual([
      ['2', 'fulfil', 'wh'],
      ['3', 'fulfil', 'wh'],
    ]);
    expect(written(project.dir, 'store').map((request) => [request.external_id, request.extensions.fulfilment.kind])).toEqual([['1', 'offer']]);

    // Nothing new: every source reads nothing, and nothing is sent twice.
    const second = await runAll(project.dir);
    expect(Object.values(second).map((summary) => summary.read)).toEqual([0, 0, 0, 0, 0]);

    // A cancellation arrives: the store is told, and the units go back.
    writeFileSync(`${project.dir}/orders/batch2.json`, JSON.stringify([{ ...order('1', 'TEE', 1, 52.5, 13.4), status: 'cancelled' }]));
    await runAll(project.dir);
    expect(written(project.dir, 'store').map((request) => [request.external_id, request.extensions.fulfilment.kind])).toEqual([
      ['1', 'offer'],
      ['1', 'cancel'],
    ]);
  });

  it('refuses options the orders and responses targets do not take, at load', async () => {
    for (const [file, stream] of [['pipelines/route.yaml', 'orders'], ['pipelines/answers.yaml', 'responses']] as const) {
      const pipeline = PIPELINES[file].replace(`stream: ${stream} }`, `stream: ${stream}, options: { profil: x } }`);
      project?.remove();
      project = tempProject({ 'keel.yaml': KEEL_YAML, 'profile.yaml': PROFILE, ...PIPELINES, [file]: pipeline });
      await expect(loadProject(project.dir)).rejects.toThrow(/profil/);
    }
  });
});
