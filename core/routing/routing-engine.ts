/**
 * Routing with side effects: an order is routed over live stock, its units are held at the
 * locations chosen (through the inventory ledger, so no other order can be given them), and one
 * request per part goes to the outbox for that location. Stores get offers they claim or give
 * back; a store that gives an order back, or lets the offer time out, loses reliability and the
 * part is routed again without it. Everything a pipeline, the CLI or an API needs goes through
 * this class.
 */
import { RecordRejection } from '../errors.js';
import type { InventoryEngine } from '../inventory/inventory-engine.js';
import type { LocationAssignment } from '../inventory/inventory-store.js';
import type { JsonObject } from '../json.js';
import type { Logger } from '../logger.js';
import type { Order } from '../model/order.js';
import { MemoryRoutingState } from './batch-router.js';
import type { PostalCentroids } from './geo.js';
import type { LoadedProfile } from './load-profile.js';
import type { HoldReason, RoutedPart, RoutingDecision } from './receipt.js';
import { DEFAULT_MAX_SEARCH_STEPS } from './allocate.js';
import { addPenalty, reliabilityScore } from './reliability.js';
import {
  DEFAULT_HALF_LIFE_HOURS,
  DEFAULT_OFFER_TIMEOUT_MINUTES,
  DEFAULT_TIMEOUT_PENALTY,
  DEFAULT_UNCLAIM_PENALTY,
  type RoutingSection,
} from './routing-config.js';
import { createOrderRouter } from './route-order.js';
import { routingLocations, type RoutingLocation, type SkuInfo } from './routing-input.js';
import type { DecisionWrite, OutboxMessage, RequestStatus, RouteRequest, RoutedOrderRow, RoutingStore, StoredReceipt } from './routing-store.js';

/** The `routing:` section, loaded: the profile parsed and versioned, SKU facts read. */
export interface RoutingPlan {
  section: RoutingSection;
  profile: LoadedProfile;
  skus: ReadonlyMap<string, SkuInfo>;
  postalCentroid: PostalCentroids | undefined;
}

export type RouteOutcome =
  | { status: 'allocated'; order_key: string; requests: RouteRequest[] }
  | { status: 'held'; order_key: string; hold: HoldReason }
  | { status: 'already_routed' | 'cancelled' | 'skipped'; order_key: string; detail?: string };

export type GiveBackOutcome =
  /** Other stores still hold the offer: the first of them to claim wins. */
  | { status: 'waiting'; order_key: string; open: string[] }
  | { status: 'rerouted'; order_key: string; outcome: RouteOutcome };

/** An order's key, the same the inventory ledger reserves under. */
export function orderKeyOf(order: Pick<Order, 'channel' | 'external_id'>): string {
  return `${order.channel}:${order.external_id}`;
}

const ROUTABLE = new Set(['pending', 'received', 'confirmed', 'partially_shipped']);
const LIVE: ReadonlySet<RequestStatus> = new Set(['open', 'claimed']);
const MAX_ATTEMPTS = 3;

export class RoutingEngine {
  readonly locations: RoutingLocation[];
  private readonly byId: Map<string, RoutingLocation>;
  private readonly halfLifeMs: number;

  /** `logger` hears of decisions the allocation search could not prove the best (default: nobody). */
  constructor(
    readonly plan: RoutingPlan,
    readonly inventory: InventoryEngine,
    readonly store: RoutingStore,
    private readonly logger?: Logger,
  ) {
    this.locations = routingLocations(inventory.config.locations, plan.profile.profile);
    this.byId = new Map(this.locations.map((location) => [location.location_id, location]));
    this.halfLifeMs = (plan.section.reliability?.half_life_hours ?? DEFAULT_HALF_LIFE_HOURS) * 3600_000;
  }

  /** Routes a new order; an order routed before is left alone, a cancelled one is cancelled. */
  async route(order: Order, now: Date = new Date()): Promise<RouteOutcome> {
    const key = orderKeyOf(order);
    if (order.status === 'cancelled') {
      await this.cancel(key, now);
      return { status: 'cancelled', order_key: key };
    }
    if (!ROUTABLE.has(order.status)) return { status: 'skipped', order_key: key, detail: `order status ${order.status} is not routed` };
    if ((await this.store.order(key)) !== undefined) return { status: 'already_routed', order_key: key };
    const row: RoutedOrderRow = {
      order_key: key,
      channel: order.channel,
      external_id: String(order.external_id),
      order: order as unknown as JsonObject,
      rejected: [],
      routed_at: now.getTime(),
      updated_at: now.getTime(),
    };
    return this.decide(row, order, 'order', 'new order', now, { updates: [], penalties: [] });
  }

  /** An order's requests at one location: what a repeated answer from it is checked against. */
  async requestsAt(orderRef: string, locationId: string): Promise<RouteRequest[]> {
    const row = await this.orderRow(orderRef);
    return (await this.store.requests(row.order_key)).filter((request) => request.location_id === locationId);
  }

  /** A store takes its offer; other stores offered the same part lose theirs. */
  async claim(orderRef: string, locationId: string, now: Date = new Date()): Promise<RouteRequest> {
    const row = await this.orderRow(orderRef);
    const requests = await this.store.requests(row.order_key);
    const target = requests.find((request) => request.location_id === locationId && request.kind === 'offer' && request.status === 'open');
    if (target === undefined) throw this.noRequest(row.order_key, locationId, requests, 'claim');
    const group = requests.filter((request) => request.group_id === target.group_id);
    const holder = group[0] as RouteRequest;
    if (holder.request_id !== target.request_id && target.part !== undefined) {
      // The units were held at the best store of the broadcast: move them to the one that claimed.
      const moved = await this.assign(row, [target.part], { location_id: holder.location_id }, now);
      if (moved !== undefined) {
        throw new RecordRejection(`${locationId} cannot claim order ${row.order_key}: it no longer has ${moved}`, 'claim_stock_gone', { stage: 'route' });
      }
    }
    const order = row.order as unknown as Order;
    const write = this.emptyWrite({ ...row, updated_at: now.getTime() });
    write.updates.push({ request_id: target.request_id, status: 'claimed' });
    for (const sibling of group) {
      if (sibling.request_id === target.request_id || sibling.status !== 'open') continue;
      write.updates.push({ request_id: sibling.request_id, status: 'withdrawn', note: `${locationId} claimed first` });
      write.messages.push(this.message('withdraw', sibling, order, now, `${locationId} claimed first`));
    }
    await this.store.write(write);
    return { ...target, status: 'claimed' };
  }

  /**
   * A location gives a request back (a store unclaims or rejects its offer, a warehouse rejects a
   * fulfilment request): its reliability drops and, unless other stores still hold the offer, the
   * part is routed again without it.
   */
  async unclaim(orderRef: string, locationId: string, reason: string, now: Date = new Date(), how: 'unclaimed' | 'rejected' = 'unclaimed'): Promise<GiveBackOutcome> {
    const row = await this.orderRow(orderRef);
    const requests = await this.store.requests(row.order_key);
    const target = requests.find((request) => request.location_id === locationId && LIVE.has(request.status) && request.kind !== 'hold');
    if (target === undefined) throw this.noRequest(row.order_key, locationId, requests, how === 'rejected' ? 'reject' : 'unclaim');
    return this.giveBack(row, requests, target, how, reason, 'unclaim', now);
  }

  /** Offers nobody answered in time: each counts as given back, with the timeout penalty. */
  async expireOffers(now: Date = new Date()): Promise<{ timed_out: number; rerouted: number }> {
    let timedOut = 0;
    let rerouted = 0;
    for (const offer of await this.store.expiredOffers(now.getTime())) {
      const row = await this.store.order(offer.order_key);
      if (row === undefined) continue;
      const requests = await this.store.requests(offer.order_key);
      const current = requests.find((request) => request.request_id === offer.request_id);
      if (current?.status !== 'open') continue;
      const outcome = await this.giveBack(row, requests, current, 'timed_out', `no answer within ${this.offerTimeoutMinutes()} minutes`, 'timeout', now);
      timedOut += 1;
      if (outcome.status === 'rerouted') rerouted += 1;
    }
    return { timed_out: timedOut, rerouted };
  }

  /** Routes held parts again (stock may have arrived); those still unservable stay held. */
  async retryHeld(now: Date = new Date(), limit = 1000): Promise<{ retried: number; allocated: number }> {
    let allocated = 0;
    const held = await this.store.held(limit);
    for (const hold of held) {
      const row = await this.store.order(hold.order_key);
      if (row === undefined || hold.part === undefined) continue;
      const order = this.subOrder(row.order as unknown as Order, hold.part);
      const outcome = await this.decide(
        row,
        order,
        { location_id: '' },
        'retry of held order',
        now,
        { updates: [{ request_id: hold.request_id, status: 'released', note: 'routed again' }], penalties: [] },
        // Still unservable: the hold stays as it is, no new receipt for every retry.
        true,
      );
      if (outcome.status === 'allocated') allocated += 1;
    }
    return { retried: held.length, allocated };
  }

  /** A location shipped its part: the stock held there is taken out of the ledger. */
  async shipped(orderRef: string, locationId: string, now: Date = new Date()): Promise<number> {
    const row = await this.orderRow(orderRef);
    const requests = await this.store.requests(row.order_key);
    const target = requests.find((request) => request.location_id === locationId && LIVE.has(request.status));
    if (target === undefined) throw this.noRequest(row.order_key, locationId, requests, 'ship');
    const taken = await this.inventory.store.fulfil(row.order_key, locationId, now.getTime());
    const write = this.emptyWrite({ ...row, updated_at: now.getTime() });
    write.updates.push({ request_id: target.request_id, status: 'shipped' });
    await this.store.write(write);
    return taken;
  }

  /** Cancels what is still open, tells the locations, and frees the stock held for the order. */
  async cancel(orderKey: string, now: Date = new Date()): Promise<number> {
    const row = await this.store.order(orderKey);
    await this.inventory.store.release(orderKey, now.getTime());
    if (row === undefined) return 0;
    const order = row.order as unknown as Order;
    const write = this.emptyWrite({ ...row, updated_at: now.getTime() });
    let count = 0;
    for (const request of await this.store.requests(orderKey)) {
      if (!LIVE.has(request.status) && request.status !== 'held') continue;
      write.updates.push({ request_id: request.request_id, status: 'cancelled', note: 'order cancelled' });
      if (request.kind !== 'hold') write.messages.push(this.message('cancel', request, order, now, 'order cancelled'));
      count += 1;
    }
    await this.store.write(write);
    return count;
  }

  /** Receipts (oldest first) and requests of an order, by key (`shopify:1001`) or external id (`1001`). */
  async explain(orderRef: string): Promise<{ order_key: string; receipts: StoredReceipt[]; requests: RouteRequest[] }> {
    const row = await this.orderRow(orderRef);
    return { order_key: row.order_key, receipts: await this.store.receipts(row.order_key), requests: await this.store.requests(row.order_key) };
  }

  /** Current reliability per location, with how often each gave orders back. */
  async reliability(now: Date = new Date()): Promise<{ location_id: string; base: number; score: number; unclaims: number; timeouts: number }[]> {
    const penalties = await this.store.penalties();
    return this.locations.map((location) => {
      const state = penalties.get(location.location_id);
      return {
        location_id: location.location_id,
        base: location.reliability,
        score: reliabilityScore(location.reliability, state, now.getTime(), this.halfLifeMs),
        unclaims: state?.unclaims ?? 0,
        timeouts: state?.timeouts ?? 0,
      };
    });
  }

  /** Unsent messages; `settleStale` (default true) marks offers given back before they went out as sent. */
  async outbox(after: number, locations: ReadonlySet<string> | undefined, limit: number, settleStale = true): Promise<OutboxMessage[]> {
    return this.store.outbox(after, locations, limit, settleStale);
  }

  // ---------------------------------------------------------------------------------------------

  private async giveBack(
    row: RoutedOrderRow,
    requests: RouteRequest[],
    target: RouteRequest,
    how: 'unclaimed' | 'rejected' | 'timed_out',
    reason: string,
    penaltyKind: 'unclaim' | 'timeout',
    now: Date,
  ): Promise<GiveBackOutcome> {
    const locationId = target.location_id;
    const amount =
      penaltyKind === 'timeout'
        ? (this.plan.section.reliability?.timeout_penalty ?? DEFAULT_TIMEOUT_PENALTY)
        : (this.plan.section.reliability?.unclaim_penalty ?? DEFAULT_UNCLAIM_PENALTY);
    const penalty = { location_id: locationId, state: addPenalty((await this.store.penalties()).get(locationId), amount, now.getTime(), this.halfLifeMs), kind: penaltyKind };
    const rejected = row.rejected.includes(locationId) ? row.rejected : [...row.rejected, locationId];
    const updated: RoutedOrderRow = { ...row, rejected, updated_at: now.getTime() };
    const update = { request_id: target.request_id, status: how, note: reason };
    // The part the location gave back no longer takes its daily capacity (only the group's holder took one).
    const holderRequest = requests.find((request) => request.group_id === target.group_id) ?? target;
    const capacity =
      holderRequest.request_id === target.request_id ? [{ location_id: locationId, day: new Date(target.created_at).toISOString().slice(0, 10), parts: -1 }] : [];
    const open = requests.filter((request) => request.group_id === target.group_id && request.request_id !== target.request_id && request.status === 'open');
    if (open.length > 0) {
      const write = this.emptyWrite(updated);
      write.updates.push(update);
      write.penalties.push(penalty);
      write.capacity.push(...capacity);
      await this.store.write(write);
      return { status: 'waiting', order_key: row.order_key, open: open.map((request) => request.location_id) };
    }
    // The units sit at the group's first location (where they were held when it was offered).
    const holder = (requests.find((request) => request.group_id === target.group_id) ?? target).location_id;
    const part = target.part;
    if (part === undefined) throw new Error(`request ${target.request_id} has no part`);
    const order = this.subOrder(row.order as unknown as Order, part);
    const outcome = await this.decide(updated, order, { location_id: holder }, `${how.replace('_', ' ')} by ${locationId}: ${reason}`, now, {
      updates: [update],
      penalties: [penalty],
      capacity,
    });
    return { status: 'rerouted', order_key: row.order_key, outcome };
  }

  /**
   * Routes `order` (the whole order, or the lines of a part given back), holds the units at the
   * chosen locations and writes the decision. Another process may take the stock between the
   * look and the hold: then the order is routed again on fresh stock, a few times at most.
   */
  private async decide(
    row: RoutedOrderRow,
    order: Order,
    replacing: 'order' | { location_id: string },
    cause: string,
    now: Date,
    carry: Pick<DecisionWrite, 'updates' | 'penalties'> & Partial<Pick<DecisionWrite, 'capacity'>>,
    onlyIfAllocated = false,
  ): Promise<RouteOutcome> {
    const rejected = new Set(row.rejected);
    let decision: RoutingDecision | undefined;
    let raced: string | undefined;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
      const router = createOrderRouter(this.plan.profile, await this.context(order, row.order_key, now));
      decision = router(order, { rejected });
      if (decision.status !== 'allocated') break;
      raced = await this.assign(row, decision.parts, replacing, now);
      if (raced === undefined) break;
    }
    if (decision === undefined) throw new Error('routing made no decision');
    if (decision.search_exhausted === true) this.warnSearchExhausted(row.order_key, decision);
    const write = this.emptyWrite(row);
    write.updates.push(...carry.updates);
    write.penalties.push(...carry.penalties);
    write.capacity.push(...(carry.capacity ?? []));
    write.receipt = decision.receipt !== undefined ? { order_key: row.order_key, decided_at: now.getTime(), cause, receipt: decision.receipt } : undefined;
    let groups = new Set((await this.store.requests(row.order_key)).map((request) => request.group_id)).size;
    const fullOrder = row.order as unknown as Order;
    if (decision.status === 'held' || raced !== undefined) {
      if (onlyIfAllocated) return { status: 'held', order_key: row.order_key, hold: decision.status === 'held' ? decision.hold : { state: 'manual_review', code: 'stock_taken', reason: raced ?? '' } };
      const hold: HoldReason =
        decision.status === 'held'
          ? decision.hold
          : { state: 'manual_review', code: 'stock_taken', reason: `other orders took the stock while this one was routed, ${MAX_ATTEMPTS} times: ${raced ?? ''}` };
      // Units held at a location that gave the part back are freed: nobody ships them now.
      if (replacing !== 'order' && replacing.location_id !== '') await this.inventory.store.release(row.order_key, now.getTime(), replacing.location_id);
      groups += 1;
      const lines = order.lines.map((line, index) => ({ line: index, ...(line.line_id !== undefined ? { line_id: line.line_id } : {}), sku: line.sku, quantity: line.quantity }));
      write.requests.push({
        request_id: `${row.order_key}#${groups}`,
        order_key: row.order_key,
        group_id: `${row.order_key}#${groups}`,
        kind: 'hold',
        location_id: '',
        status: 'held',
        part: { location_id: '', lines, source: 'stock', score: 0, ratings: {} },
        note: `${hold.state} ${hold.code}: ${hold.reason}`,
        created_at: now.getTime(),
        expires_at: undefined,
        updated_at: now.getTime(),
      });
      await this.store.write(write);
      return { status: 'held', order_key: row.order_key, hold };
    }
    const day = now.toISOString().slice(0, 10);
    const created: RouteRequest[] = [];
    for (const part of decision.parts) {
      groups += 1;
      const group = `${row.order_key}#${groups}`;
      const location = this.byId.get(part.location_id);
      const offered = location?.type === 'store';
      const stores = offered ? [part.location_id, ...(await this.alsoOffer(row, order, part, rejected, now))] : [part.location_id];
      for (const [index, locationId] of stores.entries()) {
        const request: RouteRequest = {
          request_id: index === 0 ? group : `${group}.${index + 1}`,
          order_key: row.order_key,
          group_id: group,
          kind: offered ? 'offer' : 'fulfil',
          location_id: locationId,
          status: 'open',
          part: { ...part, location_id: locationId },
          note: undefined,
          created_at: now.getTime(),
          expires_at: offered ? now.getTime() + this.offerTimeoutMinutes() * 60_000 : undefined,
          updated_at: now.getTime(),
        };
        created.push(request);
        write.requests.push(request);
        write.messages.push(this.message(request.kind === 'offer' ? 'offer' : 'fulfil', request, fullOrder, now));
      }
      write.capacity.push({ location_id: part.location_id, day, parts: 1 });
    }
    await this.store.write(write);
    return { status: 'allocated', order_key: row.order_key, requests: created };
  }

  /**
   * A broadcast offer: the other stores that could take the same part whole, best first, found by
   * routing the part again with every non-store location and the stores already chosen fenced.
   */
  private async alsoOffer(row: RoutedOrderRow, order: Order, part: RoutedPart, rejected: ReadonlySet<string>, now: Date): Promise<string[]> {
    const extra = (this.plan.section.offers?.broadcast ?? 1) - 1;
    if (extra <= 0 || order.pickup_location_id !== undefined) return [];
    const sub = this.subOrder(order, part);
    const fenced = new Set([...rejected, part.location_id, ...this.locations.filter((location) => location.type !== 'store').map((location) => location.location_id)]);
    const found: string[] = [];
    const context = await this.context(sub, row.order_key, now);
    const router = createOrderRouter(this.plan.profile, context);
    while (found.length < extra) {
      const decision = router(sub, { rejected: fenced, receipt: false });
      if (decision.status !== 'allocated' || decision.parts.length !== 1) break;
      const store = (decision.parts[0] as RoutedPart).location_id;
      found.push(store);
      fenced.add(store);
    }
    return found;
  }

  /** Holds the parts' units at their locations; returns what ran out, or undefined when held. */
  private async assign(row: RoutedOrderRow, parts: readonly RoutedPart[], replacing: 'order' | { location_id: string }, now: Date): Promise<string | undefined> {
    const bundles = this.inventory.config.bundles ?? {};
    const assignments: LocationAssignment[] = [];
    for (const part of parts) {
      if (part.source !== 'stock') continue;
      for (const line of part.lines) {
        const components = bundles[line.sku];
        const lineId = line.line_id ?? `${line.line + 1}`;
        if (components === undefined) assignments.push({ sku: line.sku, location_id: part.location_id, quantity: line.quantity, line_id: lineId });
        else {
          for (const [sku, perKit] of Object.entries(components)) {
            assignments.push({ sku, location_id: part.location_id, quantity: perKit * line.quantity, line_id: `${lineId}/${sku}` });
          }
        }
      }
    }
    const safety = new Map(this.inventory.config.locations.map((location) => [location.location_id, location.safety_stock ?? 0]));
    const ttlMs = (this.inventory.config.reservations?.ttl_minutes ?? 3 * 24 * 60) * 60_000;
    const result = await this.inventory.store.assign({
      order_key: row.order_key,
      channel: row.channel,
      assignments,
      replacing,
      floor: (locationId) => safety.get(locationId) ?? 0,
      cover: this.inventory.cover,
      now: now.getTime(),
      ttlMs,
    });
    return result.status === 'assigned' ? undefined : `${result.location_id} has ${result.available} of ${result.wanted} × ${result.sku}`;
  }

  /** Live stock for the order's SKUs (kits from their components), capacity and reliability now. */
  private async context(order: Order, orderKey: string, now: Date) {
    const bundles = this.inventory.config.bundles ?? {};
    const stock = new Map<string, Map<string, number>>();
    const incoming = new Map<string, Awaited<ReturnType<InventoryEngine['store']['stock']>>['incoming']>();
    const load = async (sku: string): Promise<Map<string, number>> => {
      const known = stock.get(sku);
      if (known !== undefined) return known;
      // Units other orders hold at a location are not there for this one, nor are those that
      // orders not yet routed need from it; this order's own are.
      const routable = await this.inventory.routable(sku, orderKey, now);
      stock.set(sku, routable.units);
      if (routable.incoming.length > 0) incoming.set(sku, routable.incoming);
      return routable.units;
    };
    for (const line of order.lines) {
      const components = bundles[line.sku];
      if (components === undefined) {
        await load(line.sku);
        continue;
      }
      // A kit ships from a location that has every component: as many kits as its scarcest allows.
      const kits = new Map<string, number>();
      for (const location of this.locations) {
        let count = Number.POSITIVE_INFINITY;
        for (const [sku, perKit] of Object.entries(components)) count = Math.min(count, Math.floor(((await load(sku)).get(location.location_id) ?? 0) / perKit));
        if (Number.isFinite(count) && count > 0) kits.set(location.location_id, count);
      }
      stock.set(line.sku, kits);
    }
    const penalties = await this.store.penalties();
    const reliability = new Map(this.locations.map((location) => [location.location_id, reliabilityScore(location.reliability, penalties.get(location.location_id), now.getTime(), this.halfLifeMs)]));
    const state = new MemoryRoutingState(this.locations, {
      stock,
      incoming,
      capacityUsed: await this.store.capacityUsed(now.toISOString().slice(0, 10)),
      reliability,
    });
    const skus = this.plan.skus;
    return {
      locations: this.locations,
      sku: (sku: string) => skus.get(sku),
      state,
      ...(this.plan.postalCentroid !== undefined ? { postalCentroid: this.plan.postalCentroid } : {}),
      now,
    };
  }

  /** The order with only the part's lines, in the part's quantities. */
  private subOrder(order: Order, part: RoutedPart): Order {
    const lines = part.lines.map((item) => {
      const line = order.lines[item.line] ?? order.lines.find((candidate) => candidate.line_id === item.line_id && candidate.sku === item.sku);
      if (line === undefined) throw new Error(`order ${orderKeyOf(order)} has no line ${item.line_id ?? item.line} for ${item.sku}`);
      // The part's units are what is open: nothing of them is cancelled or shipped yet.
      const { quantity_cancelled: _cancelled, quantity_shipped: _shipped, ...open } = line;
      return { ...open, quantity: item.quantity };
    });
    return { ...order, lines };
  }

  private message(kind: OutboxMessage['kind'], request: RouteRequest, order: Order, now: Date, reason?: string): Omit<OutboxMessage, 'message_id'> {
    const part = request.part;
    // Each line names the location that ships it (a transfer still leaves from there).
    const lines = (part === undefined ? order.lines : this.subOrder(order, part).lines).map((line) => ({ ...line, fulfillment_location_id: request.location_id }));
    const location = this.byId.get(request.location_id);
    const fulfilment: JsonObject = {
      kind,
      request_id: request.request_id,
      group_id: request.group_id,
      order_key: request.order_key,
      location_id: request.location_id,
      ...(location !== undefined ? { location_type: location.type } : {}),
      ...(part !== undefined ? { source: part.source } : {}),
      ...(part?.available_from !== undefined ? { available_from: part.available_from } : {}),
      ...(part?.transfer_to !== undefined ? { transfer_to: part.transfer_to } : {}),
      ...(request.expires_at !== undefined && kind === 'offer' ? { expires_at: new Date(request.expires_at).toISOString() } : {}),
      ...(reason !== undefined ? { reason } : {}),
    };
    const body = { ...order, lines, extensions: { ...(order.extensions ?? {}), fulfilment } } as unknown as JsonObject;
    return { location_id: request.location_id, kind, request_id: request.request_id, body, created_at: now.getTime() };
  }

  /** An order decided without proof that it is the best decision: ops should know, and may raise the steps. */
  private warnSearchExhausted(orderKey: string, decision: RoutingDecision): void {
    const steps = this.plan.profile.profile.max_search_steps ?? DEFAULT_MAX_SEARCH_STEPS;
    const outcome = decision.status === 'allocated' ? 'it went to the best allocation found, which may not be the best' : `it is held (${decision.hold.code})`;
    this.logger?.warn(`routing: the allocation search ran out of its ${steps} steps for ${orderKey}; ${outcome}. Raise max_search_steps in the routing profile, or see keel route explain`, {
      order: orderKey,
      status: decision.status,
      max_search_steps: steps,
    });
  }

  private emptyWrite(order: RoutedOrderRow): DecisionWrite {
    return { order, receipt: undefined, requests: [], updates: [], messages: [], capacity: [], penalties: [] };
  }

  private offerTimeoutMinutes(): number {
    return this.plan.section.offers?.timeout_minutes ?? DEFAULT_OFFER_TIMEOUT_MINUTES;
  }

  private async orderRow(orderRef: string): Promise<RoutedOrderRow> {
    const direct = await this.store.order(orderRef);
    if (direct !== undefined) return direct;
    const keys = await this.store.orderKeysByExternalId(orderRef);
    if (keys.length === 1) return (await this.store.order(keys[0] as string)) as RoutedOrderRow;
    if (keys.length > 1) {
      throw new RecordRejection(`order ${orderRef} exists on several channels (${keys.join(', ')})`, 'order_ambiguous', { stage: 'route', hint: 'name it as channel:id' });
    }
    throw new RecordRejection(`order ${orderRef} was never routed here`, 'order_unknown', { stage: 'route', hint: 'give channel:id (e.g. shopify:1001) of a routed order' });
  }

  private noRequest(orderKey: string, locationId: string, requests: readonly RouteRequest[], verb: string): RecordRejection {
    const atLocation = requests.filter((request) => request.location_id === locationId);
    const live = requests.filter((request) => LIVE.has(request.status)).map((request) => `${request.kind} at ${request.location_id} (${request.status})`);
    const detail =
      atLocation.length > 0
        ? `its request there is ${atLocation.map((request) => `${request.status}${request.note !== undefined ? ` (${request.note})` : ''}`).join(', ')}`
        : `it was never sent there`;
    return new RecordRejection(`${locationId} cannot ${verb} order ${orderKey}: ${detail}; open now: ${live.join(', ') || 'none'}`, 'no_open_request', { stage: 'route' });
  }
}
