import type { Logger } from '../logger.js';
import type { WebhookInbox } from '../state/webhook-inbox.js';

const HOUR_MS = 3_600_000;

/** Forgets the events received more than `keepDays` before `now`; answers how many. */
export function pruneInbox(inbox: WebhookInbox, keepDays: number, now: number): Promise<number> {
  return inbox.prune(new Date(now - keepDays * 24 * HOUR_MS).toISOString());
}

/**
 * Prunes now and every hour, until the returned function is called. What is kept is also what
 * replays are recognised against, so keep events longer than a delivery may be old, and longer
 * than the webhook pipelines may go unrun (an event pruned unread is left to polling).
 */
export function pruneInboxEvery(inbox: WebhookInbox, keepDays: number, logger: Logger): () => void {
  const prune = (): void => {
    pruneInbox(inbox, keepDays, Date.now())
      .then((removed) => {
        if (removed > 0) logger.info('webhook events pruned', { removed, keep_days: keepDays });
      })
      .catch((error: unknown) => logger.warn('webhook events not pruned; trying again in an hour', { error: error instanceof Error ? error.message : String(error) }));
  };
  prune();
  const timer = setInterval(prune, HOUR_MS);
  timer.unref();
  return () => clearInterval(timer);
}
