/**
 * The inventory engine as pipelines and the CLI use it: the project's locations and channel
 * rules over the stock ledger. Ingests snapshots, movements and incoming stock (rejecting bad
 * input with a reason), computes availability per SKU and channel (kits included), reserves for
 * orders, and works out which channel values changed since they were last published.
 */
import { parse } from 'csv-parse/sync';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { RecordRejection } from '../errors.js';
import type { JsonObject, JsonValue } from '../json.js';
import { createHash } from 'node:crypto';
import {
  applyChannelRules,
  computeAvailability,
  computeBundleAvailability,
  promisedOf,
  sellablePool,
  type Availability,
  type Incoming,
  type Promisable,
  type SkuStock,
} from './availability.js';
import { channelLocations, type InventoryConfig, type InventoryLocation } from './inventory-config.js';
import { ReservationCover } from './reservation-cover.js';
import { SnapshotColumnsBuilder } from './snapshot-columns.js';
import type {
  ApplyOutcome,
  IncomingInput,
  InventoryStore,
  MovementInput,
  OrderVersion,
  ReserveDecision,
  ReserveLine,
  ReserveResult,
  SkuSelection,
  SnapshotInput,
} from './inventory-store.js';

export type StockInput = { kind: 'snapshot'; value: SnapshotInput } | { kind: 'movement'; value: MovementInput } | { kind: 'incoming'; value: IncomingInput };

export interface PublishValue extends Availability {
  revision: number;
}

const DEFAULT_TTL_MS = 3 * 24 * 3600_000;

export class InventoryEngine {
  private readonly locations: Map<string, InventoryLocation>;
  private readonly channelLocations = new Map<string, InventoryLocation[]>();
  private readonly catalog: Set<string> | undefined;
  private readonly bundleOf = new Map<string, string[]>();
  private readonly locationIds: string[];
  private readonly locationIndex: Map<string, number>;
  private readonly safety: Map<string, number>;
  /** Reservations without a location, charged against the locations their channels count. */
  readonly cover: ReservationCover;
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
    this.safety = new Map(config.locations.map((location) => [location.location_id, location.safety_stock ?? 0]));
    this.cover = new ReservationCover(new Map([...this.channelLocations].map(([channel, locations]) => [channel, locations.map((location) => location.location_id)])));
    this.catalog = config.catalog !== undefined ? readCatalog(resolve(projectDir, config.catalog.file), config.catalog.column ?? 'sku') : undefined;
    for (const [bundle, components] of Object.entries(config.bundles ?? {})) {
      for (const component of Object.keys(components)) this.bundleOf.set(component, [...(this.bundleOf.get(component) ?? []), bundle]);
    }
  }

  get channels(): string[] {
    return Object.keys(this.config.channels);
  }

  /** Whether the SKU is known at all: in the catalog, a kit, or anywhere in the ledger (counts, reservations, incoming). */
  async knows(sku: string, now: Date): Promise<boolean> {
    if (this.catalog?.has(sku) === true || this.config.bundles?.[sku] !== undefined) return true;
    const stock = await this.store.stock(sku, now.getTime());
    return stock.levels.length > 0 || stock.reserved > 0 || stock.incoming.length > 0 || (stock.backordered?.size ?? 0) > 0 || (stock.preordered ?? 0) > 0;
  }

  /** Free units per location: on hand, less safety stock and what routed orders hold there. */
  freeOf(stock: SkuStock): Map<string, number> {
    const free = new Map<string, number>();
    for (const level of stock.levels) free.set(level.location_id, level.on_hand - (this.safety.get(level.location_id) ?? 0) - (level.held ?? 0));
    return free;
  }

  /** What `channel` can still promise of a SKU: its pool, with the reservations of every channel charged against the locations each counts. */
  promisable(channel: string): Promisable {
    return (stock, pool) => {
      const reserved = stock.reservedByChannel;
      if (reserved === undefined || stock.reserved === 0) return pool;
      return Math.min(pool, this.cover.promisable(channel, this.freeOf(stock), reserved));
    };
  }

  /**
   * For routing an order: the units of a SKU each location can give it, leaving out the order's
   * own reservations and keeping every other reservation without a location covered.
   */
  async routable(sku: string, orderKey: string, now: Date): Promise<{ units: Map<string, number>; incoming: readonly Incoming[] }> {
    const stock = await this.store.stock(sku, now.getTime(), orderKey);
    const free = this.freeOf(stock);
    const reserved = stock.reservedByChannel;
    const units = new Map<string, number>();
    for (const [location, count] of free) {
      const spare = reserved !== undefined && stock.reserved > 0 ? this.cover.spareAt(location, free, reserved) : count;
      units.set(location, Math.max(0, Math.min(count, spare)));
    }
    return { units, incoming: stock.incoming };
  }

  /** Reads a canonical stock level (snapshot), stock movement, or incoming stock record. */
  parseStock(record: JsonObject): StockInput | RecordRejection {
    const kind = this.readStock(record);
    return kind instanceof RecordRejection ? kind : this.inputRead(kind);
  }

  /** The input readStock just read, as an object. */
  private inputRead(kind: StockInput['kind']): StockInput {
    const { sku, location_id, source, quantity, at } = this.read;
    if (kind === 'movement') return { kind, value: { movement_id: this.read.movement_id, sku, location_id, delta: quantity, at, source } };
    if (kind === 'incoming') return { kind, value: { sku, location_id, quantity, expected_at: this.read.expected_at, source } };
    return { kind, value: { sku, location_id, on_hand: quantity, at, source } };
  }

  /**
   * Reads and applies a feed's records: snapshots go to the ledger by column, straight from the
   * records (a feed is mostly counts, and an object per count is what a million-row feed cannot
   * afford); movements and incoming stock as parsed inputs. Outcomes, or the rejection, in order.
   */
  async ingestRecords(records: readonly JsonObject[]): Promise<(ApplyOutcome | RecordRejection)[]> {
    const outcomes = new Array<ApplyOutcome | RecordRejection>(records.length);
    const snapshots = new SnapshotColumnsBuilder(records.length);
    const snapshotsAt: number[] = [];
    const others: StockInput[] = [];
    const othersAt: number[] = [];
    for (let index = 0; index < records.length; index += 1) {
      const kind = this.readStock(records[index] as JsonObject);
      if (kind === 'snapshot') {
        const { sku, location_id, source, quantity, at } = this.read;
        snapshots.add(sku, location_id, quantity, at, source);
        snapshotsAt.push(index);
      } else if (kind instanceof RecordRejection) {
        outcomes[index] = kind;
      } else {
        others.push(this.inputRead(kind));
        othersAt.push(index);
      }
    }
    if (snapshots.length > 0) {
      const applied = await this.store.applySnapshotColumns(snapshots.finish());
      for (let at = 0; at < snapshotsAt.length; at += 1) outcomes[snapshotsAt[at] as number] = applied[at] as ApplyOutcome;
    }
    if (others.length > 0) {
      const applied = await this.ingest(others);
      for (let at = 0; at < othersAt.length; at += 1) outcomes[othersAt[at] as number] = applied[at] as ApplyOutcome;
    }
    return outcomes;
  }

  /** The fields readStock found in the record it read last: one object, reused for every record. */
  private readonly read = { sku: '', location_id: '', source: '', quantity: 0, at: 0, movement_id: '', expected_at: '' };

  /** Checks a stock record and leaves its fields in `this.read`; says which kind it is. */
  private readStock(record: JsonObject): StockInput['kind'] | RecordRejection {
    const sku = record['sku'];
    if (typeof sku !== 'string' || sku.trim() === '') return rejectStock('sku is missing', 'sku_missing', 'sku');
    if (this.catalog !== undefined && !this.catalog.has(sku)) {
      return rejectStock(`unknown SKU "${sku}": it is not in the catalog (inventory.catalog)`, 'sku_unknown', 'sku', 'add it there or fix the source');
    }
    const locationId = record['location_id'];
    if (typeof locationId !== 'string' || !this.locations.has(locationId)) {
      const known = [...this.locations.keys()].join(', ');
      return typeof locationId === 'string'
        ? rejectStock(`unknown location "${locationId}": declare it under inventory.locations in keel.yaml (known: ${known})`, 'location_unknown', 'location_id')
        : rejectStock('location_id is missing', 'location_unknown', 'location_id');
    }
    const read = this.read;
    read.sku = sku;
    read.location_id = locationId;
    read.source = typeof record['source'] === 'string' ? record['source'] : 'unknown';
    if (record['movement_id'] !== undefined || record['delta'] !== undefined) {
      const delta = wholeNumber(record['delta'], 'delta', true);
      if (delta instanceof RecordRejection) return delta;
      const at = instant(record['occurred_at'], 'occurred_at');
      if (at instanceof RecordRejection) return at;
      const id = record['movement_id'];
      if (typeof id !== 'string' && typeof id !== 'number') return rejectStock('movement_id is missing: movements are applied once per id', 'movement_id_missing', 'movement_id');
      read.movement_id = `${read.source}:${id}`;
      read.quantity = delta;
      read.at = at;
      return 'movement';
    }
    if (record['expected_at'] !== undefined) {
      const quantity = wholeNumber(record['quantity'], 'quantity', false);
      if (quantity instanceof RecordRejection) return quantity;
      const at = instant(record['expected_at'], 'expected_at');
      if (at instanceof RecordRejection) return at;
      read.quantity = quantity;
      read.expected_at = String(record['expected_at']);
      return 'incoming';
    }
    const count = record['on_hand'] ?? record['available'];
    const onHand = wholeNumber(count, record['on_hand'] !== undefined ? 'on_hand' : 'available', false);
    if (onHand instanceof RecordRejection) return onHand;
    const at = instant(record['updated_at'], 'updated_at');
    if (at instanceof RecordRejection) return at;
    read.quantity = onHand;
    read.at = at;
    return 'snapshot';
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
      return computeBundleAvailability(sku, components, (component) => stocks.get(component) as never, channel, rules, locations, now, true, this.promisable(channel));
    }
    return computeAvailability(await this.store.stock(sku, now.getTime()), channel, rules, locations, now, true, this.promisable(channel));
  }

  /**
   * Reserves an order's lines at once on the channel it came from, all or nothing; a newer
   * version of an open order replaces what it held (see ReserveResult). Each SKU is taken from
   * stock when the channel can promise it, else from what the channel shows beyond stock: its
   * backorder allowance, or incoming stock on pre-order. Kits reserve their components.
   */
  async reserve(orderKey: string, channel: string, lines: readonly ReserveLine[], now: Date = new Date(), version?: OrderVersion): Promise<ReserveResult> {
    const rules = this.config.channels[channel];
    const locations = this.channelLocations.get(channel);
    if (rules === undefined || locations === undefined) throw new Error(`channel "${channel}" has no rules under inventory.channels (channels: ${this.channels.join(', ')})`);
    const expanded: ReserveLine[] = [];
    for (const line of lines) {
      const components = this.config.bundles?.[line.sku];
      if (components === undefined) expanded.push(line);
      else for (const [sku, perKit] of Object.entries(components)) expanded.push({ sku, quantity: perKit * line.quantity, line_id: `${line.line_id ?? line.sku}/${sku}` });
    }
    const ttlMs = (this.config.reservations?.ttl_minutes ?? 0) * 60_000 || DEFAULT_TTL_MS;
    const promisable = this.promisable(channel);
    const decide = (sku: string, wanted: number, stock: SkuStock): ReserveDecision => {
      const net = promisable(stock, sellablePool(stock, locations));
      if (wanted <= net) return { kind: 'stock' };
      // What the channel shows beyond stock is what an order may take of it.
      const shown = applyChannelRules(sku, channel, rules, net, undefined, stock.incoming, locations, now, promisedOf(stock, channel));
      if (shown.status === 'backorder' && wanted <= shown.quantity) return { kind: 'backorder' };
      if (shown.status === 'preorder' && wanted <= shown.quantity) return { kind: 'preorder' };
      const beyond = shown.status === 'backorder' || shown.status === 'preorder' ? `, ${shown.quantity} on ${shown.status}` : '';
      return { status: 'insufficient', available: net, detail: `${net} in stock${beyond}; ${channel} shows ${shown.quantity} (${shown.status.replaceAll('_', ' ')})` };
    };
    return this.store.reserve({ order_key: orderKey, channel, lines: expanded, version: version ?? orderVersion(undefined, lines), now: now.getTime(), ttlMs }, decide);
  }

  /**
   * The values to send to a channel, in pages of SKUs in SKU order: every SKU changed since the
   * last publish (or every SKU, for a full re-publish) whose availability differs from what the
   * channel was last sent. `through` is the change sequence the pages cover. Memory stays bounded
   * by the page size, not the catalogue.
   */
  async *changes(channel: string, mode: 'delta' | 'full', now: Date = new Date(), pageSize = 5000): AsyncGenerator<{ values: PublishValue[]; through: number; rules: number }> {
    const rules = this.config.channels[channel];
    if (rules === undefined) throw new Error(`channel "${channel}" has no rules under inventory.channels (channels: ${this.channels.join(', ')})`);
    const locations = this.channelLocations.get(channel) ?? [];
    // Reservations that lapsed since: given back now, which marks their SKUs changed.
    await this.store.expire(now.getTime());
    const state = await this.store.publishState(channel);
    const fingerprint = this.rulesFingerprint(channel);
    // A changed rule, location or kit may change every SKU's value: all are compared, as in a full publish.
    const everything = mode === 'full' || state.rules !== fingerprint;
    const { skus, through } = await this.store.changedSince(everything ? 0 : state.through);
    const candidates = new Set(skus);
    // Time changes values too: incoming stock that entered the pre-order horizon since the last publish.
    if (!everything && rules.preorder !== undefined && state.at > 0) {
      const horizonMs = rules.preorder.horizon_days * 86_400_000;
      for (const sku of await this.store.incomingDue(state.at + horizonMs, now.getTime() + horizonMs)) candidates.add(sku);
    }
    // A component's change changes its kits.
    for (const sku of [...candidates]) for (const bundle of this.bundleOf.get(sku) ?? []) candidates.add(bundle);
    if (everything) for (const bundle of Object.keys(this.config.bundles ?? {})) candidates.add(bundle);
    const list = [...candidates].sort();
    // Many candidates (a first or full publish): read in SKU ranges; few (a delta): read just
    // them. Either way into a compact image that the other channels of the same round reuse.
    const sparse = list.length * 2 < (await this.store.skuCount());
    const slots = locations.map((location) => this.locationIndex.get(location.location_id) as number);
    const safety = locations.map((location) => location.safety_stock ?? 0);
    const promisable = this.promisable(channel);
    for (let start = 0; start < list.length || start === 0; start += pageSize) {
      const page = list.slice(start, start + pageSize);
      const values: PublishValue[] = [];
      if (page.length > 0) {
        const selection: SkuSelection = sparse ? { skus: page } : { first: page[0] as string, last: page[page.length - 1] as string };
        const image = await this.imageOf(page, selection, through, now);
        const published = await this.store.published(channel, selection);
        for (const sku of page) {
          const components = this.config.bundles?.[sku];
          let availability: Availability;
          if (components !== undefined) {
            const parts = new Map<string, SkuStock>();
            for (const component of Object.keys(components)) parts.set(component, await this.store.stock(component, now.getTime()));
            availability = computeBundleAvailability(sku, components, (component) => parts.get(component) ?? emptyStock(component), channel, rules, locations, now, false, promisable);
          } else {
            // From the compact image: the pool straight from the counts, no objects per location.
            const counts = image.onHand.get(sku);
            let pool = 0;
            if (counts !== undefined) for (let index = 0; index < slots.length; index += 1) pool += Math.max(0, (counts[slots[index] as number] as number) - (safety[index] as number));
            const reserved = image.reserved.get(sku);
            const net = reserved === undefined ? pool : promisable(this.imageStock(sku, counts, reserved), pool);
            const promised = { backordered: image.backordered.get(sku)?.get(channel) ?? 0, preordered: image.preordered.get(sku) ?? 0 };
            availability = applyChannelRules(sku, channel, rules, net, undefined, image.incoming.get(sku) ?? [], locations, now, promised);
          }
          const previous = published.get(sku);
          if (mode === 'delta' && previous !== undefined && sameValue(previous, availability)) continue;
          // The availability is this loop's own fresh object: it becomes the value as it is.
          const value = availability as PublishValue;
          value.revision = (previous?.revision ?? 0) + 1;
          values.push(value);
        }
      }
      yield { values, through, rules: fingerprint };
      if (start + pageSize >= list.length) break;
    }
  }

  /**
   * A fingerprint of what a channel's values depend on besides the ledger: its rules, its
   * locations (ids, safety stock, active), the channels its reservations compete with, and kits.
   */
  rulesFingerprint(channel: string): number {
    const locations = (this.channelLocations.get(channel) ?? []).map((location) => [location.location_id, location.safety_stock ?? 0]);
    const others = [...this.channelLocations].map(([name, list]) => [name, list.map((location) => [location.location_id, location.safety_stock ?? 0])]);
    const text = JSON.stringify([this.config.channels[channel] ?? null, locations, others, this.config.bundles ?? null]);
    return Number.parseInt(createHash('sha256').update(text).digest('hex').slice(0, 12), 16);
  }

  /** A SKU's stock as the image has it (held units already taken off the counts), for charging reservations. */
  private imageStock(sku: string, counts: Int32Array | undefined, reserved: ReadonlyMap<string, number>): SkuStock {
    const levels = this.locationIds.map((location_id, slot) => ({ location_id, on_hand: counts?.[slot] ?? 0 }));
    let total = 0;
    for (const units of reserved.values()) total += units;
    return { sku, levels, reserved: total, reservedByChannel: reserved, incoming: [] };
  }

  /**
   * The stock image: on-hand as an Int32Array per SKU indexed by location, a few megabytes for
   * 50,000 SKUs × 20 locations, filled selection by selection (a range of SKUs, or a delta's
   * list). Valid while nothing changed (same change sequence) and for a minute at most, since
   * reservations lapse with time.
   */
  private async imageOf(page: readonly string[], selection: SkuSelection, through: number, now: Date): Promise<StockImage> {
    let image = this.image;
    if (image === undefined || image.through !== through || now.getTime() - image.at > 60_000) {
      image = { through, at: now.getTime(), ranges: [], listed: new Set(), onHand: new Map(), reserved: new Map(), backordered: new Map(), preordered: new Map(), incoming: new Map() };
      this.image = image;
    }
    const held = image;
    const covered = (sku: string): boolean => held.listed.has(sku) || held.ranges.some(([from, to]) => from <= sku && sku <= to);
    let read: SkuSelection | undefined;
    if ('skus' in selection) {
      const missing = page.filter((sku) => !covered(sku));
      if (missing.length > 0) read = { skus: missing };
    } else if (!image.ranges.some(([from, to]) => from <= selection.first && selection.last <= to)) {
      read = selection;
    }
    if (read !== undefined) {
      const range = await this.store.stockImage(read, this.locationIds, now.getTime());
      // A view per SKU on the read's one buffer.
      const width = this.locationIds.length;
      range.skus.forEach((sku, row) => image.onHand.set(sku, range.onHand.subarray(row * width, (row + 1) * width)));
      for (const [sku, byChannel] of range.reserved) image.reserved.set(sku, byChannel);
      for (const [sku, byChannel] of range.backordered) image.backordered.set(sku, byChannel);
      for (const [sku, units] of range.preordered) image.preordered.set(sku, units);
      for (const [sku, incoming] of range.incoming) image.incoming.set(sku, incoming);
      // SKUs read and found without stock are covered too: they have none.
      if ('skus' in read) for (const sku of read.skus) image.listed.add(sku);
      else image.ranges.push([read.first, read.last]);
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
  /** SKUs read one by one (a delta's), stock or not. */
  listed: Set<string>;
  onHand: Map<string, Int32Array>;
  reserved: Map<string, ReadonlyMap<string, number>>;
  backordered: Map<string, ReadonlyMap<string, number>>;
  preordered: Map<string, number>;
  incoming: Map<string, readonly Incoming[]>;
}

/** Whether a channel was already told this value: the quantity, and for pre-orders the date. */
function sameValue(previous: { quantity: number; status?: string; available_from?: string }, next: Availability): boolean {
  if (previous.quantity !== next.quantity) return false;
  // Values published before statuses were kept compare by quantity alone.
  if (previous.status === undefined) return true;
  return previous.status === next.status && (previous.available_from ?? undefined) === next.available_from;
}

/**
 * An order's version as reservations see it: its updated_at (else created_at), and its lines as
 * canonical text, so the same lines are the same order whatever their order or other fields.
 */
export function orderVersion(at: number | undefined, lines: readonly ReserveLine[]): OrderVersion {
  const canonical = lines
    .filter((line) => line.quantity > 0)
    .map((line) => [line.line_id ?? '', line.sku, line.quantity] as const)
    .sort((a, b) => (a[0] + a[1] < b[0] + b[1] ? -1 : a[0] + a[1] > b[0] + b[1] ? 1 : a[2] - b[2]));
  return { at, content: JSON.stringify(canonical) };
}

function emptyStock(sku: string): SkuStock {
  return { sku, levels: [], reserved: 0, incoming: [] };
}

function wholeNumber(value: JsonValue | undefined, field: string, signed: boolean): number | RecordRejection {
  const number = typeof value === 'number' ? value : typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : Number.NaN;
  if (value === undefined || value === null || value === '') return rejectStock(`${field} is missing; a missing count is not a zero`, 'quantity_missing', field);
  if (!Number.isSafeInteger(number)) return rejectStock(`${field} must be a whole number, got ${JSON.stringify(value)}`, 'quantity_invalid', field);
  if (!signed && number < 0) return rejectStock(`${field} must not be negative, got ${number}`, 'quantity_negative', field);
  return number;
}

function instant(value: JsonValue | undefined, field: string): number | RecordRejection {
  const at = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(at)) return rejectStock(`${field} must be an ISO 8601 timestamp, got ${JSON.stringify(value ?? null)}`, 'timestamp_invalid', field);
  return at;
}

/** A stock record the ledger cannot take: the field at fault, and what to do where it is not obvious. */
function rejectStock(reason: string, code: string, field: string, hint?: string): RecordRejection {
  return new RecordRejection(reason, code, { field, hint, stage: 'inventory' });
}

function readCatalog(file: string, column: string): Set<string> {
  const rows = parse(readFileSync(file), { columns: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
  return new Set(rows.map((row) => row[column]).filter((sku): sku is string => typeof sku === 'string' && sku !== ''));
}

