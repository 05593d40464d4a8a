/**
 * Feed documents travel outside the SP-API: createFeedDocument answers a presigned URL to PUT the
 * feed to, getFeedDocument one to GET the processing report from (gzip-compressed when it says
 * `compressionAlgorithm: GZIP`); both expire after five minutes (Feeds API 2021-06-30,
 * developer-docs.amazon.com/sp-api/docs/feeds-api-v2021-06-30-use-case-guide). The upload carries
 * the content type the document was created with, or the signature does not match. No access token
 * goes there, and the URLs' query (the signature) is never shown: messages name host and path.
 */
import { gunzipSync } from 'node:zlib';
import axios from 'axios';
import { parseJsonText } from '../../core/codecs/json-text.js';
import { DEFAULT_MAX_DEPTH } from '../../core/codecs/limits.js';
import { KeelError } from '../../core/errors.js';
import { backoffDelayMs, sleep } from '../../core/runtime/backoff.js';
import type { AmazonSettings } from './config.js';
import type { CallContext } from './sp-api.js';

/** The content type the listings feed is declared and uploaded with. */
export const FEED_CONTENT_TYPE = 'application/json; charset=UTF-8';
/** Largest processing report taken (it holds issues and a summary: no listings are asked for). */
const MAX_REPORT_BYTES = 50 * 1024 * 1024;
const RETRY = { maxAttempts: 0, initialDelayMs: 250, maxDelayMs: 10_000 };

export async function uploadFeedDocument(settings: AmazonSettings, url: string, content: string, ctx: CallContext): Promise<void> {
  const target = checkedUrl(settings, url);
  await withRetries(settings, `upload of the feed to ${target}`, ctx, async () => {
    const response = await axios.put(url, content, {
      headers: { 'content-type': FEED_CONTENT_TYPE },
      timeout: settings.timeoutMs,
      maxRedirects: 0,
      maxBodyLength: MAX_REPORT_BYTES,
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
      validateStatus: () => true,
      signal: ctx.signal,
    });
    return statusOutcome(response.status, `upload of the feed to ${target}`, undefined);
  });
}

export async function downloadReport(settings: AmazonSettings, url: string, compression: string | undefined, ctx: CallContext): Promise<unknown> {
  const target = checkedUrl(settings, url);
  const bytes = await withRetries(settings, `download of the processing report from ${target}`, ctx, async () => {
    const response = await axios.get<ArrayBuffer>(url, {
      timeout: settings.timeoutMs,
      maxRedirects: 0,
      maxContentLength: MAX_REPORT_BYTES,
      responseType: 'arraybuffer',
      validateStatus: () => true,
      signal: ctx.signal,
    });
    return statusOutcome(response.status, `download of the processing report from ${target}`, Buffer.from(response.data));
  });
  let text: string;
  try {
    text = (compression === 'GZIP' ? gunzipSync(bytes, { maxOutputLength: MAX_REPORT_BYTES }) : bytes).toString('utf8');
  } catch (error) {
    throw new KeelError('transient', `the processing report from ${target} could not be unpacked: ${(error as Error).message}`, { code: 'amazon_report_unreadable', stage: 'amazon-sp-api' });
  }
  const parsed = parseJsonText(text, DEFAULT_MAX_DEPTH);
  if (!parsed.ok) {
    throw new KeelError('transient', `the processing report from ${target} is not JSON: ${parsed.reason}`, { code: 'amazon_report_unreadable', stage: 'amazon-sp-api' });
  }
  return parsed.value;
}

/** The URL as it may be shown, once it is known to be one Keel may call: https, or this machine for an emulator. */
function checkedUrl(settings: AmazonSettings, url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new KeelError('fatal', 'Amazon answered a feed document URL that is no URL', { code: 'amazon_document_url', stage: 'amazon-sp-api' });
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname);
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && settings.loopback && loopback)) {
    throw new KeelError('fatal', `refusing the feed document URL ${parsed.protocol}//${parsed.host}${parsed.pathname}: only https is taken`, { code: 'amazon_document_url', stage: 'amazon-sp-api' });
  }
  return `${parsed.host}${parsed.pathname}`;
}

/** What one try came to: a value, or a failure and whether trying again here can help. */
type Attempt<T> = { value: T } | { failure: KeelError; again: boolean };

/** A 2xx is `value`; 5xx and 429 are tried again; a 403 (the URL expired) only by a new write, which asks for a new URL. */
function statusOutcome<T>(status: number, what: string, value: T): Attempt<T> {
  if (status >= 200 && status < 300) return { value };
  const transient = status >= 500 || status === 429 || status === 403;
  return { failure: new KeelError(transient ? 'transient' : 'fatal', `${what} → HTTP ${status}`, { code: 'amazon_document_transfer', stage: 'amazon-sp-api' }), again: transient && status !== 403 };
}

async function withRetries<T>(settings: AmazonSettings, what: string, ctx: CallContext, attempt: () => Promise<Attempt<T>>): Promise<T> {
  for (let tries = 1; ; tries += 1) {
    let outcome: Attempt<T>;
    try {
      outcome = await attempt();
    } catch (error) {
      if (ctx.signal.aborted) throw new KeelError('transient', `${what} was stopped`, { code: 'aborted', stage: 'amazon-sp-api' });
      const code = (error as { code?: string }).code ?? 'network error';
      outcome = { failure: new KeelError('transient', `${what} failed (${code})`, { code: 'amazon_document_transfer', stage: 'amazon-sp-api' }), again: true };
    }
    if ('value' in outcome) return outcome.value;
    if (!outcome.again || tries > settings.retries || ctx.stopping?.aborted === true) throw outcome.failure;
    const delay = backoffDelayMs(RETRY, tries);
    ctx.logger.warn('amazon feed document transfer failed; retrying', { transfer: what, attempt: tries, delay_ms: delay, error: outcome.failure.message });
    await sleep(delay, ctx.signal);
  }
}
