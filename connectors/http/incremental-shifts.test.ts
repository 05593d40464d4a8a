import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { runProject } from '../../test-support/run-project.js';
import { ShopEmulator } from '../../test-support/shop-emulator.js';
import { tempProject, type TempProject } from '../../test-support/temp-project.js';

let project: TempProject | undefined;
let emulator: ShopEmulator | undefined;
afterEach(async () => {
  project?.remove();
  await emulator?.stop();
  project = undefined;
  emulator = undefined;
});

/** Every (id, updated_at) the pipeline wrote, as often as it wrote it. */
function deliveredVersions(dir: string): string[] {
  const versions: string[] = [];
  for (const name of readdirSync(`${dir}/out`).filter((file) => !file.startsWith('.'))) {
    for (const line of readFileSync(`${dir}/out/${name}`, 'utf8').split('\n')) {
      if (line === '') continue;
      const order = JSON.parse(line) as { id: number; updated_at: string };
      versions.push(`${order.id}@${order.updated_at}`);
    }
  }
  return versions;
}

const twice = (versions: readonly string[]): string[] => versions.filter((version, index) => versions.indexOf(version) !== index);

/** A project reading the emulator's orders incrementally with these source options into NDJSON files. */
function shopProject(url: string, options: string): TempProject {
  return tempProject({
    'keel.yaml': `name: shifts
connections:
  shop: { connector: http, config: { base_url: "${url}" } }
  outbox: { connector: file, config: { root: ./out } }
`,
    'pipelines/orders.yaml': `name: orders
source: { connection: shop, stream: api, options: ${options} }
targets:
  - { connection: outbox, stream: files, options: { path: "orders-{seq}.ndjson" } }
`,
  });
}

describe('incremental http sync while orders change between page requests', () => {
  it.each([
    ['page numbers', '/orders.json', '{ type: page, size_param: limit, size: 50 }'],
    ['offsets', '/orders.json', '{ type: offset, size_param: limit, size: 50 }'],
    ['a Link header with page numbers', '/orders-paged.json', '{ type: link }'],
  ])('does not skip an order that slid onto a page already read (%s)', async (_name, path, pagination) => {
    // The tester's case: 50 orders on one timestamp S fill page one exactly.
    let onSecondPage: (() => void) | undefined;
    emulator = new ShopEmulator({
      orders: 50,
      perTimestamp: 50,
      beforeList: (url) => {
        if (url.searchParams.get('page') !== '2' && url.searchParams.get('offset') !== '50') return;
        onSecondPage?.();
        onSecondPage = undefined;
      },
    });
    const url = await emulator.start();
    const shop = emulator;
    project = shopProject(url, `{ path: ${path}, query: { limit: 50 }, records: orders, pagination: ${pagination}, incremental: { field: updated_at, param: updated_at_min, lookback_seconds: 300 } }`);
    expect((await runProject(project.dir)).summary).toMatchObject({ status: 'ok', written: 50 });

    // R at S+10 s and N at S+410 s; page one of the next run holds only known orders. Order 1001
    // changes before page two is asked for, so R slides onto page one and page two is [N, 1001].
    const S = Date.parse(shop.orders[0]?.updated_at ?? '');
    const r = shop.add(S + 10_000);
    const n = shop.add(S + 410_000);
    let changed = false;
    onSecondPage = () => {
      shop.update(1001, S + 411_000);
      changed = true;
    };
    expect((await runProject(project.dir)).summary.status).toBe('ok');

    expect(changed).toBe(true);
    const delivered = deliveredVersions(project.dir);
    expect(twice(delivered)).toEqual([]);
    expect(delivered).toContain(`${r.id}@${r.updated_at}`);
    expect(delivered).toContain(`${n.id}@${n.updated_at}`);
    expect(shop.orders.filter((order) => !delivered.includes(`${order.id}@${order.updated_at}`)).map((order) => order.id)).toEqual([]);
  });

  it('stops reading again after max_restarts_per_run, holds the boundary and says so, and the next run brings what changed', async () => {
    // Forty orders on one timestamp, pages of five; before every request the oldest of them changes,
    // so every page read again differs from what it was.
    let churn = true;
    let S = Number.NaN;
    emulator = new ShopEmulator({
      orders: 40,
      perTimestamp: 40,
      beforeList: (_url, shop) => {
        const oldest = shop.orders.find((order) => Date.parse(order.updated_at) === S);
        if (churn && oldest !== undefined) shop.update(oldest.id);
      },
    });
    const shop = emulator;
    S = Date.parse(shop.orders[0]?.updated_at ?? '');
    project = shopProject(
      await emulator.start(),
      '{ path: /orders.json, query: { limit: 5 }, records: orders, pagination: { type: page, size_param: limit, size: 5 }, incremental: { field: updated_at, param: updated_at_min, max_restarts_per_run: 2 } }',
    );
    const first = await runProject(project.dir);
    expect(first.summary.status).toBe('ok');
    const warnings = first.log.split('\n').filter((line) => line.includes('"level":"warn"'));
    expect(warnings.join('\n')).toMatch(/records kept changing while \/orders\.json was paged \(2 restarts\).*the boundary stays at .* and the next run reads from there again/);
    expect(warnings.join('\n')).toContain(`the boundary stays at ${new Date(S).toISOString()}`);

    churn = false;
    expect((await runProject(project.dir)).summary.status).toBe('ok');
    const delivered = deliveredVersions(project.dir);
    expect(twice(delivered)).toEqual([]);
    expect(shop.orders.filter((order) => !delivered.includes(`${order.id}@${order.updated_at}`)).map((order) => order.id)).toEqual([]);
  });
});
