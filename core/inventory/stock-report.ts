import { suggest } from '../config/schema-check.js';
import { KeelError } from '../errors.js';
import type { Availability, LocationStock } from './availability.js';
import type { InventoryEngine } from './inventory-engine.js';

/** A SKU's stock as `keel stock --json` prints it and `GET /api/stock/{sku}` answers it. */
export interface StockReport {
  sku: string;
  on_hand: LocationStock[];
  reserved: number;
  backordered: Record<string, number>;
  preordered: number;
  incoming: { location_id: string; quantity: number; expected_at: string }[];
  /** Per channel; `explain` (the arithmetic, location by location) only when asked for. */
  channels: (Omit<Availability, 'explain'> & { explain?: Availability['explain'] })[];
}

/**
 * A SKU's stock per location and what each channel may show, with the explanation when asked.
 * An unknown SKU or channel is a config error naming it (`sku_unknown`, `channel_unknown`).
 */
export async function stockReport(engine: InventoryEngine, sku: string, options: { channels?: readonly string[] | undefined; explain: boolean; now?: Date }): Promise<StockReport> {
  const channels = options.channels ?? engine.channels;
  checkChannels(channels, engine.channels);
  const now = options.now ?? new Date();
  if (!(await engine.knows(sku, now))) {
    throw new KeelError('config', `unknown SKU "${sku}": no count, movement, reservation or incoming stock has been recorded for it, and it is no kit (SKUs are case-sensitive); run the stock pipelines first, or check the spelling`, {
      code: 'sku_unknown',
      stage: 'stock',
    });
  }
  const results: Availability[] = [];
  for (const channel of channels) results.push(await engine.availability(sku, channel, now));
  const stock = await engine.store.stock(sku, now.getTime());
  return {
    sku,
    on_hand: [...stock.levels],
    reserved: stock.reserved,
    backordered: Object.fromEntries(stock.backordered ?? []),
    preordered: stock.preordered ?? 0,
    incoming: stock.incoming.map((item) => ({ location_id: item.location_id, quantity: item.quantity, expected_at: item.expected_at })),
    channels: results.map(({ explain, ...result }) => (options.explain ? { ...result, explain } : result)),
  };
}

/** Channels named by a caller must be channels of the inventory. */
export function checkChannels(named: readonly string[], known: readonly string[]): void {
  for (const channel of named) {
    if (known.includes(channel)) continue;
    const hint = suggest(channel, known);
    throw new KeelError('config', `no channel "${channel}" under inventory.channels in keel.yaml${hint !== undefined ? `; did you mean "${hint}"?` : `; channels: ${known.join(', ')}`}`, {
      code: 'channel_unknown',
      stage: 'stock',
    });
  }
}
