import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runTests } from '../../core/testing/run-tests.js';
import { LINE_ITEM_FIELDS, ORDER_FIELDS } from '../../connectors/shopify/orders.js';

const MAPPING = JSON.parse(readFileSync(new URL('./order-graphql.to-canonical.json', import.meta.url), 'utf8')) as unknown;

/** Every source path the mapping reads: path rules, `first`/`each`/`sum` strings, plain string rules (not consts, not output names). */
function sourcePaths(rule: unknown, out: string[] = []): string[] {
  if (typeof rule === 'string') {
    out.push(rule);
    return out;
  }
  if (Array.isArray(rule)) {
    for (const item of rule) sourcePaths(item, out);
    return out;
  }
  if (typeof rule !== 'object' || rule === null) return out;
  for (const [key, value] of Object.entries(rule)) {
    if (key === 'const' || key === 'pattern' || key === 'with' || key === 'join' || key === 'case' || key === 'as' || key === 'lookup' || key === 'equals') continue;
    if (key === 'path' || key === 'root' || key === 'each' || key === 'sum') {
      if (typeof value === 'string') out.push(value);
      continue;
    }
    sourcePaths(value, out);
  }
  return out;
}

describe('the GraphQL order mapping', () => {
  it('reads only fields the orders stream asks Shopify for', () => {
    const asked = new Set(`${ORDER_FIELDS} ${LINE_ITEM_FIELDS} lineItems nodes`.split(/[^A-Za-z0-9_]+/).filter((word) => word !== ''));
    const output = (MAPPING as { output: Record<string, unknown> }).output;
    const read = Object.values(output).flatMap((rule) => sourcePaths(rule));
    const fields = new Set(read.flatMap((path) => path.replace(/\[[^\]]*\]/g, '').split('.')).filter((field) => field !== '' && field !== '$'));
    expect([...fields].filter((field) => !asked.has(field))).toEqual([]);
    expect(fields.size).toBeGreaterThan(30);
  });

  it('passes its YAML suite (keel test mappings/shopify)', async () => {
    const results = await runTests('mappings/shopify/order-graphql.to-canonical.test.yaml', new URL('../../', import.meta.url).pathname);
    expect(results.filter((result) => !result.passed).map((result) => `${result.name}: ${result.detail ?? ''}`)).toEqual([]);
    expect(results.length).toBeGreaterThanOrEqual(4);
  });
});
