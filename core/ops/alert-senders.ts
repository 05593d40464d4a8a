import axios from 'axios';
import { createHmac } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { Notification } from '../state/incident-log.js';
import type { AlertDestinationPlan } from './alerts-config.js';
import type { EmailDestinationDocument, WebhookDestinationDocument } from './alerts-schema.js';
import type { AlertMessage } from './alert-message.js';

/** Sends one notification; rejects with a message that holds no secret (no URL, no credentials). */
export type AlertSender = (message: AlertMessage, note: Notification) => Promise<void>;

/** Header names of a webhook delivery. */
export const SIGNATURE_HEADER = 'keel-signature';
export const TIMESTAMP_HEADER = 'keel-timestamp';
export const DELIVERY_HEADER = 'keel-delivery';

/** The signature of a webhook body: hex HMAC-SHA256 of `<timestamp>.<body>`, keyed with the destination's secret. */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** An id a receiver can drop repeats by: a send whose answer was lost is sent again with the same one. */
export function deliveryId(note: Notification): string {
  return `incident-${note.incident.id}-${note.event}`;
}

export function createSender(destination: AlertDestinationPlan, project: string, now: () => number): AlertSender {
  return destination.kind === 'webhook' ? webhookSender(destination.config, now) : emailSender(destination.config, project);
}

function webhookSender(config: WebhookDestinationDocument, now: () => number): AlertSender {
  return async (message, note) => {
    const body = JSON.stringify(message.payload);
    const timestamp = String(Math.floor(now() / 1000));
    let status: number;
    try {
      const response = await axios.post(config.url, body, {
        headers: {
          'content-type': 'application/json',
          [TIMESTAMP_HEADER]: timestamp,
          [SIGNATURE_HEADER]: `sha256=${signWebhook(config.secret, timestamp, body)}`,
          [DELIVERY_HEADER]: deliveryId(note),
        },
        timeout: config.timeout_ms ?? 10_000,
        maxRedirects: 0,
        responseType: 'text',
        maxContentLength: 64 * 1024,
        validateStatus: () => true,
        // The body is sent as it was signed: no transform may re-encode it.
        transformRequest: [(data: unknown) => data],
      });
      status = response.status;
    } catch (error) {
      // Axios errors carry the request (URL, headers with the signature): only the code is passed on.
      const code = (error as { code?: unknown }).code;
      throw new Error(`the webhook could not be reached (${typeof code === 'string' ? code : 'network error'})`);
    }
    if (status < 200 || status >= 300) throw new Error(`the webhook answered HTTP ${status}`);
  };
}

function emailSender(config: EmailDestinationDocument, project: string): AlertSender {
  const timeout = config.timeout_ms ?? 10_000;
  const transport = nodemailer.createTransport({
    host: config.host,
    port: config.port ?? 587,
    secure: config.secure ?? false,
    ...(config.user !== undefined ? { auth: { user: config.user, pass: config.password ?? '' } } : {}),
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  });
  return async (message, note) => {
    try {
      await transport.sendMail({
        from: config.from,
        to: config.to,
        subject: message.subject,
        text: message.text,
        // The same id for a send repeated after a lost answer: mail clients show it once.
        messageId: `<${deliveryId(note)}.${encodeURIComponent(project)}@keel>`,
        headers: { 'X-Keel-Incident': String(note.incident.id), 'X-Keel-Event': note.event, 'X-Keel-Rule': note.incident.rule },
      });
    } catch (error) {
      // Nodemailer's messages name the server and its answer, never the password (the monitor redacts them besides).
      const { code, message: said } = error as { code?: unknown; message?: unknown };
      throw new Error(`the mail server did not take the message (${typeof code === 'string' ? code : 'error'}: ${typeof said === 'string' ? said.slice(0, 200) : 'no detail'})`);
    }
  };
}
