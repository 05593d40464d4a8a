/**
 * Connector modules written into temporary projects by tests, as a partner would ship them:
 * plain ESM files loaded by path. They use the SDK's shape directly (sdkVersion 1) so that they
 * do not depend on where the test runs from.
 */
export const KIT_CONNECTOR = `
export default {
  name: 'kit',
  kind: 'generic',
  sdkVersion: 1,
  configSchema: {
    type: 'object',
    properties: { token: { type: 'string', secret: true }, region: { type: 'string' } },
    additionalProperties: false,
  },
  streams: {
    events: {
      read: { incremental: { cursor: 'updated_at', monotonic: false }, read: async function* () {} },
    },
    sink: {
      write: { idempotency: 'none', write: async (ctx, batch) => batch.map(() => ({ status: 'ok' })) },
    },
  },
};
`;

/**
 * A target that rejects every 7th record (field n) until the file fixed.flag exists in the
 * project, and appends what it accepts to delivered.ndjson. Errors quote the configured token,
 * as careless vendor APIs do, so tests can check that it is redacted.
 */
export const FLAKY_CONNECTOR = `
import { appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
export default {
  name: 'flaky',
  kind: 'erp',
  sdkVersion: 1,
  configSchema: {
    type: 'object',
    properties: { token: { type: 'string', secret: true } },
    required: ['token'],
    additionalProperties: false,
  },
  streams: {
    orders: {
      primaryKey: ['n'],
      write: {
        idempotency: 'record',
        write: async (ctx, batch) => {
          const fixed = existsSync(join(ctx.projectDir, 'fixed.flag'));
          return batch.map((record) => {
            if (!fixed && Number(record.data.n) % 7 === 0) {
              return { status: 'permanent', error: 'ERP refused order ' + record.data.n + ' (auth ' + ctx.config.token + ')', code: 'erp_refused' };
            }
            appendFileSync(join(ctx.projectDir, 'delivered.ndjson'), JSON.stringify({ key: record.key, n: record.data.n }) + '\\n');
            return { status: 'ok', ref: 'erp-' + record.data.n };
          });
        },
      },
    },
  },
};
`;

/**
 * A target that accepts everything after a pause: next to a fast target it keeps the batch
 * uncommitted for a while after the fast target wrote, which is the window a crash must survive.
 */
export const SLOW_CONNECTOR = `
export default {
  name: 'slow',
  kind: 'generic',
  sdkVersion: 1,
  configSchema: { type: 'object', properties: { pause_ms: { type: 'integer' } }, additionalProperties: false },
  streams: {
    sink: {
      write: {
        idempotency: 'record',
        write: async (ctx, batch) => {
          await new Promise((resolve) => setTimeout(resolve, ctx.config.pause_ms ?? 5));
          return batch.map(() => ({ status: 'ok' }));
        },
      },
    },
  },
};
`;

/**
 * A target that answers "retry later" (with Retry-After 1 ms) to the first `fail_times` attempts
 * of each record, then accepts it; records whose field `hopeless` is set are never accepted.
 */
export const MOODY_CONNECTOR = `
const attempts = new Map();
export default {
  name: 'moody', kind: 'generic', sdkVersion: 1,
  configSchema: { type: 'object', properties: { fail_times: { type: 'integer' } }, additionalProperties: false },
  streams: {
    sink: {
      write: {
        idempotency: 'record',
        write: async (ctx, batch) => batch.map((record) => {
          const seen = (attempts.get(record.key) ?? 0) + 1;
          attempts.set(record.key, seen);
          if (record.data.hopeless === 'yes' || seen <= ctx.config.fail_times) return { status: 'retryable', error: 'busy (attempt ' + seen + ')', retryAfterMs: 1 };
          return { status: 'ok' };
        }),
      },
    },
  },
};
`;

/**
 * A target that fails the whole run (a plain error: fatal) until the file open.flag exists in
 * the project, and appends what it accepts to gate.ndjson: a crash after the other targets of a
 * batch wrote, before the batch was committed. With \`wait_for\`, it fails only once that file
 * (relative to the project) exists: after another target wrote it.
 */
export const GATE_CONNECTOR = `
import { appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
export default {
  name: 'gate', kind: 'generic', sdkVersion: 1,
  configSchema: { type: 'object', properties: { wait_for: { type: 'string' } }, additionalProperties: false },
  streams: {
    sink: {
      write: {
        idempotency: 'record',
        write: async (ctx, batch) => {
          if (!existsSync(join(ctx.projectDir, 'open.flag'))) {
            while (ctx.config.wait_for && !existsSync(join(ctx.projectDir, ctx.config.wait_for))) await new Promise((resolve) => setTimeout(resolve, 5));
            throw new Error('the gate is closed');
          }
          for (const record of batch) appendFileSync(join(ctx.projectDir, 'gate.ndjson'), JSON.stringify(record.data) + '\\n');
          return batch.map(() => ({ status: 'ok' }));
        },
      },
    },
  },
};
`;

/** A target that accepts every record and labels it with the record's field \`answer\` (reserved, stale…). */
export const LABEL_CONNECTOR = `
export default {
  name: 'label', kind: 'generic', sdkVersion: 1,
  configSchema: { type: 'object', additionalProperties: false },
  streams: {
    sink: {
      primaryKey: ['id'],
      write: {
        idempotency: 'record',
        onChange: 'send',
        write: async (ctx, batch) => batch.map((record) => (record.data.answer ? { status: 'ok', outcome: record.data.answer } : { status: 'ok' })),
      },
    },
  },
};
`;
