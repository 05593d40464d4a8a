/**
 * Receipts in words, for `keel route explain`: receipts store fence codes with their facts, and
 * this renders them as sentences when someone asks. Pure functions of the receipt, so a receipt
 * read back from the state store explains itself without the profile or stock it was decided on.
 * Order lines are numbered from 1, in order.lines order (receipts store the index from 0).
 */
import type { FenceHit, LineFenceHit, LocationFenceHit } from './fences.js';
import type { RatingName } from './profile-schema.js';
import type { RatingValue } from './ratings.js';
import type { RoutedPart, RoutingReceipt, StrategyReceipt } from './receipt.js';

/** Why a fence keeps the location (or one of its lines) out, as one sentence. */
export function fenceReason(hit: FenceHit, locationId: string): string {
  const id = locationId;
  switch (hit.code) {
    case 'inactive':
      return `${id} is not active`;
    case 'paused':
      return `${id} is paused`;
    case 'rejected_order':
      return `${id} already rejected or unclaimed this order`;
    case 'not_pickup_store':
      return `click-and-collect at ${hit.pickup_location_id ?? '?'}: only that store hands the order out`;
    case 'type_not_allowed':
      return `${id} is a ${hit.type}; this strategy takes ${hit.allowed.join(', ')}`;
    case 'not_in_strategy_locations':
      return `${id} is not among this strategy's locations`;
    case 'excluded_by_strategy':
      return `this strategy excludes ${id}`;
    case 'missing_capability':
      return `${id} cannot ${hit.capability === 'ship' ? 'ship parcels' : 'hand out click-and-collect orders'}`;
    case 'country_not_served': {
      const where = [hit.country, hit.region].filter((part) => part !== undefined).join('/') || 'an unknown place';
      return `${id} does not ship to ${where}`;
    }
    case 'too_far':
      return `${id} is ${hit.distance_km.toFixed(1)} km away, beyond ${hit.max_distance_km} km`;
    case 'no_shipping_rate':
      return hit.zone === undefined ? `no shipping zone lists ${hit.country ?? 'the customer country'}` : `${id} has no rate table for zone ${hit.zone}`;
    case 'capacity_exhausted':
      return `${id} has used up its daily capacity`;
    case 'no_stock':
      return `${id} has none of the ordered SKUs it could ship`;
    case 'line_capability_missing':
      return `${hit.sku} needs ${hit.capability}; ${id} cannot handle it`;
    case 'insufficient_stock':
      return `${id} has ${hit.available} of ${hit.wanted} × ${hit.sku}`;
    default:
      // A receipt stored by a later version may name a fence this one does not know.
      return `${id}: ${(hit as { code: string }).code}`;
  }
}

/** One location as a strategy saw it. */
export interface LocationOutcome {
  location_id: string;
  /** The location fence that kept it out; absent for a candidate. */
  excluded?: LocationFenceHit;
  /** For a candidate, the lines it could not take whole, in line order. */
  line_fences: LineFenceHit[];
}

/** Every location a strategy looked at, in location-id order (as routing saw them), with its fence or the lines it lacked. */
export function strategyLocations(trial: StrategyReceipt): LocationOutcome[] {
  const byId = new Map<string, LocationOutcome>();
  for (const id of trial.candidates ?? []) byId.set(id, { location_id: id, line_fences: [] });
  for (const { locations, ...hit } of trial.excluded ?? []) for (const id of locations) byId.set(id, { location_id: id, excluded: hit as LocationFenceHit, line_fences: [] });
  for (const { locations, ...hit } of trial.line_fences ?? []) for (const id of locations) byId.get(id)?.line_fences.push(hit as LineFenceHit);
  const outcomes = [...byId.values()].sort((a, b) => (a.location_id < b.location_id ? -1 : a.location_id > b.location_id ? 1 : 0));
  for (const outcome of outcomes) outcome.line_fences.sort((a, b) => a.line - b.line);
  return outcomes;
}

/** The whole receipt as text, one fact a line: profile, customer, each strategy and its locations, then the allocation or the hold. */
export function renderReceipt(receipt: RoutingReceipt): string {
  const out: string[] = [`Order ${receipt.order_key}, routed by profile ${receipt.profile.name} (version ${receipt.profile.version}) at ${receipt.decided_at}`];
  const position = receipt.customer_position;
  out.push(position === undefined ? 'Customer position: unknown' : `Customer position: ${position.lat}, ${position.lon} (${POSITION_SOURCES[position.source] ?? position.source})`);
  out.push(`Lines: ${receipt.lines.map((line) => `${line.quantity} × ${line.sku} (line ${line.line + 1})`).join(', ') || 'none open'}`);
  for (const trial of receipt.strategies) renderStrategy(trial, out);
  if (receipt.allocation !== undefined) {
    const { strategy, parts, score, method, explored, max_steps: maxSteps } = receipt.allocation;
    const search =
      method === 'exact'
        ? `best found by exact search, ${explored} step(s)`
        : `the search ran out of steps after ${explored}${maxSteps !== undefined ? ` (max_search_steps ${maxSteps})` : ''}: the best it found, possibly not the best`;
    out.push(`Allocated by strategy ${strategy} in ${parts.length} part(s), score ${number(score)} (${search})`);
    parts.forEach((part, at) => renderPart(part, at + 1, out));
  }
  if (receipt.hold !== undefined) out.push(`Held as ${receipt.hold.state} (${receipt.hold.code}): ${receipt.hold.reason}`);
  return out.join('\n');
}

const POSITION_SOURCES: Record<string, string> = {
  order: "from the order's address",
  postal_centroid: 'centre of the postal code',
  pickup_store: 'the pickup store',
};

const OUTCOMES: Record<StrategyReceipt['outcome'], string> = { chosen: 'chosen', not_applicable: 'not applicable', no_allocation: 'could not serve the order' };

function renderStrategy(trial: StrategyReceipt, out: string[]): void {
  const why = trial.reason === undefined ? '' : `: ${trial.reason}`;
  const code = trial.code === undefined ? '' : ` (${trial.code})`;
  out.push(`Strategy ${trial.strategy}: ${OUTCOMES[trial.outcome] ?? trial.outcome}${code}${why}`);
  for (const location of strategyLocations(trial)) renderLocation(location, out);
}

function renderLocation(location: LocationOutcome, out: string[]): void {
  const id = location.location_id;
  if (location.excluded !== undefined) {
    out.push(`  ${id}: excluded (${location.excluded.code}): ${fenceReason(location.excluded, id)}`);
    return;
  }
  const lines = location.line_fences;
  out.push(`  ${id}: candidate${lines.length > 0 ? ', cannot take every line whole' : ''}`);
  for (const hit of lines) out.push(`    line ${hit.line + 1} (${hit.code}): ${fenceReason(hit, id)}`);
}

/** The unit a rating's raw value is in, where a bare number would not say it. */
const RATING_UNITS: Partial<Record<RatingName, string>> = { distance: ' km', stock_depth: ' unit(s) left' };

function renderPart(part: RoutedPart, position: number, out: string[]): void {
  const lines = part.lines.map((line) => `${line.quantity} × ${line.sku} (line ${line.line + 1})`).join(', ');
  const incoming = part.source === 'incoming' ? ` from incoming stock due ${part.available_from ?? 'at an unknown date'}` : '';
  const transfer = part.transfer_to === undefined ? '' : `, by transfer to ${part.transfer_to}`;
  out.push(`  Part ${position}: ${part.location_id} ships ${lines}${incoming}${transfer}; score ${number(part.score)}`);
  for (const [name, value] of Object.entries(part.ratings) as [RatingName, RatingValue][]) {
    const raw = value.raw === null ? 'unknown' : `${number(value.raw)}${RATING_UNITS[name] ?? ''}`;
    out.push(`    ${name}: ${raw} → ${number(value.weighted)} point(s)`);
  }
}

/** At most three decimals, no trailing zeros. */
function number(value: number): string {
  return String(Math.round(value * 1000) / 1000);
}
