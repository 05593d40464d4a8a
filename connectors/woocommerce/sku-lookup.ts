/**
 * SKU → product or variation id, looked up with `GET /products?sku=a,b,c` (WooCommerce searches
 * products and variations alike when `sku` is given; a variation comes back with `type:
 * variation` and its `parent_id`) and cached for the connection config, that is for the run.
 */
import type { HttpClient } from '../../core/http/http-client.js';
import { isJsonObject } from '../../core/json.js';
import type { CallContext } from './rest-api.js';

export interface CatalogItem {
  id: number;
  /** Set for a variation: stock goes to /products/<parentId>/variations/batch. */
  parentId?: number;
}

/** SKUs per lookup request: comma lists in a URL, well under what servers take. */
const SKUS_PER_LOOKUP = 50;

export class SkuLookup {
  /** undefined: looked up, no product has it. */
  private readonly known = new Map<string, CatalogItem | undefined>();
  lookups = 0;

  constructor(private readonly client: HttpClient) {}

  async find(skus: readonly string[], call: CallContext): Promise<Map<string, CatalogItem | undefined>> {
    const missing = [...new Set(skus)].filter((sku) => !this.known.has(sku));
    for (let start = 0; start < missing.length; start += SKUS_PER_LOOKUP) {
      const chunk = missing.slice(start, start + SKUS_PER_LOOKUP);
      this.lookups += 1;
      const response = await this.client.request({ path: 'products', query: { sku: chunk.join(','), per_page: 100, status: 'any' }, priority: 'high', ...call });
      for (const sku of chunk) this.known.set(sku, undefined);
      for (const item of Array.isArray(response.data) ? response.data.filter(isJsonObject) : []) {
        const sku = item['sku'];
        if (typeof sku !== 'string' || !chunk.includes(sku) || typeof item['id'] !== 'number') continue;
        const parent = item['parent_id'];
        this.known.set(sku, item['type'] === 'variation' && typeof parent === 'number' && parent > 0 ? { id: item['id'], parentId: parent } : { id: item['id'] });
      }
    }
    return new Map(skus.map((sku) => [sku, this.known.get(sku)]));
  }

  /** The id turned out stale (deleted meanwhile): the next batch looks the SKU up again. */
  forget(sku: string): void {
    this.known.delete(sku);
  }
}

const LOOKUPS = new WeakMap<object, SkuLookup>();

/** One lookup per connection config object: the project's config lives for the run. */
export function skuLookupFor(config: object, client: HttpClient): SkuLookup {
  let lookup = LOOKUPS.get(config);
  if (lookup === undefined) {
    lookup = new SkuLookup(client);
    LOOKUPS.set(config, lookup);
  }
  return lookup;
}
