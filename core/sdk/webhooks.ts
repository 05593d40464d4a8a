/** Request headers as node:http gives them: lower-case names. */
export type RequestHeaders = Readonly<Record<string, string | string[] | undefined>>;

/**
 * How a connector's vendor signs and labels its webhook deliveries, as data: Keel's intake
 * (core/webhooks) verifies every delivery against it, stores it in the state's webhook inbox, and
 * the connector's `webhooks` stream reads it from there. Signatures are HMAC-SHA256 over the raw
 * body, base64, with a secret shared with the vendor; header names are lower case.
 */
export interface WebhookSpec<Config = unknown> {
  /** The secret the vendor signs with, from a connection's config; undefined: the connection takes no webhooks. */
  secret(config: Config): string | undefined;
  /** The header holding the base64 HMAC-SHA256 of the body. */
  signatureHeader: string;
  /** The header naming what happened (`orders/create`, `order.updated`). */
  topicHeader: string;
  /**
   * The header with the delivery's id. `unique: false` where the vendor may give two different
   * deliveries one id (WooCommerce hashes the webhook id and the current second): the intake
   * then adds the body's digest, so only a delivery with the same body counts as the same.
   */
  deliveryId: { header: string; unique: boolean };
  /** The header saying when the event happened (ISO 8601), and how old a delivery may be, from the config; vendors without one leave it out. */
  triggeredAt?: { header: string; maxAgeSeconds(config: Config): number };
  /** Further headers kept with the event (lower case); never the signature. */
  keptHeaders: readonly string[];
  /** An unsigned request the vendor sends to try the URL (WooCommerce's ping): answered 200, stored nowhere. */
  isPing?(request: { headers: RequestHeaders; body: Buffer }): boolean;
}

/** A header's single value: the first when a client sent it twice, undefined when absent or empty. */
export function headerValue(headers: RequestHeaders, name: string): string | undefined {
  const value = headers[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined || first.trim() === '' ? undefined : first.trim();
}
