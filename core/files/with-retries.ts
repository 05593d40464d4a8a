import type { RetryPolicy } from '../config/plan.js';
import { toKeelError } from '../errors.js';
import type { Logger } from '../logger.js';
import { backoffDelayMs, sleep } from '../runtime/backoff.js';

/** Local folders do not drop connections: one attempt. */
export const NO_RETRY: RetryPolicy = { maxAttempts: 1, initialDelayMs: 0, maxDelayMs: 0 };

/**
 * Runs `operation`, and again with backoff while it fails with a retryable (transient) error and
 * attempts remain; anything else, or the last failure, is thrown as a KeelError.
 */
export async function withRetries<T>(what: string, operation: () => Promise<T>, policy: RetryPolicy, signal: AbortSignal, logger: Logger): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await operation();
    } catch (error) {
      const failure = toKeelError(error, 'files');
      if (!failure.retryable || attempt >= policy.maxAttempts || signal.aborted) throw failure;
      const delayMs = backoffDelayMs(policy, attempt);
      logger.warn(`${what} failed; retrying`, { attempt, delay_ms: delayMs, error: failure.message });
      await sleep(delayMs, signal);
    }
  }
}
