/**
 * Replays recorded orders through a routing profile over a stock snapshot, without side effects:
 * what `keel route plan` prints and what a `route_plan` case of `keel test` asserts on. It decides
 * as the live router would on the same stock: locations, their safety stock and kits come from
 * keel.yaml's inventory: section, SKU facts from its routing: section (only those two sections are
 * read: no pipeline is needed), customer positions from the replayed profile's postal centroids.
 * What a snapshot cannot know (units other orders hold, today's capacity already used, penalties
 * standing) starts from nothing.
 */
import { createReadStream } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { codecFor, formatFromFileName } from '../codecs/index.js';
import { KeelError } from '../errors.js';
import { missingFile } from '../files/missing-file.js';
import { canonicalValidator } from '../mapping/validate-output.js';
import { RecordRejection } from '../sdk/step.js';
import type { JsonObject } from '../json.js';
import type { Order } from '../model/order.js';
import { MemoryRoutingState, routeBatch } from './batch-router.js';
import { loadPostalCentroids } from './geo.js';
import { loadRoutingProfile, type LoadedProfile } from './load-profile.js';
import { loadRoutingSections } from './load-routing-sections.js';
import { changedDecisions, planFigures, type ChangedDecision, type PlanFigures } from './plan-report.js';
import type { RoutingDecision } from './receipt.js';
import { routingLocations } from './routing-input.js';

export interface ReplayInput {
  /** Project whose inventory: section declares the locations. */
  project: string;
  /** Canonical orders: JSON array or NDJSON. */
  orders: string;
  /**
   * Stock snapshot: sku, location_id and available (what the location can promise, taken as it
   * is) or on_hand (counted units: the location's safety stock is taken off, as live routing does).
   */
  stock: string;
  profile: string;
  against?: string;
  at?: Date;
}

export interface Replay {
  decisions: RoutingDecision[];
  figures: PlanFigures;
}

export interface ReplayResult {
  orders: number;
  candidate: Replay;
  current?: Replay;
  changed?: ChangedDecision[];
}

export async function replayPlan(input: ReplayInput): Promise<ReplayResult> {
  const project = await loadRoutingSections(input.project);
  if (project.inventory === undefined) {
    throw new KeelError('config', `${input.project}: keel.yaml has no inventory: section, so there are no locations to route to`, { code: 'inventory_missing', stage: 'route' });
  }
  const { locations, bundles } = project.inventory;
  const skus = project.routing?.skus;
  for (const file of [input.orders, input.stock, input.profile, ...(input.against !== undefined ? [input.against] : [])]) {
    const missing = missingFile(file);
    if (missing !== undefined) throw new KeelError('config', missing, { code: 'file_missing', stage: 'route' });
  }
  const orders = await readOrders(input.orders);
  const safety = new Map(locations.map((location) => [location.location_id, location.safety_stock ?? 0]));
  const stock = promisable(await readStock(input.stock), safety);
  const now = input.at ?? new Date();
  const replay = (file: string): Replay => {
    const profile: LoadedProfile = loadRoutingProfile(file);
    const routed = routingLocations(locations, profile.profile);
    const centroids = profile.profile.customer_position?.postal_centroids;
    const postalCentroid = centroids !== undefined ? loadPostalCentroids(resolve(dirname(file), centroids)) : undefined;
    // Every replay starts from the same snapshot: no profile sees what another took.
    const state = new MemoryRoutingState(routed, { stock, ...(bundles !== undefined ? { bundles } : {}) });
    const decisions = routeBatch(orders, profile, { locations: routed, sku: (sku) => skus?.get(sku), ...(postalCentroid !== undefined ? { postalCentroid } : {}), now }, state);
    return { decisions, figures: planFigures(profile.profile.name, profile.version, decisions, routed) };
  };
  const candidate = replay(input.profile);
  if (input.against === undefined) return { orders: orders.length, candidate };
  const current = replay(input.against);
  return { orders: orders.length, candidate, current, changed: changedDecisions(current.decisions, candidate.decisions) };
}

/** Recorded orders, each checked against the canonical order: a file of another shape is named, not a crash. */
async function readOrders(file: string): Promise<Order[]> {
  const check = canonicalValidator('order');
  const orders: Order[] = [];
  for (const [index, record] of (await readRecords(file)).entries()) {
    const checked = check?.(record);
    if (checked instanceof RecordRejection) {
      throw new KeelError('config', `${file} record ${index + 1} is no canonical order (${checked.reason.replace(/^not a valid canonical order: /, '')}); give --orders canonical orders, e.g. what keel map writes with an order.to-canonical mapping`, {
        code: 'bad_orders',
        stage: 'route',
      });
    }
    orders.push(record as unknown as Order);
  }
  return orders;
}

async function readRecords(file: string): Promise<JsonObject[]> {
  const format = formatFromFileName(file);
  if (format === undefined) throw new KeelError('config', `cannot tell the format of ${file}; use .json, .ndjson or .csv`, { code: 'format_unknown', stage: 'route' });
  const decoder = codecFor(format).createDecoder({});
  const records: JsonObject[] = [];
  for await (const chunk of decoder.decode(createReadStream(file), basename(file))) {
    const reject = chunk.rejects[0];
    if (reject !== undefined) throw new KeelError('config', `${reject.origin}: ${reject.reason}`, { code: 'bad_input', stage: 'route' });
    for (const record of chunk.records) records.push(record.data);
  }
  return records;
}

/** A snapshot row: `available` units are what the location can promise; `on_hand` units are counted. */
interface StockRow {
  sku: string;
  location_id: string;
  units: number;
  counted: boolean;
}

async function readStock(file: string): Promise<StockRow[]> {
  const rows: StockRow[] = [];
  for (const [index, row] of (await readRecords(file)).entries()) {
    const sku = row['sku'];
    const location = row['location_id'];
    // An empty available cell (a CSV with both columns) leaves the count to on_hand.
    const counted = row['available'] === undefined || row['available'] === '';
    const given = counted ? row['on_hand'] : row['available'];
    const units = given === undefined || given === '' ? Number.NaN : Number(given);
    if (typeof sku !== 'string' || typeof location !== 'string' || !Number.isInteger(units)) {
      throw new KeelError('config', `${file} row ${index + 1}: needs sku, location_id and a whole available (or on_hand)`, { code: 'bad_stock', stage: 'route' });
    }
    rows.push({ sku, location_id: location, units, counted });
  }
  return rows;
}

/**
 * What each location can promise of each SKU: counted units less the location's safety stock
 * (never below 0), as the live router works it out; a later row for the same SKU and location
 * replaces an earlier one.
 */
function promisable(rows: readonly StockRow[], safety: ReadonlyMap<string, number>): Map<string, Map<string, number>> {
  const stock = new Map<string, Map<string, number>>();
  for (const row of rows) {
    const units = row.counted ? Math.max(0, row.units - (safety.get(row.location_id) ?? 0)) : row.units;
    const levels = stock.get(row.sku) ?? new Map<string, number>();
    levels.set(row.location_id, units);
    stock.set(row.sku, levels);
  }
  return stock;
}
