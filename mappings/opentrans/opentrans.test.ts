import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { validateXML } from 'xmllint-wasm';
import { CODECS } from '../../core/codecs/index.js';
import { decodeText } from '../../test-support/codec-input.js';
import type { JsonObject } from '../../core/json.js';
import { loadMapping } from '../../core/mapping/load-mapping.js';
import { canonicalValidator } from '../../core/mapping/validate-output.js';
import { MODEL_EXAMPLES } from '../../core/model/examples.js';
import { RecordRejection } from '../../core/sdk/step.js';

/**
 * The openTRANS mappings in both directions. What the *.from-canonical mappings produce is written
 * with the xml codec in document mode, as a pipeline target would, and must validate against the
 * official openTRANS 2.1 XSD with libxml2 (xmllint-wasm: its WebAssembly build from npm, so no
 * system binary is needed). The *.to-canonical mappings are tested on the samples in the
 * *.test.yaml files; here they only feed the round trips and the `arrays` check.
 */

const HERE = fileURLToPath(new URL('./', import.meta.url));
const SAMPLES = join(HERE, 'samples');
const SAMPLE = {
  order: join(SAMPLES, 'sample_order_opentrans_2_1_xml_signature.xml'),
  dispatch: join(SAMPLES, 'sample_dispatchnotification_opentrans_2_1.xml'),
  invoice: join(SAMPLES, 'sample_invoice_opentrans_2_1.xml'),
};

/** What a pipeline target writes: one document per file, the namespaces on the root element. */
const ROOT_ATTRIBUTES = {
  version: '2.1',
  xmlns: 'http://www.opentrans.org/XMLSchema/2.1',
  'xmlns:bmecat': 'http://www.bmecat.org/bmecat/2005',
};

/** What a pipeline source could read with `arrays`; the mappings must give the same without it. */
const ARRAYS = [
  'PARTY', 'PARTY_ID', 'PARTY_ROLE', 'ADDRESS', 'CONTACT_DETAILS', 'NAME', 'STREET', 'EMAIL', 'PHONE',
  'ORDER_ITEM', 'DISPATCHNOTIFICATION_ITEM', 'INVOICE_ITEM', 'DESCRIPTION_SHORT', 'INTERNATIONAL_PID', 'BUYER_PID',
  'TAX_DETAILS_FIX', 'ALLOW_OR_CHARGE', 'PRICE_FLAG', 'REMARKS', 'PACKAGE', 'PACKAGE_ID', 'TIME_FOR_PAYMENT',
];

const mapping = (file: string) => loadMapping(join(HERE, file), `mappings/opentrans/${file}`);
const orderIn = mapping('order.to-canonical.json');
const orderOut = mapping('order.from-canonical.json');
const dispatchIn = mapping('dispatchnotification.to-canonical.json');
const invoiceIn = mapping('invoice.to-canonical.json');
const invoiceOut = mapping('invoice.from-canonical.json');

/** A schema file as libxml2 sees it in memory: by the name that the xsd:import lines use. */
const xsd = (fileName: string) => ({ fileName, contents: readFileSync(join(SAMPLES, fileName), 'utf8') });
const OPENTRANS_XSD = xsd('opentrans_2_1.xsd');
const IMPORTED_XSDS = ['bmecat_2005.xsd', 'xmldsig-core-schema.xsd', 'xmlmime.xsd'].map(xsd);
const DOCUMENT = 'document.xml';

async function apply(compiled: ReturnType<typeof mapping>, record: JsonObject): Promise<JsonObject> {
  const output = await compiled.apply(record);
  if (output instanceof RecordRejection) throw new Error(`${compiled.name} rejected the record: ${output.reason}`);
  if (Array.isArray(output)) throw new Error(`${compiled.name} made ${output.length} records of one`);
  // Through JSON, as a record travels: JSONata's objects have no prototype and its arrays extra flags.
  return JSON.parse(JSON.stringify(output)) as JsonObject;
}

/** Maps to canonical and checks the result against the canonical schema, as the map step does. */
async function toCanonical(compiled: ReturnType<typeof mapping>, record: JsonObject): Promise<JsonObject> {
  const output = await apply(compiled, record);
  const checked = canonicalValidator(compiled.target)?.(output);
  if (checked instanceof RecordRejection) throw new Error(checked.reason);
  return output;
}

async function readXml(xml: string, element: string, arrays?: string[]): Promise<JsonObject> {
  const { records, rejects } = await decodeText(CODECS.xml.createDecoder({ record: element, ...(arrays !== undefined ? { arrays } : {}) }), xml);
  expect(rejects).toEqual([]);
  expect(records).toHaveLength(1);
  return records[0]?.data as JsonObject;
}

function writeXml(element: string, document: JsonObject): string {
  return CODECS.xml.createEncoder({ record: element, document: true, root_attributes: ROOT_ATTRIBUTES }).encode([document]);
}

/**
 * What libxml2 says about the XML against the openTRANS XSD: [] when it validates, else its errors.
 * Never skipped: a schema that does not load rejects (so the test fails), and a valid answer
 * counts only with libxml2's own "validates" line, proof that the schema was applied.
 */
async function opentransXsdErrors(xml: string): Promise<string[]> {
  const result = await validateXML({ xml: [{ fileName: DOCUMENT, contents: xml }], schema: OPENTRANS_XSD, preload: IMPORTED_XSDS });
  if (!result.valid) return result.errors.map((error) => error.rawMessage);
  if (!result.rawOutput.includes(`${DOCUMENT} validates`)) throw new Error(`libxml2 answered valid without validating:\n${result.rawOutput}`);
  return [];
}

async function expectValidOpentrans(xml: string): Promise<void> {
  expect(await opentransXsdErrors(xml), `libxml2 against opentrans_2_1.xsd:\n${xml}`).toEqual([]);
}

const read = (path: string) => readFileSync(path, 'utf8');
const fixture = (name: string) => JSON.parse(read(join(HERE, 'fixtures', name))) as JsonObject;

describe('the openTRANS XSD check', () => {
  /** One mistake a mapping could make each, and what libxml2's error must name, so the check is seen to fail. */
  const BREAKAGES: [string, (xml: string) => string, string][] = [
    ['without its required ORDER_SUMMARY', (xml) => xml.replace(/<ORDER_SUMMARY>[\s\S]*<\/ORDER_SUMMARY>/, ''), '2.1}ORDER_SUMMARY )'],
    ['with a QUANTITY that is not a number', (xml) => xml.replace('<QUANTITY>1</QUANTITY>', '<QUANTITY>n/a</QUANTITY>'), "2.1}QUANTITY': 'n/a'"],
    ['with CURRENCY in the openTRANS namespace instead of BMEcat\'s', (xml) => xml.replace(/bmecat:CURRENCY/g, 'CURRENCY'), "2.1}CURRENCY': This element is not expected"],
  ];

  it.each(Object.entries(SAMPLE))('the public sample %s validates against the XSD and its imports (the signed ORDER uses xmldsig)', async (_, file) => {
    await expectValidOpentrans(read(file));
  });

  it.each(BREAKAGES)('reports an ORDER %s as invalid, naming the element', async (_, breakage, named) => {
    const valid = writeXml('ORDER', await apply(orderOut, MODEL_EXAMPLES.order as unknown as JsonObject));
    const broken = breakage(valid);
    expect(broken).not.toBe(valid);
    await expectValidOpentrans(valid);
    const errors = await opentransXsdErrors(broken);
    expect(errors).not.toEqual([]);
    expect(errors.join('\n')).toContain(named);
  });
});

describe('order.from-canonical', () => {
  it('writes a valid ORDER for the canonical example order', async () => {
    const xml = writeXml('ORDER', await apply(orderOut, MODEL_EXAMPLES.order as unknown as JsonObject));
    await expectValidOpentrans(xml);
    expect(xml).toContain('<ORDER version="2.1" xmlns="http://www.opentrans.org/XMLSchema/2.1" xmlns:bmecat="http://www.bmecat.org/bmecat/2005" type="standard">');
  });

  it('writes a valid ORDER for a B2C order with odd data: escaping, long texts, a country BMEcat 2005 lacks, a zero line', async () => {
    const order = fixture('canonical-order-b2c-edge-cases.json');
    expect(canonicalValidator('order')?.(order)).toBe(order); // the fixture itself is a valid canonical order
    const xml = writeXml('ORDER', await apply(orderOut, order));
    await expectValidOpentrans(xml);
    expect(xml).toContain('<bmecat:NAME>Müller &amp; Söhne &lt;Zürich&gt;</bmecat:NAME>');
    expect(xml).toContain('<bmecat:COUNTRY>RS</bmecat:COUNTRY>');
    expect(xml).not.toContain('GIFTCARD');
  });

  it.each([
    ['the public sample ORDER', SAMPLE.order],
    ['an ORDER with two items, local times and parties by IDREF', join(HERE, 'fixtures/order-two-items-local-time.xml')],
  ])('round-trips %s: ORDER -> canonical -> valid ORDER -> the same canonical key fields', async (_, file) => {
    const first = await toCanonical(orderIn, await readXml(read(file), 'ORDER'));
    const xml = writeXml('ORDER', await apply(orderOut, first));
    await expectValidOpentrans(xml);
    const second = await toCanonical(orderIn, await readXml(xml, 'ORDER'));
    const key = (order: JsonObject) => ({
      channel: order['channel'],
      external_id: order['external_id'],
      status: order['status'],
      currency: order['currency'],
      prices_include_tax: order['prices_include_tax'],
      created_at: order['created_at'],
      customer_id: (order['customer'] as JsonObject | undefined)?.['external_id'],
      shipping_address: order['shipping_address'],
      billing_postal: ['line1', 'postal_code', 'city', 'country_code'].map((field) => (order['billing_address'] as JsonObject | undefined)?.[field]),
      lines: (order['lines'] as JsonObject[]).map(({ extensions, ...line }) => line),
      line_prices: (order['lines'] as JsonObject[]).map((line) => (line['unit_price'] === undefined ? line['extensions'] : undefined)),
      totals: order['totals'],
      note: order['note'],
    });
    expect(key(second)).toEqual(key(first));
  });
});

describe('invoice.from-canonical', () => {
  it('writes a valid INVOICE for the canonical example invoice', async () => {
    await expectValidOpentrans(writeXml('INVOICE', await apply(invoiceOut, MODEL_EXAMPLES.document as unknown as JsonObject)));
  });

  it('writes a valid INVOICE (credit_memo) for a credit note with a service line, a party without id and reverse charge', async () => {
    const xml = writeXml('INVOICE', await apply(invoiceOut, fixture('canonical-credit-note-edge-cases.json')));
    await expectValidOpentrans(xml);
    expect(xml).toContain('<INVOICE_TYPE>credit_memo</INVOICE_TYPE>');
    expect(xml).toContain('<INVOICE_RECIPIENT_IDREF>bill_to</INVOICE_RECIPIENT_IDREF>');
  });

  it.each([
    ['the public sample INVOICE', SAMPLE.invoice],
    ['a credit memo with two tax rates', join(HERE, 'fixtures/invoice-credit-memo-two-rates.xml')],
  ])('round-trips %s: INVOICE -> canonical -> valid INVOICE -> the same canonical key fields', async (_, file) => {
    const first = await toCanonical(invoiceIn, await readXml(read(file), 'INVOICE'));
    const xml = writeXml('INVOICE', await apply(invoiceOut, first));
    await expectValidOpentrans(xml);
    const second = await toCanonical(invoiceIn, await readXml(xml, 'INVOICE'));
    const key = (document: JsonObject) => ({
      type: document['type'],
      number: document['number'],
      issue_date: document['issue_date'],
      currency: document['currency'],
      order: document['order'],
      original_document_number: document['original_document_number'],
      delivery_date: document['delivery_date'],
      parties: (document['parties'] as JsonObject[]).map((party) => [party['role'], party['party_id'], party['name'], party['vat_id']]),
      lines: document['lines'],
      tax_breakdown: document['tax_breakdown'],
      totals: document['totals'],
    });
    expect(key(second)).toEqual(key(first));
  });
});

describe('reading with and without the xml codec `arrays` option', () => {
  it.each([
    ['ORDER', orderIn, SAMPLE.order],
    ['ORDER', orderIn, join(HERE, 'fixtures/order-two-items-local-time.xml')],
    ['DISPATCHNOTIFICATION', dispatchIn, SAMPLE.dispatch],
    ['DISPATCHNOTIFICATION', dispatchIn, join(HERE, 'fixtures/dispatch-two-orders-two-parcels.xml')],
    ['INVOICE', invoiceIn, SAMPLE.invoice],
    ['INVOICE', invoiceIn, join(HERE, 'fixtures/invoice-credit-memo-two-rates.xml')],
  ])('%s gives the same canonical record (%#)', async (element, compiled, file) => {
    const xml = read(file);
    const plain = await toCanonical(compiled, await readXml(xml, element));
    const listed = await toCanonical(compiled, await readXml(xml, element, ARRAYS));
    expect(listed).toEqual(plain);
  });
});
