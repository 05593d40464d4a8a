/**
 * The candidates of one strategy (and role) for one order: the locations past the location fences
 * that have stock of something they can ship, with the units of each line they can use. What does
 * not depend on the strategy, the distance to the customer and each location's usable stock and
 * line fences, is worked out once per order and reused when a later strategy or the
 * click-and-collect transfer role looks at the same location, receipt entries included.
 */
import { NO_STOCK, locationFence, missingLineCapability, type FenceInput, type LineCapabilityHit } from './fences.js';
import { haversineKm } from './geo.js';
import type { OrderFacts } from './order-facts.js';
import type { CandidateReceipt } from './receipt.js';
import type { RoutingContext, RoutingLocation } from './routing-input.js';

export interface Candidate {
  location: RoutingLocation;
  distance: number | undefined;
  /** Units usable per line, in facts.lines order (0 where a line fence holds). */
  stock: readonly number[];
}

/** A location past the location fences, the same for every strategy of the order. */
interface StockedLocation {
  /** Undefined when it has none of the lines it could ship (fenced as no_stock). */
  candidate: Candidate | undefined;
  receipt: CandidateReceipt | undefined;
}

export interface CandidateScan {
  candidates: Candidate[];
  /** Every location past the location fences, with or without stock: where incoming stock may be promised. */
  open: RoutingLocation[];
  /** One entry per location, in context order; undefined without receipts. */
  receipts: CandidateReceipt[] | undefined;
}

/** Per-order memo of what the strategies share about each location (indexes into context.locations). */
export class OrderLocations {
  private distances: (number | undefined)[] | undefined;
  private readonly stocked: (StockedLocation | undefined)[];

  constructor(
    private readonly facts: OrderFacts,
    private readonly context: RoutingContext,
    /** Whether to build receipt entries. */
    readonly receipts: boolean,
  ) {
    this.stocked = new Array<StockedLocation | undefined>(context.locations.length);
  }

  get locations(): readonly RoutingLocation[] {
    return this.context.locations;
  }

  /** Distances from each location to the customer; undefined where either position is unknown. */
  distanceKm(): readonly (number | undefined)[] {
    if (this.distances === undefined) {
      const position = this.facts.position;
      this.distances = this.context.locations.map((location) => (position !== undefined && location.coordinates !== undefined ? haversineKm(location.coordinates, position) : undefined));
    }
    return this.distances;
  }

  stockAt(index: number): StockedLocation {
    let known = this.stocked[index];
    if (known === undefined) {
      known = this.lookUpStock(index);
      this.stocked[index] = known;
    }
    return known;
  }

  private lookUpStock(index: number): StockedLocation {
    const location = this.context.locations[index] as RoutingLocation;
    const id = location.location_id;
    const lines = this.facts.lines;
    const stock = new Array<number>(lines.length);
    let fenced: LineCapabilityHit[] | undefined;
    let any = false;
    for (let at = 0; at < lines.length; at += 1) {
      const line = lines[at] as (typeof lines)[number];
      const capability = missingLineCapability(location, line);
      const usable = capability === undefined ? Math.max(0, this.context.state.available(line.sku, id)) : 0;
      stock[at] = usable;
      if (usable > 0) any = true;
      if (capability !== undefined && this.receipts) (fenced ??= []).push({ line: line.index, sku: line.sku, code: 'line_capability_missing', capability });
    }
    if (!any) return { candidate: undefined, receipt: this.receipts ? { location_id: id, excluded: NO_STOCK } : undefined };
    let receipt: CandidateReceipt | undefined;
    // The receipt shares the candidate's stock array: nothing is copied per order.
    if (this.receipts) receipt = fenced === undefined ? { location_id: id, stock } : { location_id: id, stock, line_fences: fenced };
    return { candidate: { location, distance: this.distanceKm()[index], stock }, receipt };
  }
}

/** Fences every location for one strategy and role; `input.distanceKm` is set per location. */
export function scanCandidates(known: OrderLocations, input: FenceInput): CandidateScan {
  const locations = known.locations;
  const distances = known.distanceKm();
  const candidates: Candidate[] = [];
  const open: RoutingLocation[] = [];
  const receipts: CandidateReceipt[] | undefined = known.receipts ? [] : undefined;
  for (let index = 0; index < locations.length; index += 1) {
    const location = locations[index] as RoutingLocation;
    input.distanceKm = distances[index];
    const hit = locationFence(location, input);
    if (hit !== undefined) {
      receipts?.push({ location_id: location.location_id, excluded: hit });
      continue;
    }
    open.push(location);
    const stocked = known.stockAt(index);
    if (receipts !== undefined) receipts.push(stocked.receipt as CandidateReceipt);
    if (stocked.candidate !== undefined) candidates.push(stocked.candidate);
  }
  return { candidates, open, receipts };
}
