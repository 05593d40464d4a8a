/**
 * The `stock` stream: what a channel may sell, set as Shopify's `available` quantity of a SKU at
 * a location with `inventorySetQuantities`, compare-and-swap: the write names the quantity it
 * read (`changeFromQuantity`), so a sale Shopify booked meanwhile is not overwritten. Shopify
 * answers such a write CHANGE_FROM_QUANTITY_STALE; the record is read again and written again
 * (`conflict_retries` times), then dead-lettered with both numbers. Each write carries an
 * `@idempotent` key derived from the record and the quantities, so a retry after a lost answer
 * is answered with the first result, and a write after a fresh read gets a new key.
 *
 * Records: the inventory engine's availability ({ sku, quantity }, at the stream's `location`)
 * or canonical stock levels ({ sku, location_id, available }). SKUs are looked up once per run
 * (inventoryItems by sku, cached); Keel locations map to Shopify's through the connection's
 * `locations`.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { STOCK_EXAMPLES } from './examples.js';
import { KeelError } from '../../core/errors.js';
import { isJsonObject, readPath, type JsonObject } from '../../core/json.js';
import { defineStream, type WriteContext, type WriteRecord, type WriteResult } from '../../core/sdk/connector.js';
import { shopifySettings, type ShopifyConfig, type ShopifySettings } from './config.js';
import { callFrom, shopifyGraphqlFor, type CallContext, type Operation, type ShopifyGraphql } from './graphql-client.js';
import { userErrorOutcome, userErrorsResult, type UserError } from './shopify-errors.js';
import { derivedKey, failureResult, writeGrouped } from './write-results.js';

export const StockWriteOptions = Type.Object(
  {
    location: Type.Optional(
      Type.String({
        minLength: 1,
        description: "Keel location (a key of the connection's locations) for records without location_id, e.g. the channel availability the inventory engine publishes",
      }),
    ),
    reason: Type.Optional(
      Type.String({
        minLength: 1,
        default: 'correction',
        description: "Shopify's reason for the change, shown in the inventory history: correction, cycle_count_available, received, restock, other, …",
      }),
    ),
    conflict_retries: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 10,
        default: 2,
        description: 'times a record is read and written again when Shopify\'s quantity changed between the read and the write; then it is dead-lettered',
      }),
    ),
    concurrency: Type.Optional(Type.Integer({ minimum: 1, maximum: 16, default: 4, description: 'SKU/location pairs written at once (each pair\'s records in order)' })),
    unknown_sku: Type.Optional(
      Type.Union([Type.Literal('dead_letter'), Type.Literal('skip')], {
        default: 'dead_letter',
        description: 'a SKU no variant has: dead-letter it, or skip it (counted as outcome unknown_sku), for feeds with more SKUs than the shop sells; a SKU of several variants is dead-lettered either way',
      }),
    ),
  },
  { additionalProperties: false },
);
export type StockWriteOptions = Static<typeof StockWriteOptions>;

const ITEMS_BY_SKU: Operation = {
  name: 'KeelInventoryItemsBySku',
  document: `query KeelInventoryItemsBySku($query: String!, $first: Int!) {
  inventoryItems(first: $first, query: $query) {
    nodes { id sku }
  }
}`,
  estimate: (variables) => 2 + Number(variables['first']),
};

const LEVELS: Operation = {
  name: 'KeelInventoryLevels',
  document: `query KeelInventoryLevels($ids: [ID!]!, $locationId: ID!) {
  nodes(ids: $ids) {
    ... on InventoryItem {
      id
      inventoryLevel(locationId: $locationId) { id quantities(names: ["available"]) { name quantity } }
    }
  }
}`,
  estimate: (variables) => 1 + (Array.isArray(variables['ids']) ? variables['ids'].length : 1) * 3,
};

const SET_AVAILABLE: Operation = {
  name: 'KeelSetAvailable',
  document: `mutation KeelSetAvailable($input: InventorySetQuantitiesInput!, $idempotencyKey: String!) {
  inventorySetQuantities(input: $input) @idempotent(key: $idempotencyKey) {
    inventoryAdjustmentGroup { id }
    userErrors { field message code }
  }
}`,
  estimate: () => 10,
};

/** SKUs per lookup query (an OR of sku terms); inventory levels per read. */
const SKUS_PER_QUERY = 50;
const LEVELS_PER_QUERY = 100;
/** How long a SKU → inventory item answer is trusted: one run, or a few minutes of a long-lived process. */
const SKU_CACHE_MS = 10 * 60_000;

interface CachedItem {
  /** The inventory item id, or why there is none. */
  id?: string;
  problem?: string;
  /** No variant has the SKU at all (not: several have it). */
  missing?: boolean;
  at: number;
}

const SKU_CACHES = new WeakMap<ShopifySettings, Map<string, CachedItem>>();

interface StockLine {
  sku: string;
  quantity: number;
  /** Shopify's location id. */
  locationId: string;
}

async function writeStock(ctx: WriteContext<ShopifyConfig, StockWriteOptions>, batch: WriteRecord[]): Promise<WriteResult[]> {
  const settings = shopifySettings(ctx.config);
  const client = shopifyGraphqlFor(settings);
  const call = callFrom(ctx);
  const lines = batch.map((record) => stockLine(record.data, ctx.options, settings));
  const wanted = lines.filter((line): line is StockLine => !(line instanceof KeelError));
  const items = await itemsFor(client, settings, [...new Set(wanted.map((line) => line.sku))], call);
  // Current quantities of the whole batch in a few reads; a conflict reads its one level again.
  const levels = await readLevels(
    client,
    wanted.flatMap((line) => {
      const item = items.get(line.sku)?.id;
      return item === undefined ? [] : [{ item, locationId: line.locationId }];
    }),
    call,
  ).catch(() => new Map<string, number | null>());
  const conflictRetries = ctx.options.conflict_retries ?? 2;

  const byRecord = new Map(batch.map((record, index) => [record, lines[index] as StockLine | KeelError]));
  return writeGrouped(
    ctx,
    batch,
    (record) => {
      const line = byRecord.get(record);
      return line instanceof KeelError || line === undefined ? `!${record.key}` : `${line.sku}\u0000${line.locationId}`;
    },
    ctx.options.concurrency ?? 4,
    async (record) => {
      const line = byRecord.get(record) as StockLine | KeelError;
      if (line instanceof KeelError) return { status: 'permanent', error: line.message, code: line.code };
      const item = items.get(line.sku);
      if (item?.id === undefined) {
        if (item?.missing === true && ctx.options.unknown_sku === 'skip') return { status: 'ok', outcome: 'unknown_sku' };
        return { status: 'permanent', error: item?.problem ?? `SKU ${line.sku} was not looked up`, code: 'shopify_sku_unknown' };
      }
      try {
        return await setAvailable(client, record, line, item.id, levels, ctx.options.reason ?? 'correction', conflictRetries, call);
      } catch (error) {
        return failureResult(error);
      }
    },
  );
}

/** Reads, compares and sets one level; a change in between is read again, `retries` times. */
async function setAvailable(
  client: ShopifyGraphql,
  record: WriteRecord,
  line: StockLine,
  item: string,
  levels: Map<string, number | null>,
  reason: string,
  retries: number,
  call: CallContext,
): Promise<WriteResult> {
  const what = `SKU ${line.sku} at ${line.locationId}`;
  const key = levelKey(item, line.locationId);
  let current = levels.get(key);
  let seen: number[] = [];
  for (let attempt = 0; attempt <= retries; attempt += 1) {
    if (current === undefined || attempt > 0) current = (await readLevels(client, [{ item, locationId: line.locationId }], call)).get(key);
    if (current === null || current === undefined) {
      return { status: 'permanent', error: `${what}: the item is not stocked at that location in Shopify; activate it there, or map the location elsewhere`, code: 'shopify_item_not_stocked_at_location' };
    }
    seen = [...seen, current];
    if (current === line.quantity) return { status: 'ok', outcome: 'unchanged' };
    const data = await client.run(
      SET_AVAILABLE,
      {
        input: {
          name: 'available',
          reason,
          referenceDocumentUri: `gid://keel/StockPublish/${derivedKey(record.key)}`,
          quantities: [{ inventoryItemId: item, locationId: line.locationId, quantity: line.quantity, changeFromQuantity: current }],
        },
        // The same write again (a lost answer) is the same key; after a fresh read it is another.
        idempotencyKey: derivedKey(record.key, item, line.locationId, current, line.quantity),
      },
      call,
    );
    const payload = data['inventorySetQuantities'];
    const errors = (isJsonObject(payload) && Array.isArray(payload['userErrors']) ? payload['userErrors'] : []) as unknown as UserError[];
    if (errors.length === 0) {
      const group = isJsonObject(payload) && isJsonObject(payload['inventoryAdjustmentGroup']) ? payload['inventoryAdjustmentGroup']['id'] : undefined;
      // The next record of this SKU and location in the batch compares with what was just set.
      levels.set(key, line.quantity);
      return { status: 'ok', outcome: 'set', ref: typeof group === 'string' ? group : undefined };
    }
    if (!errors.every((error) => userErrorOutcome(error) === 'conflict')) return userErrorsResult(errors, what);
    call.logger.info('Shopify stock changed between read and write; reading again', { sku: line.sku, location: line.locationId, read: current, attempt: attempt + 1 });
  }
  return {
    status: 'permanent',
    error: `${what}: Shopify's available quantity changed while Keel set it to ${line.quantity} (read ${seen.join(', then ')}; ${retries + 1} attempts); not overwritten. Replay the record once the shop is quiet, or raise conflict_retries`,
    code: 'shopify_quantity_conflict',
  };
}

/** A record as a stock line, or why it is not one (a KeelError of kind record, never thrown). */
function stockLine(data: JsonObject, options: StockWriteOptions, settings: ShopifySettings): StockLine | KeelError {
  const refuse = (message: string, code: string): KeelError => new KeelError('record', message, { code, stage: 'target' });
  const sku = typeof data['sku'] === 'string' ? data['sku'].trim() : '';
  if (sku === '') return refuse('the record has no sku', 'shopify_no_sku');
  const raw = data['available'] ?? data['quantity'];
  if (typeof raw !== 'number' || !Number.isInteger(raw)) return refuse(`SKU ${sku}: available (or quantity) must be a whole number, not ${JSON.stringify(raw ?? null)}`, 'shopify_bad_quantity');
  const location = typeof data['location_id'] === 'string' && data['location_id'] !== '' ? data['location_id'] : options.location;
  if (location === undefined) return refuse(`SKU ${sku}: the record has no location_id and the stream no location option`, 'shopify_no_location');
  const locationId = settings.locations[location] ?? (location.startsWith('gid://shopify/Location/') ? location : undefined);
  if (locationId === undefined) {
    return refuse(`SKU ${sku}: location "${location}" is not in the connection's locations (Keel location → Shopify location id)`, 'shopify_location_unmapped');
  }
  return { sku, quantity: raw, locationId };
}

/** SKU → inventory item for the SKUs of a batch, from the run's cache or by lookup; ambiguity and absence are answers too. */
async function itemsFor(client: ShopifyGraphql, settings: ShopifySettings, skus: string[], call: CallContext): Promise<Map<string, CachedItem>> {
  let cache = SKU_CACHES.get(settings);
  if (cache === undefined) {
    cache = new Map();
    SKU_CACHES.set(settings, cache);
  }
  const now = Date.now();
  const missing = skus.filter((sku) => {
    const hit = cache.get(sku);
    return hit === undefined || now - hit.at > SKU_CACHE_MS;
  });
  for (let from = 0; from < missing.length; from += SKUS_PER_QUERY) {
    const chunk = missing.slice(from, from + SKUS_PER_QUERY);
    const data = await client.run(ITEMS_BY_SKU, { query: chunk.map((sku) => `sku:${searchValue(sku)}`).join(' OR '), first: 250 }, call);
    const connection = data['inventoryItems'];
    const nodes = isJsonObject(connection) && Array.isArray(connection['nodes']) ? connection['nodes'].filter(isJsonObject) : [];
    for (const sku of chunk) {
      // The search may match more loosely than the SKU itself: only exact matches count.
      const ids = nodes.filter((node) => node['sku'] === sku).map((node) => String(node['id']));
      cache.set(
        sku,
        ids.length === 1
          ? { id: ids[0], at: now }
          : ids.length === 0
            ? { problem: `SKU ${sku} has no inventory item in Shopify (no variant with this SKU); create it in Shopify or set unknown_sku: skip`, missing: true, at: now }
            : { problem: `SKU ${sku} belongs to ${ids.length} inventory items in Shopify (${ids.join(', ')}); make the SKU unique there`, at: now },
      );
    }
  }
  return new Map(skus.map((sku) => [sku, cache.get(sku) as CachedItem]));
}

const levelKey = (item: string, locationId: string): string => `${item}\u0000${locationId}`;

/** Available quantities of (item, location) pairs; null where the item is not stocked at the location. */
async function readLevels(client: ShopifyGraphql, pairs: { item: string; locationId: string }[], call: CallContext): Promise<Map<string, number | null>> {
  const out = new Map<string, number | null>();
  const byLocation = new Map<string, Set<string>>();
  for (const { item, locationId } of pairs) {
    const set = byLocation.get(locationId) ?? new Set<string>();
    set.add(item);
    byLocation.set(locationId, set);
  }
  for (const [locationId, itemSet] of byLocation) {
    const ids = [...itemSet];
    for (let from = 0; from < ids.length; from += LEVELS_PER_QUERY) {
      const data = await client.run(LEVELS, { ids: ids.slice(from, from + LEVELS_PER_QUERY), locationId }, call);
      for (const node of Array.isArray(data['nodes']) ? data['nodes'] : []) {
        if (!isJsonObject(node) || typeof node['id'] !== 'string') continue;
        const quantities = readPath(node, ['inventoryLevel', 'quantities']);
        const available = Array.isArray(quantities) ? quantities.find((entry) => isJsonObject(entry) && entry['name'] === 'available') : undefined;
        const quantity = isJsonObject(available) && typeof available['quantity'] === 'number' ? available['quantity'] : null;
        out.set(levelKey(node['id'], locationId), quantity);
      }
    }
  }
  return out;
}

/** A value in Shopify's search syntax: quoted, with quotes and backslashes escaped. */
export function searchValue(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

export const stock = defineStream<ShopifyConfig, TSchema, typeof StockWriteOptions>({
  description: "Available stock per SKU and location, set with inventorySetQuantities and compare-and-swap: a sale booked in Shopify meanwhile is not overwritten.",
  status: 'beta',
  examples: STOCK_EXAMPLES,
  write: {
    options: StockWriteOptions,
    // Each write carries an @idempotent key; the effect ledger keeps one entry per record.
    idempotency: 'record',
    // A new quantity of a SKU is a new record (the availability carries its revision); a changed one is an update.
    onChange: 'send',
    perRecordProgress: true,
    check: (options) => (options.location !== undefined && options.location.trim() === '' ? [{ path: ['location'], message: 'location may not be blank' }] : []),
    write: writeStock,
  },
});
