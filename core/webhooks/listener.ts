import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../logger.js';
import type { WebhookInbox } from '../state/webhook-inbox.js';
import { logIntake, takeDelivery, type WebhookConnection } from './intake.js';

export interface ListenerOptions {
  host: string;
  /** 0: any free port (the URL says which). */
  port: number;
  /** By name: a delivery for connection `shop` is POSTed to /webhooks/shop. */
  connections: ReadonlyMap<string, WebhookConnection>;
  inbox: WebhookInbox;
  logger: Logger;
  /** Larger bodies are refused with 413, without being read to the end. */
  maxBodyBytes: number;
}

export interface RunningListener {
  /** http://host:port */
  url: string;
  /** Stops taking connections; resolves when the requests in flight are answered (their events stored). */
  close(): Promise<void>;
  /** Drops every connection now, requests in flight too. */
  destroy(): void;
}

const PATH = /^\/webhooks\/([^/?#]+)\/?(?:\?.*)?$/;
/** Shopify waits 5 s for an answer; a client slower than this to send its request is cut off. */
const REQUEST_TIMEOUT_MS = 30_000;

/**
 * The webhook intake over plain node:http, until `keel serve` hosts it: one POST route per
 * connection, the body read as bytes (up to the limit), verified and stored before the answer.
 */
export async function startWebhookListener(options: ListenerOptions): Promise<RunningListener> {
  let closing = false;
  const server = createServer({ requestTimeout: REQUEST_TIMEOUT_MS }, (req, res) => {
    // Once closing, each answer ends its connection, or a keep-alive client would hold the close up.
    const reply: Reply = (status, body, close = false, headers = {}) => answer(res, status, body, close || closing, headers);
    handle(options, req, reply).catch((error: unknown) => {
      // The inbox could not store it (the disk, a lock held too long): the shop retries a 5xx.
      options.logger.error('webhook not stored', { error: error instanceof Error ? error.message : String(error) });
      if (!res.headersSent) reply(503, { error: 'not_stored', message: 'the event could not be stored; send it again' });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        closing = true;
        // Idle keep-alive connections close now; busy ones after their answer.
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
    destroy: () => server.closeAllConnections(),
  };
}

/** Writes the answer to the request being handled; `close` ends the connection after it. */
type Reply = (status: number, body: Record<string, string | number>, close?: boolean, headers?: Record<string, string>) => void;

async function handle(options: ListenerOptions, req: IncomingMessage, reply: Reply): Promise<void> {
  const match = PATH.exec(req.url ?? '');
  const name = match === null ? undefined : safeDecode(match[1] as string);
  const connection = name === undefined ? undefined : options.connections.get(name);
  if (connection === undefined) {
    options.logger.debug('webhook for no connection', { path: (req.url ?? '').slice(0, 200) });
    return reply(404, { error: 'unknown_connection', message: 'no connection takes webhooks at this path; deliveries go to /webhooks/<connection>' }, true);
  }
  if (req.method !== 'POST') return reply(405, { error: 'method_not_allowed', message: 'webhook deliveries are POSTed' }, true, { allow: 'POST' });
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > options.maxBodyBytes) return tooLarge(options, connection.name, reply);
  const body = await readBody(req, options.maxBodyBytes);
  if (body === undefined) return tooLarge(options, connection.name, reply);
  const result = await takeDelivery(connection, { headers: req.headers, body, receivedAt: new Date() }, options.inbox);
  logIntake(options.logger, connection.name, result);
  if (result.kind === 'accepted') return reply(200, { status: result.outcome, seq: result.seq });
  if (result.kind === 'ping') return reply(200, { status: 'ping' });
  reply(result.status, { error: result.outcome, message: result.message });
}

/**
 * The body's bytes, or undefined once more than `max` came. Then the rest is not read: the 413
 * goes out on a connection that closes after it (ending the stream here would drop the socket
 * before the answer).
 */
function readBody(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= max) {
        chunks.push(chunk);
        return;
      }
      req.off('data', onData);
      req.off('end', onEnd);
      req.pause();
      resolve(undefined);
    };
    const onEnd = (): void => resolve(Buffer.concat(chunks));
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', reject);
  });
}

function tooLarge(options: ListenerOptions, connection: string, reply: Reply): void {
  options.logger.warn('webhook refused', { connection, outcome: 'too_large', status: 413, max_body_bytes: options.maxBodyBytes });
  reply(413, { error: 'too_large', message: `deliveries larger than ${options.maxBodyBytes} bytes are refused (--max-body-bytes)` }, true);
}

/** A JSON answer; `close` ends the connection too (a body left unread, or a client that knocked at the wrong door). */
function answer(res: ServerResponse, status: number, body: Record<string, string | number>, close = false, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...(close ? { connection: 'close' } : {}), ...headers });
  res.end(text);
}

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
