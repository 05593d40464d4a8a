/**
 * The `stock` stream: what the inventory engine lets the shop sell ({ sku, quantity }), or
 * canonical stock levels ({ sku, available }), set as WooCommerce's stock_quantity with
 * manage_stock on. SKUs are looked up once per run (sku-lookup.ts); products go out with
 * `POST /products/batch`, variations with `POST /products/<parent>/variations/batch`, up to 100
 * items a request. Quantities are absolute: sending one again changes nothing, so a batch is
 * retried safely. An item WooCommerce refuses in its batch answer is that record's permanent
 * failure, with WooCommerce's message.
 */
import { Type, type Static } from '@sinclair/typebox';
import { isJsonObject, type JsonObject } from '../../core/json.js';
import type { WriteContext, WriteRecord, WriteResult } from '../../core/sdk/connector.js';
import { writeResultFor } from '../../core/sdk/error-outcome.js';
import type { WooCommerceConfig } from './config.js';
import { wooClientFor, type CallContext } from './rest-api.js';
import { skuLookupFor, type CatalogItem } from './sku-lookup.js';
import { itemErrorRow } from './woocommerce-errors.js';

export const StockWriteOptions = Type.Object(
  {
    unknown_sku: Type.Optional(
      Type.Union([Type.Literal('dead_letter'), Type.Literal('skip')], {
        default: 'dead_letter',
        description: 'a SKU no product or variation has: dead-letter it, or skip it (counted as outcome unknown_sku), for feeds with more SKUs than the shop sells',
      }),
    ),
    batch_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 100, description: 'items per batch request (WooCommerce takes at most 100)' })),
  },
  { additionalProperties: false },
);
export type StockWriteOptions = Static<typeof StockWriteOptions>;

interface Planned {
  index: number;
  sku: string;
  item: CatalogItem;
  quantity: number;
}

export async function writeStock(ctx: WriteContext<WooCommerceConfig, StockWriteOptions>, batch: WriteRecord[]): Promise<WriteResult[]> {
  const client = wooClientFor(ctx.config);
  const lookup = skuLookupFor(ctx.config, client);
  const call: CallContext = { signal: ctx.signal, stopping: ctx.stopping, logger: ctx.logger };
  const results = new Array<WriteResult | undefined>(batch.length);
  const wanted: { index: number; sku: string; quantity: number }[] = [];
  for (const [index, record] of batch.entries()) {
    const parsed = parseRecord(record.data);
    if ('status' in parsed) results[index] = parsed;
    else wanted.push({ index, ...parsed });
  }

  let items: Map<string, CatalogItem | undefined>;
  try {
    items = await lookup.find(wanted.map((want) => want.sku), call);
  } catch (error) {
    const result = writeResultFor(error);
    return batch.map((_, index) => results[index] ?? result);
  }
  const planned: Planned[] = [];
  for (const want of wanted) {
    const item = items.get(want.sku);
    if (item !== undefined) planned.push({ ...want, item });
    else if (ctx.options.unknown_sku === 'skip') results[want.index] = { status: 'ok', outcome: 'unknown_sku' };
    else results[want.index] = { status: 'permanent', error: `no product or variation has SKU ${want.sku}; create it in WooCommerce or set unknown_sku: skip`, code: 'woocommerce_sku_unknown' };
  }

  // One request per parent (products: none) and chunk; the last record of a SKU in the batch wins.
  const groups = new Map<string, Map<number, Planned[]>>();
  for (const plan of planned) {
    const path = plan.item.parentId === undefined ? 'products/batch' : `products/${plan.item.parentId}/variations/batch`;
    const byId = groups.get(path) ?? new Map<number, Planned[]>();
    byId.set(plan.item.id, [...(byId.get(plan.item.id) ?? []), plan]);
    groups.set(path, byId);
  }
  const size = ctx.options.batch_size ?? 100;
  for (const [path, byId] of groups) {
    const entries = [...byId.values()];
    for (let start = 0; start < entries.length; start += size) {
      const chunk = entries.slice(start, start + size);
      const update = chunk.map((plans) => ({ id: (plans[0] as Planned).item.id, stock_quantity: (plans.at(-1) as Planned).quantity, manage_stock: true }));
      let answer: unknown;
      try {
        // Absolute quantities: the same request twice leaves the same stock, so it is retried.
        const response = await client.request({ method: 'POST', path, body: { update }, retry: true, priority: 'high', ...call });
        answer = response.data;
      } catch (error) {
        const result = writeResultFor(error);
        for (const plans of chunk) for (const plan of plans) results[plan.index] = result;
        continue;
      }
      const answered = isJsonObject(answer) && Array.isArray(answer['update']) ? answer['update'] : [];
      chunk.forEach((plans, position) => {
        const result = itemResult(answered[position], plans[0] as Planned);
        if (result.status === 'permanent' && result.code === 'woocommerce_product_gone') lookup.forget((plans[0] as Planned).sku);
        for (const plan of plans) results[plan.index] = result;
      });
    }
  }
  return results.map((result) => result ?? { status: 'permanent', error: 'no result', code: 'woocommerce_no_result' });
}

/** What WooCommerce answered for one item of a batch: the updated object, or `{ id, error }`. */
function itemResult(answer: unknown, plan: Planned): WriteResult {
  const what = `SKU ${plan.sku} (${plan.item.parentId === undefined ? 'product' : `variation of product ${plan.item.parentId}`} ${plan.item.id})`;
  if (!isJsonObject(answer)) return { status: 'retryable', error: `${what}: the batch answer has no entry for the item` };
  const error = answer['error'];
  if (isJsonObject(error)) {
    const row = itemErrorRow(error['code']);
    const message = typeof error['message'] === 'string' ? error['message'] : 'no message';
    return { status: 'permanent', error: `${what}: WooCommerce refused it (${String(error['code'] ?? 'no code')}): ${message}; ${row.hint}`, code: row.code };
  }
  return { status: 'ok', ref: String(plan.item.id) };
}

function parseRecord(data: JsonObject): { sku: string; quantity: number } | WriteResult {
  const sku = typeof data['sku'] === 'string' ? data['sku'].trim() : '';
  if (sku === '') return { status: 'permanent', error: 'the record has no sku', code: 'woocommerce_no_sku' };
  const raw = data['quantity'] ?? data['available'];
  if (typeof raw !== 'number' || !Number.isInteger(raw)) {
    return { status: 'permanent', error: `SKU ${sku}: quantity (or available) must be a whole number, not ${JSON.stringify(raw ?? null)}`, code: 'woocommerce_bad_quantity' };
  }
  return { sku, quantity: raw };
}
