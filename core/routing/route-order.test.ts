import { describe, expect, it } from 'vitest';
import { fenceReason, strategyLocations } from './explain-receipt.js';
import { createOrderRouter } from './route-order.js';
import type { RoutingProfile } from './profile-schema.js';
import type { RoutingDecision } from './receipt.js';
import { contextFor, loaded, order, stockOf } from '../../test-support/routing-fixtures.js';

const everywhere = { 'wh-berlin': 10, 'wh-munich': 10, '3pl-vienna': 10, 'store-hamburg': 10, 'store-cologne': 10 };

function route(profile: RoutingProfile, stock: Record<string, Record<string, number>>, o = order([['shirt', 1]]), rejected?: string[]) {
  const context = contextFor(profile, { stock: stockOf(stock) });
  return createOrderRouter(loaded(profile), context)(o, rejected !== undefined ? { rejected: new Set(rejected) } : {});
}

function partsOf(decision: RoutingDecision): [string, string[]][] {
  if (decision.status !== 'allocated') throw new Error(`held: ${decision.hold.code} ${decision.hold.reason}`);
  return decision.parts.map((part) => [part.location_id, part.lines.map((line) => `${line.quantity}×${line.sku}`)]);
}

/** How the last strategy tried saw the location. */
function seen(decision: RoutingDecision, location: string, strategy = -1) {
  const trial = decision.receipt?.strategies.at(strategy);
  return trial === undefined ? undefined : strategyLocations(trial).find((outcome) => outcome.location_id === location);
}

function exclusion(decision: RoutingDecision, location: string) {
  return seen(decision, location)?.excluded?.code;
}

describe('routeOrder fences', () => {
  const profile: RoutingProfile = {
    name: 'fences',
    strategies: [{ name: 'nearest', fences: { location_types: ['warehouse', 'store'], exclude_locations: ['wh-munich'], max_distance_km: 500 }, ratings: { distance: 1 } }],
    locations: { 'store-hamburg': { serves: { countries: ['AT'] } } },
  };

  it('names the fence that excluded each location in the receipt', () => {
    const decision = route({ ...profile, locations: { ...profile.locations, 'wh-berlin': { paused: true } } }, { shirt: { ...everywhere } });
    expect(exclusion(decision, 'wh-berlin')).toBe('paused');
    expect(exclusion(decision, 'wh-munich')).toBe('excluded_by_strategy');
    expect(exclusion(decision, '3pl-vienna')).toBe('type_not_allowed');
    expect(exclusion(decision, 'store-hamburg')).toBe('country_not_served');
    expect(exclusion(decision, 'store-cologne')).toBe('missing_capability');
    expect(decision.status).toBe('held');
    const vienna = seen(decision, '3pl-vienna')?.excluded;
    expect(vienna).toEqual({ code: 'type_not_allowed', type: '3pl', allowed: ['warehouse', 'store'] });
    expect(vienna && fenceReason(vienna, '3pl-vienna')).toBe('3pl-vienna is a 3pl; this strategy takes warehouse, store');
    expect(seen(decision, 'store-hamburg')?.excluded).toEqual({ code: 'country_not_served', country: 'DE' });
    expect(seen(decision, 'store-cologne')?.excluded).toEqual({ code: 'missing_capability', capability: 'ship' });
    // Each distinct hit is stored once with the locations it kept out.
    expect(decision.receipt?.strategies[0]?.excluded?.map((group) => [group.code, group.locations])).toEqual([
      ['type_not_allowed', ['3pl-vienna']],
      ['missing_capability', ['store-cologne']],
      ['country_not_served', ['store-hamburg']],
      ['paused', ['wh-berlin']],
      ['excluded_by_strategy', ['wh-munich']],
    ]);
    expect(decision.receipt?.strategies[0]?.candidates).toEqual([]);
    // Receipts are plain JSON: what the state store gives back is what routing recorded.
    expect(JSON.parse(JSON.stringify(decision.receipt))).toStrictEqual(decision.receipt);
  });

  it('fences locations that rejected the order, are too far, lack stock or a line capability', () => {
    // A customer in Bremen: Hamburg is 95 km away, Berlin 315 km.
    const far = order([['shirt', 1]], { shipping_address: { country_code: 'DE', coordinates: { lat: 53.08, lon: 8.8 } } });
    const near: RoutingProfile = { name: 'near', strategies: [{ name: 'near', fences: { max_distance_km: 200 } }] };
    const decision = route(near, { shirt: { 'wh-berlin': 1, 'store-hamburg': 0 } }, far, ['store-cologne']);
    expect(exclusion(decision, 'wh-berlin')).toBe('too_far');
    expect(seen(decision, 'wh-berlin')?.excluded).toEqual({ code: 'too_far', distance_km: expect.closeTo(315, -1) as unknown as number, max_distance_km: 200 });
    expect(exclusion(decision, 'store-hamburg')).toBe('no_stock');
    expect(exclusion(decision, 'store-cologne')).toBe('rejected_order');
    const sofa = route({ name: 'p', strategies: [{ name: 'all', split: { allowed: true } }] }, { sofa: { 'wh-munich': 5, 'wh-berlin': 1 } }, order([['sofa', 1]]));
    expect(partsOf(sofa)).toEqual([['wh-berlin', ['1×sofa']]]);
    expect(exclusion(sofa, 'wh-munich')).toBe('no_stock');
  });

  it('records a line a candidate cannot take whole, and fences used-up daily capacity', () => {
    const profileCap: RoutingProfile = { name: 'cap', strategies: [{ name: 'all', split: { allowed: true }, ratings: { priority: 1 } }], locations: { 'wh-berlin': { daily_capacity: 0 } } };
    const decision = route(profileCap, { shirt: { 'wh-munich': 1, '3pl-vienna': 5 } }, order([['shirt', 2]]));
    expect(exclusion(decision, 'wh-berlin')).toBe('capacity_exhausted');
    expect(decision.receipt?.strategies[0]?.line_fences).toEqual([
      { code: 'insufficient_stock', line: 0, sku: 'shirt', wanted: 2, available: 1, locations: ['wh-munich'] },
    ]);
    const short = seen(decision, 'wh-munich')?.line_fences ?? [];
    expect(short).toEqual([{ code: 'insufficient_stock', line: 0, sku: 'shirt', wanted: 2, available: 1 }]);
    expect(short[0] && fenceReason(short[0], 'wh-munich')).toBe('wh-munich has 1 of 2 × shirt');
    expect(partsOf(decision)).toEqual([['3pl-vienna', ['2×shirt']]]);
  });

  it('records a line fenced for a missing capability on a candidate that has the rest', () => {
    const profileSplit: RoutingProfile = { name: 'bulky', strategies: [{ name: 'all', split: { allowed: true }, ratings: { priority: 1 } }] };
    const decision = route(profileSplit, { sofa: { 'wh-berlin': 1, 'wh-munich': 4 }, shirt: { 'wh-munich': 3 } }, order([['sofa', 1], ['shirt', 1]]));
    expect(partsOf(decision)).toEqual([
      ['wh-berlin', ['1×sofa']],
      ['wh-munich', ['1×shirt']],
    ]);
    expect(seen(decision, 'wh-munich')).toEqual({ location_id: 'wh-munich', line_fences: [{ code: 'line_capability_missing', line: 0, sku: 'sofa', capability: 'bulky' }] });
    expect(decision.receipt?.strategies[0]?.candidates).toEqual(['wh-berlin', 'wh-munich']);
    expect(decision.receipt?.lines).toEqual([
      { line: 0, sku: 'sofa', quantity: 1 },
      { line: 1, sku: 'shirt', quantity: 1 },
    ]);
  });

  it('fences inactive locations and those outside the strategy\'s locations', () => {
    const only: RoutingProfile = { name: 'only', strategies: [{ name: 'two', fences: { locations: ['wh-berlin', 'wh-munich'] } }] };
    const context = contextFor(only, { stock: stockOf({ shirt: { ...everywhere } }) });
    const berlin = context.locations.find((location) => location.location_id === 'wh-berlin');
    if (berlin !== undefined) berlin.active = false;
    const decision = createOrderRouter(loaded(only), context)(order([['shirt', 1]]));
    expect(exclusion(decision, 'wh-berlin')).toBe('inactive');
    expect(exclusion(decision, '3pl-vienna')).toBe('not_in_strategy_locations');
    expect(partsOf(decision)).toEqual([['wh-munich', ['1×shirt']]]);
  });

  it('requires shipping rates for the customer zone when shipping cost is rated, and prefers the cheaper one', () => {
    const rated: RoutingProfile = {
      name: 'rates',
      strategies: [{ name: 'cheap', ratings: { shipping_cost: 1 } }],
      shipping_rates: {
        zones: { de: ['DE'] },
        tables: [
          { locations: ['wh-munich'], zone: 'de', brackets: [{ max_weight_grams: 1000, cost: '4.90' }, { cost: '9.90' }] },
          { locations: ['3pl-vienna'], zone: 'de', brackets: [{ cost: '5.50' }] },
        ],
      },
    };
    const light = route(rated, { shirt: { ...everywhere } }, order([['shirt', 2]]));
    expect(partsOf(light)).toEqual([['wh-munich', ['2×shirt']]]);
    expect(exclusion(light, 'wh-berlin')).toBe('no_shipping_rate');
    const heavy = route(rated, { shirt: { ...everywhere } }, order([['shirt', 6]]));
    expect(partsOf(heavy)).toEqual([['3pl-vienna', ['6×shirt']]]);
    expect(heavy.receipt?.allocation?.parts[0]?.ratings.shipping_cost).toEqual({ raw: 5.5, weighted: 5.5 });
  });
});

describe('routeOrder strategies, splits and holds', () => {
  it('falls back to the next strategy when the first cannot serve, and records why', () => {
    const profile: RoutingProfile = {
      name: 'fallback',
      strategies: [
        { name: 'stores-first', when: { channels: ['shop-de'] }, fences: { location_types: ['store'] } },
        { name: 'marketplace', when: { channels: ['amazon-de'] } },
        { name: 'warehouses', fences: { location_types: ['warehouse'] }, ratings: { distance: 1 } },
      ],
    };
    const decision = route(profile, { shirt: { 'wh-berlin': 3, 'wh-munich': 3 } });
    expect(partsOf(decision)).toEqual([['wh-berlin', ['1×shirt']]]);
    expect(decision.status === 'allocated' && decision.strategy).toBe('warehouses');
    expect(decision.receipt?.strategies.map((trial) => [trial.strategy, trial.outcome, trial.code])).toEqual([
      ['stores-first', 'no_allocation', 'no_stock'],
      ['marketplace', 'not_applicable', undefined],
      ['warehouses', 'chosen', undefined],
    ]);
    expect(decision.receipt?.profile.version).toMatch(/^[0-9a-f]{12}$/);
  });

  it('holds an order no strategy can serve in the configured state, with the reason', () => {
    const profile: RoutingProfile = { name: 'hold', hold: 'backorder', strategies: [{ name: 'only', when: { countries: ['DE'] } }] };
    const noStock = route(profile, { shirt: {} });
    expect(noStock.status === 'held' && noStock.hold).toEqual({
      state: 'backorder',
      code: 'no_stock',
      reason: 'no candidate location has 1 × shirt in stock, and the profile allows no pre-orders or backorders',
    });
    const french = route(profile, { shirt: { ...everywhere } }, order([['shirt', 1]], { shipping_address: { country_code: 'FR' } }));
    expect(french.status === 'held' && french.hold.code).toBe('no_strategy_applies');
    expect(french.status === 'held' && french.hold.state).toBe('backorder');
  });

  it('matches strategy conditions on value, category, delivery and customer group', () => {
    const profile: RoutingProfile = {
      name: 'conditions',
      strategies: [
        { name: 'vip', when: { customer_groups: ['vip'] }, fences: { locations: ['wh-munich'] } },
        { name: 'big', when: { order_value: { min: '100.00' } }, fences: { locations: ['3pl-vienna'] } },
        { name: 'home', when: { categories: ['home'], delivery: 'ship' }, fences: { locations: ['store-hamburg'] } },
        { name: 'rest', fences: { locations: ['wh-berlin'] } },
      ],
    };
    const stock = { shirt: { ...everywhere }, mug: { ...everywhere } };
    const where = (o: ReturnType<typeof order>) => partsOf(route(profile, stock, o))[0]?.[0];
    expect(where(order([['shirt', 1]], { extensions: { customer_group: 'vip' } }))).toBe('wh-munich');
    expect(where(order([['shirt', 10, '10.00']]))).toBe('3pl-vienna');
    expect(where(order([['shirt', 9, '11.11']]))).toBe('wh-berlin');
    expect(where(order([['mug', 1]]))).toBe('store-hamburg');
  });

  it('does not split unless allowed, and never beyond max_parts', () => {
    const stock = { shirt: { 'wh-berlin': 5 }, mug: { 'wh-munich': 5 }, sofa: { 'wh-berlin': 5 }, paint: { '3pl-vienna': 5 } };
    const three = order([['shirt', 1], ['mug', 1], ['paint', 1]]);
    const noSplit = route({ name: 'p', strategies: [{ name: 's' }] }, stock, three);
    expect(noSplit.status === 'held' && noSplit.hold.code).toBe('no_single_location');
    const two = route({ name: 'p', strategies: [{ name: 's', split: { allowed: true, max_parts: 2 } }] }, stock, three);
    expect(two.status === 'held' && two.hold.code).toBe('no_allocation');
    expect(partsOf(route({ name: 'p', strategies: [{ name: 's', split: { allowed: true, max_parts: 3 } }] }, stock, three))).toEqual([
      ['3pl-vienna', ['1×paint']],
      ['wh-berlin', ['1×shirt']],
      ['wh-munich', ['1×mug']],
    ]);
  });

  it('keeps every part above min_value_per_part and ship-together lines in one part', () => {
    const stock = { shirt: { 'wh-berlin': 5, 'wh-munich': 5 }, mug: { 'wh-munich': 5 } };
    const o = order([['shirt', 1, '30.00'], ['mug', 1, '5.00']]);
    // Berlin is nearer and wins the shirt, unless the mug part alone would be worth too little.
    const free = route({ name: 'p', strategies: [{ name: 's', split: { allowed: true }, ratings: { distance: 1, parcels: 1000 } }] }, stock, o);
    expect(partsOf(free)).toEqual([['wh-munich', ['1×shirt', '1×mug']]]);
    const cheapParcels = { distance: 1, parcels: 1 };
    expect(partsOf(route({ name: 'p', strategies: [{ name: 's', split: { allowed: true }, ratings: cheapParcels }] }, { shirt: { 'wh-berlin': 5 }, mug: { 'wh-munich': 5 } }, o))).toHaveLength(2);
    const minValue = route(
      { name: 'p', strategies: [{ name: 's', split: { allowed: true, min_value_per_part: '10.00' } }] },
      { shirt: { 'wh-berlin': 5 }, mug: { 'wh-munich': 5 } },
      o,
    );
    expect(minValue.status === 'held' && minValue.hold.reason).toBe('no allocation in at most 3 part(s) with at least 10.00 of goods each');
    const together = route(
      { name: 'p', strategies: [{ name: 's', split: { allowed: true, ship_together: [['shirt', 'mug']] } }] },
      { shirt: { 'wh-berlin': 5 }, mug: { 'wh-munich': 5 } },
      o,
    );
    expect(together.status === 'held' && together.hold.code).toBe('no_allocation');
  });

  it('splits one line over two locations only with split_lines', () => {
    const stock = { shirt: { 'wh-berlin': 2, 'wh-munich': 3 } };
    const o = order([['shirt', 5]]);
    const whole = route({ name: 'p', strategies: [{ name: 's', split: { allowed: true } }] }, stock, o);
    expect(whole.status === 'held' && whole.hold.code).toBe('no_stock');
    const split = route({ name: 'p', strategies: [{ name: 's', split: { allowed: true, split_lines: true }, ratings: { priority: 1 } }] }, stock, o);
    expect(partsOf(split)).toEqual([
      ['wh-berlin', ['2×shirt']],
      ['wh-munich', ['3×shirt']],
    ]);
  });

  it('allocates two lines of one SKU against the stock they share, as it does the same units on one line', () => {
    const profile: RoutingProfile = { name: 'p', strategies: [{ name: 's', split: { allowed: true, max_parts: 2, split_lines: true }, ratings: { priority: 1 } }] };
    const stock = { shirt: { 'wh-berlin': 3, 'wh-munich': 1 } };
    expect(partsOf(route(profile, stock, order([['shirt', 4]])))).toEqual([
      ['wh-berlin', ['3×shirt']],
      ['wh-munich', ['1×shirt']],
    ]);
    const twoLines = route(profile, stock, order([['shirt', 2], ['shirt', 2]]));
    expect(partsOf(twoLines)).toEqual([
      ['wh-berlin', ['2×shirt', '1×shirt']],
      ['wh-munich', ['1×shirt']],
    ]);
    expect(twoLines.status === 'allocated' && twoLines.parts.map((part) => part.lines.map((line) => line.line_id))).toEqual([['l1', 'l2'], ['l2']]);
  });

  it('counts what earlier lines of the SKU take before calling a line short of stock', () => {
    const profile: RoutingProfile = { name: 'pre', backorders: { allowed: true }, strategies: [{ name: 's', split: { allowed: true } }] };
    const context = contextFor(profile, {
      stock: stockOf({ shirt: { 'wh-berlin': 3 } }),
      incoming: new Map([['shirt', [{ location_id: 'wh-munich', quantity: 10, expected_at: '2025-03-10' }]]]),
    });
    // Berlin's 3 serve the first line; the second waits for Munich's delivery instead of holding the order.
    const decision = createOrderRouter(loaded(profile), context)(order([['shirt', 2], ['shirt', 2]]));
    expect(decision.status === 'allocated' && decision.parts.map((part) => [part.location_id, part.source, part.lines.map((line) => line.line_id)])).toEqual([
      ['wh-berlin', 'stock', ['l1']],
      ['wh-munich', 'incoming', ['l2']],
    ]);
  });

  it('says when the allocation search ran out of steps: in the decision, the receipt and, when it found nothing, the hold', () => {
    const stock = { shirt: { 'wh-berlin': 3, 'wh-munich': 4 } };
    const twoLines = () => order([['shirt', 2], ['shirt', 2]]);
    const profile = (steps?: number): RoutingProfile => ({ name: 'p', ...(steps !== undefined ? { max_search_steps: steps } : {}), strategies: [{ name: 's', ratings: { priority: 1 } }] });
    const roomy = route(profile(), stock, twoLines());
    expect(partsOf(roomy)).toEqual([['wh-munich', ['2×shirt', '2×shirt']]]);
    expect(roomy.search_exhausted).toBeUndefined();
    expect(roomy.receipt?.allocation).toMatchObject({ method: 'exact', max_steps: 500_000 });
    // One step: the greedy fallback takes Berlin, the cheaper location that seems to hold both lines, and cannot fit them.
    const starved = route(profile(1), stock, twoLines());
    expect(starved.status === 'held' && starved.hold).toEqual({
      state: 'manual_review',
      code: 'search_exhausted',
      reason: 'the allocation search took its 1 steps without finding an allocation in at most 1 part(s); raise max_search_steps in the profile',
    });
    expect(starved.search_exhausted).toBe(true);
    const found = route(profile(1), { ...stock, mug: { 'wh-munich': 2 } }, order([['shirt', 2], ['mug', 1]]));
    expect(partsOf(found)).toEqual([['wh-munich', ['2×shirt', '1×mug']]]);
    expect(found.search_exhausted).toBe(true);
    expect(found.receipt?.allocation).toMatchObject({ method: 'heuristic', explored: 1, max_steps: 1 });
  });

  it('allocates lines without stock against incoming stock when backorders are allowed', () => {
    const profile: RoutingProfile = { name: 'pre', backorders: { allowed: true, horizon_days: 30 }, strategies: [{ name: 's', split: { allowed: true } }] };
    const context = contextFor(profile, {
      stock: stockOf({ shirt: { 'wh-berlin': 5 } }),
      incoming: new Map([['mug', [{ location_id: 'wh-munich', quantity: 10, expected_at: '2025-03-10' }, { location_id: 'wh-berlin', quantity: 10, expected_at: '2025-06-01' }]]]),
    });
    const decision = createOrderRouter(loaded(profile), context)(order([['shirt', 1], ['mug', 2]]));
    expect(decision.status === 'allocated' && decision.parts.map((part) => [part.location_id, part.source, part.available_from ?? null])).toEqual([
      ['wh-berlin', 'stock', null],
      ['wh-munich', 'incoming', '2025-03-10'],
    ]);
  });
});

describe('click-and-collect', () => {
  const stock = { shirt: { 'store-cologne': 0, 'wh-berlin': 5 } };
  const pickup = () => order([['shirt', 1]], { pickup_location_id: 'store-cologne', shipping_address: undefined });

  it('goes to the chosen pickup store only', () => {
    const profile: RoutingProfile = { name: 'cc', strategies: [{ name: 's' }] };
    const ok = route(profile, { shirt: { 'store-cologne': 2, 'wh-berlin': 5 } }, pickup());
    expect(partsOf(ok)).toEqual([['store-cologne', ['1×shirt']]]);
    expect(exclusion(ok, 'wh-berlin')).toBe('not_pickup_store');
    const empty = route(profile, stock, pickup());
    expect(empty.status === 'held' && empty.hold.code).toBe('no_stock');
  });

  it('is transferred to the pickup store when the store lacks stock and transfers are configured', () => {
    const profile: RoutingProfile = { name: 'cc', click_and_collect: { transfer: true }, strategies: [{ name: 's', ratings: { distance: 1 } }] };
    const decision = route(profile, stock, pickup());
    expect(decision.status === 'allocated' && decision.parts.map((part) => [part.location_id, part.transfer_to])).toEqual([['wh-berlin', 'store-cologne']]);
    expect(decision.receipt?.strategies.map((trial) => trial.strategy)).toEqual(['s (pickup)', 's (transfer)']);
    expect(decision.receipt?.customer_position?.source).toBe('pickup_store');
  });
});
