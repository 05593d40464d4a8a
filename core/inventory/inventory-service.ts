/**
 * The inventory engine as pipelines and the CLI use it: the project's locations and channel
 * rules over the stock ledger. Ingests snapshots, movements and incoming stock (rejecting bad
 * input with a reason), computes availability per SKU and channel (kits included), reserves for
 * orders, and works out which channel values changed since they were last published.
 */
import { parse } from 'csv-parse/sync';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { JsonObject, JsonValue } from '../json.js';
import { applyChannelRules, computeAvailability, computeBundleAvailability, sellablePool, type Availability, type Incoming, type SkuStock } from './availability.js';
import { channelLocations, type InventoryConfig, type InventoryLocation } from './inventory-config.js';
import type { ApplyOutcome, IncomingInput, InventoryStore, MovementInput, ReserveLine, ReserveResult, SnapshotInput } from './inventory-store.js';

/** A record the ledger cannot take, and why; callers dead-letter it. */
export class StockRejection {
  constructor(
    readonly reason: string,
    readonly code: string,
  ) {}
}

export type StockInput = { kind: 'snapshot'; value: SnapshotInput } | { kind: 'movement'; value: MovementInput } | { kind: 'incoming'; value: IncomingInput };

export interface PublishValue extends Availability {
  revision: number;
}

const DEFAULT_TTL_MS = 3 * 24 * 3600_000;

export class InventoryService {
  private readonly locations: Map<string, InventoryLocation>;
  private readonly channelLocations = new Map<string, InventoryLocation[]>();
  private readonly catalog: Set<string> | undefined;
  private readonly bundleOf = new Map<string, string[]>();
  private readonly locationIds: string[];
  private readonly locationIndex: Map<string, number>;
  private image: StockImage | undefined;

  constructor(
    readonly config: InventoryConfig,
    readonly store: InventoryStore,
    projectDir: string,
  ) {
    this.locations = new Map(config.locations.map((location) => [location.location_id, location]));
    this.locationIds = config.locations.map((location) => location.location_id);
    this.locationIndex = new Map(this.locationIds.map((id, index) => [id, index]));
    for (const channel of Object.keys(config.channels)) this.channelLocations.set(channel, channelLocations(config, channel));
    this.catalog = config.catalog !== undefined ? readCatalog(resolve(projectDir, config.catalog.file), config.catalog.column ?? 'sku') : undefined;
    for (const [bundle, components] of Object.entries(config.bundles ?? {})) {
      for (const component of Object.keys(components)) this.bundleOf.set(component, [...(this.bundleOf.get(component) ?? []), bundle]);
    }
  }

  get channels(): string[] {
    return Object.keys(this.config.channels);
  }

  /** Reads a canonical stock level (snapshot), stock movement, or incoming stock record. */
  parseStock(record: JsonObject): StockInput | StockRejection {
    const sku = record['sku'];
    if (typeof sku !== 'string' || sku.trim() === '') return new StockRejection('sku is missing', 'sku_missing');
    if (this.catalog !== undefined && !this.catalog.has(sku)) {
      return new StockRejection(`unknown SKU "${sku}": it is not in the catalog (inventory.catalog); add it there or fix the source`, 'sku_unknown');
    }
    const locationId = record['location_id'];
    if (typeof locationId !== 'string' || !this.locations.has(locationId)) {
      const known = [...this.locations.keys()].join(', ');
      return new StockRejection(
        typeof locationId === 'string'
          ? `unknown location "${locationId}": declare it under inventory.locations in keel.yaml (known: ${known})`
          : 'location_id is missing',
        'location_unknown',
      );
    }
    const source = typeof record['source'] === 'string' ? record['source'] : 'unknown';
    if (record['movement_id'] !== undefined || record['delta'] !== undefined) {
      const delta = wholeNumber(record['delta'], 'delta', true);
      if (delta instanceof StockRejection) return delta;
      const at = instant(record['occurred_at'], 'occurred_at');
      if (at instanceof StockRejection) return at;
      const id = record['movement_id'];
      if (typeof id !== 'string' && typeof id !== 'number') return new StockRejection('movement_id is missing: movements are applied once per id', 'movement_id_missing');
      return { kind: 'movement', value: { movement_id: `${source}:${id}`, sku, location_id: locationId, delta, at, source } };
    }
    if (record['expected_at'] !== undefined) {
      const quantity = wholeNumber(record['quantity'], 'quantity', false);
      if (quantity instanceof StockRejection) return quantity;
      const at = instant(record['expected_at'], 'expected_at');
      if (at instanceof StockRejection) return at;
      return { kind: 'incoming', value: { sku, location_id: locationId, quantity, expected_at: String(record['expected_at']), source } };
    }
    const count = record['on_hand'] ?? record['available'];
    const onHand = wholeNumber(count, record['on_hand'] !== undefined ? 'on_hand' : 'available', false);
    if (onHand instanceof StockRejection) return onHand;
    const at = instant(record['updated_at'], 'updated_at');
    if (at instanceof StockRejection) return at;
    return { kind: 'snapshot', value: { sku, location_id: locationId, on_hand: onHand, at, source } };
  }

  /** Applies parsed stock inputs in one transaction per kind; outcomes in input order. */
  async ingest(inputs: readonly StockInput[]): Promise<ApplyOutcome[]> {
    const outcomes: ApplyOutcome[] = new Array<ApplyOutcome>(inputs.length);
    // Each kind's values and, beside them, where they were in the input.
    const snapshots: SnapshotInput[] = [];
    const snapshotsAt: number[] = [];
    const movements: MovementInput[] = [];
    const movementsAt: number[] = [];
    const incoming: IncomingInput[] = [];
    for (let at = 0; at < inputs.length; at += 1) {
      const input = inputs[at] as StockInput;
      if (input.kind === 'snapshot') {
        snapshots.push(input.value);
        snapshotsAt.push(at);
      } else if (input.kind === 'movement') {
        movements.push(input.value);
        movementsAt.push(at);
      } else {
        incoming.push(input.value);
        outcomes[at] = 'applied';
      }
    }
    if (snapshots.length > 0) {
      const applied = await this.store.applySnapshots(snapshots);
      for (let index = 0; index < snapshotsAt.length; index += 1) outcomes[snapshotsAt[index] as number] = applied[index] as ApplyOutcome;
    }
    if (movements.length > 0) {
      const applied = await this.store.applyMovements(movements);
      for (let index = 0; index < movementsAt.length; index += 1) outcomes[movementsAt[index] as number] = applied[index] as ApplyOutcome;
    }
    if (incoming.length > 0) await this.store.setIncoming(incoming);
    return outcomes;
  }

  /** What `channel` may show for `sku` now, with the arithmetic. */
  async availability(sku: string, channel: string, now: Date = new Date()): Promise<Availability> {
    const rules = this.config.channels[channel];
    if (rules === undefined) throw new Error(`channel "${channel}" has no rules under inventory.channels (channels: ${this.channels.join(', ')})`);
    const locations = this.channelLocations.get(channel) ?? [];
    const components = this.config.bundles?.[sku];
    if (components !== undefined) {
      const stocks = new Map<string, Awaited<ReturnType<InventoryStore['stock']>>>();
      for (const component of Object.keys(components)) stocks.set(component, await this.store.stock(component, now.getTime()));
      return computeBundleAvailability(sku, components, (component) => stocks.get(component) as never, channel, rules, locations, now);
    }
    return computeAvailability(await this.store.stock(sku, now.getTime()), channel, rules, locations, now);
  }

  /**
   * Reserves an order's lines at once on the channel it came from, all or nothing. Kits reserve
   * their components.
   */
  async reserve(orderKey: string, channel: string, lines: readonly ReserveLine[], now: Date = new Date()): Promise<ReserveResult> {
    const locations = this.channelLocations.get(channel);
    if (locations === undefined) throw new Error(`channel "${channel}" has no rules under inventory.channels (channels: ${this.channels.join(', ')})`);
    const expanded: ReserveLine[] = [];
    for (const line of lines) {
      const components = this.config.bundles?.[line.sku];
      if (components === undefined) expanded.push(line);
      else for (const [sku, perKit] of Object.entries(components)) expanded.push({ sku, quantity: perKit * line.quantity, line_id: `${line.line_id ?? line.sku}/${sku}` });
    }
    const ttlMs = (this.config.reservations?.ttl_minutes ?? 0) * 60_000 || DEFAULT_TTL_MS;
    return this.store.reserve({ order_key: orderKey, channel, lines: expanded, now: now.getTime(), ttlMs }, (stock) => sellablePool(stock, locations));
  }

  /**
   * The values to send to a channel, in pages of SKUs in SKU order: every SKU changed since the
   * last publish (or every SKU, for a full re-publish) whose availability differs from what the
   * channel was last sent. `through` is the change sequence the pages cover. Memory stays bounded
   * by the page size, not the catalogue.
   */
  async *changes(channel: string, mode: 'delta' | 'full', now: Date = new Date(), pageSize = 5000): AsyncGenerator<{ values: PublishValue[]; through: number }> {
    const rules = this.config.channels[channel];
    if (rules === undefined) throw new Error(`channel "${channel}" has no rules under inventory.channels (channels: ${this.channels.join(', ')})`);
    const locations = this.channelLocations.get(channel) ?? [];
    const since = mode === 'full' ? 0 : await this.store.publishWatermark(channel);
    const { skus, through } = await this.store.changedSince(since);
    const candidates = new Set(skus);
    // A component's change changes its kits.
    for (const sku of skus) for (const bundle of this.bundleOf.get(sku) ?? []) candidates.add(bundle);
    if (mode === 'full') for (const bundle of Object.keys(this.config.bundles ?? {})) candidates.add(bundle);
    const list = [...candidates].sort();
    // Few candidates (a delta): ask for each; many (a first or full publish): read in SKU ranges,
    // kept in a compact image that the other channels of the same round reuse.
    const sparse = list.length * 2 < (await this.store.skuCount());
    for (let start = 0; start < list.length || start === 0; start += pageSize) {
      const page = list.slice(start, start + pageSize);
      const values: PublishValue[] = [];
      if (page.length > 0) {
        const first = page[0] as string;
        const last = page[page.length - 1] as string;
        const image = sparse ? undefined : await this.imageOf(first, last, through, now);
        const stockOf = image === undefined ? await this.pointReader(page, now) : undefined;
        const slots = locations.map((location) => this.locationIndex.get(location.location_id) as number);
        const safety = locations.map((location) => location.safety_stock ?? 0);
        const published = await this.store.published(channel, first, last);
        for (const sku of page) {
          const components = this.config.bundles?.[sku];
          let availability: Availability;
          if (components !== undefined) {
            const parts = new Map<string, SkuStock>();
            for (const component of Object.keys(components)) parts.set(component, await this.store.stock(component, now.getTime()));
            availability = computeBundleAvailability(sku, components, (component) => parts.get(component) ?? emptyStock(component), channel, rules, locations, now, false);
          } else if (image !== undefined) {
            // From the compact image: the pool straight from the counts, no objects per location.
            const counts = image.onHand.get(sku);
            let pool = 0;
            if (counts !== undefined) for (let index = 0; index < slots.length; index += 1) pool += Math.max(0, (counts[slots[index] as number] as number) - (safety[index] as number));
            const reserved = image.reserved.get(sku) ?? 0;
            availability = applyChannelRules(sku, channel, rules, Math.max(0, pool - reserved), undefined, image.incoming.get(sku) ?? [], locations, now);
          } else {
            availability = computeAvailability((stockOf as (sku: string) => SkuStock)(sku), channel, rules, locations, now, false);
          }
          const previous = published.get(sku);
          if (mode === 'delta' && previous !== undefined && previous.quantity === availability.quantity) continue;
          values.push({ ...availability, revision: (previous?.revision ?? 0) + 1 });
        }
      }
      yield { values, through };
      if (start + pageSize >= list.length) break;
    }
  }

  private async pointReader(skus: readonly string[], now: Date): Promise<(sku: string) => SkuStock> {
    const stocks = new Map<string, SkuStock>();
    for (const sku of skus) stocks.set(sku, await this.store.stock(sku, now.getTime()));
    return (sku) => stocks.get(sku) ?? emptyStock(sku);
  }

  /**
   * The stock image: on-hand as an Int32Array per SKU indexed by location, a few megabytes for
   * 50,000 SKUs × 20 locations, filled range by range. Valid while nothing changed (same change
   * sequence) and for a minute at most, since reservations lapse with time.
   */
  private async imageOf(first: string, last: string, through: number, now: Date): Promise<StockImage> {
    let image = this.image;
    if (image === undefined || image.through !== through || now.getTime() - image.at > 60_000) {
      image = { through, at: now.getTime(), ranges: [], onHand: new Map(), reserved: new Map(), incoming: new Map() };
      this.image = image;
    }
    if (!image.ranges.some(([from, to]) => from <= first && last <= to)) {
      const read = await this.store.stockImage(first, last, this.locationIds, now.getTime());
      // A view per SKU on the range's one buffer.
      const width = this.locationIds.length;
      read.skus.forEach((sku, row) => image.onHand.set(sku, read.onHand.subarray(row * width, (row + 1) * width)));
      for (const [sku, units] of read.reserved) if (units > 0) image.reserved.set(sku, units);
      for (const [sku, incoming] of read.incoming) image.incoming.set(sku, incoming);
      image.ranges.push([first, last]);
    }
    return image;
  }

  /** Compares what a channel shows with what it should show; records and returns the differences. */
  async reconcile(channel: string, shown: readonly { sku: string; quantity: number }[], now: Date = new Date()): Promise<{ sku: string; shown: number; expected: number }[]> {
    const drift: { sku: string; shown: number; expected: number }[] = [];
    for (const item of shown) {
      const expected = (await this.availability(item.sku, channel, now)).quantity;
      if (expected !== item.quantity) drift.push({ sku: item.sku, shown: item.quantity, expected });
    }
    if (drift.length > 0) await this.store.recordDrift(channel, drift, now.getTime());
    return drift;
  }
}

interface StockImage {
  through: number;
  at: number;
  ranges: [string, string][];
  onHand: Map<string, Int32Array>;
  reserved: Map<string, number>;
  incoming: Map<string, readonly Incoming[]>;
}

function emptyStock(sku: string): SkuStock {
  return { sku, levels: [], reserved: 0, incoming: [] };
}

function wholeNumber(value: JsonValue | undefined, field: string, signed: boolean): number | StockRejection {
  const number = typeof value === 'number' ? value : typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (value === undefined || value === null || value === '') return new StockRejection(`${field} is missing; a missing count is not a zero`, 'quantity_missing');
  if (!Number.isSafeInteger(number)) return new StockRejection(`${field} must be a whole number, got ${JSON.stringify(value)}`, 'quantity_invalid');
  if (!signed && number < 0) return new StockRejection(`${field} must not be negative, got ${number}`, 'quantity_negative');
  return number;
}

function instant(value: JsonValue | undefined, field: string): number | StockRejection {
  const at = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(at)) return new StockRejection(`${field} must be an ISO 8601 timestamp, got ${JSON.stringify(value ?? null)}`, 'timestamp_invalid');
  return at;
}

function readCatalog(file: string, column: string): Set<string> {
  const rows = parse(readFileSync(file), { columns: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
  return new Set(rows.map((row) => row[column]).filter((sku): sku is string => typeof sku === 'string' && sku !== ''));
}

