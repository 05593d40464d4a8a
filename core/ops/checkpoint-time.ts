import { isJsonObject, type JsonValue } from '../json.js';

/**
 * The time a source's checkpoint says it has read everything up to (epoch ms), where the
 * checkpoint is one: an updated-at walk's `{ since }` (core/http/incremental.ts; Shopify, WooCommerce,
 * Amazon, the HTTP connector), or several walks side by side (Vendure: `{ <field>: { since } }`),
 * whose oldest boundary is the one that counts. Checkpoints that are no time (files done, a page
 * number, a webhook sequence) and walks that have not reached a boundary yet answer undefined.
 */
export function checkpointTime(checkpoint: JsonValue | null | undefined): number | undefined {
  if (!isJsonObject(checkpoint)) return undefined;
  if (Object.prototype.hasOwnProperty.call(checkpoint, 'since')) return boundary(checkpoint['since']);
  const walks = Object.values(checkpoint);
  if (walks.length === 0 || !walks.every((walk) => isJsonObject(walk) && Object.prototype.hasOwnProperty.call(walk, 'since'))) return undefined;
  let oldest: number | undefined;
  for (const walk of walks) {
    const since = boundary((walk as { since?: JsonValue }).since);
    if (since === undefined) return undefined;
    oldest = oldest === undefined ? since : Math.min(oldest, since);
  }
  return oldest;
}

function boundary(value: JsonValue | undefined): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}
