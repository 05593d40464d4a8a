/**
 * The candidates of one strategy (and role) for one order: the locations past the location fences
 * that have stock of something they can ship, with the units of each line they can use. What does
 * not depend on the strategy, the distance to the customer and each location's usable stock and
 * line fences, is worked out once per order and reused when a later strategy or the
 * click-and-collect transfer role looks at the same location.
 */
import { FenceGroups } from './fence-groups.js';
import { NO_STOCK, locationFence, missingLineCapability, type FenceInput, type LineCapabilityHit } from './fences.js';
import { haversineKm } from './geo.js';
import type { OrderFacts, RoutedLine } from './order-facts.js';
import type { RoutingContext, RoutingLocation } from './routing-input.js';

export interface Candidate {
  location: RoutingLocation;
  distance: number | undefined;
  /** Units usable per line, in facts.lines order (0 where a line fence holds). */
  stock: readonly number[];
}

export interface CandidateScan {
  candidates: Candidate[];
  /** Every location past the location fences, with or without stock: where incoming stock may be promised. */
  open: RoutingLocation[];
  /** The candidates and fence hits for the receipt; undefined without receipts. */
  receipt: FenceGroups | undefined;
}

/** Per-order memo of what the strategies share about each location (indexes into context.locations). */
export class OrderLocations {
  private distances: (number | undefined)[] | undefined;
  /** Units of each line at each location (location-major, lines in facts.lines order), read once per order. */
  private units: number[] | undefined;
  /** Each location's candidate once looked up, the same for every strategy; null when it has no stock of a line it could ship. */
  private readonly stocked: (Candidate | null | undefined)[];
  /** Lines a location lacks a capability for, by location index; kept for receipts. */
  private fenced: Map<number, LineCapabilityHit[]> | undefined;

  constructor(
    private readonly facts: OrderFacts,
    private readonly context: RoutingContext,
    /** Location id → index in context.locations. */
    private readonly indexOf: ReadonlyMap<string, number>,
    /** Whether to build receipt entries. */
    readonly receipts: boolean,
  ) {
    this.stocked = new Array<Candidate | null | undefined>(context.locations.length);
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

  /** The location as a candidate with its usable units per line, or null when it has none of a line it could ship. */
  stockAt(index: number): Candidate | null {
    let known = this.stocked[index];
    if (known === undefined) {
      known = this.lookUpStock(index);
      this.stocked[index] = known;
    }
    return known;
  }

  /** Lines the location lacks a capability for (with receipts). */
  fencedAt(index: number): readonly LineCapabilityHit[] | undefined {
    return this.fenced?.get(index);
  }

  /**
   * Each line's stock at every location, one read per SKU: walking a SKU's few stocked locations
   * beats looking every location up in it (the bench spent a tenth of its time on those lookups).
   */
  private readUnits(): number[] {
    const lines = this.facts.lines;
    const width = lines.length;
    const units = new Array<number>(this.context.locations.length * width).fill(0);
    for (let at = 0; at < width; at += 1) {
      this.context.state.stockLevels((lines[at] as RoutedLine).sku).forEach((count, id) => {
        const index = this.indexOf.get(id);
        if (index !== undefined) units[index * width + at] = Math.max(0, count);
      });
    }
    return units;
  }

  private lookUpStock(index: number): Candidate | null {
    const location = this.context.locations[index] as RoutingLocation;
    const lines = this.facts.lines;
    const units = (this.units ??= this.readUnits());
    const stock = new Array<number>(lines.length);
    let any = false;
    for (let at = 0; at < lines.length; at += 1) {
      const line = lines[at] as RoutedLine;
      const capability = missingLineCapability(location, line);
      const usable = capability === undefined ? (units[index * lines.length + at] as number) : 0;
      stock[at] = usable;
      if (usable > 0) any = true;
      if (capability !== undefined && this.receipts) {
        const fenced = (this.fenced ??= new Map());
        const hits = fenced.get(index) ?? [];
        hits.push({ code: 'line_capability_missing', line: line.index, sku: line.sku, capability });
        fenced.set(index, hits);
      }
    }
    return any ? { location, distance: this.distanceKm()[index], stock } : null;
  }
}

/** Location id → index in `locations`. */
export function locationIndex(locations: readonly RoutingLocation[]): Map<string, number> {
  return new Map(locations.map((location, index) => [location.location_id, index]));
}

/** Fences every location for one strategy and role; `input.distanceKm` is set per location. */
export function scanCandidates(known: OrderLocations, input: FenceInput): CandidateScan {
  const locations = known.locations;
  const distances = known.distanceKm();
  const candidates: Candidate[] = [];
  const open: RoutingLocation[] = [];
  const receipt = known.receipts ? new FenceGroups(input.facts.lines) : undefined;
  for (let index = 0; index < locations.length; index += 1) {
    const location = locations[index] as RoutingLocation;
    input.distanceKm = distances[index];
    const hit = locationFence(location, input);
    if (hit !== undefined) {
      receipt?.exclude(location.location_id, hit);
      continue;
    }
    open.push(location);
    const candidate = known.stockAt(index);
    if (candidate === null) {
      receipt?.exclude(location.location_id, NO_STOCK);
      continue;
    }
    candidates.push(candidate);
    receipt?.candidate(location.location_id, candidate.stock, known.fencedAt(index));
  }
  return { candidates, open, receipt };
}
