/**
 * The SP-API operations this connector calls and their default usage plans: a token bucket of
 * `burst` requests refilled at `per_second`, per operation and per selling partner account and
 * application (developer-docs.amazon.com/sp-api/docs/usage-plans-and-rate-limits). The numbers are
 * the "Usage Plan" tables of the API models (amzn/selling-partner-api-models: ordersV0.json,
 * feeds_2021-06-30.json); a seller's plan may be higher, which Amazon says in each answer's
 * x-amzn-RateLimit-Limit header and the budget follows.
 */
export type SpOperation = 'getOrders' | 'getOrderItems' | 'createFeedDocument' | 'createFeed' | 'getFeed' | 'getFeedDocument';
export const SP_OPERATIONS: readonly SpOperation[] = ['getOrders', 'getOrderItems', 'createFeedDocument', 'createFeed', 'getFeed', 'getFeedDocument'];

export interface UsagePlan {
  per_second: number;
  burst: number;
}

export const DEFAULT_USAGE_PLANS: Readonly<Record<SpOperation, UsagePlan>> = Object.freeze({
  getOrders: { per_second: 0.0167, burst: 20 },
  getOrderItems: { per_second: 0.5, burst: 30 },
  createFeedDocument: { per_second: 0.5, burst: 15 },
  // createFeed's own plan is 0.0083/s with a burst of 15, but a JSON_LISTINGS_FEED has its own:
  // five submissions per five minutes per region (changelog of 2025-05-06).
  createFeed: { per_second: 5 / 300, burst: 5 },
  getFeed: { per_second: 2, burst: 15 },
  getFeedDocument: { per_second: 0.0222, burst: 10 },
});

/** The response header in which Amazon says the rate it applies to the operation, when it does. */
export const RATE_HEADER = 'x-amzn-RateLimit-Limit';
