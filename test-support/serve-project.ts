import { createLogger } from '../core/logger.js';
import { openProject, type OpenProject } from '../core/project/open-project.js';
import { Redactor } from '../core/redact.js';
import { issueToken } from '../core/serve/tokens.js';
import type { Scope } from '../core/serve/scopes.js';
import routingEngine from '../engines/routing/index.js';
import inventory from '../engines/inventory/index.js';
import { NEAREST_PROFILE, TWO_LOCATIONS } from './routing-fixtures.js';
import { tempProject, type TempProject } from './temp-project.js';
import { WOO_ENV } from './woocommerce-emulator.js';

export const SERVE_WEBHOOK_SECRET = 'woo-webhook-secret-serve-0123456789';
export const SERVE_ENV = { ...WOO_ENV, WOO_WEBHOOK_SECRET: SERVE_WEBHOOK_SECRET };

/**
 * A project for `keel serve`: inventory and routing over a DC (wh) and a store (store-1), a
 * WooCommerce connection taking webhooks, and a pipeline (`checked`) whose validate step
 * dead-letters records without a `sku` (schema.json).
 */
export function serveProject(keelExtra = ''): TempProject {
  return tempProject({
    'keel.yaml': `name: serve-test
connections:
  inbox: { connector: file, config: { root: ./in } }
  outbox: { connector: file, config: { root: ./out } }
  shop:
    connector: woocommerce
    config:
      base_url: https://shop.example/wp-json/wc/v3
      consumer_key: "\${env:WOO_CONSUMER_KEY}"
      consumer_secret: "\${env:WOO_CONSUMER_SECRET}"
      webhook_secret: "\${env:WOO_WEBHOOK_SECRET}"
${TWO_LOCATIONS}${keelExtra}`,
    'profile.yaml': NEAREST_PROFILE,
    'schema.json': JSON.stringify({ type: 'object', required: ['sku'] }),
    'in/records.ndjson': '{"id":"1","sku":"TEE"}\n{"id":"2"}\n',
    'pipelines/checked.yaml': `name: checked
source: { connection: inbox, stream: files, options: { path: "*.ndjson" } }
steps:
  - validate: { schema: schema.json }
targets:
  - { connection: outbox, stream: files, options: { path: "out-{seq}.ndjson" } }
`,
    'pipelines/woo-webhooks.yaml': `name: woo-webhooks
source: { connection: shop, stream: webhooks, options: { topics: [order.created] } }
steps:
  - map: { mapping: "keel:woocommerce/order.to-canonical.json" }
targets:
  - { connection: outbox, stream: files, options: { path: "orders-{seq}.ndjson" } }
`,
  });
}

/** The project opened as `keel serve` opens it; `logs` (when given) collects every log line, at debug level. */
export function openServeProject(project: TempProject, logs?: string[]): Promise<OpenProject> {
  if (logs === undefined) return openProject(project.dir, { checkEnvironment: true, env: SERVE_ENV });
  const redactor = new Redactor();
  const logger = createLogger({ level: 'debug', format: 'json', redactor, write: (line) => logs.push(line) });
  return openProject(project.dir, { checkEnvironment: true, env: SERVE_ENV, logger, redactor });
}

/** Stock at both locations, and two routed orders of one customer: shop:1 near the store (offered to it), shop:2 near the DC. */
export async function seedStockAndOrders(session: OpenProject): Promise<void> {
  const at = '2026-11-23T06:00:00Z';
  await session.engines.require(inventory, 'the serve tests').ingestRecords([
    { sku: 'TEE', location_id: 'wh', on_hand: 10, updated_at: at, source: 'wms' },
    { sku: 'TEE', location_id: 'store-1', on_hand: 2, updated_at: at, source: 'pos' },
  ]);
  const routing = session.engines.require(routingEngine, 'the serve tests');
  const order = (id: string, lat: number, lon: number, customer: Record<string, string>) => ({
    channel: 'shop',
    external_id: id,
    status: 'received' as const,
    currency: 'EUR',
    created_at: '2026-11-23T08:00:00Z',
    customer,
    shipping_address: { country_code: 'DE', coordinates: { lat, lon } },
    lines: [{ line_id: '1', sku: 'TEE', quantity: 1, unit_price: { amount: '19.00', currency: 'EUR' } }],
  });
  await routing.route(order('1', 52.5, 13.4, { email: 'Ada@Example.org', external_id: 'c-1' }));
  await routing.route(order('2', 50.1, 8.7, { email: 'ada@example.org' }));
}

/** Tokens of every kind, by what they are for; the secrets are what a client sends. */
export async function issueTokens(session: OpenProject): Promise<Record<'read' | 'ops' | 'store' | 'otherStore', string>> {
  const make = async (name: string, scopes: Scope[]): Promise<string> => (await issueToken(session.store.tokens, name, scopes)).secret;
  return {
    read: await make('reader', ['read']),
    ops: await make('operator', ['ops']),
    store: await make('pos-store-1', ['store:store-1']),
    otherStore: await make('pos-wh', ['store:wh']),
  };
}
