import type { RoutingReceipt } from './receipt.js';

/** Placeholder until the compact receipt format lands: the receipt as indented JSON. */
export function renderReceipt(receipt: RoutingReceipt): string {
  return JSON.stringify(receipt, null, 2);
}
