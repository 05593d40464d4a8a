import type { HeaderReader } from '../core/http/rate-budget.js';

/** A vendor's leaky bucket as Shopify keeps it: 429 when full, the fill level on every answer. */
export function leakyBucket(capacity: number, perSecond: number) {
  let level = 0;
  let levelAt = Date.now();
  const admitted: number[] = [];
  const stats = { throttled: 0 };
  const serve = (): { status: number; header: HeaderReader } => {
    const now = Date.now();
    level = Math.max(0, level - ((now - levelAt) / 1000) * perSecond);
    levelAt = now;
    const full = level + 1 > capacity + 1e-9;
    if (full) stats.throttled += 1;
    else {
      level += 1;
      admitted.push(now);
    }
    const headers: Record<string, string> = { 'x-shopify-shop-api-call-limit': `${full ? capacity : Math.ceil(level)}/${capacity}`, ...(full ? { 'retry-after': '1' } : {}) };
    return { status: full ? 429 : 200, header: (name) => headers[name.toLowerCase()] };
  };
  return { serve, admitted, stats };
}
