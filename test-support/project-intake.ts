import { createLogger } from '../core/logger.js';
import { openProject } from '../core/project/open-project.js';
import { Redactor } from '../core/redact.js';
import type { WebhookEvent } from '../core/state/webhook-inbox.js';
import { startWebhookListener } from '../core/webhooks/listener.js';
import { servedConnections } from '../core/webhooks/served-connections.js';

/** `keel webhooks listen` for a project, in this process: its served connections on a free port, over its state file. */
export interface ProjectIntake {
  /** Where a connection's deliveries go. */
  url(connection: string): string;
  /** Every log line so far (JSON, debug level). */
  log(): string;
  events(connection: string): Promise<WebhookEvent[]>;
  /** Closes the listener (answering what is in flight), then the project. */
  stop(): Promise<void>;
}

/** A project intake seen from one connection: where its deliveries go, and what it stored. */
export interface Intake {
  url: string;
  log: () => string;
  events: () => Promise<WebhookEvent[]>;
}

export async function listenForProject(dir: string, env: Record<string, string>): Promise<ProjectIntake> {
  const redactor = new Redactor();
  let log = '';
  const logger = createLogger({ level: 'debug', format: 'json', redactor, write: (line) => (log += line) });
  const session = await openProject(dir, { logger, redactor, env, checkEnvironment: true, withoutEngines: true });
  try {
    const { connections } = servedConnections(session.plan, { env, redactor });
    const listener = await startWebhookListener({ host: '127.0.0.1', port: 0, connections, inbox: session.store.webhooks, logger, maxBodyBytes: 5 * 1024 * 1024 });
    return {
      url: (connection) => `${listener.url}/webhooks/${encodeURIComponent(connection)}`,
      log: () => log,
      events: (connection) => session.store.webhooks.list({ connection, afterSeq: 0, limit: 1000 }),
      stop: async () => {
        await listener.close();
        await session.close();
      },
    };
  } catch (error) {
    await session.close();
    throw error;
  }
}
