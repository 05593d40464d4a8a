import { readFileSync } from 'node:fs';
import { afterEach } from 'vitest';
import { parse, stringify } from 'yaml';
import { listenForProject, type Intake } from './project-intake.js';
import { ShopEmulator } from './shop-emulator.js';
import { tempProject, type TempProject } from './temp-project.js';

type Config = Record<string, unknown>;

/**
 * A connector README's Webhooks section as a project: the connections of its keel:project block
 * (the one giving a webhook_secret), the `shop` changed by `shopAt` to reach an emulator and the
 * `erp-orders` HTTP connection aimed at a shop emulator's orders target, and the named pipelines
 * of the README as they are written.
 */
export function readmeWebhookProject(readme: URL, options: { shopAt: (config: Config) => void; erpUrl: string; pipelines: readonly string[] }): TempProject {
  const blocks = [...readFileSync(readme, 'utf8').matchAll(/```yaml[^\n]*\n([\s\S]*?)```/g)].map((match) => parse(match[1] ?? '') as Config);
  const section = blocks.find((block) => JSON.stringify(block['connections'] ?? {}).includes('webhook_secret'));
  if (section === undefined) throw new Error(`${readme.pathname}: no connections with a webhook_secret`);
  const connections = structuredClone(section['connections']) as Record<string, { config: Config }>;
  options.shopAt((connections['shop'] as { config: Config }).config);
  (connections['erp-orders'] as { config: Config }).config['base_url'] = `${options.erpUrl}/target`;
  const pipelines = options.pipelines.map((name) => {
    const found = blocks.find((block) => block['name'] === name);
    if (found === undefined) throw new Error(`${readme.pathname}: no pipeline ${name}`);
    return [`pipelines/${name}.yaml`, stringify(found)] as const;
  });
  return tempProject({ 'keel.yaml': stringify({ name: 'readme-webhooks', connections }), ...Object.fromEntries(pipelines) });
}

export interface ReadmeIntake<Shop> {
  shop: Shop;
  /** The ERP the README's erp-orders connection writes to: a shop emulator's orders target, taking idempotency keys. */
  erp: ShopEmulator;
  project: TempProject;
  /** The project's listener, seen from the `shop` connection. */
  intake: Intake;
}

/**
 * For a connector's webhook tests: starts the shop emulator it is given and an ERP, builds the
 * README's Webhooks section as a project against them, and listens for it on a free port; all
 * of it is stopped and removed after each test.
 */
export function readmeIntakePerTest<Shop extends { start(): Promise<string>; stop(): Promise<void> }>(options: {
  readme: URL;
  env: Record<string, string>;
  pipelines: readonly string[];
  shopAt: (config: Config, shopUrl: string) => void;
}): (shop: Shop) => Promise<ReadmeIntake<Shop>> {
  const stops: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
  });
  return async (shop) => {
    const erp = new ShopEmulator({ orders: 0 });
    const shopUrl = await shop.start();
    stops.push(() => shop.stop());
    const erpUrl = await erp.start();
    stops.push(() => erp.stop());
    const project = readmeWebhookProject(options.readme, { shopAt: (config) => options.shopAt(config, shopUrl), erpUrl, pipelines: options.pipelines });
    stops.push(() => project.remove());
    const listener = await listenForProject(project.dir, options.env);
    stops.push(() => listener.stop());
    return { shop, erp, project, intake: { url: listener.url('shop'), log: listener.log, events: () => listener.events('shop') } };
  };
}
