import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import type { JsonObject } from '../../core/json.js';
import { compileMappingDocument, loadMapping, type CompiledMapping } from '../../core/mapping/load-mapping.js';
import { canonicalValidator } from '../../core/mapping/validate-output.js';
import { RecordRejection } from '../../core/sdk/step.js';

/**
 * The listings mappings make feed messages; a JSON_LISTINGS_FEED is those messages numbered 1..n
 * under a header, which the feed writer adds (the mapping language has no item position). Here the
 * feed is assembled that way and checked against the rules of Amazon's listings feed schema v2
 * (amzn/selling-partner-api-models, schemas/feeds/listings-feed-schema-v2.json), restated below;
 * Amazon's own example feed must pass the same rules. Then the product mapping is copied for
 * Amazon.fr by replacing the market constants README.md names.
 */
const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));
const PRODUCT_MAPPING = here('./product.from-canonical.json');
const EXAMPLE_FEED = here('./samples/listings-feed-v2.example.json');

/** The feed schema's rules: header, message fields and which fields each operationType takes. */
const LISTINGS_FEED_RULES = {
  type: 'object',
  required: ['header', 'messages'],
  properties: {
    header: {
      type: 'object',
      required: ['sellerId', 'version'],
      properties: { sellerId: { type: 'string' }, version: { const: '2.0' }, issueLocale: { type: 'string' } },
    },
    messages: {
      type: 'array',
      minItems: 1,
      maxItems: 10000,
      items: {
        type: 'object',
        required: ['messageId', 'sku', 'operationType'],
        properties: {
          messageId: { type: 'integer', minimum: 1, maximum: 2147483647 },
          sku: { type: 'string', minLength: 1 },
          operationType: { enum: ['UPDATE', 'PARTIAL_UPDATE', 'PATCH', 'DELETE'] },
          productType: { type: 'string', minLength: 1 },
          requirements: { enum: ['LISTING', 'LISTING_PRODUCT_ONLY', 'LISTING_OFFER_ONLY'] },
          attributes: { type: 'object', minProperties: 1 },
          patches: {
            type: 'array',
            minItems: 1,
            items: {
              type: 'object',
              required: ['op', 'path'],
              properties: { op: { enum: ['add', 'replace', 'merge', 'delete'] }, path: { type: 'string' }, value: { type: 'array', items: { type: 'object' } } },
            },
          },
        },
        oneOf: [
          { properties: { operationType: { const: 'UPDATE' }, patches: false }, required: ['productType', 'attributes'] },
          { properties: { operationType: { const: 'DELETE' }, requirements: false, attributes: false, productType: false, patches: false } },
          { properties: { operationType: { const: 'PARTIAL_UPDATE' }, requirements: false, patches: false }, required: ['productType', 'attributes'] },
          { properties: { operationType: { const: 'PATCH' }, requirements: false, attributes: false }, required: ['productType', 'patches'] },
        ],
      },
    },
  },
};
const checkFeed = new Ajv({ allErrors: true, strict: false }).compile(LISTINGS_FEED_RULES);

function buildListingsFeed(sellerId: string, messages: JsonObject[]): JsonObject {
  return { header: { sellerId, version: '2.0', issueLocale: 'de_DE' }, messages: messages.map((message, index) => ({ messageId: index + 1, ...message })) };
}

const fixture = (name: string): JsonObject => JSON.parse(readFileSync(here(`./fixtures/${name}`), 'utf8')) as JsonObject;

async function messagesOf(mapping: CompiledMapping, record: JsonObject): Promise<JsonObject[]> {
  const output = await mapping.apply(record);
  if (output instanceof RecordRejection) throw new Error(`${mapping.name} rejected the record: ${output.reason}`);
  return Array.isArray(output) ? output : [output];
}

/** The Amazon.fr copy of the product mapping, made as README.md says. */
function amazonFrCopy(): CompiledMapping {
  const replacements: [string, string][] = [
    ['"amazon-de"', '"amazon-fr"'],
    ['"A1PA6795UKMFR9"', '"A13V1IB3VIYZZH"'],
    ['"de_DE"', '"fr_FR"'],
    ['.de-DE"', '.fr-FR"'],
    ['.de"', '.fr"'],
  ];
  let text = readFileSync(PRODUCT_MAPPING, 'utf8');
  for (const [from, to] of replacements) {
    expect(text.includes(from), `the mapping no longer contains ${from}: update README.md and this test`).toBe(true);
    text = text.split(from).join(to);
  }
  return compileMappingDocument(JSON.parse(text), PRODUCT_MAPPING, 'product.from-canonical.json (Amazon.fr copy)');
}

describe('Amazon JSON_LISTINGS_FEED', () => {
  it("Amazon's own example feed passes the rules this test checks our feeds against", () => {
    const example = JSON.parse(readFileSync(EXAMPLE_FEED, 'utf8')) as JsonObject;
    expect(checkFeed(example), JSON.stringify(checkFeed.errors)).toBe(true);
    // The rules bite: a message without sku, a DELETE with attributes and an UPDATE without productType fail.
    const bad = (message: JsonObject) => checkFeed({ header: { sellerId: 'A', version: '2.0' }, messages: [message] });
    expect(bad({ messageId: 1, operationType: 'DELETE' })).toBe(false);
    expect(bad({ messageId: 1, sku: 'A', operationType: 'DELETE', attributes: { x: [] } })).toBe(false);
    expect(bad({ messageId: 1, sku: 'A', operationType: 'UPDATE', attributes: { x: [] } })).toBe(false);
  });

  it('product UPDATEs, a DELETE and stock PATCHes make one valid feed, numbered 1..n', async () => {
    const product = fixture('product-tee-three-sizes-de-fr.json');
    expect(canonicalValidator('product')?.(product)).toBe(product);
    const archived = { ...product, product_id: 'nh-tee-old', status: 'archived', variants: [{ sku: 'NH-TEE-OLD' }] };
    const level = { sku: 'NH-TEE-BLK-M', location_id: 'channel-amazon-de', available: 10, updated_at: '2024-05-14T10:00:00Z', source: 'keel' };
    expect(canonicalValidator('stock_level')?.(level)).toBe(level);
    const products = loadMapping(PRODUCT_MAPPING);
    const stock = loadMapping(here('./stock.from-canonical.json'));
    const messages = [...(await messagesOf(products, product)), ...(await messagesOf(products, archived)), ...(await messagesOf(stock, level))];
    const feed = buildListingsFeed('A3EXAMPLESELLER', messages);
    expect(checkFeed(feed), JSON.stringify(checkFeed.errors)).toBe(true);
    const numbered = feed['messages'] as JsonObject[];
    expect(numbered.map((message) => [message['messageId'], message['sku'], message['operationType']])).toEqual([
      [1, 'NH-TEE-BLK-S', 'UPDATE'],
      [2, 'NH-TEE-BLK-M', 'UPDATE'],
      [3, 'NH-TEE-BLK-L', 'UPDATE'],
      [4, 'NH-TEE-OLD', 'DELETE'],
      [5, 'NH-TEE-BLK-M', 'PATCH'],
    ]);
    // The same shapes as Amazon's example: item_name as in its message 3, the PATCH as its message 5.
    const example = (JSON.parse(readFileSync(EXAMPLE_FEED, 'utf8')) as { messages: JsonObject[] }).messages;
    const itemName = ((numbered[0]?.['attributes'] as JsonObject)['item_name'] as JsonObject[])[0] as JsonObject;
    const exampleItemName = (((example[2] as JsonObject)['attributes'] as JsonObject)['item_name'] as JsonObject[])[0] as JsonObject;
    expect(Object.keys(itemName).sort()).toEqual(Object.keys(exampleItemName).sort());
    expect(itemName['language_tag']).toMatch(/^[a-z]{2}_[A-Z]{2}$/);
    const { messageId: _ours, sku: _sku, productType: _type, ...patch } = numbered[4] as JsonObject;
    const { messageId: _theirs, sku: _theirSku, productType: _theirType, ...examplePatch } = example[4] as JsonObject;
    expect(patch).toEqual(examplePatch); // merge of fulfillment_availability DEFAULT, quantity 10
  });

  it('a copy for Amazon.fr (the documented constants replaced) lists the same product with French texts and the amazon-fr price', async () => {
    const messages = await messagesOf(amazonFrCopy(), fixture('product-tee-three-sizes-de-fr.json'));
    const summary = messages.map((message) => {
      const attributes = message['attributes'] as Record<string, JsonObject[]>;
      const offer = attributes['purchasable_offer']?.[0] as { our_price: { schedule: JsonObject[] }[]; marketplace_id: string };
      return {
        sku: message['sku'],
        item_name: attributes['item_name']?.[0],
        description: attributes['product_description']?.[0]?.['value'],
        price: offer.our_price[0]?.schedule[0]?.['value_with_tax'],
        marketplace: offer.marketplace_id,
      };
    });
    const fr = { language_tag: 'fr_FR', marketplace_id: 'A13V1IB3VIYZZH' };
    const description = 'Jersey épais (180 g/m²), coupe droite. Lavable à 40 °C.';
    expect(summary).toEqual([
      { sku: 'NH-TEE-BLK-S', item_name: { value: 'T-shirt Harbour « Mouette » – 100 % coton bio', ...fr }, description, price: 24.95, marketplace: 'A13V1IB3VIYZZH' },
      { sku: 'NH-TEE-BLK-M', item_name: { value: 'T-shirt Harbour « Mouette », noir, M', ...fr }, description, price: 27.5, marketplace: 'A13V1IB3VIYZZH' },
      { sku: 'NH-TEE-BLK-L', item_name: { value: 'T-shirt Harbour « Mouette » – 100 % coton bio', ...fr }, description, price: 24.95, marketplace: 'A13V1IB3VIYZZH' },
    ]);
    expect(JSON.stringify(messages)).not.toContain('A1PA6795UKMFR9');
  });
});
