/**
 * Ratings: penalties in their own unit, each multiplied by the strategy's weight. Every one is
 * non-negative and never drops when a part gets more lines, which is what lets the allocation
 * bound a part by its location's fixed ratings.
 */
import type { PartLine } from './allocate.js';
import { RATING_NAMES, type RatingName, type RatingWeights } from './profile-schema.js';
import type { OrderFacts, RoutedLine } from './order-facts.js';
import type { RoutingLocation, RoutingState } from './routing-input.js';
import type { RateLookup } from './shipping-rates.js';

export interface RatingValue {
  /** In the rating's unit: km, currency, priority steps, units left, reliability, parcels; null when unknown. */
  raw: number | null;
  weighted: number;
}

export type RatingBreakdown = Partial<Record<RatingName, RatingValue>>;

export interface RaterSetup {
  facts: OrderFacts;
  weights: RatingWeights;
  state: RoutingState;
  rates: RateLookup;
  parcelMaxGrams: number | undefined;
  /** Lines in allocation order (PartLine.line indexes into this). */
  lines: readonly RoutedLine[];
}

/** Scores parts for one order and one strategy over its candidates (indexes into `candidates`). */
export class PartRater {
  private readonly fixedScores: number[];
  /** Distance, priority and reliability points of each candidate: every part there starts from them. */
  private readonly baseScores: number[];
  private readonly weights: Required<RatingWeights>;
  private readonly rated: RatingName[];

  constructor(
    private readonly setup: RaterSetup,
    readonly candidates: readonly RoutingLocation[],
    private readonly distances: readonly (number | undefined)[],
  ) {
    const w = setup.weights;
    this.weights = {
      distance: w.distance ?? 0,
      shipping_cost: w.shipping_cost ?? 0,
      priority: w.priority ?? 0,
      stock_depth: w.stock_depth ?? 0,
      reliability: w.reliability ?? 0,
      parcels: w.parcels ?? 0,
    };
    this.rated = RATING_NAMES.filter((name) => this.weights[name] > 0);
    this.baseScores = candidates.map((_, index) => this.base(index));
    this.fixedScores = candidates.map((_, index) => this.fixed(index));
  }

  fixedScore(candidate: number): number {
    return this.fixedScores[candidate] as number;
  }

  private base(candidate: number): number {
    const w = this.weights;
    const location = this.candidates[candidate] as RoutingLocation;
    const score = w.distance * (this.distances[candidate] ?? 0) + w.priority * location.priority;
    return score + w.reliability * (1 - this.setup.state.reliability(location.location_id));
  }

  /** Ratings that do not depend on the part's lines, plus the least any part can add. */
  private fixed(candidate: number): number {
    const w = this.weights;
    const location = this.candidates[candidate] as RoutingLocation;
    let score = this.baseScores[candidate] as number;
    score += w.parcels * 1;
    if (w.shipping_cost > 0) score += w.shipping_cost * (this.shippingCost(location, 0) ?? 0);
    return score;
  }

  partScore(candidate: number, lines: readonly PartLine[]): number {
    const w = this.weights;
    let score = this.baseScores[candidate] as number;
    if (w.shipping_cost === 0 && w.parcels === 0 && w.stock_depth === 0) return score;
    const location = this.candidates[candidate] as RoutingLocation;
    const weight = this.weightOf(lines);
    if (w.parcels > 0) score += w.parcels * this.parcels(weight);
    if (w.shipping_cost > 0) score += w.shipping_cost * (this.shippingCost(location, weight) ?? 0);
    if (w.stock_depth > 0) score += w.stock_depth * (1 / (1 + this.unitsLeft(location, lines)));
    return score;
  }

  /** Each rated rating of a part, raw and weighted, for the receipt. */
  breakdown(candidate: number, lines: readonly PartLine[]): RatingBreakdown {
    const location = this.candidates[candidate] as RoutingLocation;
    const weight = this.weightOf(lines);
    const out: RatingBreakdown = {};
    for (const name of this.rated) {
      const w = this.weights[name];
      switch (name) {
        case 'distance': {
          const km = this.distances[candidate];
          out.distance = { raw: km === undefined ? null : round(km), weighted: w * (km ?? 0) };
          break;
        }
        case 'priority':
          out.priority = { raw: location.priority, weighted: w * location.priority };
          break;
        case 'reliability': {
          const score = this.setup.state.reliability(location.location_id);
          out.reliability = { raw: score, weighted: w * (1 - score) };
          break;
        }
        case 'parcels': {
          const parcels = this.parcels(weight);
          out.parcels = { raw: parcels, weighted: w * parcels };
          break;
        }
        case 'shipping_cost': {
          const cost = this.shippingCost(location, weight);
          out.shipping_cost = { raw: cost ?? null, weighted: w * (cost ?? 0) };
          break;
        }
        case 'stock_depth': {
          const left = this.unitsLeft(location, lines);
          out.stock_depth = { raw: left, weighted: w / (1 + left) };
          break;
        }
      }
    }
    return out;
  }

  private weightOf(lines: readonly PartLine[]): number {
    let grams = 0;
    for (const entry of lines) {
      const line = this.setup.lines[entry.line] as RoutedLine;
      grams += line.quantity === 0 ? 0 : (line.weight_grams * entry.quantity) / line.quantity;
    }
    return grams;
  }

  private parcels(weightGrams: number): number {
    const max = this.setup.parcelMaxGrams;
    return max === undefined ? 1 : Math.max(1, Math.ceil(weightGrams / max));
  }

  private shippingCost(location: RoutingLocation, weightGrams: number): number | undefined {
    const zone = this.setup.facts.zone;
    return zone === undefined ? undefined : this.setup.rates.cost(location.location_id, zone, weightGrams);
  }

  /** The fewest units left of any SKU of the part once it is taken out. */
  private unitsLeft(location: RoutingLocation, lines: readonly PartLine[]): number {
    if (lines.length === 1) {
      const entry = lines[0] as PartLine;
      const left = this.setup.state.available((this.setup.lines[entry.line] as RoutedLine).sku, location.location_id) - entry.quantity;
      return Number.isFinite(left) ? Math.max(0, left) : 0;
    }
    const taken = new Map<string, number>();
    for (const entry of lines) {
      const sku = (this.setup.lines[entry.line] as RoutedLine).sku;
      taken.set(sku, (taken.get(sku) ?? 0) + entry.quantity);
    }
    let least = Number.POSITIVE_INFINITY;
    for (const [sku, quantity] of taken) least = Math.min(least, this.setup.state.available(sku, location.location_id) - quantity);
    return Number.isFinite(least) ? Math.max(0, least) : 0;
  }
}

const round = (value: number): number => Math.round(value * 1000) / 1000;
