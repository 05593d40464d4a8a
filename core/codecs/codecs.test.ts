import { afterEach, describe, expect, it } from 'vitest';
import { CODECS } from './index.js';
import { decodeBytes, decodeText } from '../../test-support/codec-input.js';

afterEach(() => {
  // No test may leave the global prototype polluted.
  expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
});

describe('csv', () => {
  it('decodes with line numbers and dead-letters a broken row without stopping', async () => {
    const { records, rejects } = await decodeText(CODECS.csv.createDecoder({}), 'sku,qty\nA,1\nB,2,extra\n\nC,3\n', 3);
    expect(records.map((record) => [record.data, record.at])).toEqual([
      [{ sku: 'A', qty: '1' }, 2],
      [{ sku: 'C', qty: '3' }, 5],
    ]);
    expect(rejects).toEqual([
      { raw: 'B,2,extra', origin: 'input:3', at: 3, reason: expect.stringMatching(/^CSV: Invalid Record Length/) as unknown as string },
    ]);
  });

  it('honours delimiter, encoding and a missing header', async () => {
    const decoder = CODECS.csv.createDecoder({ delimiter: ';', encoding: 'latin1', columns: ['name', 'qty'] });
    const { records } = await decodeBytes(decoder, Buffer.from('Müller;5\n', 'latin1'));
    expect(records[0]?.data).toEqual({ name: 'Müller', qty: '5' });
  });

  it('reads every value right where rows repeat values, few or many distinct, past the interning limit', async () => {
    // sku: runs of three rows; location: 4 distinct; id: 3,000 distinct (interning stops), status repeats.
    const rows = Array.from({ length: 3000 }, (_, n) => ({ sku: `S${Math.floor(n / 3)}`, location: `L${n % 4}`, id: String(n), status: n % 2 === 0 ? 'ok' : '' }));
    const text = `sku,location,id,status\n${rows.map((row) => `${row.sku},${row.location},${row.id},${row.status}`).join('\n')}\n`;
    const { records, rejects } = await decodeText(CODECS.csv.createDecoder({}), text, 1000);
    expect(rejects).toEqual([]);
    expect(records.map((record) => record.data)).toEqual(rows);
  });

  it('keeps a __proto__ header as plain data', async () => {
    const { records } = await decodeText(CODECS.csv.createDecoder({}), '__proto__,constructor,sku\npolluted,x,A\n');
    const record = records[0]?.data ?? {};
    expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
    expect(Object.keys(record)).toEqual(['__proto__', 'constructor', 'sku']);
    expect(JSON.stringify(record)).toBe('{"__proto__":"polluted","constructor":"x","sku":"A"}');
  });

  it('groups consecutive rows by a column into one record', async () => {
    const text = 'shipment,sku,qty\nS1,A,1\nS1,B,2\nS2,A,5\nS3,C,1\nS3,D,1\n';
    const { records } = await decodeText(CODECS.csv.createDecoder({ group_by: 'shipment' }), text, 4);
    expect(records.map((record) => [record.data, record.at])).toEqual([
      [{ shipment: 'S1', rows: [{ shipment: 'S1', sku: 'A', qty: '1' }, { shipment: 'S1', sku: 'B', qty: '2' }] }, 2],
      [{ shipment: 'S2', rows: [{ shipment: 'S2', sku: 'A', qty: '5' }] }, 4],
      [{ shipment: 'S3', rows: [{ shipment: 'S3', sku: 'C', qty: '1' }, { shipment: 'S3', sku: 'D', qty: '1' }] }, 5],
    ]);
  });

  it('neutralises spreadsheet formulas in text cells when writing, and leaves plain numbers as they are', () => {
    const out = CODECS.csv.createEncoder({}).encode([
      { name: '=HYPERLINK("http://x","y")', sum: '@SUM(A1)', calc: '-2+3', tab: '\tx', delta: '-5', refund: '-12.50', plus: '+1', number: -7, ok: 'plain' },
    ]);
    expect(out).toBe('name,sum,calc,tab,delta,refund,plus,number,ok\n"\'=HYPERLINK(""http://x"",""y"")",\'@SUM(A1),\'-2+3,\'\tx,-5,-12.50,+1,-7,plain\n');
    const raw = CODECS.csv.createEncoder({ escape_formulas: false }).encode([{ name: '=1+1' }]);
    expect(raw).toBe('name\n=1+1\n');
  });
});

describe('json', () => {
  it('streams the items of an array at a path', async () => {
    const text = JSON.stringify({ meta: { count: 2 }, orders: [{ id: 1, lines: [{ sku: 'A' }] }, { id: 2, note: null }] });
    const { records, rejects } = await decodeText(CODECS.json.createDecoder({ path: 'orders' }), text, 7);
    expect(records.map((record) => [record.data, record.at])).toEqual([
      [{ id: 1, lines: [{ sku: 'A' }] }, 1],
      [{ id: 2, note: null }, 2],
    ]);
    expect(rejects).toEqual([]);
  });

  it('reads a single object at a path as one record, nested arrays included', async () => {
    const text = JSON.stringify({ order: { id: 1, lines: [{ sku: 'A' }, { sku: 'B' }], tags: [] } });
    const { records, rejects } = await decodeText(CODECS.json.createDecoder({ path: 'order' }), text, 5);
    expect(records.map((record) => record.data)).toEqual([{ id: 1, lines: [{ sku: 'A' }, { sku: 'B' }], tags: [] }]);
    expect(rejects).toEqual([]);
  });

  it('keeps __proto__ keys inert', async () => {
    const { records } = await decodeText(CODECS.json.createDecoder({}), '[{"__proto__":{"polluted":1},"id":1}]');
    const record = records[0]?.data ?? {};
    expect(Object.getPrototypeOf(record)).toBe(Object.prototype);
    expect((record as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(JSON.stringify(record)).toBe('{"__proto__":{"polluted":1},"id":1}');
  });

  it('dead-letters items that are not objects', async () => {
    const { records, rejects } = await decodeText(CODECS.json.createDecoder({}), '[{"id":1}, 42]');
    expect(records).toHaveLength(1);
    expect(rejects).toEqual([{ raw: '42', origin: 'input#2', at: 2, reason: 'JSON: each array item must be an object' }]);
  });
});

describe('ndjson', () => {
  it('dead-letters a broken line with its number and goes on', async () => {
    const { records, rejects } = await decodeText(CODECS.ndjson.createDecoder({}), '{"id":1}\n{"id":\n\n{"id":3}\n', 4);
    expect(records.map((record) => record.at)).toEqual([1, 4]);
    expect(rejects[0]).toMatchObject({ origin: 'input:2', raw: '{"id":' });
  });
});

describe('xml', () => {
  const decoder = (): ReturnType<typeof CODECS.xml.createDecoder> => CODECS.xml.createDecoder({ record: 'ORDER', arrays: ['ITEM'] });

  it('parses record by record with line numbers, attributes and namespaces', async () => {
    const text = '<?xml version="1.0"?>\n<o:ORDERS xmlns:o="urn:x">\n  <o:ORDER type="std"><ID>1</ID><ITEM><SKU>A</SKU></ITEM></o:ORDER>\n  <o:ORDER type="rush"><ID>2</ID></o:ORDER>\n</o:ORDERS>\n';
    const { records } = await decodeText(decoder(), text, 5);
    expect(records.map((record) => [record.data, record.at])).toEqual([
      [{ '@type': 'std', ID: '1', ITEM: [{ SKU: 'A' }] }, 3],
      [{ '@type': 'rush', ID: '2' }, 4],
    ]);
  });

  it('refuses DOCTYPE and entity declarations without expanding anything', async () => {
    const bomb =
      '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">' +
      '<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<ORDERS><ORDER><ID>&lol2;&xxe;</ID></ORDER></ORDERS>\n';
    const { records, rejects } = await decodeText(decoder(), bomb);
    expect(records).toEqual([]);
    expect(rejects).toEqual([
      {
        raw: bomb.slice(bomb.indexOf('<!DOCTYPE')),
        origin: 'input:2',
        at: 2,
        reason: 'XML: <!DOCTYPE> declarations are not accepted (DTDs and entities are a known attack), so the rest of the document is not read; remove the DOCTYPE',
      },
    ]);
  });

  it('decodes the predefined entities and character references, and leaves undeclared ones as literal text', async () => {
    const { records } = await decodeText(
      decoder(),
      '<ORDERS><ORDER ref="x &amp; y"><ID>&xxe;</ID><NOTE>Apparel &amp; Accessories &lt;b&gt; &#47; &#x20AC; &quot;q&quot;</NOTE></ORDER></ORDERS>',
    );
    expect(records[0]?.data).toEqual({ '@ref': 'x & y', ID: '&xxe;', NOTE: 'Apparel & Accessories <b> / € "q"' });
  });

  it('dead-letters a record with a __proto__ element and keeps the next one', async () => {
    const { records, rejects } = await decodeText(
      decoder(),
      '<ORDERS><ORDER><__proto__><polluted>1</polluted></__proto__></ORDER><ORDER><ID>2</ID></ORDER></ORDERS>',
    );
    expect(records.map((record) => record.data)).toEqual([{ ID: '2' }]);
    expect(rejects[0]?.reason).toMatch(/^XML: .*__proto__/);
  });

  it('reports a record cut off by the end of the file', async () => {
    const { records, rejects } = await decodeText(decoder(), '<ORDERS>\n<ORDER><ID>1</ID></ORDER>\n<ORDER><ID>2</ID>');
    expect(records).toHaveLength(1);
    expect(rejects).toEqual([{ raw: '<ORDER><ID>2</ID>', origin: 'input:3', at: 3, reason: 'XML: record <ORDER> is not closed before the end of the file' }]);
  });

  it('writes nested roots with namespace attributes, and whole documents', () => {
    const feed = CODECS.xml.createEncoder({ record: 'item', root: 'rss.channel', root_attributes: { version: '2.0', 'xmlns:g': 'http://base.google.com/ns/1.0' } });
    expect(feed.encode([{ 'g:id': 'A1', title: 'Tee' }])).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:g="http://base.google.com/ns/1.0">\n  <channel>\n    <item>\n      <g:id>A1</g:id>\n      <title>Tee</title>\n    </item>\n  </channel>\n</rss>\n',
    );
    const order = CODECS.xml.createEncoder({ record: 'ORDER', document: true, root_attributes: { xmlns: 'http://www.opentrans.org/XMLSchema/2.1', version: '2.1' } });
    expect(order.singleRecord).toBe(true);
    expect(order.encode([{ ORDER_HEADER: { ORDER_INFO: { ORDER_ID: '1' } } }])).toContain('<ORDER xmlns="http://www.opentrans.org/XMLSchema/2.1" version="2.1">');
    expect(() => order.encode([{}, {}])).toThrow('xml document mode writes one record per file, got 2');
  });

  it('writes records that read back the same, escaping markup', async () => {
    const encoder = CODECS.xml.createEncoder({ record: 'ORDER', root: 'ORDERS' });
    const written = encoder.encode([{ ID: '1', NOTE: '<b> & "q"' }]);
    const { records } = await decodeText(CODECS.xml.createDecoder({ record: 'ORDER' }), written);
    expect(written).not.toContain('<b>');
    expect(records[0]?.data['ID']).toBe('1');
  });
});
