import type { ReservationKind } from './inventory-store.js';

/** Active reservations without a location, summed per channel and kind. */
export interface ReservationTotal {
  channel: string;
  kind: ReservationKind;
  total: number;
}

/** What open orders claim of a SKU, split by what serves them. */
export interface ClaimsOnStock {
  /** Units to be served from stock on hand, charged per channel against the locations it counts. */
  reserved: number;
  reservedByChannel?: Map<string, number>;
  /** Units sold on backorder, per channel: what each channel's allowance no longer offers. */
  backordered?: Map<string, number>;
  /** Units on pre-order that the incoming stock still covers. */
  preordered?: number;
}

/**
 * Which reservations come off the stock on hand. A reservation in stock always does. A backorder
 * was sold with nothing to serve it: it comes off too, so the first units to arrive serve the
 * customers who waited, not the next ones (while nothing is there it leaves nothing to charge).
 * A pre-order waits for the incoming stock it was sold against; once the incoming list no longer
 * covers it (the goods arrived and the purchase order was closed), it comes off the stock on hand
 * like any other reservation. The incoming units cover pre-orders channel by channel in name order;
 * that only decides which channel's locations the rest is charged against.
 */
export function claimsOnStock(rows: readonly ReservationTotal[], incomingUnits: number): ClaimsOnStock {
  const claims: ClaimsOnStock = { reserved: 0 };
  if (rows.length === 0) return claims;
  const byChannel = new Map<string, number>();
  const backordered = new Map<string, number>();
  const preorders = new Map<string, number>();
  const charge = (channel: string, units: number): void => {
    if (units <= 0) return;
    claims.reserved += units;
    byChannel.set(channel, (byChannel.get(channel) ?? 0) + units);
  };
  for (const row of rows) {
    if (row.kind === 'preorder') preorders.set(row.channel, (preorders.get(row.channel) ?? 0) + row.total);
    else {
      if (row.kind === 'backorder') backordered.set(row.channel, (backordered.get(row.channel) ?? 0) + row.total);
      charge(row.channel, row.total);
    }
  }
  let cover = Math.max(0, incomingUnits);
  let preordered = 0;
  for (const channel of [...preorders.keys()].sort()) {
    const units = preorders.get(channel) as number;
    const covered = Math.min(units, cover);
    cover -= covered;
    preordered += covered;
    charge(channel, units - covered);
  }
  if (byChannel.size > 0) claims.reservedByChannel = byChannel;
  if (backordered.size > 0) claims.backordered = backordered;
  if (preordered > 0) claims.preordered = preordered;
  return claims;
}

/** All units still due in an incoming list. */
export function incomingUnits(incoming: readonly { quantity: number }[] | undefined): number {
  let units = 0;
  for (const item of incoming ?? []) units += Math.max(0, item.quantity);
  return units;
}
