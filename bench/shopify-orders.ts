/**
 * Deterministic Shopify Admin REST orders, shaped like the public sample (mappings/shopify/samples/order.json):
 * varied currencies, 1–5 lines, optional customer, addresses, discounts, cancelled and fulfilled
 * ones, so every branch of the mapping is exercised.
 */
const CURRENCIES = ['EUR', 'USD', 'GBP', 'CHF'];
const FINANCIAL = ['paid', 'authorized', 'pending', 'partially_refunded', 'refunded'];
const FULFILMENT = [null, 'fulfilled', 'partial', null];
const CITIES = [
  ['Berlin', '10439', 'DE', 'BE'],
  ['Louisville', '40202', 'US', 'KY'],
  ['Leeds', 'LS1 4AP', 'GB', 'ENG'],
  ['Zürich', '8001', 'CH', 'ZH'],
];

export type ShopifyOrder = Record<string, unknown>;

export function shopifyOrder(seed: number): ShopifyOrder {
  const currency = CURRENCIES[seed % CURRENCIES.length] as string;
  const city = CITIES[seed % CITIES.length] as string[];
  const lines = 1 + (seed % 5);
  const day = 1 + (seed % 28);
  const address = {
    first_name: 'Bob',
    last_name: `Norman ${seed % 97}`,
    company: seed % 7 === 0 ? 'Acme GmbH' : null,
    address1: `Chestnut Street ${seed % 200}`,
    address2: seed % 3 === 0 ? 'Floor 2' : '',
    city: city[0],
    zip: city[1],
    country_code: city[2],
    province_code: city[3],
    phone: '555-625-1199',
    latitude: seed % 2 === 0 ? '45.41634' : null,
    longitude: seed % 2 === 0 ? '-75.6868' : null,
  };
  return {
    id: 450789469 + seed,
    name: `#${1001 + seed}`,
    email: `buyer${seed}@example.com`,
    currency: seed % 11 === 0 ? currency.toLowerCase() : currency,
    created_at: `2024-05-${String(day).padStart(2, '0')}T1${seed % 10}:00:00-05:00`,
    updated_at: `2024-05-${String(day).padStart(2, '0')}T1${seed % 10}:30:00+02:00`,
    cancelled_at: seed % 13 === 0 ? `2024-05-${String(day).padStart(2, '0')}T20:00:00Z` : null,
    financial_status: FINANCIAL[seed % FINANCIAL.length],
    fulfillment_status: FULFILMENT[seed % FULFILMENT.length],
    taxes_included: seed % 2 === 0,
    note: seed % 5 === 0 ? '  leave at the door ' : null,
    tags: seed % 4 === 0 ? 'vip' : '',
    source_name: 'web',
    gateway: 'bogus',
    subtotal_price: `${(lines * 19.9).toFixed(2)}`,
    total_discounts: seed % 6 === 0 ? '10.00' : '0.00',
    total_tax: `${(lines * 1.2).toFixed(2)}`,
    total_price: `${(lines * 21.1).toFixed(2)}`,
    customer:
      seed % 9 === 0
        ? null
        : { id: 207119551 + seed, email: `buyer${seed}@example.com`, first_name: 'Bob', last_name: `Norman ${seed % 97}`, phone: null },
    billing_address: address,
    shipping_address: seed % 17 === 0 ? null : address,
    line_items: Array.from({ length: lines }, (_, index) => ({
      id: 466157049 + seed * 10 + index,
      sku: (seed + index) % 19 === 0 ? '' : `SKU-${(seed * 7 + index) % 5000}`,
      variant_id: 39072856 + index,
      name: `Product ${index}`,
      quantity: 1 + ((seed + index) % 4),
      price: `${(9.9 + ((seed + index) % 30)).toFixed(2)}`,
    })),
    discount_codes: seed % 6 === 0 ? [{ code: 'TENOFF', amount: '10.00' }] : [],
    shipping_lines: [{ code: 'Standard', title: 'Standard Shipping', price: seed % 2 === 0 ? '0.00' : '4.90' }],
    tax_lines: [{ title: 'VAT', rate: 0.19, price: `${(lines * 1.2).toFixed(2)}` }],
  };
}
