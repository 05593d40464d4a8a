/**
 * The facts about one order that routing decides on, read once: open lines with their value,
 * weight and required capabilities, the delivery method, the customer's country, region, zone
 * and position.
 */
import Big from 'big.js';
import type { Coordinates } from '../model/address.js';
import type { Order } from '../model/order.js';
import type { RoutingContext, SkuInfo } from './routing-input.js';
import type { RateLookup } from './shipping-rates.js';

export interface RoutedLine {
  /** Index in order.lines. */
  index: number;
  line_id: string | undefined;
  sku: string;
  /** Units still to fulfil: ordered − cancelled − shipped. */
  quantity: number;
  /** Value in integer thousandths of the order currency. */
  value: number;
  weight_grams: number;
  info: SkuInfo | undefined;
}

export interface OrderFacts {
  order_key: string;
  channel: string;
  delivery: 'ship' | 'pickup';
  pickup_location_id: string | undefined;
  country: string | undefined;
  region: string | undefined;
  postal_code: string | undefined;
  zone: string | undefined;
  /** Where goods go: the customer, or the pickup store for click-and-collect. */
  position: Coordinates | undefined;
  position_source: 'order' | 'postal_centroid' | 'pickup_store' | undefined;
  customer_group: string | undefined;
  lines: RoutedLine[];
  /** Sum of line values, thousandths. */
  value: number;
}

/** Up to twelve integer digits and three decimals: thousandths fit a double exactly, no rounding needed. */
const PLAIN_AMOUNT = /^(-?)(\d{1,12})(?:\.(\d{1,3}))?$/;

/** Decimal string → integer thousandths, exactly, so value conditions never meet float noise. */
export function thousandths(amount: string): number {
  // Prices are nearly always plain amounts (routing reads one per line); big.js takes the rest.
  const plain = PLAIN_AMOUNT.exec(amount);
  if (plain !== null) {
    const value = Number(plain[2]) * 1000 + Number((plain[3] ?? '').padEnd(3, '0'));
    return plain[1] === '-' ? -value : value;
  }
  return new Big(amount).times(1000).round(0, Big.roundHalfEven).toNumber();
}

function lineValue(line: Order['lines'][number], open: number): number {
  if (line.quantity === 0) return 0;
  if (line.total !== undefined) return Math.round((thousandths(line.total.amount) * open) / line.quantity);
  if (line.unit_price !== undefined) return thousandths(line.unit_price.amount) * open;
  return 0;
}

export function orderFacts(order: Order, context: RoutingContext, rates: RateLookup): OrderFacts {
  const lines: RoutedLine[] = [];
  for (const [index, line] of order.lines.entries()) {
    const quantity = line.quantity - (line.quantity_cancelled ?? 0) - (line.quantity_shipped ?? 0);
    if (quantity <= 0) continue;
    const info = context.sku(line.sku);
    lines.push({ index, line_id: line.line_id, sku: line.sku, quantity, value: lineValue(line, quantity), weight_grams: (info?.weight_grams ?? 0) * quantity, info });
  }
  const address = order.shipping_address;
  const pickup = order.pickup_location_id;
  let position: Coordinates | undefined;
  let source: OrderFacts['position_source'];
  if (pickup !== undefined) {
    position = context.locations.find((location) => location.location_id === pickup)?.coordinates;
    source = position !== undefined ? 'pickup_store' : undefined;
  } else if (address?.coordinates !== undefined) {
    position = address.coordinates;
    source = 'order';
  } else if (address?.postal_code !== undefined && context.postalCentroid !== undefined) {
    position = context.postalCentroid(address.country_code, address.postal_code);
    source = position !== undefined ? 'postal_centroid' : undefined;
  }
  const group = context.customerGroup !== undefined ? context.customerGroup(order) : order.extensions?.['customer_group'];
  return {
    order_key: `${order.channel}:${order.external_id}`,
    channel: order.channel,
    delivery: pickup !== undefined ? 'pickup' : 'ship',
    pickup_location_id: pickup,
    country: address?.country_code,
    region: address?.region,
    postal_code: address?.postal_code,
    zone: address !== undefined ? rates.zoneOf(address.country_code) : undefined,
    position,
    position_source: source,
    customer_group: typeof group === 'string' ? group : undefined,
    lines,
    value: lines.reduce((sum, line) => sum + line.value, 0),
  };
}
