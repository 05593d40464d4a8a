import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../core/errors.js';
import { loadProject } from '../../core/config/load-project.js';
import { runProject } from '../../test-support/run-project.js';
import { ShopifyEmulator } from '../../test-support/shopify-emulator.js';
import { shopifyProject } from '../../test-support/shopify-project.js';
import type { TempProject } from '../../test-support/temp-project.js';

let project: TempProject | undefined;
let emulator: ShopifyEmulator | undefined;
afterEach(async () => {
  project?.remove();
  await emulator?.stop();
  project = undefined;
  emulator = undefined;
});

const pipeline = `name: orders
source: { connection: shop, stream: orders }
targets:
  - { connection: outbox, stream: files, options: { path: "orders-{seq}.ndjson" } }
`;

const WRONG_TOKEN = 'shpat_ffffffffffffffffffffffffffffffff';

describe('shopify connection', () => {
  it('stops at a refused access token once, saying what to check, and the token appears nowhere', async () => {
    emulator = new ShopifyEmulator({ orders: 3 });
    project = shopifyProject(await emulator.start(), { 'orders.yaml': pipeline });
    const { summary, log } = await runProject(project.dir, { env: { SHOPIFY_TOKEN: WRONG_TOKEN } });
    expect(summary.status).toBe('failed');
    expect(summary.error).toMatch(
      /^shopify 127\.0\.0\.1:\d+: the access token was refused \(HTTP 401\); check access_token: an Admin API token of an app installed on this shop, not an API key or a Storefront token: \{"errors":"\[API\] Invalid API key or access token \(unrecognized login or wrong password\)"\}$/,
    );
    expect(JSON.stringify(summary)).not.toContain(WRONG_TOKEN);
    expect(log).not.toContain(WRONG_TOKEN);
    // Credentials refused are not retried.
    expect(emulator.stats.unauthorized).toBe(1);
  });

  it('names shop and api_version when Shopify does not know the version', async () => {
    emulator = new ShopifyEmulator({ orders: 3, apiVersion: '2026-10' });
    project = shopifyProject(await emulator.start(), { 'orders.yaml': pipeline }, { apiVersion: '2026-07' });
    const { summary } = await runProject(project.dir, { env: { SHOPIFY_TOKEN: WRONG_TOKEN } });
    expect(summary.error).toMatch(/: no such shop or API version \(HTTP 404\); check shop and api_version/);
  });

  it('refuses an inline access token and a base_url that is not this machine at load time, and an API version too old for compare-and-swap at the first request', async () => {
    project = shopifyProject('http://127.0.0.1:1', { 'orders.yaml': pipeline }, { token: 'shpat_inline_secret_0000' });
    const inline = await loadProject(project.dir).catch((error: unknown) => error);
    expect(inline).toBeInstanceOf(ConfigError);
    expect((inline as ConfigError).message).toMatch(/access_token/);
    expect((inline as ConfigError).message).not.toContain('shpat_inline_secret_0000');
    project.remove();

    project = shopifyProject('https://acme.example.com', { 'orders.yaml': pipeline });
    const remote = await loadProject(project.dir).catch((error: unknown) => error);
    expect(remote).toBeInstanceOf(ConfigError);
    expect((remote as ConfigError).message).toMatch(/base_url/);
    project.remove();

    emulator = new ShopifyEmulator({ orders: 1, apiVersion: '2025-10' });
    project = shopifyProject(await emulator.start(), { 'orders.yaml': pipeline }, { apiVersion: '2025-10' });
    const { summary } = await runProject(project.dir, { env: { SHOPIFY_TOKEN: WRONG_TOKEN } });
    expect(summary.error).toMatch(/api_version 2025-10 is too old: stock writes need changeFromQuantity and the @idempotent directive, which came with 2026-01/);
  });
});
