import Big from 'big.js';
import type { JsonObject } from '../core/json.js';

/**
 * The ceiling and the comparison of the `mapping` scenario: what mappings/shopify/order.to-canonical.json
 * does, written by hand in plain JavaScript, and as a JSONata expression. The scenario checks
 * that all three give the same output before it times them.
 */
type Input = Record<string, unknown>;

const missing = (value: unknown): boolean => value === undefined || value === null || value === '';
const STATUS: Record<string, string> = { fulfilled: 'shipped', partial: 'partially_shipped', restocked: 'returned' };
const PAYMENT: Record<string, string> = {
  pending: 'pending',
  authorized: 'authorized',
  partially_paid: 'partially_paid',
  paid: 'paid',
  partially_refunded: 'partially_refunded',
  refunded: 'refunded',
  voided: 'voided',
};

function utc(value: unknown): string | undefined {
  if (missing(value)) return undefined;
  const time = Date.parse(String(value));
  if (Number.isNaN(time)) throw new Error(`bad time ${String(value)}`);
  return new Date(time).toISOString().replace('.000Z', 'Z');
}

function money(amount: unknown, currency: string): JsonObject | undefined {
  return missing(amount) ? undefined : { amount: String(amount), currency };
}

function times(price: string, quantity: number): string {
  const scale = price.includes('.') ? price.length - price.indexOf('.') - 1 : 0;
  return new Big(price).times(quantity).toFixed(scale);
}

/** Sets a field unless the value is missing (undefined, null or ""), as the mapping engine does. */
function put(target: JsonObject, key: string, value: unknown): void {
  if (!missing(value)) target[key] = value as JsonObject;
}

function nonEmpty(object: JsonObject): JsonObject | undefined {
  for (const _ in object) return object;
  return undefined;
}

function address(source: Input | null | undefined, withCoordinates: boolean): JsonObject | undefined {
  if (source === null || source === undefined) return undefined;
  const out: JsonObject = {};
  put(out, 'first_name', source['first_name']);
  put(out, 'last_name', source['last_name']);
  put(out, 'company', source['company']);
  put(out, 'line1', source['address1']);
  const line2 = source['address2'];
  put(out, 'line2', missing(line2) ? undefined : String(line2).trim());
  put(out, 'postal_code', source['zip']);
  put(out, 'city', source['city']);
  put(out, 'region', source['province_code']);
  const country = source['country_code'];
  put(out, 'country_code', typeof country === 'string' ? country.toUpperCase() : country);
  put(out, 'phone', source['phone']);
  if (withCoordinates && !missing(source['latitude'])) out['coordinates'] = { lat: Number(source['latitude']), lon: Number(source['longitude']) };
  return nonEmpty(out);
}

export function handwrittenShopifyOrder(order: Input): JsonObject {
  const currency = String(order['currency']).toUpperCase();
  const out: JsonObject = { channel: 'shopify', external_id: String(order['id']) };
  put(out, 'order_number', order['name']);
  const fulfilment = order['fulfillment_status'];
  out['status'] = !missing(order['cancelled_at']) ? 'cancelled' : (STATUS[missing(fulfilment) ? 'received' : String(fulfilment)] ?? 'received');
  const financial = order['financial_status'];
  if (!missing(financial)) out['payment_status'] = PAYMENT[String(financial)] ?? 'pending';
  out['currency'] = currency;
  if (!missing(order['taxes_included'])) out['prices_include_tax'] = order['taxes_included'] === true;
  const customer = order['customer'] as Input | null;
  const buyer: JsonObject = {};
  put(buyer, 'external_id', customer?.['id'] === undefined || customer['id'] === null ? undefined : String(customer['id']));
  put(buyer, 'email', missing(order['email']) ? customer?.['email'] : order['email']);
  put(buyer, 'first_name', customer?.['first_name']);
  put(buyer, 'last_name', customer?.['last_name']);
  put(buyer, 'phone', customer?.['phone']);
  put(out, 'customer', nonEmpty(buyer));
  put(out, 'billing_address', address(order['billing_address'] as Input | null, false));
  put(out, 'shipping_address', address(order['shipping_address'] as Input | null, true));
  out['lines'] = (order['line_items'] as Input[]).map((line) => {
    const sku = typeof line['sku'] === 'string' ? line['sku'].trim() : line['sku'];
    const price = String(line['price']);
    const quantity = Number(line['quantity']);
    return {
      line_id: String(line['id']),
      sku: missing(sku) ? `shopify-variant-${String(line['variant_id'])}` : (sku as string),
      title: line['name'] as string,
      quantity,
      unit_price: { amount: price, currency },
      total: { amount: times(price, quantity), currency },
    };
  });
  out['discounts'] = (order['discount_codes'] as Input[]).map((discount) => ({ code: discount['code'] as string, amount: { amount: String(discount['amount']), currency } }));
  out['shipping_charges'] = (order['shipping_lines'] as Input[]).map((charge) => ({
    method: charge['code'] as string,
    title: charge['title'] as string,
    amount: { amount: String(charge['price']), currency },
  }));
  out['taxes'] = (order['tax_lines'] as Input[]).map((tax) => ({
    title: tax['title'] as string,
    rate: new Big(tax['rate'] as number).toFixed(),
    amount: { amount: String(tax['price']), currency },
  }));
  const totals: JsonObject = {};
  put(totals, 'subtotal', money(order['subtotal_price'], currency));
  put(totals, 'discount', money(order['total_discounts'], currency));
  put(totals, 'tax', money(order['total_tax'], currency));
  put(totals, 'total', money(order['total_price'], currency));
  put(out, 'totals', nonEmpty(totals));
  put(out, 'note', typeof order['note'] === 'string' ? order['note'].trim() : order['note']);
  out['created_at'] = utc(order['created_at']) as string;
  put(out, 'updated_at', utc(order['updated_at']));
  put(out, 'cancelled_at', utc(order['cancelled_at']));
  const extensions: JsonObject = {};
  put(extensions, 'source_name', order['source_name']);
  put(extensions, 'tags', order['tags']);
  put(extensions, 'gateway', order['gateway']);
  put(out, 'extensions', nonEmpty({ shopify: nonEmpty(extensions) } as JsonObject));
  return out;
}

/** The same mapping in JSONata. Nulls are turned into "no value" ($v) so they leave fields out. */
export const JSONATA_SHOPIFY_ORDER = `(
  $v := function($x) { ($x = null or $x = '') ? $undefined : $x };
  $cur := $uppercase(currency);
  $utc := function($t) { $v($t) ? $fromMillis($toMillis($t), '[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01]Z') };
  $money := function($a) { $v($a) ? { 'amount': $string($a), 'currency': $cur } };
  $scale := function($p) { $contains($p, '.') ? $length($substringAfter($p, '.')) : 0 };
  $times := function($p, $q) { $formatNumber($number($p) * $q, $scale($p) > 0 ? '0.' & $pad('', $scale($p), '0') : '0') };
  $empty := function($o) { $count($keys($o)) = 0 ? $undefined : $o };
  $address := function($a, $geo) { $a ? $empty({
    'first_name': $v($a.first_name), 'last_name': $v($a.last_name), 'company': $v($a.company),
    'line1': $v($a.address1), 'line2': $v($a.address2) ? $trim($a.address2), 'postal_code': $v($a.zip),
    'city': $v($a.city), 'region': $v($a.province_code), 'country_code': $v($a.country_code) ? $uppercase($a.country_code),
    'phone': $v($a.phone),
    'coordinates': ($geo and $v($a.latitude)) ? { 'lat': $number($a.latitude), 'lon': $number($a.longitude) }
  }) };
  $status := { 'fulfilled': 'shipped', 'partial': 'partially_shipped', 'restocked': 'returned' };
  $payment := { 'pending': 'pending', 'authorized': 'authorized', 'partially_paid': 'partially_paid', 'paid': 'paid',
    'partially_refunded': 'partially_refunded', 'refunded': 'refunded', 'voided': 'voided' };
  {
    'channel': 'shopify',
    'external_id': $string(id),
    'order_number': $v(name),
    'status': $v(cancelled_at) ? 'cancelled' : ($v(fulfillment_status) ? ($lookup($status, fulfillment_status) ? $lookup($status, fulfillment_status) : 'received') : 'received'),
    'payment_status': $v(financial_status) ? ($lookup($payment, financial_status) ? $lookup($payment, financial_status) : 'pending'),
    'currency': $cur,
    'prices_include_tax': $v(taxes_included) != null ? taxes_included = true,
    'customer': $empty({
      'external_id': $v(customer.id) ? $string(customer.id),
      'email': $v(email) ? email : $v(customer.email),
      'first_name': $v(customer.first_name), 'last_name': $v(customer.last_name), 'phone': $v(customer.phone)
    }),
    'billing_address': $address(billing_address, false),
    'shipping_address': $address(shipping_address, true),
    'lines': [line_items.{
      'line_id': $string(id),
      'sku': $v($trim(sku)) ? $trim(sku) : 'shopify-variant-' & $string(variant_id),
      'title': name,
      'quantity': quantity,
      'unit_price': { 'amount': price, 'currency': $cur },
      'total': { 'amount': $times(price, quantity), 'currency': $cur }
    }],
    'discounts': [discount_codes.{ 'code': code, 'amount': { 'amount': amount, 'currency': $cur } }],
    'shipping_charges': [shipping_lines.{ 'method': code, 'title': title, 'amount': { 'amount': price, 'currency': $cur } }],
    'taxes': [tax_lines.{ 'title': title, 'rate': $string(rate), 'amount': { 'amount': price, 'currency': $cur } }],
    'totals': $empty({ 'subtotal': $money(subtotal_price), 'discount': $money(total_discounts), 'tax': $money(total_tax), 'total': $money(total_price) }),
    'note': $v(note) ? $v($trim(note)),
    'created_at': $utc(created_at),
    'updated_at': $utc(updated_at),
    'cancelled_at': $utc(cancelled_at),
    'extensions': { 'shopify': $empty({ 'source_name': $v(source_name), 'tags': $v(tags), 'gateway': $v(gateway) }) }
  }
)`;
