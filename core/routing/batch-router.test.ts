import { describe, expect, it } from 'vitest';
import { routeBatch } from './batch-router.js';
import type { RoutingProfile } from './profile-schema.js';
import { contextFor, loaded, order, stockOf } from '../../test-support/routing-fixtures.js';

describe('routeBatch', () => {
  it('moves orders on when a location runs out of daily capacity or stock mid-batch, then holds', () => {
    const profile: RoutingProfile = {
      name: 'batch',
      strategies: [{ name: 'nearest', fences: { location_types: ['warehouse'] }, ratings: { distance: 1 } }],
      locations: { 'wh-berlin': { daily_capacity: 2 } },
    };
    const context = contextFor(profile, { stock: stockOf({ shirt: { 'wh-berlin': 10, 'wh-munich': 3 } }) });
    const orders = Array.from({ length: 6 }, () => order([['shirt', 1]]));
    const decisions = routeBatch(orders, loaded(profile), context, context.state);
    expect(decisions.map((decision) => (decision.status === 'allocated' ? decision.parts[0]?.location_id : decision.hold.code))).toEqual([
      'wh-berlin',
      'wh-berlin',
      'wh-munich',
      'wh-munich',
      'wh-munich',
      'no_stock',
    ]);
    const third = decisions[2]?.receipt?.strategies[0]?.excluded?.find((group) => group.locations.includes('wh-berlin'));
    expect(third?.code).toBe('capacity_exhausted');
    expect(context.state.available('shirt', 'wh-berlin')).toBe(8);
    expect(context.state.available('shirt', 'wh-munich')).toBe(0);
    expect(context.state.capacityLeft('wh-berlin')).toBe(0);
  });

  it('routes kits where every component is, as many as the scarcest allows, and takes the components', () => {
    const profile: RoutingProfile = { name: 'kits', strategies: [{ name: 'nearest', fences: { location_types: ['warehouse'] }, ratings: { distance: 1 } }] };
    const context = contextFor(profile, {
      // Berlin has mugs but only one shirt: one gift set; Munich has enough for two.
      stock: stockOf({ shirt: { 'wh-berlin': 1, 'wh-munich': 4 }, mug: { 'wh-berlin': 9, 'wh-munich': 4 } }),
      bundles: { gift: { shirt: 1, mug: 2 } },
    });
    expect(context.state.stockLevels('gift')).toEqual(new Map([['wh-berlin', 1], ['wh-munich', 2]]));
    const decisions = routeBatch([order([['gift', 1]]), order([['gift', 1]]), order([['gift', 2]])], loaded(profile), context, context.state);
    expect(decisions.map((decision) => (decision.status === 'allocated' ? decision.parts.map((part) => part.location_id).join('+') : decision.hold.code))).toEqual([
      'wh-berlin',
      'wh-munich',
      'no_stock',
    ]);
    expect([context.state.available('shirt', 'wh-berlin'), context.state.available('mug', 'wh-berlin'), context.state.available('mug', 'wh-munich')]).toEqual([0, 7, 2]);
    expect(context.state.available('gift', 'wh-munich')).toBe(1);
  });
});
