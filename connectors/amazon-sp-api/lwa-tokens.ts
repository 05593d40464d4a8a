/**
 * Login with Amazon access tokens: a refresh_token grant POSTed to the token endpoint
 * (`grant_type=refresh_token&refresh_token&client_id&client_secret`, form-encoded), answered with
 * `{ access_token, expires_in }`; the token goes in the `x-amz-access-token` header of every
 * SP-API call and lives an hour (developer-docs.amazon.com/sp-api/docs/connecting-to-the-selling-partner-api).
 *
 * One token per connection, kept in this process's memory (not in the state store: another
 * process fetches its own, which LWA allows), renewed `token_margin_seconds` before it runs out,
 * one request for all callers that find it stale. Neither the client secret, the refresh token nor
 * an access token is ever put in a message or a log line.
 */
import axios from 'axios';
import { KeelError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { backoffDelayMs, sleep } from '../../core/runtime/backoff.js';
import { lwaError } from './amazon-errors.js';
import type { AmazonSettings } from './config.js';

export interface TokenContext {
  signal: AbortSignal;
  stopping?: AbortSignal;
  logger: Logger;
}

/** LWA's documented lifetime, when an answer does not say. */
const DEFAULT_LIFETIME_MS = 3600_000;
const RETRY = { maxAttempts: 0, initialDelayMs: 250, maxDelayMs: 10_000 };

export class LwaTokens {
  /** Tokens fetched so far: tests see a renewal happen. */
  fetched = 0;
  private token: { value: string; renewAt: number } | undefined;
  private pending: Promise<string> | undefined;

  constructor(private readonly settings: AmazonSettings) {}

  /** A token that will not expire on the way: the one kept, or a fresh one. */
  async accessToken(ctx: TokenContext): Promise<string> {
    if (this.token !== undefined && Date.now() < this.token.renewAt) return this.token.value;
    this.pending ??= this.fetch(ctx).finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** Amazon said `value` expired: the next call fetches another (unless one was fetched meanwhile). */
  forget(value: string): void {
    if (this.token?.value === value) this.token = undefined;
  }

  private async fetch(ctx: TokenContext): Promise<string> {
    const url = this.settings.tokenUrl;
    const form = new URLSearchParams({
      grant_type: 'refresh_token',
      refresh_token: this.settings.refreshToken,
      client_id: this.settings.clientId,
      client_secret: this.settings.clientSecret,
    }).toString();
    for (let attempt = 1; ; attempt += 1) {
      let failure: KeelError;
      try {
        const response = await axios.post<string>(url, form, {
          headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8', accept: 'application/json' },
          timeout: this.settings.timeoutMs,
          maxRedirects: 0,
          maxContentLength: 1024 * 1024,
          responseType: 'text',
          transformResponse: [(data: unknown) => data],
          validateStatus: () => true,
          signal: ctx.signal,
        });
        const body = parse(response.data);
        const value = body?.['access_token'];
        if (response.status === 200 && typeof value === 'string' && value !== '') {
          const expiresIn = body?.['expires_in'];
          const lifetimeMs = typeof expiresIn === 'number' && expiresIn > 0 ? expiresIn * 1000 : DEFAULT_LIFETIME_MS;
          // Never earlier than half the lifetime: a margin longer than the token lives would fetch one per call.
          const margin = Math.min(this.settings.tokenMarginMs, lifetimeMs / 2);
          this.token = { value, renewAt: Date.now() + lifetimeMs - margin };
          this.fetched += 1;
          ctx.logger.debug('amazon access token fetched', { token_url: url, expires_in_s: Math.round(lifetimeMs / 1000) });
          return value;
        }
        failure = lwaError(url, response.status, body ?? response.data);
      } catch (error) {
        if (ctx.signal.aborted) throw new KeelError('transient', `access token request to ${url} was stopped`, { code: 'aborted', stage: 'amazon-sp-api' });
        const code = (error as { code?: string }).code ?? 'network error';
        failure = new KeelError('transient', `access token request to ${url} failed (${code}); is token_url reachable?`, { code: 'amazon_lwa_unreachable', stage: 'amazon-sp-api' });
      }
      if (failure.kind !== 'transient' || attempt > this.settings.retries || ctx.stopping?.aborted === true) throw failure;
      const delay = backoffDelayMs(RETRY, attempt);
      ctx.logger.warn('amazon access token request failed; retrying', { token_url: url, attempt, delay_ms: delay, error: failure.message });
      await sleep(delay, ctx.signal);
    }
  }
}

function parse(text: unknown): Record<string, unknown> | undefined {
  if (typeof text !== 'string') return undefined;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
