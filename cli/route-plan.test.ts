import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../test-support/run-cli.js';
import { tempProject, type TempProject } from '../test-support/temp-project.js';

let project: TempProject | undefined;
afterEach(() => project?.remove());

/** Any project has pipelines; routing only needs its locations. */
const PIPELINE = { 'pipelines/copy.yaml': 'name: copy\nsource: { connection: files, stream: files, options: { path: "*.json" } }\ntargets: [{ connection: files, stream: files, options: { path: "out-{seq}.json" } }]\n' };
const FILES = '  files: { connector: file, config: { root: ./data } }\n';

const order = (id: string, lines: [string, number][], lat: number, lon: number): string =>
  JSON.stringify({
    channel: 'shop',
    external_id: id,
    status: 'received',
    currency: 'EUR',
    created_at: '2026-11-23T09:00:00Z',
    shipping_address: { country_code: 'DE', coordinates: { lat, lon } },
    lines: lines.map(([sku, quantity], index) => ({ line_id: `${id}-${index + 1}`, sku, quantity, unit_price: { amount: '20.00', currency: 'EUR' } })),
  });

describe('keel route plan', () => {
  it('replays recorded orders through a new profile and names the orders whose decision changes', async () => {
    project = tempProject({
      ...PIPELINE,
      'keel.yaml': `name: routing
connections:
${FILES}inventory:
  locations:
    - { location_id: wh-berlin, name: Berlin, type: warehouse, coordinates: { lat: 52.52, lon: 13.40 }, priority: 1 }
    - { location_id: wh-munich, name: Munich, type: warehouse, coordinates: { lat: 48.14, lon: 11.58 }, priority: 2 }
    - { location_id: store-hamburg, name: Hamburg, type: store, coordinates: { lat: 53.55, lon: 9.99 }, priority: 5 }
  channels:
    shop: {}
`,
      // Berlin has everything; Munich and Hamburg have some.
      'stock.csv': 'sku,location_id,available\nTEE,wh-berlin,10\nMUG,wh-berlin,10\nTEE,wh-munich,5\nTEE,store-hamburg,3\nMUG,store-hamburg,2\n',
      // One near Munich, one near Hamburg, one that only Berlin can serve whole, one nobody can.
      'orders.ndjson': [
        order('1', [['TEE', 1]], 48.2, 11.6),
        order('2', [['TEE', 1], ['MUG', 1]], 53.5, 10.0),
        order('3', [['TEE', 1], ['MUG', 5]], 48.2, 11.6),
        order('4', [['CAP', 1]], 52.5, 13.4),
      ].join('\n'),
      'current.yaml': 'name: by-priority\nhold: manual_review\nstrategies:\n  - name: priority\n    ratings: { priority: 1 }\n',
      'nearest.yaml': 'name: nearest\nhold: backorder\nstrategies:\n  - name: nearest\n    ratings: { distance: 1 }\n',
    });
    const dir = project.dir;
    const result = await runCli(['route', 'plan', '--project', dir, '--orders', `${dir}/orders.ndjson`, '--stock', `${dir}/stock.csv`, '--profile', `${dir}/nearest.yaml`, '--against', `${dir}/current.yaml`, '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as {
      profile: { allocated: number; held: number; held_by_code: Record<string, number>; parts_per_location: Record<string, number>; split_rate: number };
      against: { parts_per_location: Record<string, number> };
      changed: { order_key: string; before: string; after: string }[];
    };
    expect(report.profile).toMatchObject({ allocated: 3, held: 1, split_rate: 0, parts_per_location: { 'store-hamburg': 1, 'wh-berlin': 1, 'wh-munich': 1 } });
    expect(Object.values(report.profile.held_by_code)).toEqual([1]);
    expect(report.against.parts_per_location).toEqual({ 'wh-berlin': 3 });
    expect(report.changed).toEqual([
      { order_key: 'shop:1', before: 'wh-berlin:TEE×1', after: 'wh-munich:TEE×1' },
      { order_key: 'shop:2', before: 'wh-berlin:TEE×1,MUG×1', after: 'store-hamburg:TEE×1,MUG×1' },
    ]);
  });

  it('says which locations file is missing instead of routing to nowhere', async () => {
    project = tempProject({ ...PIPELINE, 'keel.yaml': `name: none\nconnections:\n${FILES}`, 'o.ndjson': '', 's.csv': 'sku,location_id,available\n', 'p.yaml': 'name: p\nstrategies:\n  - name: any\n' });
    const dir = project.dir;
    const result = await runCli(['route', 'plan', '--project', dir, '--orders', `${dir}/o.ndjson`, '--stock', `${dir}/s.csv`, '--profile', `${dir}/p.yaml`]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('keel.yaml has no inventory: section, so there are no locations to route to');
  });
});
