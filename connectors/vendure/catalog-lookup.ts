/**
 * What writes need to know about the server's catalogue: the variant id of a SKU and the id of a
 * stock location named by id or name. Both are looked up in bulk and remembered per connection
 * for a run (at most CACHE_MS, so a long-running scheduler sees new variants): a batch of 500
 * stock levels costs one lookup request per 100 new SKUs, not 500.
 */
import { isJsonObject } from '../../core/json.js';
import type { CallContext, Operation, VendureAdminApi } from './admin-api.js';

const CACHE_MS = 10 * 60_000;
const SKUS_PER_LOOKUP = 100;

const VARIANTS_BY_SKU: Operation = {
  name: 'KeelVariantsBySku',
  document: `query KeelVariantsBySku($options: ProductVariantListOptions) {
  productVariants(options: $options) {
    items { id sku }
  }
}`,
  retrySafe: true,
};

const STOCK_LOCATIONS: Operation = {
  name: 'KeelStockLocations',
  document: `query KeelStockLocations($options: StockLocationListOptions) {
  stockLocations(options: $options) {
    totalItems
    items { id name }
  }
}`,
  retrySafe: true,
};

export interface StockLocation {
  id: string;
  name: string;
}

/** A location reference resolved, or why it could not be. */
export type LocationMatch = { id: string; name: string } | { problem: string };

export class CatalogLookup {
  /** Lookups sent so far: tests see the cache work. */
  lookups = 0;
  private readonly variants = new Map<string, { ids: string[]; at: number }>();
  private locations: { list: StockLocation[]; at: number } | undefined;

  constructor(private readonly api: VendureAdminApi) {}

  /** The variant ids of each SKU: none (unknown), one, or several (Vendure does not keep SKUs unique). */
  async variantIds(skus: readonly string[], ctx: CallContext): Promise<Map<string, string[]>> {
    const now = Date.now();
    const result = new Map<string, string[]>();
    const missing: string[] = [];
    for (const sku of new Set(skus)) {
      const known = this.variants.get(sku);
      if (known !== undefined && now - known.at < CACHE_MS) result.set(sku, known.ids);
      else missing.push(sku);
    }
    for (let start = 0; start < missing.length; start += SKUS_PER_LOOKUP) {
      const chunk = missing.slice(start, start + SKUS_PER_LOOKUP);
      this.lookups += 1;
      const data = await this.api.call<Record<string, unknown>>(VARIANTS_BY_SKU, { options: { take: 1000, filter: { sku: { in: chunk } } } }, ctx);
      const list = data['productVariants'];
      const items = isJsonObject(list) && Array.isArray(list['items']) ? list['items'].filter(isJsonObject) : [];
      const found = new Map<string, string[]>(chunk.map((sku) => [sku, []]));
      // The database may compare case-insensitively (MySQL): only an exact SKU counts.
      for (const item of items) found.get(String(item['sku']))?.push(String(item['id']));
      for (const [sku, ids] of found) {
        result.set(sku, ids);
        // An unknown SKU is asked for again next time: the variant may be created meanwhile.
        if (ids.length > 0) this.variants.set(sku, { ids, at: now });
      }
    }
    return result;
  }

  /** Forgets a SKU whose cached variant the server no longer knows. */
  forgetSku(sku: string): void {
    this.variants.delete(sku);
  }

  /** A stock location by its id or, failing that, its name. */
  async location(reference: string, ctx: CallContext): Promise<LocationMatch> {
    const list = await this.stockLocations(ctx);
    const wanted = reference.trim();
    const byId = list.find((location) => location.id === wanted);
    if (byId !== undefined) return byId;
    const byName = list.filter((location) => location.name === wanted);
    if (byName.length === 1) return byName[0] as StockLocation;
    const known = list.map((location) => `${location.id} "${location.name}"`).join(', ');
    return {
      problem:
        byName.length > 1
          ? `${byName.length} stock locations are named "${wanted}" (ids ${byName.map((location) => location.id).join(', ')}): name it by id in options.locations`
          : `no stock location of this channel has the id or name "${wanted}" (it has ${known || 'none'}); map it in options.locations`,
    };
  }

  private async stockLocations(ctx: CallContext): Promise<StockLocation[]> {
    const now = Date.now();
    if (this.locations !== undefined && now - this.locations.at < CACHE_MS) return this.locations.list;
    const list: StockLocation[] = [];
    for (let skip = 0; ; skip += 100) {
      this.lookups += 1;
      const data = await this.api.call<Record<string, unknown>>(STOCK_LOCATIONS, { options: { skip, take: 100, sort: { id: 'ASC' } } }, ctx);
      const page = data['stockLocations'];
      const items = isJsonObject(page) && Array.isArray(page['items']) ? page['items'].filter(isJsonObject) : [];
      list.push(...items.map((item) => ({ id: String(item['id']), name: String(item['name']) })));
      const total = isJsonObject(page) && typeof page['totalItems'] === 'number' ? page['totalItems'] : 0;
      if (items.length < 100 || list.length >= total) break;
    }
    this.locations = { list, at: now };
    return list;
  }
}

const LOOKUPS = new WeakMap<VendureAdminApi, CatalogLookup>();
export function catalogLookupFor(api: VendureAdminApi): CatalogLookup {
  let lookup = LOOKUPS.get(api);
  if (lookup === undefined) {
    lookup = new CatalogLookup(api);
    LOOKUPS.set(api, lookup);
  }
  return lookup;
}
