import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpenEngines } from '../engines/open-engines.js';
import type { JsonObject, JsonValue } from '../json.js';
import { createLogger, type Logger } from '../logger.js';
import { Redactor } from '../redact.js';
import type { ConnectorState, ReadContext, SyncMode, WriteContext, WriteResult } from '../sdk/connector.js';
import type { OpenedFixture } from './spec.js';

/**
 * One check's view of the connector's world: what setup opened, a connection state in memory, and
 * everything the connector said (log lines, thrown errors, record errors), kept unredacted so the
 * secrets check can search it. The runner redacts what it logs and stores; the kit looks at what
 * the connector hands over before that, so a secret put into a message is found, not hidden.
 */
export class CheckSession<Opened extends OpenedFixture<unknown>> {
  readonly said: string[] = [];
  readonly logger: Logger;
  private readonly values = new Map<string, JsonValue>();
  private readonly state: ConnectorState = {
    get: (key) => Promise.resolve(this.values.get(key)),
    set: (key, value) => {
      this.values.set(key, structuredClone(value));
      return Promise.resolve();
    },
  };
  private readonly abort = new AbortController();

  private constructor(
    readonly opened: Opened,
    readonly projectDir: string,
  ) {
    this.logger = createLogger({ level: 'debug', format: 'json', redactor: new Redactor(), write: (line) => this.said.push(line) });
  }

  /** Runs `body` with a freshly set up fixture, and tears it down whatever happens. */
  static async with<Opened extends OpenedFixture<unknown>, T>(setup: () => Promise<Opened> | Opened, body: (session: CheckSession<Opened>) => Promise<T>): Promise<T> {
    const opened = await setup();
    const temporary = opened.projectDir === undefined ? mkdtempSync(join(tmpdir(), 'keel-conformance-')) : undefined;
    const session = new CheckSession(opened, opened.projectDir ?? (temporary as string));
    try {
      return await body(session);
    } finally {
      session.abort.abort();
      try {
        await opened.teardown?.();
      } finally {
        if (temporary !== undefined) rmSync(temporary, { recursive: true, force: true });
      }
    }
  }

  /** Notes an error the connector threw (message, detail, cause chain), for the secrets check. */
  heard(error: unknown): void {
    for (let current: unknown = error, depth = 0; current !== undefined && current !== null && depth < 5; depth += 1) {
      if (current instanceof Error) {
        this.said.push(current.stack ?? current.message, JSON.stringify({ ...current }));
        current = current.cause;
      } else {
        this.said.push(String(current));
        break;
      }
    }
  }

  readContext(stream: string, options: JsonObject, sync: SyncMode, cursor: JsonValue | undefined): ReadContext {
    return { ...this.streamContext(stream, options), cursor, sync };
  }

  writeContext(stream: string, options: JsonObject, batchKey: string, settled?: (index: number, result: WriteResult) => void): WriteContext {
    return { ...this.streamContext(stream, options), batchKey, sequence: 1, sending: () => Promise.resolve(), settled };
  }

  private streamContext(stream: string, options: JsonObject): Omit<ReadContext, 'cursor' | 'sync'> {
    return {
      config: this.opened.config,
      // Each call gets its own copy: a connector that changes its options cannot pass that on.
      options: structuredClone(options),
      connection: 'conformance',
      stream,
      logger: this.logger,
      state: this.state,
      signal: this.abort.signal,
      projectDir: this.projectDir,
      engines: this.opened.engines ?? OpenEngines.none(),
      inbox: this.opened.inbox,
    };
  }
}
