/**
 * Routes one order: tries the profile's strategies in order; the first whose conditions hold and
 * that can serve the order decides. Within a strategy, fences narrow the locations to candidates,
 * lines no candidate has in stock go to incoming stock (when the profile allows pre-orders and
 * backorders) and the rest is allocated with the fewest parts and the best rating. No strategy
 * serving the order is a result, a hold with its reason, never an exception. Every step can be
 * recorded in a receipt; with receipts off only the decision is built (the batch hot path).
 */
import type { Order } from '../model/order.js';
import { DEFAULT_MAX_SEARCH_STEPS, searchAllocation, type AllocationLine, type PartLine } from './allocate.js';
import { OrderLocations, locationIndex, scanCandidates, type Candidate } from './candidates.js';
import type { FenceGroups } from './fence-groups.js';
import { lineFence, type FenceInput } from './fences.js';
import type { LoadedProfile } from './load-profile.js';
import { orderFacts, thousandths, type OrderFacts, type RoutedLine } from './order-facts.js';
import type { RoutingProfile, Strategy, StrategyConditions } from './profile-schema.js';
import { PartRater } from './ratings.js';
import type { HoldReason, RoutedPart, RoutedPartLine, RoutingDecision, RoutingReceipt, StrategyReceipt } from './receipt.js';
import type { RoutingContext, RoutingLocation } from './routing-input.js';
import { compileShippingRates, type RateLookup } from './shipping-rates.js';

export interface RouteOptions {
  /** Locations that already rejected, unclaimed or let the offer time out: fenced for this order. */
  rejected?: ReadonlySet<string>;
  /** Build the receipt (default true). */
  receipt?: boolean;
  /** Steps each strategy's allocation search may take; overrides the profile's max_search_steps. */
  maxSearchSteps?: number;
}

type Role = 'ship' | 'pickup' | 'transfer';
const SHIP_ROLES: readonly Role[] = ['ship'];
const PICKUP_ROLES: readonly Role[] = ['pickup'];
const PICKUP_OR_TRANSFER_ROLES: readonly Role[] = ['pickup', 'transfer'];
const NOBODY: ReadonlySet<string> = new Set();

/** `exhausted`: the allocation search ran out of steps (the parts are the best it found, or it found none). */
type Attempt =
  | { ok: true; parts: RoutedPart[]; score: number; method: 'exact' | 'heuristic'; explored: number; exhausted: boolean; locations: FenceGroups | undefined }
  | { ok: false; code: string; reason: string; exhausted: boolean; locations: FenceGroups | undefined };

export type OrderRouter = (order: Order, options?: RouteOptions) => RoutingDecision;

/** What every order routed by one router shares. */
interface Router {
  loaded: LoadedProfile;
  context: RoutingContext;
  rates: RateLookup;
  /** context.now as ISO text, formatted once per instant rather than once per order. */
  decidedAt(): string;
  /** Location id → index in context.locations, built once per list of locations. */
  locationIndex(): ReadonlyMap<string, number>;
}

export function createOrderRouter(loaded: LoadedProfile, context: RoutingContext): OrderRouter {
  let stampedAt = Number.NaN;
  let stamp = '';
  let indexed = context.locations;
  let index = locationIndex(indexed);
  const router: Router = {
    loaded,
    context,
    rates: compileShippingRates(loaded.profile.shipping_rates),
    decidedAt() {
      const at = context.now.getTime();
      if (at !== stampedAt) {
        stamp = context.now.toISOString();
        stampedAt = at;
      }
      return stamp;
    },
    locationIndex() {
      if (context.locations !== indexed) {
        indexed = context.locations;
        index = locationIndex(indexed);
      }
      return index;
    },
  };
  return (order, options = {}) => routeOrder(order, router, options);
}

function routeOrder(order: Order, router: Router, options: RouteOptions): RoutingDecision {
  const { profile } = router.loaded;
  const withReceipt = options.receipt !== false;
  const facts = orderFacts(order, router.context, router.rates);
  const trials: StrategyReceipt[] = [];
  // Whether some strategy's search ran out of steps: its decision is then not proven the best.
  let exhausted = false;
  const hold = (code: string, reason: string): RoutingDecision => {
    const held: HoldReason = { state: profile.hold ?? 'manual_review', code, reason };
    const decision: RoutingDecision = { status: 'held', order_key: facts.order_key, hold: held };
    if (exhausted) decision.search_exhausted = true;
    if (withReceipt) {
      const receipt = receiptFor(router, facts, trials);
      receipt.hold = held;
      decision.receipt = receipt;
    }
    return decision;
  };
  if (facts.lines.length === 0) return hold('no_open_lines', 'every line is shipped or cancelled: nothing to route');

  const known = new OrderLocations(facts, router.context, router.locationIndex(), withReceipt);
  let lastFailure: { code: string; reason: string } | undefined;
  for (const strategy of profile.strategies) {
    const notApplicable = conditionFails(strategy.when, facts);
    if (notApplicable !== undefined) {
      if (withReceipt) trials.push({ strategy: strategy.name, outcome: 'not_applicable', reason: notApplicable });
      continue;
    }
    const roles = rolesFor(facts, profile);
    for (const role of roles) {
      const attempt = tryStrategy(strategy, role, facts, known, router, options);
      if (attempt.exhausted) exhausted = true;
      const name = roles.length > 1 ? `${strategy.name} (${role})` : strategy.name;
      if (attempt.ok) {
        const { parts, method, explored, score } = attempt;
        const decision: RoutingDecision = { status: 'allocated', order_key: facts.order_key, strategy: strategy.name, parts, method };
        if (exhausted) decision.search_exhausted = true;
        if (withReceipt) {
          trials.push(trial(name, 'chosen', undefined, attempt.locations));
          const receipt = receiptFor(router, facts, trials);
          receipt.allocation = { strategy: strategy.name, parts, score, method, explored, max_steps: maxSearchSteps(router, options) };
          decision.receipt = receipt;
        }
        return decision;
      }
      lastFailure = attempt;
      if (withReceipt) trials.push(trial(name, 'no_allocation', attempt, attempt.locations));
    }
  }
  if (lastFailure === undefined) return hold('no_strategy_applies', 'no strategy applies to this order; add a fallback strategy without conditions');
  return hold(lastFailure.code, lastFailure.reason);
}

/** Steps one strategy's allocation search may take for one order. */
function maxSearchSteps(router: Router, options: RouteOptions): number {
  return options.maxSearchSteps ?? router.loaded.profile.max_search_steps ?? DEFAULT_MAX_SEARCH_STEPS;
}

function rolesFor(facts: OrderFacts, profile: RoutingProfile): readonly Role[] {
  if (facts.delivery !== 'pickup') return SHIP_ROLES;
  return profile.click_and_collect?.transfer === true ? PICKUP_OR_TRANSFER_ROLES : PICKUP_ROLES;
}

function trial(strategy: string, outcome: StrategyReceipt['outcome'], failure: { code: string; reason: string } | undefined, locations: FenceGroups | undefined): StrategyReceipt {
  const entry: StrategyReceipt = failure === undefined ? { strategy, outcome } : { strategy, outcome, code: failure.code, reason: failure.reason };
  if (locations !== undefined) {
    entry.candidates = locations.candidates;
    if (locations.excluded.length > 0) entry.excluded = locations.excluded;
    if (locations.lineFences.length > 0) entry.line_fences = locations.lineFences;
  }
  return entry;
}

function receiptFor(router: Router, facts: OrderFacts, trials: StrategyReceipt[]): RoutingReceipt {
  const receipt: RoutingReceipt = {
    order_key: facts.order_key,
    profile: { name: router.loaded.profile.name, version: router.loaded.version },
    decided_at: router.decidedAt(),
    lines: facts.lines.map((line) => ({ line: line.index, sku: line.sku, quantity: line.quantity })),
    strategies: trials,
  };
  const position = facts.position;
  if (position !== undefined) receipt.customer_position = { lat: position.lat, lon: position.lon, source: facts.position_source ?? 'order' };
  return receipt;
}

/** Why the strategy does not apply to the order, or undefined when every condition holds. */
export function conditionFails(when: StrategyConditions | undefined, facts: OrderFacts): string | undefined {
  if (when === undefined) return undefined;
  if (when.channels !== undefined && !when.channels.includes(facts.channel)) return `channel ${facts.channel} is not one of ${when.channels.join(', ')}`;
  if (when.countries !== undefined && (facts.country === undefined || !when.countries.includes(facts.country))) {
    return `country ${facts.country ?? '(none)'} is not one of ${when.countries.join(', ')}`;
  }
  if (when.order_value?.min !== undefined && facts.value < thousandths(when.order_value.min)) return `order value is below ${when.order_value.min}`;
  if (when.order_value?.max !== undefined && facts.value >= thousandths(when.order_value.max)) return `order value is ${when.order_value.max} or more`;
  if (when.skus !== undefined && !facts.lines.some((line) => when.skus?.includes(line.sku))) return `no line orders ${when.skus.join(', ')}`;
  if (when.categories !== undefined && !facts.lines.some((line) => line.info?.category !== undefined && when.categories?.includes(line.info.category))) {
    return `no line is in category ${when.categories.join(', ')}`;
  }
  if (when.delivery !== undefined && when.delivery !== facts.delivery) return `delivery is ${facts.delivery}, not ${when.delivery}`;
  if (when.customer_groups !== undefined && (facts.customer_group === undefined || !when.customer_groups.includes(facts.customer_group))) {
    return `customer group ${facts.customer_group ?? '(none)'} is not one of ${when.customer_groups.join(', ')}`;
  }
  return undefined;
}

function tryStrategy(strategy: Strategy, role: Role, facts: OrderFacts, known: OrderLocations, router: Router, options: RouteOptions): Attempt {
  const { profile } = router.loaded;
  const { context, rates } = router;
  const weights = strategy.ratings ?? {};
  const input: FenceInput = {
    facts,
    fences: strategy.fences ?? {},
    state: context.state,
    rates,
    rejected: options.rejected ?? NOBODY,
    role,
    needsShippingRate: (weights.shipping_cost ?? 0) > 0,
    distanceKm: undefined,
  };
  const { candidates, open, receipt } = scanCandidates(known, input);
  const fail = (code: string, reason: string, exhausted = false): Attempt => ({ ok: false, code, reason, exhausted, locations: receipt });

  const split = strategy.split;
  const splitAllowed = split?.allowed === true;
  const maxParts = splitAllowed ? (split?.max_parts ?? 3) : 1;
  const splitLines = splitAllowed && split?.split_lines === true;

  // Lines no candidate can serve from stock: incoming stock when allowed, else the strategy fails.
  const shortLines = linesShortOfStock(facts.lines, candidates, splitLines);
  const incomingParts: RoutedPart[] = [];
  if (shortLines.length > 0) {
    const names = shortLines.map((at) => `${facts.lines[at]?.quantity} × ${facts.lines[at]?.sku}`).join(', ');
    if (profile.backorders?.allowed !== true) return fail('no_stock', `no candidate location has ${names} in stock, and the profile allows no pre-orders or backorders`);
    for (const at of shortLines) {
      const line = facts.lines[at] as RoutedLine;
      const due = incomingFor(line, open, context, profile.backorders.horizon_days);
      if (due === undefined) return fail('no_stock', `${line.quantity} × ${line.sku} is neither in stock nor incoming at a candidate location`);
      const existing = incomingParts.find((part) => part.location_id === due.location_id);
      const entry = partLine(line, line.quantity);
      if (existing !== undefined) {
        existing.lines.push(entry);
        if ((existing.available_from ?? '') < due.expected_at) existing.available_from = due.expected_at;
      } else {
        incomingParts.push(withTransfer({ location_id: due.location_id, lines: [entry], source: 'incoming', available_from: due.expected_at, score: 0, ratings: {} }, role, facts));
      }
    }
  }

  const stocked = shortLines.length === 0 ? facts.lines.map((_, at) => at) : facts.lines.map((_, at) => at).filter((at) => !shortLines.includes(at));
  if (stocked.length === 0) return { ok: true, parts: incomingParts, score: 0, method: 'exact', explored: 0, exhausted: false, locations: receipt };
  const partsLeft = maxParts - incomingParts.length;
  if (partsLeft < 1) return fail('too_many_parts', `pre-order lines already take ${incomingParts.length} part(s) of at most ${maxParts}`);

  const lines = stocked.map((at) => facts.lines[at] as RoutedLine);
  const rater = new PartRater(
    { facts, weights, state: context.state, rates, parcelMaxGrams: profile.parcel?.max_weight_grams, lines },
    candidates.map((candidate) => candidate.location),
    candidates.map((candidate) => candidate.distance),
  );
  const allocationLines: AllocationLine[] = lines.map((line) => ({ stockKey: line.sku, quantity: line.quantity, value: line.value }));
  const minValue = split?.min_value_per_part !== undefined ? thousandths(split.min_value_per_part) : 0;
  const maxSteps = maxSearchSteps(router, options);
  const search = searchAllocation({
    lines: allocationLines,
    shipTogether: shipTogetherGroups(split?.ship_together, lines),
    candidates: candidates.length,
    stock: (candidate, line) => (candidates[candidate] as Candidate).stock[stocked[line] as number] as number,
    fixedScore: (candidate) => rater.fixedScore(candidate),
    partScore: (candidate, part) => rater.partScore(candidate, part),
    maxParts: partsLeft,
    minValuePerPart: minValue,
    splitLines,
    maxSteps,
  });
  const allocation = search.allocation;
  if (allocation === undefined) {
    if (search.exhausted) {
      return fail('search_exhausted', `the allocation search took its ${maxSteps} steps without finding an allocation in at most ${partsLeft} part(s); raise max_search_steps in the profile`, true);
    }
    if (maxParts === 1) return fail('no_single_location', 'no candidate location can ship the whole order, and this strategy does not split');
    const value = split?.min_value_per_part !== undefined ? ` with at least ${split.min_value_per_part} of goods each` : '';
    const together = (split?.ship_together?.length ?? 0) > 0 ? ', keeping ship-together lines in one part' : '';
    return fail('no_allocation', `no allocation in at most ${partsLeft} part(s)${value}${together}`);
  }
  const parts: RoutedPart[] = allocation.parts.map((part) => {
    const location = (candidates[part.candidate] as Candidate).location;
    const routed: RoutedPart = {
      location_id: location.location_id,
      lines: part.lines.map((entry: PartLine) => partLine(lines[entry.line] as RoutedLine, entry.quantity)),
      source: 'stock',
      score: part.score,
      ratings: known.receipts ? rater.breakdown(part.candidate, part.lines) : {},
    };
    return withTransfer(routed, role, facts);
  });
  for (const part of incomingParts) parts.push(part);
  return { ok: true, parts, score: allocation.score, method: allocation.method, explored: allocation.explored, exhausted: search.exhausted, locations: receipt };
}

/**
 * Lines the candidates cannot serve from stock, in line order. Lines of one SKU draw on the same
 * stock, so a line is short when what the candidates hold of its SKU, less what the SKU's earlier
 * lines take, falls below its quantity; without split lines also when no candidate holds its
 * quantity whole. (The allocation still finds out whether the lines fit together.)
 */
function linesShortOfStock(lines: readonly RoutedLine[], candidates: readonly Candidate[], splitLines: boolean): number[] {
  const short: number[] = [];
  const taken = new Map<string, number>();
  for (const [at, line] of lines.entries()) {
    let total = 0;
    let whole = false;
    for (const candidate of candidates) {
      const units = candidate.stock[at] as number;
      total += units;
      if (units >= line.quantity) whole = true;
    }
    const before = taken.get(line.sku) ?? 0;
    if ((!whole && !splitLines) || total - before < line.quantity) short.push(at);
    else taken.set(line.sku, before + line.quantity);
  }
  return short;
}

function partLine(line: RoutedLine, quantity: number): RoutedPartLine {
  return line.line_id === undefined ? { line: line.index, sku: line.sku, quantity } : { line: line.index, line_id: line.line_id, sku: line.sku, quantity };
}

/** Click-and-collect by transfer: a part from another location ships to the pickup store. */
function withTransfer(part: RoutedPart, role: Role, facts: OrderFacts): RoutedPart {
  if (role === 'transfer' && facts.pickup_location_id !== undefined && part.location_id !== facts.pickup_location_id) part.transfer_to = facts.pickup_location_id;
  return part;
}

/** The earliest incoming delivery at an open location that covers the line, ties by location id. */
function incomingFor(line: RoutedLine, open: readonly RoutingLocation[], context: RoutingContext, horizonDays: number | undefined) {
  const usable = new Set(open.filter((location) => lineFence(location, line, Number.POSITIVE_INFINITY) === undefined).map((location) => location.location_id));
  const horizon = horizonDays === undefined ? Number.POSITIVE_INFINITY : context.now.getTime() + horizonDays * 86_400_000;
  return context.state
    .incoming(line.sku)
    .filter((item) => usable.has(item.location_id) && item.quantity >= line.quantity && Date.parse(item.expected_at) <= horizon)
    .sort((a, b) => Date.parse(a.expected_at) - Date.parse(b.expected_at) || (a.location_id < b.location_id ? -1 : 1))[0];
}

/** Ship-together SKU groups as groups of allocation line indexes (only groups with two or more lines on this order). */
function shipTogetherGroups(groups: readonly (readonly string[])[] | undefined, lines: readonly RoutedLine[]): number[][] {
  const out: number[][] = [];
  for (const group of groups ?? []) {
    const members = lines.flatMap((line, at) => (group.includes(line.sku) ? [at] : []));
    if (members.length > 1) out.push(members);
  }
  return out;
}

