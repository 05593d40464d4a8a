import { describe, expect, it } from 'vitest';
import { checkReadmePipelines } from '../../test-support/readme-pipelines.js';
import inventory from './index.js';

describe('inventory README', () => {
  it('shows every stream, each used the way the connector takes it, with options its schema accepts', () => {
    expect(checkReadmePipelines(new URL('./README.md', import.meta.url), inventory)).toEqual([
      'stock-from-wms: target ledger',
      'stock-reservations: target reservations',
      'stock-to-shop: source availability',
      'shop-shows: target shown',
    ]);
  });
});
