/**
 * The files of a new partner package, `keel-connector-<name>`: a connector for an HTTP API with
 * one incremental read stream (orders) and one idempotent write stream (shipments), built on
 * Keel's HTTP client and updated-at walk; an emulator of that API and its fixtures; and a test
 * file that runs the conformance kit in one call, with node:test (no test framework to install).
 */
export interface TemplateInput {
  /** The connector name: lower-case letters, digits and dashes (`acme`). */
  name: string;
  /** The range of keel the package declares as its peer, e.g. ^0.1.0. */
  keelRange: string;
  /** Versions of TypeScript and Node's types, as this Keel is built with. */
  typescript: string;
  nodeTypes: string;
}

const pascal = (name: string): string => name.split('-').map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join('');

export function connectorPackageFiles(input: TemplateInput): Record<string, string> {
  const { name, keelRange } = input;
  const Name = pascal(name);
  const pkg = `keel-connector-${name}`;
  return {
    'package.json': `${JSON.stringify(
      {
        name: pkg,
        version: '0.1.0',
        description: `Keel connector for ${Name}: orders in, shipments out`,
        keywords: ['keel', 'keel-connector'],
        license: 'UNLICENSED',
        type: 'module',
        exports: { '.': { types: './dist/src/index.d.ts', import: './dist/src/index.js' } },
        files: ['dist/src', 'README.md'],
        engines: { node: '>=20.19' },
        scripts: {
          build: 'tsc -p tsconfig.json',
          test: 'tsc -p tsconfig.json && node --test dist/test/conformance.test.js',
          prepublishOnly: 'npm test',
        },
        peerDependencies: { keel: keelRange },
        devDependencies: { '@types/node': input.nodeTypes, keel: keelRange, typescript: input.typescript },
      },
      null,
      2,
    )}\n`,
    'tsconfig.json': `${JSON.stringify(
      {
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          lib: ['ES2023'],
          types: ['node'],
          strict: true,
          declaration: true,
          // Keel's own .d.ts files name types of its dependencies (better-sqlite3 …) that a partner does not install.
          skipLibCheck: true,
          outDir: 'dist',
          rootDir: '.',
        },
        include: ['src', 'test'],
      },
      null,
      2,
    )}\n`,
    '.gitignore': 'node_modules/\ndist/\n',
    'README.md': readme(name, Name, pkg, keelRange),
    'src/index.ts': `import { defineConnector } from 'keel';
import { ${Name}Config } from './config.js';
import { orders } from './orders.js';
import { shipments } from './shipments.js';

/** ${Name}: orders read by their updated_at, shipments sent with an idempotency key. Default-exported: Keel finds it by the package name. */
export default defineConnector({
  name: '${name}',
  kind: 'marketplace',
  description: '${Name} API: orders in (incremental by updated_at), shipments out (idempotent per shipment)',
  configSchema: ${Name}Config,
  streams: { orders, shipments },
});
`,
    'src/config.ts': `import { Type, type HttpConnection, type Static } from 'keel';

export const ${Name}Config = Type.Object(
  {
    base_url: Type.String({ pattern: '^https?://', description: 'the ${Name} API root, e.g. https://api.${name}.example/v1' }),
    api_key: Type.String({ minLength: 1, secret: true, description: 'API key, sent as X-Api-Key; from \${env:…} or \${file:…}, never inline' }),
    retries: Type.Optional(Type.Integer({ minimum: 0, maximum: 20, default: 4, description: 'retries of 5xx answers, timeouts and resets' })),
  },
  { additionalProperties: false },
);
export type ${Name}Config = Static<typeof ${Name}Config>;

/** Keel's HTTP client does auth, retries, Retry-After, rate budgets and error classification from this. */
export function httpConnection(config: ${Name}Config): HttpConnection {
  return { base_url: config.base_url, auth: { type: 'api_key_header', header: 'X-Api-Key', value: config.api_key }, retries: config.retries ?? 4 };
}
`,
    'src/orders.ts': `import {
  defineStream,
  httpClientFor,
  pagerFor,
  recordsIn,
  Type,
  UpdatedAtWalk,
  walkIncrementalPages,
  type FetchedPage,
  type JsonObject,
  type PageRequest,
  type ReadContext,
  type SourcePage,
  type Static,
  type TSchema,
} from 'keel';
import { httpConnection, type ${Name}Config } from './config.js';

const OrderReadOptions = Type.Object(
  {
    page_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 250, default: 100, description: 'orders per request' })),
    lookback_seconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400, default: 300, description: 'each run reads this far behind the saved boundary, for orders committed late' })),
  },
  { additionalProperties: false },
);
type OrderReadOptions = Static<typeof OrderReadOptions>;

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * GET /orders?updated_since=…&page=…&limit=…, walked by Keel's updated-at walk: orders that share
 * an updated_at across a page boundary, or change while pages are read, are neither lost nor repeated.
 */
async function* readOrders(ctx: ReadContext<${Name}Config, OrderReadOptions>): AsyncIterable<SourcePage> {
  const client = httpClientFor(httpConnection(ctx.config), { rates: ctx.rates });
  const walk = new UpdatedAtWalk({ field: 'updated_at', param: 'updated_since', lookback_seconds: ctx.options.lookback_seconds ?? 300 }, ctx.cursor);
  const pager = pagerFor({ type: 'page', size_param: 'limit', size: ctx.options.page_size ?? 100 });
  const fetch = async (request: PageRequest): Promise<FetchedPage> => {
    const response = await client.request({ path: request.path, query: request.query, signal: ctx.signal, stopping: ctx.stopping, logger: ctx.logger });
    const records = (recordsIn(response.data, 'orders') ?? []).filter(isObject);
    return { records, count: records.length, response };
  };
  const steps = walkIncrementalPages(walk, pager, { path: '/orders', query: {} }, fetch, { maxRestarts: 10, signal: ctx.signal, logger: ctx.logger });
  for await (const { page, fresh, unplaceable, checkpoint } of steps) {
    yield {
      unit: page.response.label,
      positions: 'item',
      records: fresh.map((data) => ({ data })),
      rejects: unplaceable.map(({ record, reason }) => ({ raw: JSON.stringify(record), origin: page.response.label, reason })),
      checkpoint,
    };
  }
}

export const orders = defineStream<${Name}Config, typeof OrderReadOptions, TSchema>({
  description: 'Orders, oldest change first; incremental by updated_at',
  primaryKey: ['id'],
  status: 'beta',
  examples: [{ title: 'Read new and changed orders', yaml: 'connections:\\n  ${name}: { connector: ${name}, config: { base_url: "https://api.${name}.example/v1", api_key: "\${env:${name.toUpperCase().replace(/-/g, '_')}_API_KEY}" } }\\nsource: { connection: ${name}, stream: orders }\\n' }],
  read: {
    options: OrderReadOptions,
    incremental: { cursor: 'updated_at with look-back and (id, updated_at) de-duplication', monotonic: true },
    // A live API may answer differently the second time: resume from the checkpoint, not by counting.
    replayable: false,
    read: readOrders,
  },
});
`,
    'src/shipments.ts': `import { defineStream, httpClientFor, Type, writeInOrder, type Static, type TSchema, type WriteContext, type WriteRecord, type WriteResult } from 'keel';
import { httpConnection, type ${Name}Config } from './config.js';

const ShipmentWriteOptions = Type.Object(
  {
    notify_customer: Type.Optional(Type.Boolean({ default: false, description: 'let ${Name} email the buyer' })),
  },
  { additionalProperties: false },
);
type ShipmentWriteOptions = Static<typeof ShipmentWriteOptions>;

/**
 * POST /shipments, one per record, with the record's key as Idempotency-Key: a retry after a lost
 * answer gets the first answer back instead of a second shipment. writeInOrder turns each error
 * into the record's result: a 4xx is permanent (dead-lettered), a 5xx or 429 retryable.
 */
async function writeShipments(ctx: WriteContext<${Name}Config, ShipmentWriteOptions>, batch: WriteRecord[]): Promise<WriteResult[]> {
  const client = httpClientFor(httpConnection(ctx.config), { rates: ctx.rates });
  return writeInOrder(batch, async (record) => {
    const body = { ...record.data, notify_customer: ctx.options.notify_customer ?? false };
    await client.request({ method: 'POST', path: '/shipments', body, idempotencyKey: record.key, priority: 'high', signal: ctx.signal, stopping: ctx.stopping, logger: ctx.logger });
    return { status: 'ok' };
  });
}

export const shipments = defineStream<${Name}Config, TSchema, typeof ShipmentWriteOptions>({
  description: 'Shipments with tracking numbers, one request each',
  primaryKey: ['shipment_id'],
  status: 'beta',
  write: {
    options: ShipmentWriteOptions,
    idempotency: 'record',
    write: writeShipments,
  },
});
`,
    'test/fixtures/orders.json': `${JSON.stringify(
      Array.from({ length: 7 }, (_, index) => ({
        id: `${Name.slice(0, 2).toUpperCase()}-${1001 + index}`,
        status: 'paid',
        currency: 'EUR',
        total: `${(19.9 + index).toFixed(2)}`,
        // Three orders per second: page boundaries fall inside a shared updated_at.
        updated_at: new Date(Date.UTC(2026, 0, 5, 9, 0, Math.floor(index / 3))).toISOString(),
      })),
      null,
      2,
    )}\n`,
    'test/api-emulator.ts': emulator(Name),
    'test/conformance.test.ts': `import { describe, it } from 'node:test';
import { describeConnector } from 'keel/testing';
import ${camel(name)} from '../src/index.js';
import { ${Name}Emulator } from './api-emulator.js';

const API_KEY = 'test-key-0f9e8d7c6b5a';

/** A fresh emulator per check: seeded from fixtures/orders.json, with pages of two orders. */
async function openApi() {
  const api = new ${Name}Emulator(API_KEY);
  const base_url = await api.start();
  return { config: { base_url, api_key: API_KEY, retries: 0 }, api, teardown: () => api.stop() };
}
type Opened = Awaited<ReturnType<typeof openApi>>;

const failures = {
  retryable: ({ api }: Opened) => api.failWith(503),
  permanent: ({ api }: Opened) => api.failWith(401),
};

describeConnector(
  ${camel(name)},
  {
    setup: openApi,
    streams: {
      orders: {
        read: {
          options: { page_size: 2, lookback_seconds: 0 },
          invalidOptions: [{ options: { page_size: 0 }, message: 'must be >= 1' }],
          incremental: { cursorOf: (order) => order['updated_at'] ?? null, addAt: ({ api }, cursor) => api.addOrder(String(cursor)) },
          failures,
        },
      },
      shipments: {
        write: {
          records: [
            { shipment_id: 'S-1', order_id: '${Name.slice(0, 2).toUpperCase()}-1001', tracking_number: '00340434161094042557' },
            { shipment_id: 'S-2', order_id: '${Name.slice(0, 2).toUpperCase()}-1002', tracking_number: '00340434161094042558' },
          ],
          state: ({ api }) => api.shipments,
          // No order_id: the API answers 422.
          rejected: { shipment_id: 'S-3', tracking_number: '00340434161094042559' },
          failures,
        },
      },
    },
  },
  { describe, it },
);
`,
  };
}

const camel = (name: string): string => {
  const value = pascal(name);
  return value.charAt(0).toLowerCase() + value.slice(1);
};

function emulator(Name: string): string {
  return `import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

interface Order {
  id: string;
  updated_at: string;
  [field: string]: string;
}

/** The seeded orders; read from the package folder, as the compiled test runs from dist/test/. */
const SEED = JSON.parse(readFileSync(new URL('../../test/fixtures/orders.json', import.meta.url), 'utf8')) as Order[];

/**
 * The ${Name} API as the connector expects it, on 127.0.0.1: X-Api-Key checked (401), orders sorted
 * by (updated_at, id) with updated_since (inclusive), page and limit; POST /shipments answering a
 * repeated Idempotency-Key with its first answer, and 422 for a shipment without order_id.
 * Replace it with what the real API does, and record real answers in fixtures/.
 */
export class ${Name}Emulator {
  readonly orders: Order[] = SEED.map((order) => ({ ...order }));
  readonly shipments: Record<string, unknown>[] = [];
  private readonly answers = new Map<string, { status: number; body: string }>();
  private failure: number | undefined;
  private server: Server | undefined;

  constructor(private readonly apiKey: string) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return \`http://127.0.0.1:\${(this.server.address() as AddressInfo).port}/v1\`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** From now on every request is answered with this status (503: down for now; 401: the key was revoked). */
  failWith(status: number): void {
    this.failure = status;
  }

  addOrder(updatedAt: string): void {
    this.orders.push({ id: \`LATE-\${this.orders.length + 1}\`, status: 'paid', currency: 'EUR', total: '1.00', updated_at: updatedAt });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (this.failure !== undefined) return send(this.failure, { error: 'failing on purpose' });
    if (req.headers['x-api-key'] !== this.apiKey) return send(401, { error: 'invalid API key' });
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'GET' && url.pathname === '/v1/orders') {
      const since = url.searchParams.get('updated_since');
      const limit = Number(url.searchParams.get('limit') ?? 100);
      const page = Number(url.searchParams.get('page') ?? 1);
      const matching = this.orders
        .filter((order) => since === null || Date.parse(order.updated_at) >= Date.parse(since))
        .sort((a, b) => Date.parse(a.updated_at) - Date.parse(b.updated_at) || a.id.localeCompare(b.id));
      return send(200, { orders: matching.slice((page - 1) * limit, page * limit) });
    }
    if (req.method === 'POST' && url.pathname === '/v1/shipments') {
      const key = req.headers['idempotency-key'];
      const earlier = typeof key === 'string' ? this.answers.get(key) : undefined;
      if (earlier !== undefined) return send(earlier.status, JSON.parse(earlier.body));
      const shipment = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      if (typeof shipment['order_id'] !== 'string') return send(422, { error: 'order_id is required' });
      this.shipments.push(shipment);
      const answer = { id: this.shipments.length };
      if (typeof key === 'string') this.answers.set(key, { status: 201, body: JSON.stringify(answer) });
      return send(201, answer);
    }
    send(404, { error: 'not found' });
  }
}
`;
}

function readme(name: string, Name: string, pkg: string, keelRange: string): string {
  const env = `${name.toUpperCase().replace(/-/g, '_')}_API_KEY`;
  return `# ${pkg}

A [Keel](https://www.npmjs.com/package/keel) connector for ${Name}: orders in, incrementally by
\`updated_at\`; shipments out, once each (an \`Idempotency-Key\` per shipment).

## Use

\`\`\`sh
npm install ${pkg}
npx keel connectors          # lists ${name} with its streams
\`\`\`

In \`keel.yaml\` (the API key only through \`\${env:…}\` or \`\${file:…}\`):

\`\`\`yaml
connections:
  ${name}:
    connector: ${name}
    config: { base_url: "https://api.${name}.example/v1", api_key: "\${env:${env}}" }
\`\`\`

| stream | read | write |
| --- | --- | --- |
| \`orders\` | full or incremental (\`page_size\`, \`lookback_seconds\`) | - |
| \`shipments\` | - | idempotent per record (\`notify_customer\`) |

## Develop

\`\`\`sh
npm install
npm test        # tsc, then node --test: the Keel conformance kit against test/api-emulator.ts
\`\`\`

- \`src/\` is the connector: \`config.ts\` (its config schema), one file per stream.
- \`test/api-emulator.ts\` stands in for the ${Name} API on 127.0.0.1; make it answer as the real API
  does (pagination, errors, rate limits), and keep recorded answers in \`test/fixtures/\`.
- \`test/conformance.test.ts\` runs Keel's shared checks in one call (\`describeConnector\` from
  \`keel/testing\`): declared capabilities hold, reads resume from every checkpoint without loss or
  repeat, records sharing an \`updated_at\` are kept, a batch written twice changes nothing, errors are
  classified (retryable, permanent), the API key never reaches logs or errors, options are schema-checked.
  It uses node:test, so the package needs no test framework; \`describeConnector\` takes Vitest's or
  Jest's \`describe\` and \`it\` as well.

## Publish

\`keel\` is a peer dependency (\`${keelRange}\`): the project installs Keel, and Keel refuses this
package when its version is outside that range. Widen the range once the conformance tests pass
against a newer Keel. Choose a licence before publishing (\`license\` in package.json), then
\`npm publish\` (it runs the tests first).
`;
}
