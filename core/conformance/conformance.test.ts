import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { HttpConnectionSchema } from '../http/http-client.js';
import { KeelError } from '../errors.js';
import type { JsonObject } from '../json.js';
import { defineConnector, type SourcePage } from '../sdk/connector.js';
import { checkConnector, describeConnector, type ConformanceReport, type ConformanceSpec, type OpenedFixture } from './index.js';
import { secretFields } from './secret-checks.js';

/**
 * The kit is checked on connectors with one flaw each: every check must catch the flaw it is
 * about, with a message that says what is wrong. The sound connector passes them all.
 */
interface Row {
  id: string;
  updated_at: string;
}
class MemoryApi {
  rows: Row[] = [];
  readonly held = new Map<string, JsonObject>();
  readonly appended: JsonObject[] = [];
  down = false;
}
const APIS = new Map<string, MemoryApi>();

type Flaw = 'strict-cursor' | 'inclusive-cursor' | 'appending-writes' | 'plain-errors' | 'logged-secret' | 'loose-options' | 'reordered-replay' | 'at-least-once';
const SECRET = 'memory-token-5f0c2a9d';
const PAGE = 2;

function memoryConnector(flaw?: Flaw) {
  const Config = Type.Object({ api: Type.String(), token: Type.String({ secret: true }) }, { additionalProperties: false });
  const ReadOptions = Type.Object({ since: Type.Optional(Type.String()) }, flaw === 'loose-options' ? {} : { additionalProperties: false });
  const WriteOptions = Type.Object({}, { additionalProperties: false });
  return defineConnector({
    name: 'memory',
    kind: 'generic',
    configSchema: Config,
    streams: {
      items: {
        primaryKey: ['id'],
        read: {
          options: ReadOptions,
          incremental: { cursor: 'updated_at', monotonic: true },
          async *read(ctx): AsyncIterable<SourcePage> {
            const api = APIS.get(ctx.config.api) as MemoryApi;
            if (flaw === 'logged-secret') ctx.logger.debug(`listing items with token ${ctx.config.token}`);
            if (api.down) {
              if (flaw === 'plain-errors') throw new Error('ECONNREFUSED');
              throw new KeelError('transient', 'the memory API is down', { code: 'memory_down' });
            }
            const cursor = ctx.cursor as { at: string; id?: string } | undefined;
            const sorted = [...api.rows].sort((a, b) => a.updated_at.localeCompare(b.updated_at) || a.id.localeCompare(b.id));
            let rows = sorted.filter((row) => {
              if (cursor === undefined) return true;
              if (flaw === 'strict-cursor') return row.updated_at > cursor.at;
              if (flaw === 'inclusive-cursor') return row.updated_at >= cursor.at;
              return row.updated_at > cursor.at || (row.updated_at === cursor.at && row.id > (cursor.id ?? ''));
            });
            if (flaw === 'reordered-replay' && cursor !== undefined) rows = rows.reverse();
            for (let from = 0; from < rows.length; from += PAGE) {
              const page = rows.slice(from, from + PAGE);
              const last = page.at(-1) as Row;
              yield { records: page.map((row) => ({ data: { ...row } })), checkpoint: flaw === 'strict-cursor' || flaw === 'inclusive-cursor' ? { at: last.updated_at } : { at: last.updated_at, id: last.id } };
            }
          },
        },
        write: {
          options: WriteOptions,
          idempotency: flaw === 'at-least-once' ? 'none' : 'record',
          async write(ctx, batch) {
            const api = APIS.get(ctx.config.api) as MemoryApi;
            return batch.map((record) => {
              if (api.down) return { status: 'retryable', error: 'the memory API is down' };
              if (record.data['id'] === 'bad') return { status: 'permanent', error: 'an item needs a name' };
              if (flaw === 'appending-writes') api.appended.push(record.data);
              else api.held.set(record.key, record.data);
              return { status: 'ok' };
            });
          },
        },
      },
    },
  });
}

type MemoryOpened = OpenedFixture<{ api: string; token: string }> & { api: MemoryApi };
type MemorySpec = ConformanceSpec<{ api: string; token: string }, MemoryOpened>;

const WRITE_FIXTURE: NonNullable<MemorySpec['streams'][string]['write']> = {
  records: [{ id: 'w1' }, { id: 'w2' }],
  state: ({ api }) => ({ held: [...api.held], appended: api.appended }),
  rejected: { id: 'bad' },
  failures: { retryable: ({ api }) => void (api.down = true) },
};

let opened = 0;
function memorySpec(): MemorySpec {
  return {
    setup: () => {
      const name = `api-${(opened += 1)}`;
      const api = new MemoryApi();
      // Three rows per updated_at, pages of two: checkpoints fall inside shared times.
      api.rows = Array.from({ length: 7 }, (_, index) => ({ id: `r${index}`, updated_at: `2026-01-01T00:00:0${Math.floor(index / 3)}Z` }));
      APIS.set(name, api);
      return { config: { api: name, token: SECRET }, api, teardown: () => void APIS.delete(name) };
    },
    streams: {
      items: {
        read: {
          options: {},
          incremental: {
            cursorOf: (record) => record['updated_at'] ?? null,
            addAt: ({ api }, cursor) => void api.rows.push({ id: 'r9', updated_at: String(cursor) }),
          },
          failures: { retryable: ({ api }) => void (api.down = true) },
        },
        write: WRITE_FIXTURE,
      },
    },
  };
}

const failures = (report: ConformanceReport): Record<string, string> =>
  Object.fromEntries(report.results.filter((result) => !result.passed).map((result) => [result.name, result.message ?? '']));

describe('the conformance kit', () => {
  it('passes a sound connector on every check its declarations call for', async () => {
    const report = await checkConnector(memoryConnector(), memorySpec());
    expect(failures(report)).toEqual({});
    expect(report.results.map((result) => result.name)).toEqual([
      'config and options: the schemas refuse what they do not declare',
      'items read: yields pages of records with JSON checkpoints',
      'items read: resumes from every checkpoint without loss or repeat',
      'items read: keeps records that share a cursor value',
      'items read: a failure that may pass is retryable',
      'items write: accepts a batch, one result per record',
      'items write: the same batch twice leaves the same external state',
      'items write: a record the target refuses is permanent, the others are written',
      'items write: a failure that may pass is retryable',
      'secrets stay out of logs, errors and dead letters',
    ]);
  });

  it('catches a cursor that skips its own value: records sharing it are lost on resume', async () => {
    const found = failures(await checkConnector(memoryConnector('strict-cursor'), memorySpec()));
    expect(found['items read: resumes from every checkpoint without loss or repeat']).toMatch(/^items: resumed from checkpoint 1 of \d+ \(after 2 of 7 records\), the read lost 1: r2$/);
    expect(found['items read: keeps records that share a cursor value']).toContain('resumed between records that share a cursor value, the read lost r2');
  });

  it('catches a cursor that takes its own value again: records are repeated on resume', async () => {
    const found = failures(await checkConnector(memoryConnector('inclusive-cursor'), memorySpec()));
    expect(found['items read: resumes from every checkpoint without loss or repeat']).toContain('the read repeated 2 records read before the checkpoint: r0, r1');
  });

  it('catches a replayable source that yields another order from a checkpoint', async () => {
    const found = failures(await checkConnector(memoryConnector('reordered-replay'), memorySpec()));
    expect(found['items read: resumes from every checkpoint without loss or repeat']).toContain('a source that can replay must yield the same records in the same order, or declare replayable: false');
  });

  it('catches a target declared idempotent that adds the batch again', async () => {
    const found = failures(await checkConnector(memoryConnector('appending-writes'), memorySpec()));
    expect(found['items write: the same batch twice leaves the same external state']).toContain('items: the same batch written twice changed the target again');
  });

  it('catches errors that are no KeelError, naming what was thrown', async () => {
    const found = failures(await checkConnector(memoryConnector('plain-errors'), memorySpec()));
    expect(found['items read: a failure that may pass is retryable']).toBe(
      "items: read after the fixture's retryable failure: threw Error: ECONNREFUSED, which is no KeelError; expected a KeelError of kind transient or rate_limited (wrap what the API said in a KeelError, or use writeResultFor in a write)",
    );
  });

  it('finds a secret the connector logged, naming the field without showing the secret', async () => {
    const found = failures(await checkConnector(memoryConnector('logged-secret'), memorySpec()));
    const message = found['secrets stay out of logs, errors and dead letters'] ?? '';
    expect(message).toContain('the secret config field token appeared in what the connector logged or reported (items: a full read): …');
    expect(message).toContain('listing items with token <token>');
    expect(message).not.toContain(SECRET);
  });

  it('catches an options schema that takes keys it does not declare', async () => {
    const found = failures(await checkConnector(memoryConnector('loose-options'), memorySpec()));
    expect(found['config and options: the schemas refuse what they do not declare']).toContain(
      'options of source stream "items" took the unknown key "conformance_unknown_key": declare the schema with { additionalProperties: false }',
    );
  });

  it('fails a capability without a fixture, and a fixture whose state() cannot see the write', async () => {
    const withoutRead: MemorySpec = { ...memorySpec(), streams: { items: { write: { ...WRITE_FIXTURE, state: () => 'always the same' } } } };
    const found = failures(await checkConnector(memoryConnector(), withoutRead));
    expect(found['items read: has a fixture']).toBe('stream "items" declares read, but the spec gives no streams.items.read fixture; every declared capability is checked');
    expect(found['items write: accepts a batch, one result per record']).toContain("the fixture's state() is the same before and after the batch");
  });

  it('asks how records share cursor values, and for a cursor nobody shares checks only what is added later', async () => {
    const spec = memorySpec();
    const read = spec.streams['items']?.read;
    const addAt = read?.incremental?.addAt ?? (() => undefined);
    const unsaid: MemorySpec = { ...spec, streams: { items: { write: WRITE_FIXTURE, read: { ...read, incremental: { addAt } } } } };
    expect(failures(await checkConnector(memoryConnector(), unsaid))['items read: keeps records that share a cursor value']).toContain(
      'give streams.items.read.incremental (cursorOf, or uniqueCursor saying why no two records share one; and addAt)',
    );
    const unique: MemorySpec = { ...spec, streams: { items: { write: WRITE_FIXTURE, read: { ...read, incremental: { uniqueCursor: 'ids are never reused', addAt } } } } };
    const report = await checkConnector(memoryConnector(), unique);
    expect(failures(report)).toEqual({});
    expect(report.results.map((result) => result.name)).toContain('items read: a record added after the last checkpoint comes with the next read');
    expect(report.skipped).toContainEqual({ name: 'items read: keeps records that share a cursor value', reason: 'ids are never reused' });
  });

  it('registers each check with the describe and it a test framework gives', () => {
    const names: string[] = [];
    describeConnector(memoryConnector(), memorySpec(), { describe: (name, body) => (names.push(`describe ${name}`), body()), it: (name) => names.push(name) });
    expect(names.slice(0, 2)).toEqual(['describe connector memory: conformance', 'config and options: the schemas refuse what they do not declare']);
    expect(names).toHaveLength(11);
  });

  it('shows a check the declarations make pointless as skipped, with why, where the framework can skip', () => {
    const skipped: string[] = [];
    const itWithSkip = Object.assign(() => undefined, { skip: (name: string) => void skipped.push(name) });
    describeConnector(memoryConnector('at-least-once'), memorySpec(), { describe: (_, body) => body(), it: itWithSkip });
    expect(skipped).toEqual(['items write: the same batch twice leaves the same external state (not run: the stream declares idempotency none (at least once) for these options)']);
  });

  it('finds secret fields inside unions and conditionals (the HTTP auth)', () => {
    expect(secretFields(HttpConnectionSchema).sort()).toEqual(['auth.client_secret', 'auth.password', 'auth.token', 'auth.value']);
  });
});
