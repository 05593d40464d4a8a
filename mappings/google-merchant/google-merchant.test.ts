import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { CODECS } from '../../core/codecs/index.js';
import type { JsonObject } from '../../core/json.js';
import { compileMappingDocument, loadMapping, type CompiledMapping } from '../../core/mapping/load-mapping.js';
import { canonicalValidator } from '../../core/mapping/validate-output.js';
import { RecordRejection } from '../../core/sdk/step.js';

/**
 * The Google Merchant feed end to end: the mapped items written as a pipeline target writes them
 * (xml codec, record `item` under `rss.channel`, the RSS version and the g: namespace on the root)
 * and read back with fast-xml-parser; and the public sample feed reproduced by a US copy of the
 * mapping, made by replacing exactly the market constants README.md names.
 */
const here = (file: string): string => fileURLToPath(new URL(file, import.meta.url));
const MAPPING_FILE = here('./product.from-canonical.json');
const SAMPLE_FEED = here('./samples/product-feed-rss2-variants.xml');
const G_NAMESPACE = 'http://base.google.com/ns/1.0';
const FEED_OPTIONS = { record: 'item', root: 'rss.channel', root_attributes: { version: '2.0', 'xmlns:g': G_NAMESPACE } };

/** The market constants of the mapping, as README.md tells integrators to change them for a US feed. */
const US_MARKET: [string, string][] = [
  ['"title.de"', '"title.en"'],
  ['"description.de"', '"description.en"'],
  ['EUR', 'USD'],
  ['{ "path": "includes_tax", "not_equals": false }', '{ "path": "includes_tax", "not_equals": true }'],
];

const fixture = (name: string): JsonObject => JSON.parse(readFileSync(here(`./fixtures/${name}`), 'utf8')) as JsonObject;

async function mapItems(mapping: CompiledMapping, product: JsonObject): Promise<JsonObject[]> {
  expect(canonicalValidator('product')?.(product)).toBe(product); // the input is a valid canonical product
  const output = await mapping.apply(product);
  if (output instanceof RecordRejection) throw new Error(`${mapping.name} rejected the product: ${output.reason}`);
  expect(Array.isArray(output)).toBe(true);
  return output as JsonObject[];
}

function writeFeed(items: JsonObject[]): string {
  return CODECS.xml.createEncoder(FEED_OPTIONS).encode(items);
}

/** Reads a feed as any RSS consumer would: entities decoded, values kept as text, prefixes kept. */
function readFeed(xml: string): { version: unknown; namespace: unknown; channel: JsonObject; items: JsonObject[] } {
  const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false, htmlEntities: true, isArray: (name) => name === 'item' });
  const rss = (parser.parse(xml) as { rss: JsonObject }).rss;
  const channel = rss['channel'] as JsonObject;
  return { version: rss['@version'], namespace: rss['@xmlns:g'], channel, items: channel['item'] as JsonObject[] };
}

function usCopyOfTheMapping(): CompiledMapping {
  let text = readFileSync(MAPPING_FILE, 'utf8');
  for (const [from, to] of US_MARKET) {
    expect(text.includes(from), `the mapping no longer contains ${from}: update README.md and this test`).toBe(true);
    text = text.split(from).join(to);
  }
  return compileMappingDocument(JSON.parse(text), MAPPING_FILE, 'product.from-canonical.json (US copy)');
}

describe('Google Merchant RSS feed', () => {
  it('writes the German items as an RSS 2.0 feed with the g: namespace declared, and they read back unchanged', async () => {
    const items = await mapItems(loadMapping(MAPPING_FILE), fixture('product-watch-two-variants.json'));
    expect(items.map((item) => item['g:id'])).toEqual(['celebird-eg-variants-apparel-upi-001', 'celebird-eg-variants-apparel-upi-002']);
    const xml = writeFeed(items);
    const feed = readFeed(xml);
    expect(feed.version).toBe('2.0');
    expect(feed.namespace).toBe(G_NAMESPACE);
    expect(feed.items).toEqual(items);
    // Every prefixed element uses the declared g: prefix, and text is escaped, not dropped.
    expect(new Set([...xml.matchAll(/<\/?([A-Za-z_][\w.-]*):/g)].map((match) => match[1]))).toEqual(new Set(['g']));
    expect(xml).toContain('<g:price>109 EUR</g:price>');
    expect(xml).toContain('<g:sale_price_effective_date>2020-01-01T00:00Z/2099-12-31T23:00Z</g:sale_price_effective_date>');
    expect(xml).toContain('Wasserdicht bis 50 m &amp; kratzfestes Mineralglas.');
    expect(xml).toContain('<g:product_type>accessories &gt; watches</g:product_type>');
    // The codec writes no channel <title>/<link>/<description>: RSS 2.0 asks for them, Google reads the items.
    expect(Object.keys(feed.channel)).toEqual(['item']);
  });

  it('reproduces the public sample feed: a US copy of the mapping gives its items for the watch as a canonical product', async () => {
    const sample = readFeed(readFileSync(SAMPLE_FEED, 'utf8'));
    expect([sample.version, sample.namespace]).toEqual(['2.0', G_NAMESPACE]); // the root our FEED_OPTIONS write
    const items = await mapItems(usCopyOfTheMapping(), fixture('product-watch-as-in-sample-us.json'));
    expect(items).toHaveLength(sample.items.length);
    // What a canonical product carries. Not compared: the sample's per-variant descriptions (the model has
    // one per product) and g:tax, g:shipping, g:gender, g:age_group, g:pattern, g:shipping_weight in oz.
    const compared = [
      'g:id', 'title', 'link', 'g:price', 'g:condition', 'g:availability', 'g:image_link', 'g:google_product_category',
      'g:product_type', 'g:item_group_id', 'g:color', 'g:size', 'g:brand', 'g:gtin', 'g:mpn',
    ];
    const pick = (item: JsonObject) => Object.fromEntries(compared.map((field) => [field, item[field]]));
    items.forEach((item, index) => {
      const expected = sample.items[index] as JsonObject;
      expect(pick(item)).toEqual(pick(expected));
      expect(Object.keys(item).filter((field) => !(field in expected))).toEqual([]); // nothing the sample lacks
    });
    expect(readFeed(writeFeed(items)).items).toEqual(items);
  });

  it('the German mapping refuses the US product: it has no German title', async () => {
    const output = await loadMapping(MAPPING_FILE).apply(fixture('product-watch-as-in-sample-us.json'));
    expect(output).toBeInstanceOf(RecordRejection);
    expect((output as RecordRejection).reason).toContain('/for_each/map/object/title: is required but missing');
  });
});
