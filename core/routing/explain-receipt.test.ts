import { describe, expect, it } from 'vitest';
import { fenceReason, renderReceipt, strategyLocations } from './explain-receipt.js';
import { LINE_FENCES, LOCATION_FENCES, type FenceHit } from './fences.js';
import type { RoutingProfile } from './profile-schema.js';
import type { RoutingReceipt } from './receipt.js';
import { createOrderRouter } from './route-order.js';
import { contextFor, loaded, order, stockOf } from '../../test-support/routing-fixtures.js';

/** Every fence with the sentence its hit renders to, at location wh-berlin. */
const SENTENCES: [FenceHit, string][] = [
  [{ code: 'inactive' }, 'wh-berlin is not active'],
  [{ code: 'paused' }, 'wh-berlin is paused'],
  [{ code: 'rejected_order' }, 'wh-berlin already rejected or unclaimed this order'],
  [{ code: 'not_pickup_store', pickup_location_id: 'store-cologne' }, 'click-and-collect at store-cologne: only that store hands the order out'],
  [{ code: 'type_not_allowed', type: 'warehouse', allowed: ['store', '3pl'] }, 'wh-berlin is a warehouse; this strategy takes store, 3pl'],
  [{ code: 'not_in_strategy_locations' }, "wh-berlin is not among this strategy's locations"],
  [{ code: 'excluded_by_strategy' }, 'this strategy excludes wh-berlin'],
  [{ code: 'missing_capability', capability: 'pickup' }, 'wh-berlin cannot hand out click-and-collect orders'],
  [{ code: 'country_not_served', country: 'AT', region: 'W' }, 'wh-berlin does not ship to AT/W'],
  [{ code: 'too_far', distance_km: 515.4321, max_distance_km: 500 }, 'wh-berlin is 515.4 km away, beyond 500 km'],
  [{ code: 'no_shipping_rate', zone: 'eu' }, 'wh-berlin has no rate table for zone eu'],
  [{ code: 'capacity_exhausted' }, 'wh-berlin has used up its daily capacity'],
  [{ code: 'no_stock' }, 'wh-berlin has none of the ordered SKUs it could ship'],
  [{ line: 0, sku: 'sofa', code: 'line_capability_missing', capability: 'bulky' }, 'sofa needs bulky; wh-berlin cannot handle it'],
  [{ line: 1, sku: 'shirt', code: 'insufficient_stock', wanted: 3, available: 1 }, 'wh-berlin has 1 of 3 × shirt'],
];

describe('fenceReason', () => {
  it('renders a sentence for every fence', () => {
    expect(new Set(SENTENCES.map(([hit]) => hit.code))).toEqual(new Set([...LOCATION_FENCES, ...LINE_FENCES]));
    for (const [hit, sentence] of SENTENCES) expect(fenceReason(hit, 'wh-berlin')).toBe(sentence);
  });

  it('says what it can when facts are missing', () => {
    expect(fenceReason({ code: 'no_shipping_rate', country: 'CH' }, 'wh-berlin')).toBe('no shipping zone lists CH');
    expect(fenceReason({ code: 'no_shipping_rate' }, 'wh-berlin')).toBe('no shipping zone lists the customer country');
    expect(fenceReason({ code: 'country_not_served' }, 'wh-berlin')).toBe('wh-berlin does not ship to an unknown place');
    expect(fenceReason({ code: 'not_pickup_store' }, 'wh-berlin')).toBe('click-and-collect at ?: only that store hands the order out');
  });
});

describe('renderReceipt', () => {
  const profile: RoutingProfile = {
    name: 'explain',
    strategies: [
      { name: 'pos-only', when: { channels: ['pos'] } },
      { name: 'warehouses', fences: { location_types: ['warehouse', '3pl'] }, ratings: { distance: 1, priority: 10 }, split: { allowed: true, max_parts: 2 } },
    ],
    locations: { '3pl-vienna': { paused: true } },
  };
  const route = () => {
    const context = contextFor(profile, { stock: stockOf({ shirt: { 'wh-berlin': 2, 'wh-munich': 1 }, mug: { 'wh-munich': 3 } }) });
    return createOrderRouter(loaded(profile), context);
  };
  /** As the state store gives it back. */
  const stored = (receipt: RoutingReceipt | undefined): RoutingReceipt => JSON.parse(JSON.stringify(receipt)) as RoutingReceipt;

  it('explains a split: every location with its fence or the lines it lacks, then each part with its ratings', () => {
    // Berlin has the shirts but no mug, Munich the mug but one shirt too few: one part each.
    const decision = route()(order([['shirt', 2], ['mug', 1]], { external_id: 'split-1' }));
    expect(decision.status).toBe('allocated');
    // Stored compactly: each distinct fence hit once, with the locations it held for.
    const warehouses = decision.receipt?.strategies[1];
    expect(warehouses?.candidates).toEqual(['wh-berlin', 'wh-munich']);
    expect(warehouses?.excluded).toEqual([
      { code: 'paused', locations: ['3pl-vienna'] },
      { code: 'type_not_allowed', type: 'store', allowed: ['warehouse', '3pl'], locations: ['store-cologne', 'store-hamburg'] },
    ]);
    expect(warehouses?.line_fences).toEqual([
      { code: 'insufficient_stock', line: 1, sku: 'mug', wanted: 1, available: 0, locations: ['wh-berlin'] },
      { code: 'insufficient_stock', line: 0, sku: 'shirt', wanted: 2, available: 1, locations: ['wh-munich'] },
    ]);
    expect(renderReceipt(stored(decision.receipt))).toBe(
      [
        `Order shop-de:split-1, routed by profile explain (version ${loaded(profile).version}) at 2025-03-01T10:00:00.000Z`,
        "Customer position: 52.53, 13.38 (from the order's address)",
        'Lines: 2 × shirt (line 1), 1 × mug (line 2)',
        'Strategy pos-only: not applicable: channel shop-de is not one of pos',
        'Strategy warehouses: chosen',
        '  3pl-vienna: excluded (paused): 3pl-vienna is paused',
        '  store-cologne: excluded (type_not_allowed): store-cologne is a store; this strategy takes warehouse, 3pl',
        '  store-hamburg: excluded (type_not_allowed): store-hamburg is a store; this strategy takes warehouse, 3pl',
        '  wh-berlin: candidate, cannot take every line whole',
        '    line 2 (insufficient_stock): wh-berlin has 0 of 1 × mug',
        '  wh-munich: candidate, cannot take every line whole',
        '    line 1 (insufficient_stock): wh-munich has 1 of 2 × shirt',
        'Allocated by strategy warehouses in 2 part(s), score 536.982 (best found by exact search, 12 step(s))',
        '  Part 1: wh-berlin ships 2 × shirt (line 1); score 12.024',
        '    distance: 2.024 km → 2.024 point(s)',
        '    priority: 1 → 10 point(s)',
        '  Part 2: wh-munich ships 1 × mug (line 2); score 524.958',
        '    distance: 504.958 km → 504.958 point(s)',
        '    priority: 2 → 20 point(s)',
      ].join('\n'),
    );
  });

  it('explains a hold with its reason', () => {
    const decision = route()(order([['paint', 1]], { external_id: 'held-1' }));
    expect(decision.status).toBe('held');
    expect(renderReceipt(stored(decision.receipt))).toBe(
      [
        `Order shop-de:held-1, routed by profile explain (version ${loaded(profile).version}) at 2025-03-01T10:00:00.000Z`,
        "Customer position: 52.53, 13.38 (from the order's address)",
        'Lines: 1 × paint (line 1)',
        'Strategy pos-only: not applicable: channel shop-de is not one of pos',
        'Strategy warehouses: could not serve the order (no_stock): no candidate location has 1 × paint in stock, and the profile allows no pre-orders or backorders',
        '  3pl-vienna: excluded (paused): 3pl-vienna is paused',
        '  store-cologne: excluded (type_not_allowed): store-cologne is a store; this strategy takes warehouse, 3pl',
        '  store-hamburg: excluded (type_not_allowed): store-hamburg is a store; this strategy takes warehouse, 3pl',
        '  wh-berlin: excluded (no_stock): wh-berlin has none of the ordered SKUs it could ship',
        '  wh-munich: excluded (no_stock): wh-munich has none of the ordered SKUs it could ship',
        'Held as manual_review (no_stock): no candidate location has 1 × paint in stock, and the profile allows no pre-orders or backorders',
      ].join('\n'),
    );
  });

  it('names incoming stock, transfers and a line fenced for a missing capability', () => {
    const receipt: RoutingReceipt = {
      order_key: 'shop/7',
      profile: { name: 'p', version: 'v1' },
      decided_at: '2025-03-01T10:00:00.000Z',
      lines: [
        { line: 0, sku: 'sofa', quantity: 1 },
        { line: 2, sku: 'shirt', quantity: 2 },
      ],
      strategies: [
        {
          strategy: 's (transfer)',
          outcome: 'chosen',
          candidates: ['wh-munich'],
          line_fences: [{ code: 'line_capability_missing', line: 0, sku: 'sofa', capability: 'bulky', locations: ['wh-munich'] }],
        },
      ],
      allocation: {
        strategy: 's',
        score: 0,
        method: 'heuristic',
        explored: 200_000,
        max_steps: 200_000,
        parts: [
          { location_id: 'wh-munich', lines: [{ line: 2, sku: 'shirt', quantity: 2 }], source: 'stock', transfer_to: 'store-cologne', score: 0, ratings: { shipping_cost: { raw: null, weighted: 0 } } },
          { location_id: 'wh-berlin', lines: [{ line: 0, sku: 'sofa', quantity: 1 }], source: 'incoming', available_from: '2025-03-10', score: 0, ratings: {} },
        ],
      },
    };
    expect(strategyLocations(receipt.strategies[0] ?? { strategy: '?', outcome: 'chosen' })).toEqual([
      { location_id: 'wh-munich', line_fences: [{ code: 'line_capability_missing', line: 0, sku: 'sofa', capability: 'bulky' }] },
    ]);
    expect(renderReceipt(receipt).split('\n').slice(2)).toEqual([
      'Lines: 1 × sofa (line 1), 2 × shirt (line 3)',
      'Strategy s (transfer): chosen',
      '  wh-munich: candidate, cannot take every line whole',
      '    line 1 (line_capability_missing): sofa needs bulky; wh-munich cannot handle it',
      'Allocated by strategy s in 2 part(s), score 0 (the search ran out of steps after 200000 (max_search_steps 200000): the best it found, possibly not the best)',
      '  Part 1: wh-munich ships 2 × shirt (line 3), by transfer to store-cologne; score 0',
      '    shipping_cost: unknown → 0 point(s)',
      '  Part 2: wh-berlin ships 1 × sofa (line 1) from incoming stock due 2025-03-10; score 0',
    ]);
    expect(renderReceipt(receipt).split('\n')[1]).toBe('Customer position: unknown');
  });
});
