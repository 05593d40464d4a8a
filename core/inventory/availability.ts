/**
 * Channel availability: what one channel may show for one SKU, from the stock at its locations,
 * the open reservations and the channel's rules. Pure and deterministic; every step is recorded
 * so `keel stock <sku> --explain` can show the arithmetic location by location.
 */
import type { ChannelRules, InventoryLocation } from './inventory-config.js';

export interface LocationStock {
  location_id: string;
  on_hand: number;
  /** Units held here for routed orders: they leave the channels that count this location, no others. */
  held?: number;
}

export interface Incoming {
  location_id: string;
  quantity: number;
  /** ISO date or date-time. */
  expected_at: string;
}

export interface SkuStock {
  sku: string;
  /** Current on-hand per location (snapshots plus later movements). */
  levels: readonly LocationStock[];
  /**
   * Units open orders claim of the stock on hand, not yet held at a location (routing holds them
   * where they ship from): reservations in stock, backorders, and pre-orders the incoming stock no
   * longer covers (promises-on-stock.ts).
   */
  reserved: number;
  /** The same by channel: each channel's are charged against the locations it counts (reservation-cover.ts). */
  reservedByChannel?: ReadonlyMap<string, number>;
  /** Units sold beyond stock: on backorder, by channel (each has its own allowance), and on pre-order that incoming stock still covers. */
  backordered?: ReadonlyMap<string, number>;
  preordered?: number;
  incoming: readonly Incoming[];
}

/**
 * Units of a SKU a channel can still promise out of its locations' `pool`: the engine charges the
 * reservations without a location against the locations their channels count. The default, for
 * callers without the engine, takes every such reservation off the pool.
 */
export type Promisable = (stock: SkuStock, pool: number) => number;

export const POOL_LESS_RESERVED: Promisable = (stock, pool) => Math.max(0, pool - stock.reserved);

/** What a channel sold beyond stock, which its backorder allowance and the incoming stock no longer offer. */
export interface Promised {
  backordered: number;
  preordered: number;
}

export function promisedOf(stock: SkuStock, channel: string): Promised {
  return { backordered: stock.backordered?.get(channel) ?? 0, preordered: stock.preordered ?? 0 };
}

export type AvailabilityStatus = 'in_stock' | 'out_of_stock' | 'backorder' | 'preorder';

export interface Availability {
  sku: string;
  channel: string;
  quantity: number;
  status: AvailabilityStatus;
  /** Pre-orders: when the incoming stock is due. */
  available_from?: string;
  explain: ExplainStep[];
}

export interface ExplainStep {
  step: string;
  detail: string;
  quantity: number;
}

/** Units a channel could sell before buffers and display rules: what reservations draw on. */
export function sellablePool(stock: SkuStock, locations: readonly InventoryLocation[], explain?: ExplainStep[]): number {
  const byLocation = new Map(stock.levels.map((level) => [level.location_id, level]));
  let pool = 0;
  for (const location of locations) {
    const level = byLocation.get(location.location_id);
    const onHand = level?.on_hand ?? 0;
    const held = level?.held ?? 0;
    const safety = location.safety_stock ?? 0;
    const counted = Math.max(0, onHand - safety - held);
    pool += counted;
    explain?.push({
      step: `location ${location.location_id}`,
      detail:
        `on hand ${onHand}${safety > 0 ? ` − safety stock ${safety}` : ''}${held > 0 ? ` − ${held} held for routed orders` : ''}` +
        `${onHand - safety - held < 0 ? ' (below zero counts as 0)' : ''} = ${counted}`,
      quantity: pool,
    });
  }
  return pool;
}

/** `explain: false` skips recording the steps (publishing thousands of SKUs needs only the numbers). */
export function computeAvailability(
  stock: SkuStock,
  channel: string,
  rules: ChannelRules,
  locations: readonly InventoryLocation[],
  now: Date,
  explain = true,
  promisable: Promisable = POOL_LESS_RESERVED,
): Availability {
  const steps: ExplainStep[] | undefined = explain ? [] : undefined;
  const pool = sellablePool(stock, locations, steps);
  const quantity = promisable(stock, pool);
  if (stock.reserved > 0) steps?.push({ step: 'reservations', detail: reservationsDetail(stock, pool), quantity });
  return applyChannelRules(stock.sku, channel, rules, quantity, steps, stock.incoming, locations, now, promisedOf(stock, channel));
}

/** `12 counted; open orders held at no location claim 3 (web 1, callcenter 2), served first from the locations their channels count` */
function reservationsDetail(stock: SkuStock, pool: number): string {
  const byChannel = [...(stock.reservedByChannel ?? [])].filter(([, units]) => units > 0).map(([channel, units]) => `${channel} ${units}`);
  return `${pool} counted; open orders held at no location claim ${stock.reserved}${byChannel.length > 0 ? ` (${byChannel.join(', ')})` : ''}, served first from the locations their channels count`;
}

/** Buffers, display thresholds, caps and back-/pre-orders, on a quantity already net of reservations. */
export function applyChannelRules(
  sku: string,
  channel: string,
  rules: ChannelRules,
  net: number,
  explain: ExplainStep[] | undefined,
  incoming: readonly Incoming[],
  locations: readonly InventoryLocation[],
  now: Date,
  promised: Promised = { backordered: 0, preordered: 0 },
): Availability {
  let quantity = net;
  const buffer = rules.buffer;
  if (buffer?.units !== undefined && buffer.units > 0) {
    quantity = Math.max(0, quantity - buffer.units);
    explain?.push({ step: 'channel buffer', detail: `− ${buffer.units} units`, quantity });
  } else if (buffer?.percent !== undefined && buffer.percent > 0) {
    // Rounded down: a buffer may hold back a fraction more, never show a unit that is not there.
    quantity = Math.floor((quantity * (100 - buffer.percent)) / 100);
    explain?.push({ step: 'channel buffer', detail: `− ${buffer.percent}%, rounded down`, quantity });
  }
  if (rules.show_zero_below !== undefined && quantity > 0 && quantity < rules.show_zero_below) {
    quantity = 0;
    explain?.push({ step: 'show zero below', detail: `fewer than ${rules.show_zero_below} left: shown as 0`, quantity });
  }
  if (rules.max_quantity !== undefined && quantity > rules.max_quantity) {
    quantity = rules.max_quantity;
    explain?.push({ step: 'maximum listed', detail: `capped at ${rules.max_quantity}`, quantity });
  }
  // One object per result: publishing builds one per SKU and channel.
  const done = (quantity: number, status: AvailabilityStatus, available_from?: string): Availability =>
    available_from === undefined ? { sku, channel, quantity, status, explain: explain ?? [] } : { sku, channel, quantity, status, available_from, explain: explain ?? [] };
  if (quantity > 0) return done(quantity, 'in_stock');
  if (rules.backorder !== undefined) {
    const left = Math.max(0, rules.backorder.units - promised.backordered);
    const sold = promised.backordered > 0 ? `, ${promised.backordered} of them sold` : '';
    explain?.push({ step: 'backorder', detail: `none left; ${rules.backorder.units} units may be sold on backorder${sold}`, quantity: left });
    return left > 0 ? done(left, 'backorder') : done(0, 'out_of_stock');
  }
  if (rules.preorder !== undefined) {
    const counted = new Set(locations.map((location) => location.location_id));
    const horizon = now.getTime() + rules.preorder.horizon_days * 86_400_000;
    const due = incoming
      .filter((item) => counted.has(item.location_id) && item.quantity > 0)
      .filter((item) => {
        const at = Date.parse(item.expected_at);
        return !Number.isNaN(at) && at <= horizon;
      })
      .sort((a, b) => Date.parse(a.expected_at) - Date.parse(b.expected_at));
    const total = due.reduce((sum, item) => sum + item.quantity, 0);
    const left = Math.max(0, total - promised.preordered);
    if (left > 0) {
      const first = (due[0] as Incoming).expected_at;
      const capped = rules.max_quantity !== undefined ? Math.min(left, rules.max_quantity) : left;
      const sold = promised.preordered > 0 ? `, ${promised.preordered} of them pre-ordered` : '';
      explain?.push({ step: 'pre-order', detail: `none left; ${total} incoming within ${rules.preorder.horizon_days} days, first on ${first}${sold}`, quantity: capped });
      return done(capped, 'preorder', first);
    }
  }
  return done(0, 'out_of_stock');
}

/**
 * A kit is as available as its scarcest component allows: for each component, its net units
 * (after safety stock and reservations) divided by the units per kit, rounded down.
 */
export function computeBundleAvailability(
  bundle: string,
  components: Readonly<Record<string, number>>,
  stockOf: (sku: string) => SkuStock,
  channel: string,
  rules: ChannelRules,
  locations: readonly InventoryLocation[],
  now: Date,
  withExplain = true,
  promisable: Promisable = POOL_LESS_RESERVED,
): Availability {
  const explain: ExplainStep[] | undefined = withExplain ? [] : undefined;
  let kits = Number.POSITIVE_INFINITY;
  for (const [sku, perKit] of Object.entries(components)) {
    const stock = stockOf(sku);
    const net = promisable(stock, sellablePool(stock, locations));
    const possible = Math.floor(net / perKit);
    kits = Math.min(kits, possible);
    explain?.push({ step: `component ${sku}`, detail: `${net} net ÷ ${perKit} per kit = ${possible}`, quantity: kits });
  }
  if (!Number.isFinite(kits)) kits = 0;
  return applyChannelRules(bundle, channel, rules, kits, explain, [], locations, now);
}
