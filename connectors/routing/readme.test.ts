import { describe, expect, it } from 'vitest';
import { checkReadmePipelines } from '../../test-support/readme-pipelines.js';
import routing from './index.js';

describe('routing README', () => {
  it('shows every stream, each used the way the connector takes it, with options its schema accepts', () => {
    expect(checkReadmePipelines(new URL('./README.md', import.meta.url), routing)).toEqual([
      'route-shop-orders: target orders',
      'requests-to-stores: source requests',
      'store-answers: target responses',
    ]);
  });
});
