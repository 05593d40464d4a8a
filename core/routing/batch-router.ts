/**
 * Routes a batch of orders against state held in memory, taking each allocation out of it before
 * the next order is routed: stock per SKU and location drops by what was allocated, daily capacity
 * by one per part. A backtest (`keel route plan`) runs on it over a snapshot; the pipeline step
 * will reserve through the inventory store instead and use the same router.
 */
import type { Incoming } from '../inventory/availability.js';
import type { Order } from '../model/order.js';
import type { RoutedPart, RoutingDecision } from './receipt.js';
import type { RouteOptions } from './route-order.js';
import { createOrderRouter } from './route-order.js';
import type { LoadedProfile } from './load-profile.js';
import type { RoutingContext, RoutingLocation, RoutingState } from './routing-input.js';

export interface MemoryStateInput {
  /** Available units: sku → location id → units. */
  stock: ReadonlyMap<string, ReadonlyMap<string, number>>;
  incoming?: ReadonlyMap<string, readonly Incoming[]>;
  /** Parts each location already took today. */
  capacityUsed?: ReadonlyMap<string, number>;
  paused?: ReadonlySet<string>;
  reliability?: ReadonlyMap<string, number>;
  /**
   * Kits (keel.yaml inventory.bundles): kit SKU → component SKU → units per kit. A kit is in stock
   * where every component is, as many as the scarcest allows, and allocating kits takes their
   * components, as live routing counts them.
   */
  bundles?: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

const NO_LEVELS: ReadonlyMap<string, number> = new Map();

export class MemoryRoutingState implements RoutingState {
  private readonly stock = new Map<string, Map<string, number>>();
  private readonly used = new Map<string, number>();
  private readonly capacity: Map<string, number>;
  private readonly defaults: Map<string, RoutingLocation>;

  constructor(
    locations: readonly RoutingLocation[],
    private readonly input: MemoryStateInput,
  ) {
    for (const [sku, levels] of input.stock) this.stock.set(sku, new Map(levels));
    for (const [id, count] of input.capacityUsed ?? []) this.used.set(id, count);
    this.capacity = new Map(locations.flatMap((location) => (location.daily_capacity !== undefined ? [[location.location_id, location.daily_capacity]] : [])));
    this.defaults = new Map(locations.map((location) => [location.location_id, location]));
  }

  available(sku: string, locationId: string): number {
    const kit = this.input.bundles?.[sku];
    if (kit !== undefined) return this.kitLevels(kit).get(locationId) ?? 0;
    return this.stock.get(sku)?.get(locationId) ?? 0;
  }

  stockLevels(sku: string): ReadonlyMap<string, number> {
    const kit = this.input.bundles?.[sku];
    if (kit !== undefined) return this.kitLevels(kit);
    return this.stock.get(sku) ?? NO_LEVELS;
  }

  /** Kits each location could make now from its components. */
  private kitLevels(components: Readonly<Record<string, number>>): Map<string, number> {
    const entries = Object.entries(components);
    const kits = new Map<string, number>();
    const [first] = entries;
    if (first === undefined) return kits;
    for (const locationId of this.stock.get(first[0])?.keys() ?? []) {
      let count = Number.POSITIVE_INFINITY;
      for (const [sku, perKit] of entries) count = Math.min(count, Math.floor((this.stock.get(sku)?.get(locationId) ?? 0) / perKit));
      if (count > 0) kits.set(locationId, count);
    }
    return kits;
  }

  incoming(sku: string): readonly Incoming[] {
    return this.input.incoming?.get(sku) ?? [];
  }

  capacityLeft(locationId: string): number {
    const capacity = this.capacity.get(locationId);
    return capacity === undefined ? Number.POSITIVE_INFINITY : capacity - (this.used.get(locationId) ?? 0);
  }

  paused(locationId: string): boolean {
    return this.input.paused?.has(locationId) === true;
  }

  reliability(locationId: string): number {
    return this.input.reliability?.get(locationId) ?? this.defaults.get(locationId)?.reliability ?? 1;
  }

  private take(sku: string, locationId: string, units: number): void {
    const levels = this.stock.get(sku);
    if (levels !== undefined) levels.set(locationId, (levels.get(locationId) ?? 0) - units);
  }

  /** Takes allocated stock out (incoming parts take nothing on hand, kits their components) and counts one part per location. */
  commit(parts: readonly RoutedPart[]): void {
    for (const part of parts) {
      this.used.set(part.location_id, (this.used.get(part.location_id) ?? 0) + 1);
      if (part.source !== 'stock') continue;
      for (const line of part.lines) {
        const kit = this.input.bundles?.[line.sku];
        if (kit === undefined) this.take(line.sku, part.location_id, line.quantity);
        else for (const [sku, perKit] of Object.entries(kit)) this.take(sku, part.location_id, perKit * line.quantity);
      }
    }
  }
}

/** Routes orders one after another, each seeing what the ones before it took. */
export function routeBatch(
  orders: Iterable<Order>,
  profile: LoadedProfile,
  context: Omit<RoutingContext, 'state'>,
  state: MemoryRoutingState,
  options: RouteOptions = {},
): RoutingDecision[] {
  const route = createOrderRouter(profile, { ...context, state });
  const decisions: RoutingDecision[] = [];
  for (const order of orders) {
    const decision = route(order, options);
    if (decision.status === 'allocated') state.commit(decision.parts);
    decisions.push(decision);
  }
  return decisions;
}
