import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { loadProject } from '../../core/config/load-project.js';
import { SqliteStateStore } from '../../core/state/sqlite-store.js';
import { SqliteInventoryStore } from '../../core/inventory/sqlite-inventory.js';
import { runProject } from '../../test-support/run-project.js';
import { tempProject, type TempProject } from '../../test-support/temp-project.js';

let project: TempProject | undefined;
afterEach(() => project?.remove());

const KEEL_YAML = `name: stock
connections:
  counts: { connector: file, config: { root: ./counts } }
  shown: { connector: file, config: { root: ./shown } }
  inventory: { connector: inventory }
  outbox: { connector: file, config: { root: ./out } }
inventory:
  locations:
    - { location_id: wh-a, name: A, type: warehouse, channels: [shop], safety_stock: 1 }
    - { location_id: wh-b, name: B, type: warehouse, channels: [shop] }
  channels:
    shop: { max_quantity: 40 }
  bundles:
    KIT: { SKU-1: 1, SKU-2: 2 }
`;

const PIPELINES = {
  'pipelines/1-ingest.yaml': `name: ingest
source: { connection: counts, stream: files, options: { path: "*.csv" } }
steps:
  - set: { fields: { source: { value: wms } } }
targets:
  - { connection: inventory, stream: ledger }
`,
  'pipelines/2-publish.yaml': `name: publish
source: { connection: inventory, stream: availability, options: { channel: shop } }
targets:
  - { connection: outbox, stream: files, options: { path: "shop-{seq}.ndjson" } }
`,
  'pipelines/3-reconcile.yaml': `name: reconcile
source: { connection: shown, stream: files, options: { path: "*.csv" } }
targets:
  - { connection: inventory, stream: shown, options: { channel: shop } }
`,
};

function rows(skus: number, locations: string[], at: string, quantity: (sku: number, location: string) => number | string): string {
  const lines = ['sku,location_id,on_hand,updated_at'];
  for (let sku = 1; sku <= skus; sku += 1) for (const location of locations) lines.push(`SKU-${sku},${location},${quantity(sku, location)},${at}`);
  return `${lines.join('\n')}\n`;
}

/** What the publish pipeline wrote in its last file, as sku → quantity. */
function lastPublished(dir: string): Map<string, number> {
  const files = readdirSync(`${dir}/out`).filter((name) => !name.startsWith('.')).sort();
  const last = files[files.length - 1];
  const out = new Map<string, number>();
  if (last === undefined) return out;
  for (const line of readFileSync(`${dir}/out/${last}`, 'utf8').split('\n')) {
    if (line === '') continue;
    const value = JSON.parse(line) as { sku: string; quantity: number };
    out.set(value.sku, value.quantity);
  }
  return out;
}

describe('inventory pipelines', () => {
  it('publishes every value once, then only the (SKU, channel) values that changed, kits included', async () => {
    project = tempProject({ 'keel.yaml': KEEL_YAML, ...PIPELINES, 'counts/day1.csv': rows(30, ['wh-a', 'wh-b'], '2026-11-23T06:00:00Z', (sku) => sku) });
    expect((await runProject(project.dir, { pipeline: 'ingest' })).summary).toMatchObject({ status: 'ok', written: 60 });
    const first = await runProject(project.dir, { pipeline: 'publish' });
    expect(first.summary).toMatchObject({ status: 'ok', written: 31 });
    const published = lastPublished(project.dir);
    // SKU-7: (7 − 1 safety) + 7 = 13. SKU-30: 29 + 30 capped at 40. KIT: min(SKU-1 = 1, SKU-2 = 3 ÷ 2 = 1) = 1.
    expect([published.get('SKU-7'), published.get('SKU-30'), published.get('KIT')]).toEqual([13, 40, 1]);

    expect((await runProject(project.dir, { pipeline: 'publish' })).summary).toMatchObject({ read: 0, written: 0 });

    // A new count: SKU-1 and SKU-2 change at wh-b, and so does KIT (now 12 and 13 ÷ 2 = 6); SKU-30
    // changes but stays capped at 40; SKU-4 is counted again unchanged; SKU-5's count is older: ignored.
    writeFileSync(
      project.path('counts/day2.csv'),
      'sku,location_id,on_hand,updated_at\nSKU-1,wh-b,12,2026-11-23T12:00:00Z\nSKU-2,wh-b,12,2026-11-23T12:00:00Z\n' +
        'SKU-30,wh-b,90,2026-11-23T12:00:00Z\nSKU-4,wh-b,4,2026-11-23T12:00:00Z\nSKU-5,wh-a,0,2026-11-22T12:00:00Z\n',
    );
    // SKU-4's newer count is applied (and changes nothing it shows); SKU-5's older one is stale: a duplicate.
    expect((await runProject(project.dir, { pipeline: 'ingest' })).summary).toMatchObject({ status: 'ok', written: 4, duplicates: 1, outcomes: { applied: 4, stale: 1 } });
    const delta = await runProject(project.dir, { pipeline: 'publish' });
    expect(delta.summary).toMatchObject({ written: 3 });
    expect(lastPublished(project.dir)).toEqual(new Map([['KIT', 6], ['SKU-1', 12], ['SKU-2', 13]]));
  });

  it('dead-letters bad stock rows with the reason and never books them as zero', async () => {
    project = tempProject({
      'keel.yaml': KEEL_YAML,
      ...PIPELINES,
      'counts/bad.csv': 'sku,location_id,on_hand,updated_at\nSKU-1,wh-a,5,2026-11-23T06:00:00Z\nSKU-1,wh-b,-2,2026-11-23T06:00:00Z\nSKU-2,wh-z,4,2026-11-23T06:00:00Z\nSKU-3,wh-a,n/a,2026-11-23T06:00:00Z\n',
    });
    const { summary } = await runProject(project.dir, { pipeline: 'ingest' });
    expect(summary).toMatchObject({ status: 'dead_letters', written: 1, deadLettered: 3 });
    const state = new SqliteStateStore(project.path('.keel/state.db'));
    const inventory = new SqliteInventoryStore(project.path('.keel/state.db'));
    try {
      const letters = await state.listDeadLetters({ pipeline: 'ingest' });
      expect(letters.map((letter) => [letter.origin, letter.code, letter.reason])).toEqual([
        ['bad.csv:3', 'quantity_negative', 'on_hand must not be negative, got -2'],
        ['bad.csv:4', 'location_unknown', 'unknown location "wh-z": declare it under inventory.locations in keel.yaml (known: wh-a, wh-b)'],
        ['bad.csv:5', 'quantity_invalid', 'on_hand must be a whole number, got "n/a"'],
      ]);
      expect(await inventory.allSkus()).toEqual(['SKU-1']);
      expect((await inventory.stock('SKU-3', Date.now())).levels).toEqual([]);
    } finally {
      await state.close();
      await inventory.close();
    }
  });

  it('reconciles: reports what a channel shows wrongly, and the next delta publish corrects exactly that', async () => {
    project = tempProject({ 'keel.yaml': KEEL_YAML, ...PIPELINES, 'counts/day1.csv': rows(10, ['wh-b'], '2026-11-23T06:00:00Z', (sku) => sku * 2) });
    await runProject(project.dir, { pipeline: 'ingest' });
    await runProject(project.dir, { pipeline: 'publish' });
    // The shop shows SKU-3 and SKU-8 wrong (someone edited them by hand); the rest is right.
    project.write({ 'shown/now.csv': 'sku,quantity\nSKU-1,2\nSKU-3,99\nSKU-8,0\nSKU-9,18\n' });
    expect((await runProject(project.dir, { pipeline: 'reconcile' })).summary).toMatchObject({ status: 'ok', written: 4 });
    const inventory = new SqliteInventoryStore(project.path('.keel/state.db'));
    try {
      expect((await inventory.drift('shop')).map(({ sku, shown, expected }) => ({ sku, shown, expected }))).toEqual([
        { sku: 'SKU-3', shown: 99, expected: 6 },
        { sku: 'SKU-8', shown: 0, expected: 16 },
      ]);
    } finally {
      await inventory.close();
    }
    await runProject(project.dir, { pipeline: 'publish' });
    expect(lastPublished(project.dir)).toEqual(new Map([['SKU-3', 6], ['SKU-8', 16]]));
  });

  it('re-publishes everything on demand', async () => {
    project = tempProject({ 'keel.yaml': KEEL_YAML, ...PIPELINES, 'counts/day1.csv': rows(5, ['wh-b'], '2026-11-23T06:00:00Z', () => 3) });
    await runProject(project.dir, { pipeline: 'ingest' });
    await runProject(project.dir, { pipeline: 'publish' });
    project.write({
      'pipelines/2-publish.yaml': PIPELINES['pipelines/2-publish.yaml'].replace('options: { channel: shop }', 'options: { channel: shop, mode: full }'),
    });
    const again = await runProject(project.dir, { pipeline: 'publish' });
    expect(again.summary).toMatchObject({ written: 6 });
  });

  it('refuses an option the ledger target does not take, at load', async () => {
    project = tempProject({ 'keel.yaml': KEEL_YAML, ...PIPELINES, 'pipelines/1-ingest.yaml': PIPELINES['pipelines/1-ingest.yaml'].replace('stream: ledger }', 'stream: ledger, options: { chanel: shop } }') });
    await expect(loadProject(project.dir)).rejects.toThrow(/chanel/);
  });
});
