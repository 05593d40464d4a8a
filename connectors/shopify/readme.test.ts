import { describe, expect, it } from 'vitest';
import { checkReadmePipelines } from '../../test-support/readme-pipelines.js';
import shopify from './index.js';

describe('shopify README', () => {
  it('shows every stream, each used the way the connector takes it, with options its schema accepts', () => {
    expect(checkReadmePipelines(new URL('./README.md', import.meta.url), shopify)).toEqual([
      'shopify-orders: source orders',
      'shopify-products: source products',
      'stock-to-shopify: target stock',
      'shipments-to-shopify: target fulfillments',
    ]);
  });

  it('describes every option of the connection and of every stream', () => {
    const schemas = [shopify.configSchema, ...Object.values(shopify.streams).flatMap((stream) => [stream.read?.options, stream.write?.options])];
    const undescribed = schemas.flatMap((schema) =>
      Object.entries((schema?.properties ?? {}) as Record<string, { description?: string }>)
        .filter(([, property]) => typeof property.description !== 'string' || property.description.length < 10)
        .map(([name]) => name),
    );
    expect(undescribed).toEqual([]);
  });
});
