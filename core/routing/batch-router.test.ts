import { describe, expect, it } from 'vitest';
import { routeBatch } from './batch-router.js';
import type { RoutingProfile } from './profile-schema.js';
import { contextFor, loaded, order, stockOf } from './test-fixtures.js';

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
});
