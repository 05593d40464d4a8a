import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ShopifyConfig } from '../connectors/shopify/config.js';
import shopify from '../connectors/shopify/index.js';
import type { JsonObject, JsonValue } from '../core/json.js';
import type { SyncMode } from '../core/sdk/connector.js';
import { EMULATOR_TOKEN } from './shopify-emulator.js';
import { bareStreamContext } from './stream-context.js';
import { tempProject, type TempProject } from './temp-project.js';

export const SHOPIFY_TOKEN = EMULATOR_TOKEN;
export const SHOPIFY_ENV = { SHOPIFY_TOKEN };

/**
 * A project whose `shop` connection is the Shopify emulator at `origin`, an `outbox` of NDJSON
 * files, and the given pipelines (file name → YAML). `config` adds keys to the shop's config.
 */
export function shopifyProject(origin: string, pipelines: Record<string, string>, options: { config?: string; keel?: string; token?: string; apiVersion?: string } = {}): TempProject {
  const token = options.token ?? '${env:SHOPIFY_TOKEN}';
  return tempProject({
    'keel.yaml': `name: shopify-test
connections:
  shop:
    connector: shopify
    config:
      base_url: "${origin}"
      access_token: "${token}"
      api_version: "${options.apiVersion ?? '2026-10'}"
      retries: 8${options.config !== undefined ? `\n      ${options.config.trim().split('\n').join('\n      ')}` : ''}
  outbox: { connector: file, config: { root: ./out } }
${options.keel ?? ''}`,
    ...Object.fromEntries(Object.entries(pipelines).map(([name, yaml]) => [`pipelines/${name}`, yaml])),
  });
}

/** Every record written to the project's NDJSON outbox, in file order. */
export function outboxRecords<T = Record<string, unknown>>(project: TempProject, folder = 'out'): T[] {
  const dir = project.path(folder);
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => !name.startsWith('.')).sort();
  } catch {
    return [];
  }
  return names.flatMap((name) =>
    readFileSync(join(dir, name), 'utf8')
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as T),
  );
}

export interface StreamRead {
  records: JsonObject[];
  /** The last checkpoint, which the runner would save and give the next run. */
  cursor: JsonValue | undefined;
  checkpoints: JsonValue[];
}

/** One run of a shopify stream's read as the runner makes it, without a project: every page, or the first `pages`. */
export async function readShopifyStream(
  origin: string,
  stream: string,
  options: Record<string, unknown>,
  cursor: JsonValue | undefined,
  sync: SyncMode = 'incremental',
  pages = Number.POSITIVE_INFINITY,
): Promise<StreamRead> {
  const read = shopify.streams[stream]?.read;
  if (read === undefined) throw new Error(`shopify has no readable stream ${stream}`);
  const config: ShopifyConfig = { base_url: origin, access_token: EMULATOR_TOKEN, api_version: '2026-10' };
  const records: JsonObject[] = [];
  const checkpoints: JsonValue[] = [];
  let last = cursor;
  const iterable = read.read({ ...bareStreamContext(config, options, { connection: 'shop', stream }), cursor, sync });
  for await (const page of iterable) {
    records.push(...page.records.map((record) => record.data));
    if (page.checkpoint !== undefined) {
      last = page.checkpoint;
      checkpoints.push(page.checkpoint);
    }
    if (checkpoints.length >= pages) break;
  }
  return { records, cursor: last, checkpoints };
}

/**
 * A pipeline for README projects of shop connectors: stock counts (NDJSON in the `erp-counts`
 * connection's folder) into the inventory engine, so the README's stock pipeline has levels to publish.
 */
export const STOCK_IN_PIPELINE = {
  'pipelines/stock-in.yaml': `name: stock-in
source: { connection: erp-counts, stream: files, options: { path: "counts-*.ndjson" } }
targets:
  - { connection: inventory, stream: ledger }
`,
};
