import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { MODEL_EXAMPLES, MODEL_SCHEMAS, type ModelEntity } from './index.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const ENTITIES = Object.keys(MODEL_SCHEMAS) as ModelEntity[];

// One Ajv for every entity, as mapping validation uses it: a clash of embedded $ids would throw here.
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv as unknown as Ajv);
const validators = new Map<ModelEntity, ValidateFunction>(ENTITIES.map((entity) => [entity, ajv.compile(MODEL_SCHEMAS[entity])]));

/** Errors as "instancePath keyword", so a test can say exactly why a record fails. */
function errorsOf(entity: ModelEntity, record: unknown): string[] {
  const validate = validators.get(entity);
  if (validate === undefined) throw new Error(`no validator for ${entity}`);
  if (validate(record)) return [];
  return (validate.errors ?? []).map((error: ErrorObject) => `${error.instancePath} ${error.keyword}`);
}

/** Calls `visit` on every object node of a schema with its JSON pointer. */
function walk(node: unknown, path: string, visit: (node: Record<string, unknown>, path: string) => void): void {
  if (typeof node !== 'object' || node === null) return;
  if (Array.isArray(node)) {
    node.forEach((item, index) => walk(item, `${path}/${index}`, visit));
    return;
  }
  const object = node as Record<string, unknown>;
  visit(object, path);
  for (const [key, value] of Object.entries(object)) walk(value, `${path}/${key}`, visit);
}

const { order, order_line: line, money } = MODEL_EXAMPLES;

describe('canonical model schemas', () => {
  it.each(ENTITIES)('%s compiles under Ajv2020 and under the draft-07 Ajv of the validate step', (entity) => {
    expect(validators.get(entity)).toBeTypeOf('function');
    const draft07 = new Ajv({ strict: false });
    addFormats(draft07);
    expect(() => draft07.compile(MODEL_SCHEMAS[entity])).not.toThrow();
  });

  it.each(ENTITIES)('%s has a $id named after the entity, a title, and no $id on embedded parts', (entity) => {
    const schema = MODEL_SCHEMAS[entity] as unknown as Record<string, unknown>;
    expect(schema['$id']).toBe(`https://keel.dev/schemas/model/${entity.replaceAll('_', '-')}.schema.json`);
    expect(schema['title']).toMatch(/\S/);
    const nestedIds: string[] = [];
    walk(schema, '', (node, path) => {
      if (path !== '' && '$id' in node) nestedIds.push(path);
    });
    expect(nestedIds).toEqual([]);
  });

  it.each(ENTITIES)('every property of %s has a description', (entity) => {
    const undescribed: string[] = [];
    let seen = 0;
    walk(MODEL_SCHEMAS[entity], '', (node, path) => {
      const properties = node['properties'];
      if (typeof properties !== 'object' || properties === null) return;
      for (const [name, property] of Object.entries(properties as Record<string, { description?: unknown }>)) {
        seen += 1;
        if (typeof property.description !== 'string' || property.description.trim() === '') undescribed.push(`${path}/properties/${name}`);
      }
    });
    expect(seen).toBeGreaterThanOrEqual(2);
    expect(undescribed).toEqual([]);
  });

  it.each(ENTITIES)('the %s example is valid', (entity) => {
    expect(errorsOf(entity, MODEL_EXAMPLES[entity])).toEqual([]);
  });
});

describe('contract rules', () => {
  it('refuses money as a binary float', () => {
    expect(errorsOf('money', { ...money, amount: 19.9 })).toEqual(['/amount type']);
    expect(errorsOf('order', { ...order, lines: [{ ...line, unit_price: { amount: 19.9, currency: 'USD' } }] })).toEqual([
      '/lines/0/unit_price/amount type',
    ]);
    expect(errorsOf('money', { ...money, amount: '19,90' })).toEqual(['/amount pattern']);
    expect(errorsOf('money', { ...money, currency: 'usd' })).toEqual(['/currency pattern']);
  });

  it('refuses a timestamp without offset and a date with a time', () => {
    const errors = errorsOf('order', { ...order, created_at: '2017-03-22T16:28:02' });
    expect(errors).toContain('/created_at format');
    expect(errors.every((error) => error.startsWith('/created_at '))).toBe(true);
    expect(errorsOf('order', { ...order, created_at: '2017-03-22T19:28:02Z' })).toEqual([]);
    expect(errorsOf('order', { ...order, created_at: '2009-05-13T06:20:00+01:00' })).toEqual([]);
    expect(errorsOf('document', { ...MODEL_EXAMPLES.document, issue_date: '2009-05-13T09:00:00+01:00' })).toEqual(['/issue_date format']);
  });

  it('refuses unknown fields but keeps anything under extensions', () => {
    expect(errorsOf('order', { ...order, gift_wrap: true })).toEqual([' additionalProperties']);
    expect(errorsOf('order', { ...order, lines: [{ ...line, engraving: 'x' }] })).toEqual(['/lines/0 additionalProperties']);
    const vendorData = { amazon: { IsPrime: true, BuyerInfo: { PurchaseOrderNumber: '1234567890123' }, Items: [1, null, 'x'] } };
    expect(errorsOf('order', { ...order, extensions: vendorData })).toEqual([]);
  });

  it('refuses negative and fractional quantities, and shipped lines of zero', () => {
    expect(errorsOf('order', { ...order, lines: [{ ...line, quantity: -1 }] })).toEqual(['/lines/0/quantity minimum']);
    expect(errorsOf('order', { ...order, lines: [{ ...line, quantity: 1.5 }] })).toEqual(['/lines/0/quantity type']);
    // Amazon reports fully cancelled lines with QuantityOrdered 0.
    expect(errorsOf('order', { ...order, lines: [{ ...line, quantity: 0, quantity_cancelled: 1 }] })).toEqual([]);
    const shipment = MODEL_EXAMPLES.shipment;
    expect(errorsOf('shipment', { ...shipment, lines: [{ sku: 'IPOD2008GREEN', quantity: 0 }] })).toEqual(['/lines/0/quantity minimum']);
  });

  it('reports an unknown status as one enum error, not one per allowed value', () => {
    expect(errorsOf('order', { ...order, status: 'open' })).toEqual(['/status enum']);
    expect(errorsOf('location', { ...MODEL_EXAMPLES.location, capabilities: ['ship', 'pick_up'] })).toEqual(['/capabilities/1 enum']);
  });

  it('requires an order to have lines, and SKUs to be trimmed', () => {
    expect(errorsOf('order', { ...order, lines: [] })).toEqual(['/lines minItems']);
    expect(errorsOf('order_line', { ...line, sku: 'Bar3 ' })).toEqual(['/sku pattern']);
    const { sku: _sku, ...withoutSku } = line;
    expect(errorsOf('order_line', withoutSku)).toEqual([' required']);
  });

  it('keys localized texts by BCP-47 locale', () => {
    const product = MODEL_EXAMPLES.product;
    expect(errorsOf('product', { ...product, title: { 'de-CH': 'Notizbuch', 'zh-Hant-TW': '筆記本' } })).toEqual([]);
    expect(errorsOf('product', { ...product, title: { deutsch: 'Notizbuch' } })).toContain('/title propertyNames');
    expect(errorsOf('product', { ...product, title: {} })).toEqual(['/title minProperties']);
  });

  it('needs on_hand or available on a stock level', () => {
    const { on_hand: _onHand, available: _available, ...neither } = MODEL_EXAMPLES.stock_level;
    expect(errorsOf('stock_level', neither)).toContain(' anyOf');
  });
});

describe('sparse vendor records still map', () => {
  it('an Amazon pending order: no totals, no buyer, address without name or street', () => {
    const amazonPending = {
      channel: 'amazon-us',
      external_id: '902-3159896-1390916',
      status: 'pending',
      currency: 'USD',
      shipping_address: { city: 'Canton', region: 'MI', postal_code: '48817', country_code: 'US' },
      lines: [{ line_id: '68828574383266', sku: 'CBA_OTF_1', quantity: 1 }],
      payments: [{ method: 'Other' }],
      created_at: '2017-01-20T19:49:35Z',
    };
    expect(errorsOf('order', amazonPending)).toEqual([]);
  });

  it('a Shopify inventory level: only available, possibly negative', () => {
    const shopifyLevel = { sku: 'IPOD2008PINK', location_id: '905684977', available: -2, updated_at: '2018-05-07T15:33:38-04:00', source: 'shopify' };
    expect(errorsOf('stock_level', shopifyLevel)).toEqual([]);
  });

  it('a BMEcat product without variant groups: one variant, tiered net prices, multi-valued features', () => {
    const bmecat = {
      product_id: '1000',
      title: { de: 'Apple MacBook Pro 13"' },
      description: { de: 'Das Kraftpaket unter den Notebooks.' },
      brand: 'Microsoft',
      variants: [
        {
          sku: '1000',
          gtin: '8712670911213',
          mpn: 'MPN',
          unit: 'BOX',
          attributes: { netzspannung_vlt: ['110', '220'] },
          prices: [
            { price: { amount: '1499.5', currency: 'EUR' }, includes_tax: false, min_quantity: 1, valid_from: '2001-01-01T00:00:00Z' },
            { price: { amount: '1300.9', currency: 'EUR' }, includes_tax: false, min_quantity: 100, valid_to: '2001-07-31T00:00:00Z' },
          ],
        },
      ],
    };
    expect(errorsOf('product', bmecat)).toEqual([]);
  });

  it('an openTRANS despatch advice: order referenced per line, no parcels', () => {
    const despatch = {
      shipment_id: 'PACK-04943',
      status: 'shipped',
      tracking_url: 'http://trace.your.package.com',
      lines: [{ sku: 'SG8', quantity: 4000, line_id: 'P697', order_external_id: 'ORD112' }],
      created_at: '2009-05-13T09:00:00+01:00',
    };
    expect(errorsOf('shipment', despatch)).toEqual([]);
  });
});
