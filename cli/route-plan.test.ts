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

  it('decides on what live routing would promise (on hand less safety stock) in a project without pipelines, and lists every decision and every changed order', async () => {
    // Only keel.yaml: its inventory locations (with safety stock); no pipeline, no connection.
    project = tempProject({
      'keel.yaml': `name: rules-only
inventory:
  locations:
    - { location_id: wh-near, name: Berlin, type: warehouse, coordinates: { lat: 52.52, lon: 13.40 }, safety_stock: 2 }
    - { location_id: wh-far, name: Munich, type: warehouse, coordinates: { lat: 48.14, lon: 11.58 } }
  channels:
    shop: {}
`,
      // Counted units: Berlin can promise 24 tees and no mug (2 on hand, 2 kept back).
      'stock.csv': 'sku,location_id,on_hand\nTEE,wh-near,26\nTEE,wh-far,30\nMUG,wh-near,2\nMUG,wh-far,5\n',
      // 25 tees, a mug and a cap nobody has, all near Berlin.
      'orders.ndjson': [
        ...Array.from({ length: 25 }, (_, index) => order(`t${index + 1}`, [['TEE', 1]], 52.5, 13.4)),
        order('mug', [['MUG', 1]], 52.5, 13.4),
        order('cap', [['CAP', 1]], 52.5, 13.4),
      ].join('\n'),
      'nearest.yaml': 'name: nearest\nhold: backorder\nstrategies:\n  - name: nearest\n    ratings: { distance: 1 }\n',
      'far-first.yaml': 'name: far-first\nhold: backorder\nstrategies:\n  - name: far\n    fences: { locations: [wh-far] }\n',
    });
    const dir = project.dir;
    const args = ['route', 'plan', '--project', dir, '--orders', `${dir}/orders.ndjson`, '--stock', `${dir}/stock.csv`, '--profile', `${dir}/nearest.yaml`, '--against', `${dir}/far-first.yaml`];
    const result = await runCli([...args, '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as {
      profile: { parts_per_location: Record<string, number>; held_by_code: Record<string, number>; search_exhausted: number };
      decisions: { order_key: string }[];
      against_decisions: unknown[];
      changed: { order_key: string; before: string; after: string }[];
    };
    expect(report.profile.parts_per_location).toEqual({ 'wh-far': 2, 'wh-near': 24 });
    expect(report.profile.held_by_code).toEqual({ no_stock: 1 });
    expect(report.profile.search_exhausted).toBe(0);
    expect(report.decisions).toHaveLength(27);
    expect(report.against_decisions).toHaveLength(27);
    const decision = (key: string) => report.decisions.find((entry) => entry.order_key === key);
    expect(decision('shop:t25')).toEqual({
      order_key: 'shop:t25',
      status: 'allocated',
      strategy: 'nearest',
      parts: [{ location_id: 'wh-far', lines: [{ line: 0, line_id: 't25-1', sku: 'TEE', quantity: 1 }], source: 'stock' }],
    });
    expect(decision('shop:mug')).toMatchObject({ parts: [{ location_id: 'wh-far' }] });
    expect(decision('shop:cap')).toEqual({
      order_key: 'shop:cap',
      status: 'held',
      hold: { state: 'backorder', code: 'no_stock', reason: 'no candidate location has 1 × CAP in stock, and the profile allows no pre-orders or backorders' },
    });
    // Every order that moves, not the first 20: the 24 tees Berlin can promise.
    expect(report.changed).toHaveLength(24);
    expect(report.changed[23]).toEqual({ order_key: 'shop:t24', before: 'wh-far:TEE×1', after: 'wh-near:TEE×1' });
    const text = await runCli(args);
    expect(text.stdout).toContain('24 of 27 orders would be routed differently');
    expect(text.stdout.split('\n').filter((line) => / {2}shop:t\d+: wh-far:TEE×1 {2}→ {2}wh-near:TEE×1$/.test(line))).toHaveLength(24);
  });

  it('counts the orders whose allocation search ran out of steps', async () => {
    project = tempProject({
      'keel.yaml': `name: steps
inventory:
  locations:
    - { location_id: wh-a, name: A, type: warehouse, coordinates: { lat: 52.52, lon: 13.40 } }
    - { location_id: wh-b, name: B, type: warehouse, coordinates: { lat: 48.14, lon: 11.58 } }
  channels:
    shop: {}
`,
      'stock.csv': 'sku,location_id,available\nTEE,wh-a,5\nMUG,wh-b,5\n',
      'orders.ndjson': order('1', [['TEE', 1], ['MUG', 1]], 50, 12),
      'tight.yaml': 'name: tight\nmax_search_steps: 2\nstrategies:\n  - name: any\n    split: { allowed: true }\n',
    });
    const dir = project.dir;
    const args = ['route', 'plan', '--project', dir, '--orders', `${dir}/orders.ndjson`, '--stock', `${dir}/stock.csv`, '--profile', `${dir}/tight.yaml`];
    const report = JSON.parse((await runCli([...args, '--json'])).stdout) as { profile: { search_exhausted: number; allocated: number }; decisions: { search_exhausted?: boolean }[] };
    expect(report.profile).toMatchObject({ search_exhausted: 1, allocated: 1 });
    expect(report.decisions[0]?.search_exhausted).toBe(true);
    expect((await runCli(args)).stdout).toContain('the allocation search ran out of steps on 1 order(s)');
  });

  it('says which locations file is missing instead of routing to nowhere', async () => {
    project = tempProject({ ...PIPELINE, 'keel.yaml': `name: none\nconnections:\n${FILES}`, 'o.ndjson': '', 's.csv': 'sku,location_id,available\n', 'p.yaml': 'name: p\nstrategies:\n  - name: any\n' });
    const dir = project.dir;
    const result = await runCli(['route', 'plan', '--project', dir, '--orders', `${dir}/o.ndjson`, '--stock', `${dir}/s.csv`, '--profile', `${dir}/p.yaml`]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('keel.yaml has no inventory: section, so there are no locations to route to');
  });
});
