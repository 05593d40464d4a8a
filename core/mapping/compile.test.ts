import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../json.js';
import { RecordRejection } from '../sdk/step.js';
import { compileMappingDocument, type CompiledMapping } from './load-mapping.js';

function mapping(output: Record<string, unknown>): CompiledMapping {
  return compileMappingDocument({ name: 'test', output }, '/virtual/test.json', 'test.json');
}

async function apply(output: Record<string, unknown>, record: JsonObject): Promise<unknown> {
  return mapping(output).apply(record);
}

const ORDER: JsonObject = {
  id: 450789469,
  name: '#1001',
  currency: 'eur',
  created_at: '2008-01-10T11:00:00-05:00',
  note: '  gift  ',
  tags: 'vip, wholesale',
  financial_status: 'partially_paid',
  customer: { first_name: 'Bob', last_name: 'Norman' },
  line_items: [
    { sku: 'IPOD2008GREEN', quantity: 1, price: '199.00', gift_card: false },
    { sku: '', variant_id: 457924702, quantity: 2, price: '0.10', gift_card: false },
    { sku: 'CARD', quantity: 1, price: '25.00', gift_card: true },
  ],
};

describe('mapping compiler', () => {
  it('maps paths, constants, objects, arrays with filters, sums, counts and money', async () => {
    const result = await apply(
      {
        channel: { const: 'shopify' },
        external_id: { path: 'id', as: 'string' },
        number: 'name',
        created_at: { path: 'created_at', as: 'datetime' },
        customer: { object: { name: { concat: [{ path: 'customer.first_name' }, { const: ' ' }, { path: 'customer.last_name' }] } } },
        note: { path: 'note', trim: true, case: 'upper' },
        tags: { path: 'tags', split: ', ' },
        status: { path: 'financial_status', lookup: { table: { paid: 'paid', partially_paid: 'partial' }, default: 'unknown' } },
        lines: {
          each: 'line_items',
          where: { path: 'gift_card', equals: false },
          map: {
            object: {
              sku: { first: [{ path: 'sku' }, { path: 'variant_id', as: 'string', pad: { length: 12, char: '0' } }] },
              quantity: { path: 'quantity', as: 'integer' },
              unit_price: { money: { amount: 'price', currency: { root: 'currency' } } },
              line_total: { product: ['price', 'quantity'] },
            },
          },
        },
        item_count: { count: 'line_items' },
        skus: { path: 'line_items[*].sku', join: '|' },
        subtotal: { sum: 'line_items[*].price' },
        weighted: { sum: 'line_items', map: { product: ['price', 'quantity'] } },
        missing: { path: 'nope.nothing' },
      },
      ORDER,
    );
    expect(result).toEqual({
      channel: 'shopify',
      external_id: '450789469',
      number: '#1001',
      created_at: '2008-01-10T16:00:00Z',
      customer: { name: 'Bob Norman' },
      note: 'GIFT',
      tags: ['vip', 'wholesale'],
      status: 'partial',
      lines: [
        { sku: 'IPOD2008GREEN', quantity: 1, unit_price: { amount: '199.00', currency: 'EUR' }, line_total: '199.00' },
        { sku: '000457924702', quantity: 2, unit_price: { amount: '0.10', currency: 'EUR' }, line_total: '0.20' },
      ],
      item_count: 3,
      skus: 'IPOD2008GREEN||CARD',
      subtotal: '224.10',
      weighted: '224.20',
    });
  });

  it('rejects a record with the rule pointer and the path in the source', async () => {
    const bad = { ...ORDER, line_items: [{ sku: 'A', quantity: '2' }, { sku: 'B', quantity: 'two' }] };
    const result = await apply({ lines: { each: 'line_items', map: { object: { quantity: { path: 'quantity', as: 'integer' } } } } }, bad);
    expect(result).toBeInstanceOf(RecordRejection);
    expect((result as RecordRejection).reason).toBe('mapping test /output/lines/map/object/quantity: line_items[1].quantity: "two" is not a valid integer');
  });

  it('reads local times in a named zone and formats', async () => {
    const result = await apply(
      {
        ordered: { path: 'ordered', as: 'datetime', format: 'dd.MM.yyyy HH:mm', timezone: 'Europe/Berlin' },
        day: { path: 'day', as: 'date', format: 'dd.MM.yyyy' },
        cents: { money: { amount: 'cents', currency: { const: 'EUR' }, minor_units: true } },
        yen: { money: { amount: 'yen', currency: { const: 'JPY' }, minor_units: true } },
        naive: { path: 'naive', as: 'datetime' },
      },
      { ordered: '14.05.2024 10:30', day: '01.02.2024', cents: '1999', yen: 500 },
    );
    expect(result).toEqual({ ordered: '2024-05-14T08:30:00Z', day: '2024-02-01', cents: { amount: '19.99', currency: 'EUR' }, yen: { amount: '500', currency: 'JPY' } });
    const naive = await apply({ naive: { path: 'naive', as: 'datetime' } }, { naive: '2024-05-14T10:30:00' });
    expect((naive as RecordRejection).reason).toBe(
      'mapping test /output/naive: naive: "2024-05-14T10:30:00" is not a valid datetime (an ISO 8601 time with offset; for local times set timezone)',
    );
  });

  it('evaluates conditions and JSONata expressions', async () => {
    const result = await apply(
      {
        kind: { if: { any: [{ path: 'total', gt: 100 }, { path: 'vip', equals: true }] }, then: { const: 'priority' }, else: { const: 'normal' } },
        code: { expr: '$uppercase($substring(name, 0, 3))' },
      },
      { total: '150.5', vip: false, name: 'berlin' },
    );
    expect(result).toEqual({ kind: 'priority', code: 'BER' });
  });

  it('never reads or writes through the prototype', async () => {
    expect(() => mapping({ x: { path: 'a.__proto__.b' } })).toThrow('test.json#/output/x/path: path "a.__proto__.b": "__proto__" cannot be read: it names the prototype, not data');
    expect(() => mapping(JSON.parse('{"__proto__": {"const": 1}}') as Record<string, unknown>)).toThrow(
      'test.json#/output/__proto__: "__proto__" cannot be an output field: it names the prototype',
    );
    const hostile = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as JsonObject;
    const result = (await apply({ copy: { path: 'a' }, all: { path: 'missing', default: { const: { x: 1 } } } }, hostile)) as JsonObject;
    expect(result).toEqual({ copy: 1, all: { x: 1 } });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('names the file and pointer of a faulty rule at compile time', () => {
    expect(() => mapping({ lines: { each: 'line_items', map: { object: { sku: { pth: 'sku' } } } } })).toThrow(
      'test.json#/output/lines/map/object/sku: unknown key "pth"',
    );
    expect(() => mapping({ a: { path: 'x', const: 1 } })).toThrow('test.json#/output/a: only one of path, const may be used in one rule');
    expect(() => mapping({ a: { each: 'x' } })).toThrow('test.json#/output/a/map: "each" needs "map": the rule applied to each item');
    expect(() => mapping({ a: { expr: '$sum(' } })).toThrow(/^test\.json#\/output\/a\/expr: JSONata: /);
  });
});

describe('for_each', () => {
  it('makes one output record per item, reading the record through root', async () => {
    const compiled = compileMappingDocument(
      {
        name: 'pick-rows',
        for_each: 'line_items',
        where: { path: 'gift_card', equals: false },
        output: { order: { root: 'name' }, sku: 'sku', quantity: { path: 'quantity', as: 'integer' }, row: { const: 'pick' } },
      },
      '/virtual/pick.json',
    );
    expect(await compiled.apply(ORDER)).toEqual([
      { order: '#1001', sku: 'IPOD2008GREEN', quantity: 1, row: 'pick' },
      { order: '#1001', quantity: 2, row: 'pick' },
    ]);
  });
});

describe('dates and numbers a source gets wrong', () => {
  const reason = (result: unknown): string => (result instanceof RecordRejection ? result.reason : `not rejected: ${JSON.stringify(result)}`);

  it('reads numbers as instants only with their unit said: epoch_s or epoch_ms', async () => {
    const result = await apply(
      {
        seconds: { path: 's', as: 'datetime', format: 'epoch_s' },
        millis: { path: 'ms', as: 'datetime', format: 'epoch_ms' },
        text_seconds: { path: 'text', as: 'datetime', format: 'epoch_s' },
        day: { path: 's', as: 'date', format: 'epoch_s' },
      },
      { s: 1715680278, ms: 1715680278123, text: '1715680278' },
    );
    expect(result).toEqual({ seconds: '2024-05-14T09:51:18Z', millis: '2024-05-14T09:51:18.123Z', text_seconds: '2024-05-14T09:51:18Z', day: '2024-05-14' });
    // Read as milliseconds, 1715680278 would be 1970-01-20: a number without its unit is refused instead.
    expect(reason(await apply({ at: { path: 's', as: 'datetime' } }, { s: 1715680278 }))).toBe(
      'mapping test /output/at: s: 1715680278 is not a valid datetime (a number: say which epoch it counts from with format: epoch_s or epoch_ms)',
    );
  });

  it('refuses commerce dates outside 2000-01-01 to ten years ahead, naming the source path', async () => {
    const window = { name: 'test', target: 'order', output: { created_at: { path: 'order.date', as: 'datetime' }, updated_at: { path: 'order.day', as: 'date' } } };
    const compiled = compileMappingDocument(window, '/virtual/test.json', 'test.json');
    const tenYears = new Date();
    tenYears.setUTCFullYear(tenYears.getUTCFullYear() + 10);
    const limit = tenYears.toISOString().slice(0, 10);
    expect(reason(await compiled.apply({ order: { date: '1970-01-20T04:34:40Z' } }))).toBe(
      `mapping test /output/created_at: order.date: "1970-01-20T04:34:40Z" is outside the plausible dates 2000-01-01 to ${limit}; fix the source, or widen date_window in the mapping`,
    );
    expect(reason(await compiled.apply({ order: { day: '2090-01-01' } }))).toMatch(/^mapping test \/output\/updated_at: order\.day: "2090-01-01" is outside the plausible dates/);
    expect(await compiled.apply({ order: { date: '2024-05-14T09:51:18+02:00', day: '2000-01-01' } })).toEqual({ created_at: '2024-05-14T07:51:18Z', updated_at: '2000-01-01' });
  });

  it('takes the window from the mapping or the rule, and none where it says false', async () => {
    const compiled = compileMappingDocument(
      {
        name: 'test',
        date_window: { from: '1990-01-01', years_ahead: 100 },
        output: { old: { path: 'old', as: 'date' }, forever: { path: 'forever', as: 'datetime', date_window: false }, birth: { path: 'birth', as: 'date', date_window: { from: '1900-01-01' } } },
      },
      '/virtual/test.json',
      'test.json',
    );
    expect(await compiled.apply({ old: '1995-03-01', forever: '9999-12-31T00:00:00Z', birth: '1950-06-01' })).toEqual({ old: '1995-03-01', forever: '9999-12-31T00:00:00Z', birth: '1950-06-01' });
    expect(reason(await compiled.apply({ birth: '1899-12-31' }))).toMatch(/^mapping test \/output\/birth: birth: "1899-12-31" is outside the plausible dates 1900-01-01 to /);
    // A mapping with no canonical target (out of the model) writes what it is given: no window unless it asks for one.
    expect(await apply({ until: { path: 'until', as: 'datetime' } }, { until: '2099-12-31T23:00:00Z' })).toEqual({ until: '2099-12-31T23:00:00Z' });
  });

  it('refuses an integer a double cannot hold where a number is wanted, and keeps it exact as text', async () => {
    const rules = { id: { path: 'id', as: 'string' }, count: { path: 'id', as: 'integer' }, amount: { path: 'id', as: 'number' }, exact: { path: 'id', as: 'decimal' } };
    expect(await apply({ id: rules.id, exact: rules.exact }, { id: '9007199254740993' })).toEqual({ id: '9007199254740993', exact: '9007199254740993' });
    expect(reason(await apply({ count: rules.count }, { id: '9007199254740993' }))).toBe('mapping test /output/count: id: "9007199254740993" is not a valid integer');
    expect(reason(await apply({ amount: rules.amount }, { id: '9007199254740993' }))).toBe('mapping test /output/amount: id: "9007199254740993" is not a valid number');
    expect(reason(await apply({ amount: rules.amount }, { id: 2 ** 60 }))).toBe(`mapping test /output/amount: id: ${2 ** 60} is not a valid number`);
    expect(await apply({ amount: rules.amount }, { id: '19.99' })).toEqual({ amount: 19.99 });
  });
});

describe('a mapping into the canonical model', () => {
  it('names an output field the entity does not have, and the nearest one it has, at compile time', () => {
    const compile = (output: Record<string, unknown>): unknown => compileMappingDocument({ name: 'test', target: 'order', output }, '/virtual/test.json', 'test.json');
    expect(() => compile({ paymnet_status: { const: 'paid' } })).toThrow('test.json#/output/paymnet_status: the canonical order has no field "paymnet_status"; did you mean "payment_status"?');
    expect(() => compile({ shipping_address: { object: { zip: 'zip' } } })).toThrow(
      'test.json#/output/shipping_address/object/zip: the canonical order\'s shipping_address has no field "zip"; its fields:',
    );
    expect(() => compile({ lines: { each: 'items', map: { object: { skuu: 'sku' } } } })).toThrow(
      'test.json#/output/lines/map/object/skuu: the canonical order\'s lines item has no field "skuu"; did you mean "sku"?',
    );
    // Free-form extensions take any field.
    expect(() => compile({ extensions: { object: { anything: { const: 1 } } } })).not.toThrow();
  });
});
