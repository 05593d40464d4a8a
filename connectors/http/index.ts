import { defineConnector, defineStream } from '../../core/sdk/connector.js';
import { HttpConnectionSchema } from '../../core/http/http-client.js';
import { API_EXAMPLES } from './examples.js';
import { ApiReadOptions, ApiWriteOptions } from './options.js';
import { readApi } from './read-api.js';
import { writeApi } from './write-api.js';
import { walkBackfill } from '../../core/http/incremental.js';

export default defineConnector({
  name: 'http',
  kind: 'generic',
  description: 'JSON APIs over HTTP: paginated, incremental reads by updated-at; writes with idempotency keys or lookups; shared rate budgets.',
  configSchema: HttpConnectionSchema,
  streams: {
    api: defineStream({
      description: 'A JSON collection: read it page by page, or send each record as one request.',
      primaryKey: ['id'],
      status: 'stable',
      examples: API_EXAMPLES,
      read: {
        options: ApiReadOptions,
        // (id, updated-at) pairs near the boundary are remembered, so the walk is safe to resume.
        incremental: { cursor: 'updated-at field with look-back and (id, updated-at) de-duplication', monotonic: true },
        // A live API may answer differently the second time: resume from the checkpoint, not by counting.
        replayable: false,
        check: (options, { sync }) =>
          sync === 'incremental' && options.incremental === undefined
            ? [{ path: [], message: 'incremental sync needs options.incremental (the updated-at field and its query parameter, e.g. { field: updated_at, param: updated_at_min }), or set sync: full' }]
            : [],
        // A backfill moves the updated-at boundary to the time given.
        backfill: walkBackfill,
        read: readApi,
      },
      write: {
        options: ApiWriteOptions,
        idempotency: (options) =>
          options.idempotency_header === false && options.find_before_create === undefined ? 'none' : 'record',
        // PUT and PATCH update a record by its id: a changed version goes out as an update. A POST
        // creates, so a changed version of an order sent before waits for a person (dead letter).
        onChange: (options) => (options.method === 'PUT' || options.method === 'PATCH' ? 'send' : 'dead_letter'),
        perRecordProgress: true,
        write: writeApi,
      },
    }),
  },
});
