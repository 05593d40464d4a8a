/**
 * Reservations without a location, charged against locations.
 *
 * An order reserved on a channel (at intake, before routing) holds no unit at any one location:
 * it holds units somewhere among the locations that channel counts. Which ones is decided only
 * when the order is routed. Until then every other claim on stock (a reservation on another
 * channel, an order routed to a location, what a channel may show) must leave enough free units
 * where each channel's reservations can still be served. That is a transport problem: channels
 * with their reserved units on one side, locations with their free units on the other, an edge
 * where a channel counts a location. The reservations are covered when a flow serves them all,
 * and what is left over is what can still be promised. A unit is then free, reserved or held,
 * never two of them.
 *
 * The graphs are tiny (a handful of channels, tens of locations), so a maximum flow by shortest
 * augmenting paths (Edmonds–Karp) answers each question exactly, and a SKU without reservations
 * needs no flow at all.
 */
export class ReservationCover {
  private readonly channelLocations: ReadonlyMap<string, readonly string[]>;

  constructor(channelLocations: ReadonlyMap<string, readonly string[]>) {
    this.channelLocations = channelLocations;
  }

  /**
   * Units `channel` can still promise: its locations' free units, less what the other channels'
   * reservations need of them. `free` is per location (on hand − safety stock − held), `reserved`
   * per channel (reservations without a location, the promising order's own left out).
   */
  promisable(channel: string, free: ReadonlyMap<string, number>, reserved: ReadonlyMap<string, number>): number {
    const own = this.channelLocations.get(channel) ?? [];
    if (!hasReservations(reserved)) return sumOf(own, free);
    // Serve the reservations as far as they can be, then see how much more reaches this channel.
    // The extra flow comes through the channel alone, so it never takes from another's reservation;
    // and a channel whose own reservations fall short gets none (no path reaches its locations).
    const demands = new Map(reserved);
    const base = this.flow(free, demands);
    demands.set(channel, Number.MAX_SAFE_INTEGER);
    return Math.max(0, this.flow(free, demands) - base);
  }

  /**
   * Units a location can give up (to an order routed there) without leaving a reservation less
   * covered than it is: its free units less what the reservations need of it in every way of
   * serving them.
   */
  spareAt(location: string, free: ReadonlyMap<string, number>, reserved: ReadonlyMap<string, number>): number {
    const mine = free.get(location) ?? 0;
    if (!hasReservations(reserved) || mine <= 0) return Math.max(0, mine);
    const all = this.flow(free, reserved);
    const without = new Map(free);
    without.set(location, 0);
    return Math.max(0, mine - (all - this.flow(without, reserved)));
  }

  /** Reserved units no way of serving can cover (0 when every reservation is covered). */
  shortfall(free: ReadonlyMap<string, number>, reserved: ReadonlyMap<string, number>): number {
    if (!hasReservations(reserved)) return 0;
    let demand = 0;
    for (const units of reserved.values()) demand += Math.max(0, units);
    return demand - this.flow(free, reserved);
  }

  /** The maximum flow from the channels' demands to the locations' free units. */
  private flow(free: ReadonlyMap<string, number>, demands: ReadonlyMap<string, number>): number {
    // Nodes: 0 source, 1 sink, then channels, then locations.
    const channels = [...demands].filter(([, units]) => units > 0);
    if (channels.length === 0) return 0;
    const locationIndex = new Map<string, number>();
    const capacity: number[][] = [];
    const node = (): number => {
      capacity.push([]);
      return capacity.length - 1;
    };
    const source = node();
    const sink = node();
    const edge = (from: number, to: number, units: number): void => {
      (capacity[from] as number[])[to] = ((capacity[from] as number[])[to] ?? 0) + units;
      (capacity[to] as number[])[from] ??= 0;
    };
    for (const [channel, units] of channels) {
      const channelNode = node();
      edge(source, channelNode, units);
      for (const location of this.channelLocations.get(channel) ?? []) {
        const units = free.get(location) ?? 0;
        if (units <= 0) continue;
        let locationNode = locationIndex.get(location);
        if (locationNode === undefined) {
          locationNode = node();
          locationIndex.set(location, locationNode);
          edge(locationNode, sink, units);
        }
        edge(channelNode, locationNode, Number.MAX_SAFE_INTEGER);
      }
    }
    return maxFlow(capacity, source, sink);
  }
}

/** Edmonds–Karp on a capacity matrix (sparse rows); the matrix is used up as residual capacities. */
function maxFlow(capacity: number[][], source: number, sink: number): number {
  let total = 0;
  for (;;) {
    const parent = new Array<number>(capacity.length).fill(-1);
    parent[source] = source;
    const queue = [source];
    for (let head = 0; head < queue.length && parent[sink] === -1; head += 1) {
      const at = queue[head] as number;
      const row = capacity[at] as number[];
      for (let next = 0; next < row.length; next += 1) {
        if (parent[next] === -1 && (row[next] ?? 0) > 0) {
          parent[next] = at;
          queue.push(next);
        }
      }
    }
    if (parent[sink] === -1) return total;
    let push = Number.MAX_SAFE_INTEGER;
    for (let at = sink; at !== source; at = parent[at] as number) push = Math.min(push, (capacity[parent[at] as number] as number[])[at] ?? 0);
    for (let at = sink; at !== source; at = parent[at] as number) {
      const from = parent[at] as number;
      (capacity[from] as number[])[at] = ((capacity[from] as number[])[at] ?? 0) - push;
      (capacity[at] as number[])[from] = ((capacity[at] as number[])[from] ?? 0) + push;
    }
    total += push;
  }
}

function hasReservations(reserved: ReadonlyMap<string, number>): boolean {
  for (const units of reserved.values()) if (units > 0) return true;
  return false;
}

function sumOf(locations: readonly string[], free: ReadonlyMap<string, number>): number {
  let total = 0;
  for (const location of locations) total += Math.max(0, free.get(location) ?? 0);
  return total;
}
