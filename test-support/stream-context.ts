import { OpenEngines } from '../core/engines/open-engines.js';
import type { JsonValue } from '../core/json.js';
import { createLogger, type Logger } from '../core/logger.js';
import { Redactor } from '../core/redact.js';
import type { ConnectorState } from '../core/sdk/connector.js';

/** A connection's state that keeps nothing: each call of a stream starts afresh. */
export const NO_STATE: ConnectorState = { get: (): Promise<JsonValue | undefined> => Promise.resolve(undefined), set: () => Promise.resolve() };

/**
 * What a stream gets from the runner, without a project: for tests that call a connector's read
 * or write directly. `log` receives every JSON log line at debug level; without it the logger is
 * quiet below errors and writes nowhere.
 */
export function bareStreamContext<Config>(
  config: Config,
  options: Record<string, unknown>,
  where: { connection: string; stream: string; log?: (line: string) => void; state?: ConnectorState },
): { config: Config; options: Record<string, unknown>; connection: string; stream: string; logger: Logger; state: ConnectorState; signal: AbortSignal; projectDir: string; engines: OpenEngines } {
  const log = where.log;
  return {
    config,
    options,
    connection: where.connection,
    stream: where.stream,
    logger: createLogger({ level: log === undefined ? 'error' : 'debug', format: 'json', redactor: new Redactor(), write: log ?? (() => undefined) }),
    state: where.state ?? NO_STATE,
    signal: new AbortController().signal,
    projectDir: '.',
    engines: OpenEngines.none(),
  };
}
