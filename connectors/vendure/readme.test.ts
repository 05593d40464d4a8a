import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compileSchema } from '../../core/config/schema-check.js';
import { checkReadmePipelines } from '../../test-support/readme-pipelines.js';
import { VendureConfig } from './config.js';
import vendure from './index.js';

const README = new URL('./README.md', import.meta.url);

describe('vendure README', () => {
  it('shows every stream, each used the way the connector takes it, with options its schema accepts', () => {
    expect(checkReadmePipelines(README, vendure)).toEqual([
      'vendure-orders-to-erp: source orders',
      'vendure-variants: source products',
      'stock-to-vendure: target stock',
      'shipments-to-vendure: target fulfillments',
    ]);
  });

  it('shows a connection config the schema accepts, and lists every option of it', () => {
    const text = readFileSync(README, 'utf8');
    const example = parse(/```yaml\n([\s\S]*?)```/.exec(text)?.[1] ?? '') as { connections: { shop: { config: unknown } } };
    const validate = compileSchema(VendureConfig);
    expect(validate(example.connections.shop.config), JSON.stringify(validate.errors)).toBe(true);
    // A row of the connection table names each option.
    for (const option of Object.keys(VendureConfig.properties)) expect(text).toMatch(new RegExp(`^\\| [^\\n]*\`${option}\``, 'm'));
  });
});
