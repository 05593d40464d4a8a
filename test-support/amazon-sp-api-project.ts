import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../core/package-root.js';
import { afterEach } from 'vitest';
import type { AmazonConfig } from '../connectors/amazon-sp-api/config.js';
import amazon from '../connectors/amazon-sp-api/index.js';
import type { JsonObject, JsonValue } from '../core/json.js';
import type { SyncMode, WriteResult } from '../core/sdk/connector.js';
import { AmazonSpApiEmulator, EMULATOR_CREDENTIALS, EMULATOR_SELLER, type AmazonEmulatorOptions, type JsonRecord } from './amazon-sp-api-emulator.js';
import { bareStreamContext } from './stream-context.js';
import { tempProject, type TempProject } from './temp-project.js';

export const AMAZON_DE = 'A1PA6795UKMFR9';
export const AMAZON_US = 'ATVPDKIKX0DER';

/** The secrets as a project gets them: from the environment. */
export const AMAZON_ENV = { AMAZON_LWA_CLIENT_SECRET: EMULATOR_CREDENTIALS.clientSecret, AMAZON_LWA_REFRESH_TOKEN: EMULATOR_CREDENTIALS.refreshToken };

/** The connection config for the emulator, as a pipeline would have it once secrets are resolved. */
export function emulatorConfig(emulator: AmazonSpApiEmulator, origin: string, more: Partial<AmazonConfig> = {}): AmazonConfig {
  return {
    region: 'eu',
    selling_partner_id: EMULATOR_SELLER,
    marketplace_ids: [AMAZON_DE],
    client_id: EMULATOR_CREDENTIALS.clientId,
    client_secret: EMULATOR_CREDENTIALS.clientSecret,
    refresh_token: EMULATOR_CREDENTIALS.refreshToken,
    endpoint: origin,
    token_url: emulator.tokenUrl,
    retries: 4,
    ...more,
  };
}

/**
 * A project whose `amazon` connection is the emulator, an `out` folder of NDJSON files and an
 * `in` folder, and the given pipelines (name → YAML). `config` adds lines to the connection config.
 */
export function amazonProject(
  emulator: AmazonSpApiEmulator,
  origin: string,
  pipelines: Record<string, string>,
  options: { config?: string; marketplaceIds?: string[] } = {},
): TempProject {
  const config = options.config ?? '';
  const extra = config.trim() === '' ? '' : `\n      ${config.trim().split('\n').join('\n      ')}`;
  return tempProject({
    'keel.yaml': `name: amazon-test
connections:
  amazon:
    connector: amazon-sp-api
    config:
      region: eu
      endpoint: "${origin}"
      token_url: "${emulator.tokenUrl}"
      selling_partner_id: ${EMULATOR_SELLER}
      marketplace_ids: [${(options.marketplaceIds ?? [AMAZON_DE]).join(', ')}]
      client_id: ${EMULATOR_CREDENTIALS.clientId}
      client_secret: "\${env:AMAZON_LWA_CLIENT_SECRET}"
      refresh_token: "\${env:AMAZON_LWA_REFRESH_TOKEN}"
      retries: 4${extra}
  out: { connector: file, config: { root: ./out } }
  in: { connector: file, config: { root: ./in } }
`,
    ...Object.fromEntries(Object.entries(pipelines).map(([name, yaml]) => [`pipelines/${name}.yaml`, yaml])),
  });
}

export interface AmazonUnderTest {
  amazon: AmazonSpApiEmulator;
  origin: string;
  /** The connection config for it, secrets resolved. */
  config: AmazonConfig;
}

/**
 * For a test file: `start` an emulator in a test and `project` a project against it; both are
 * stopped and removed after each test.
 */
export function amazonTestBed(): {
  start(options?: AmazonEmulatorOptions): Promise<AmazonUnderTest>;
  project(under: AmazonUnderTest, pipelines: Record<string, string>, options?: { config?: string; marketplaceIds?: string[] }): TempProject;
} {
  const emulators: AmazonSpApiEmulator[] = [];
  const projects: TempProject[] = [];
  afterEach(async () => {
    for (const project of projects.splice(0)) project.remove();
    for (const emulator of emulators.splice(0)) await emulator.stop();
  });
  return {
    async start(options = {}) {
      const amazon = new AmazonSpApiEmulator(options);
      emulators.push(amazon);
      const origin = await amazon.start();
      return { amazon, origin, config: emulatorConfig(amazon, origin) };
    },
    project(under, pipelines, options = {}) {
      const project = amazonProject(under.amazon, under.origin, pipelines, options);
      projects.push(project);
      return project;
    },
  };
}

const DE_ORDER = JSON.parse(
  readFileSync(join(packageRoot(), 'mappings/amazon-sp-api/fixtures/order-de-shipped-vat-included-promotion-gift-wrap.json'), 'utf8'),
) as JsonRecord;

/** Amazon's form of a time: ISO 8601 to the second. */
export const amazonTime = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * An Amazon.de order like mappings/amazon-sp-api's fixture (two items, VAT included), with its own
 * id and LastUpdateDate, split as the API serves it: the order, and its items.
 */
export function deOrder(id: string, lastUpdate: number): { order: JsonRecord; items: JsonRecord[] } {
  const { OrderItems: items, ...order } = structuredClone(DE_ORDER);
  return { order: { ...order, AmazonOrderId: id, LastUpdateDate: amazonTime(lastUpdate) }, items: items as JsonRecord[] };
}

/** `count` orders ids 302-0000000-<n>, the n-th last updated at `at(n)`. */
export function addDeOrders(emulator: AmazonSpApiEmulator, count: number, at: (n: number) => number, first = 1): string[] {
  const ids: string[] = [];
  for (let n = first; n < first + count; n += 1) {
    const id = `302-0000000-${String(n).padStart(7, '0')}`;
    const { order, items } = deOrder(id, at(n));
    emulator.addOrder(order, items);
    ids.push(id);
  }
  return ids;
}

export interface StreamRead {
  records: JsonObject[];
  rejects: { raw: string; reason: string }[];
  /** The last checkpoint, which the runner would save and give the next run. */
  cursor: JsonValue | undefined;
  checkpoints: JsonValue[];
  log: string;
}

/** One run of the orders stream as the runner makes it, without a project: every page, or the first `pages`. */
export async function readAmazonOrders(
  config: AmazonConfig,
  options: Record<string, unknown>,
  cursor: JsonValue | undefined,
  sync: SyncMode = 'incremental',
  pages = Number.POSITIVE_INFINITY,
): Promise<StreamRead> {
  const read = amazon.streams['orders']?.read;
  if (read === undefined) throw new Error('amazon-sp-api has no readable orders stream');
  const result: StreamRead = { records: [], rejects: [], cursor, checkpoints: [], log: '' };
  const iterable = read.read({ ...bareStreamContext(config, options, { connection: 'amazon', stream: 'orders', log: (line) => (result.log += line) }), cursor, sync });
  for await (const page of iterable) {
    result.records.push(...page.records.map((record) => record.data));
    result.rejects.push(...(page.rejects ?? []).map(({ raw, reason }) => ({ raw, reason })));
    if (page.checkpoint !== undefined) {
      result.cursor = page.checkpoint;
      result.checkpoints.push(page.checkpoint);
    }
    if (result.checkpoints.length >= pages) break;
  }
  return result;
}

/** A connection's state kept in memory, as the state store keeps it between writes. */
export function memoryState(): { state: { get(key: string): Promise<JsonValue | undefined>; set(key: string, value: JsonValue): Promise<void> }; values: Map<string, JsonValue> } {
  const values = new Map<string, JsonValue>();
  return {
    values,
    state: {
      get: (key) => Promise.resolve(values.get(key)),
      set: (key, value) => {
        values.set(key, value);
        return Promise.resolve();
      },
    },
  };
}

/** One write of the stock stream as the runner makes it, without a project; `log` is every line unredacted. */
export async function writeAmazonStock(
  config: AmazonConfig,
  options: Record<string, unknown>,
  records: JsonObject[],
  state = memoryState().state,
  batchKey = 'batch-1',
): Promise<{ results: WriteResult[]; log: string }> {
  const write = amazon.streams['stock']?.write;
  if (write === undefined) throw new Error('amazon-sp-api has no writable stock stream');
  let log = '';
  const results = await write.write(
    { ...bareStreamContext(config, options, { connection: 'amazon', stream: 'stock', log: (line) => (log += line), state }), batchKey, sequence: 1 },
    records.map((data, index) => ({ key: String(data['sku'] ?? index), data })),
  );
  return { results, log };
}
