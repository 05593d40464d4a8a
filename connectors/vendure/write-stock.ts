/**
 * Stock levels (canonical `stock-level` records) into Vendure: the stock on hand of a variant at
 * a stock location, set with `updateProductVariants(input: [{ id, stockLevels: [{ stockLocationId,
 * stockOnHand }] }])`. Vendure books the difference to the level it holds as a stock adjustment
 * and does nothing when they are equal, so sending a level again is harmless: the write is
 * retried safely and a whole batch goes in one request (one transaction on the server).
 */
import { Type, type Static } from '@sinclair/typebox';
import { KeelError } from '../../core/errors.js';
import { isJsonObject, type JsonObject } from '../../core/json.js';
import type { WriteContext, WriteRecord, WriteResult } from '../../core/sdk/connector.js';
import { writeResultFor } from '../../core/sdk/error-outcome.js';
import { adminApiFor, type CallContext, type Operation, type VendureAdminApi } from './admin-api.js';
import { catalogLookupFor, type CatalogLookup } from './catalog-lookup.js';
import type { VendureConfig } from './config.js';

export const StockWriteOptions = Type.Object(
  {
    location: Type.Optional(
      Type.String({ minLength: 1, description: "the Vendure stock location (id or name) every record goes to, whatever its location_id; e.g. for a channel's availability" }),
    ),
    locations: Type.Optional(
      Type.Record(Type.String(), Type.String({ minLength: 1, description: 'a Vendure stock location: its id or its name' }), {
        description: "Keel location_id → Vendure stock location id or name, e.g. { wh-berlin: Berlin }; a location_id not listed is taken as a Vendure stock location's id or name",
      }),
    ),
    unknown_sku: Type.Optional(
      Type.Union([Type.Literal('dead_letter'), Type.Literal('skip')], {
        default: 'dead_letter',
        description: 'a SKU no variant of the channel has: dead-letter it, or skip it (counted as outcome unknown_sku), for feeds with more SKUs than the shop sells',
      }),
    ),
  },
  { additionalProperties: false },
);
export type StockWriteOptions = Static<typeof StockWriteOptions>;

const UPDATE_STOCK: Operation = {
  name: 'KeelSetStock',
  document: `mutation KeelSetStock($input: [UpdateProductVariantInput!]!) {
  updateProductVariants(input: $input) { id }
}`,
  // Absolute levels: the same request twice leaves the same stock.
  retrySafe: true,
};

const VARIANT_ALLOCATIONS: Operation = {
  name: 'KeelStockAllocated',
  document: `query KeelStockAllocated($options: ProductVariantListOptions) {
  productVariants(options: $options) {
    items { id stockLevels { stockLocationId stockAllocated } }
  }
}`,
  retrySafe: true,
};

/** A record ready to send, or the result it already has. */
interface Planned {
  index: number;
  variantId: string;
  locationId: string;
  onHand?: number;
  available?: number;
}

export async function writeStock(ctx: WriteContext<VendureConfig, StockWriteOptions>, batch: WriteRecord[]): Promise<WriteResult[]> {
  const api = adminApiFor(ctx.config);
  const lookup = catalogLookupFor(api);
  const call: CallContext = { signal: ctx.signal, stopping: ctx.stopping, logger: ctx.logger, priority: 'high' };
  const results = new Array<WriteResult | undefined>(batch.length);

  const skus = batch.map((record) => record.data['sku']).filter((sku): sku is string => typeof sku === 'string' && sku !== '');
  let variants: Map<string, string[]>;
  try {
    variants = await lookup.variantIds(skus, call);
  } catch (error) {
    return batch.map(() => writeResultFor(error));
  }

  const planned: Planned[] = [];
  try {
    for (const [index, record] of batch.entries()) {
      const plan = await planRecord(record.data, index, variants, lookup, ctx.options, call);
      if ('status' in plan) results[index] = plan;
      else planned.push(plan);
    }
    await fillOnHandFromAvailable(api, planned, call);
  } catch (error) {
    // The stock locations or allocations could not be read: every record not judged yet shares the failure.
    const result = writeResultFor(error);
    return batch.map((_, index) => results[index] ?? result);
  }

  const send = planned.filter((plan) => plan.onHand !== undefined);
  for (const plan of planned) if (plan.onHand === undefined) results[plan.index] = { status: 'permanent', error: 'no stockOnHand could be computed', code: 'vendure_stock_unknown' };
  if (send.length > 0) {
    try {
      await api.call(UPDATE_STOCK, { input: variantInputs(send) }, call);
      for (const plan of send) results[plan.index] = { status: 'ok', ref: plan.variantId };
    } catch (error) {
      if (!(error instanceof KeelError) || error.kind !== 'record') {
        const result = writeResultFor(error);
        for (const plan of send) results[plan.index] = result;
      } else {
        // One variant spoiled the batch (deleted meanwhile, say): send them one by one to find it.
        for (const group of groupByVariant(send)) {
          try {
            await api.call(UPDATE_STOCK, { input: variantInputs(group) }, call);
            for (const plan of group) results[plan.index] = { status: 'ok', ref: plan.variantId };
          } catch (single) {
            for (const plan of group) forgetSkuOf(batch[plan.index], lookup);
            const result = writeResultFor(single);
            for (const plan of group) results[plan.index] = result;
          }
        }
      }
    }
  }
  return results as WriteResult[];
}

async function planRecord(
  data: JsonObject,
  index: number,
  variants: Map<string, string[]>,
  lookup: CatalogLookup,
  options: StockWriteOptions,
  call: CallContext,
): Promise<Planned | WriteResult> {
  const sku = data['sku'];
  if (typeof sku !== 'string' || sku === '') return { status: 'permanent', error: 'the record has no sku', code: 'vendure_sku_missing' };
  const onHand = data['on_hand'];
  const available = data['available'];
  if (!Number.isInteger(onHand) && !Number.isInteger(available)) {
    return { status: 'permanent', error: `${sku}: the record has neither on_hand nor available as a whole number`, code: 'vendure_stock_missing' };
  }
  const ids = variants.get(sku) ?? [];
  if (ids.length === 0) {
    if (options.unknown_sku === 'skip') return { status: 'ok', outcome: 'unknown_sku' };
    return { status: 'permanent', error: `no variant of this channel has SKU ${sku}; create it in Vendure or set unknown_sku: skip`, code: 'vendure_sku_unknown' };
  }
  if (ids.length > 1) {
    return { status: 'permanent', error: `${ids.length} variants have SKU ${sku} (ids ${ids.join(', ')}); Vendure does not keep SKUs unique, make this one unique`, code: 'vendure_sku_ambiguous' };
  }
  const keelLocation = typeof data['location_id'] === 'string' ? data['location_id'] : undefined;
  const reference = options.location ?? (keelLocation !== undefined ? (options.locations?.[keelLocation] ?? keelLocation) : undefined);
  if (reference === undefined) {
    return { status: 'permanent', error: `${sku}: the record has no location_id and options.location is not set`, code: 'vendure_location_missing' };
  }
  const location = await lookup.location(reference, call);
  if ('problem' in location) return { status: 'permanent', error: `${sku}: ${location.problem}`, code: 'vendure_location_unknown' };
  return {
    index,
    variantId: ids[0] as string,
    locationId: location.id,
    onHand: Number.isInteger(onHand) ? (onHand as number) : undefined,
    available: Number.isInteger(available) ? (available as number) : undefined,
  };
}

/**
 * A level reported as `available` only (what may still be sold) sets stockOnHand to available
 * plus what Vendure has allocated to open orders at that location, so that the shop can sell
 * exactly `available`.
 */
async function fillOnHandFromAvailable(api: VendureAdminApi, planned: Planned[], call: CallContext): Promise<void> {
  const needed = planned.filter((plan) => plan.onHand === undefined);
  if (needed.length === 0) return;
  const ids = [...new Set(needed.map((plan) => plan.variantId))];
  const allocated = new Map<string, number>();
  for (let start = 0; start < ids.length; start += 100) {
    const chunk = ids.slice(start, start + 100);
    const data = await api.call<Record<string, unknown>>(VARIANT_ALLOCATIONS, { options: { take: 1000, filter: { id: { in: chunk } } } }, call);
    const list = data['productVariants'];
    const items = isJsonObject(list) && Array.isArray(list['items']) ? list['items'].filter(isJsonObject) : [];
    for (const item of items) {
      const levels = Array.isArray(item['stockLevels']) ? item['stockLevels'].filter(isJsonObject) : [];
      for (const level of levels) allocated.set(`${String(item['id'])}@${String(level['stockLocationId'])}`, Number(level['stockAllocated'] ?? 0));
    }
  }
  for (const plan of needed) plan.onHand = (plan.available as number) + (allocated.get(`${plan.variantId}@${plan.locationId}`) ?? 0);
}

/** One input per variant with all its levels; a later record for the same variant and location wins. */
function variantInputs(plans: readonly Planned[]): JsonObject[] {
  return groupByVariant(plans).map((group) => {
    const levels = new Map<string, number>();
    for (const plan of group) levels.set(plan.locationId, plan.onHand as number);
    return { id: group[0]?.variantId ?? '', stockLevels: [...levels].map(([stockLocationId, stockOnHand]) => ({ stockLocationId, stockOnHand })) };
  });
}

function groupByVariant(plans: readonly Planned[]): Planned[][] {
  const groups = new Map<string, Planned[]>();
  for (const plan of plans) groups.set(plan.variantId, [...(groups.get(plan.variantId) ?? []), plan]);
  return [...groups.values()];
}

function forgetSkuOf(record: WriteRecord | undefined, lookup: CatalogLookup): void {
  const sku = record?.data['sku'];
  if (typeof sku === 'string') lookup.forgetSku(sku);
}

