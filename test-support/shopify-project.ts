import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EMULATOR_TOKEN } from './shopify-emulator.js';
import { tempProject, type TempProject } from './temp-project.js';

export const SHOPIFY_TOKEN = EMULATOR_TOKEN;
export const SHOPIFY_ENV = { SHOPIFY_TOKEN };

/**
 * A project whose `shop` connection is the Shopify emulator at `origin`, an `outbox` of NDJSON
 * files, and the given pipelines (file name → YAML). `config` adds keys to the shop's config.
 */
export function shopifyProject(origin: string, pipelines: Record<string, string>, options: { config?: string; keel?: string; token?: string } = {}): TempProject {
  const token = options.token ?? '${env:SHOPIFY_TOKEN}';
  return tempProject({
    'keel.yaml': `name: shopify-test
connections:
  shop:
    connector: shopify
    config:
      base_url: "${origin}"
      access_token: "${token}"
      api_version: "2026-10"
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
