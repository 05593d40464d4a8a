import { cpSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stockReport } from '../inventory/stock-report.js';
import inventory from '../../engines/inventory/index.js';
import { launchChromium } from '../../test-support/chromium.js';
import { tempProject, type TempProject } from '../../test-support/temp-project.js';
import { packageRoot } from '../package-root.js';
import { openProject, type OpenProject } from '../project/open-project.js';
import { runPipeline } from '../runtime/run-pipeline.js';
import { buildServer } from './build-server.js';
import type { KeelServer } from './serve-context.js';
import { issueToken } from './tokens.js';

/**
 * The ops page in a real browser (Debian's Chromium) against `keel serve`'s app on the example
 * project after one run of every pipeline: a dead letter corrected and replayed, a SKU looked up.
 */
let project: TempProject;
let session: OpenProject;
let app: KeelServer;
let browser: Browser;
let page: Page;
let url: string;
let opsToken: string;

beforeAll(async () => {
  project = tempProject();
  cpSync(join(packageRoot(), 'examples', 'omnichannel'), project.dir, { recursive: true, filter: (path) => !path.endsWith('.keel') });
  session = await openProject(project.dir);
  for (const pipeline of session.plan.pipelines) await runPipeline(pipeline, session.runOptions());
  opsToken = (await issueToken(session.store.tokens, 'ops-page', ['ops'])).secret;
  app = await buildServer(session);
  url = await app.listen({ host: '127.0.0.1', port: 0 });
  browser = await launchChromium();
  page = await browser.newPage();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await session?.close();
  project?.remove();
});

async function signIn(token: string): Promise<void> {
  await page.goto(`${url}/ops`);
  await page.fill('#token', token);
  await page.click('#login button[type=submit]');
}

describe('the ops page in Chromium', () => {
  it('refuses a wrong token, saying what to do', async () => {
    await signIn('keel_wrong');
    await expect.poll(() => page.textContent('#message')).toContain('give a token above');
  });

  it('lists the pipelines with their schedules and last runs', async () => {
    await signIn(opsToken);
    await page.waitForSelector('#pipelines tbody tr:nth-child(17)');
    const rows = await page.$$eval('#pipelines tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    const shop = rows.find((cells) => cells[0] === 'shop-orders-to-erp');
    expect(shop?.[1]).toBe('* * * * * (Europe/Berlin)');
    expect(shop?.[4]).toBe('dead_letters');
    expect(rows.find((cells) => cells[0] === 'store-answers')?.[1]).toBe('after route-shop-orders, route-callcenter-orders');
  });

  it('replays a marketplace row corrected in the page: the order reaches the ERP and the letter is closed', async () => {
    const letters = await session.store.listDeadLetters({ status: 'open' });
    const letter = letters.find((candidate) => candidate.pipeline === 'marketplace-orders-to-erp');
    if (letter === undefined) throw new Error('the example should leave the marketplace row without an order id in the dead-letter queue');
    const before = readdirSync(project.path('data', 'erp-outbox'));

    await page.click('nav button[data-view="dead-letters"]');
    await page.click(`tr[data-letter="${letter.id}"]`);
    await expect.poll(() => page.textContent('#letter [data-field="reason"]')).toContain('amazon-order-id: is required but missing');
    const payload = JSON.parse(await page.inputValue('#payload')) as Record<string, string>;
    expect(payload['amazon-order-id']).toBe('');
    await page.fill('#payload', JSON.stringify({ ...payload, 'amazon-order-id': '303-7777777-1234567' }, null, 2));
    await page.click('#replay');
    await expect.poll(() => page.textContent('#letter-result'), { timeout: 30_000 }).toMatch(/^replayed in run \d+: written 1$/);
    expect(await page.$(`tr[data-letter="${letter.id}"]`)).toBeNull();

    const stored = await session.store.getDeadLetter(letter.id);
    expect(stored?.status).toBe('replayed');
    expect(JSON.parse(stored?.originalPayload ?? '{}')['amazon-order-id']).toBe('');
    const added = readdirSync(project.path('data', 'erp-outbox')).filter((file) => !before.includes(file));
    expect(added).toHaveLength(1);
    expect(readFileSync(project.path('data', 'erp-outbox', added[0] ?? ''), 'utf8')).toContain('303-7777777-1234567');
  }, 60_000);

  it('looks up a SKU: stock per location and what each channel may sell, with the arithmetic', async () => {
    const engine = session.engines.require(inventory, 'the test');
    const expected = await stockReport(engine, 'NH-TEE-BLK-M', { explain: true });
    await page.click('nav button[data-view="stock"]');
    await page.fill('#sku', 'NH-TEE-BLK-M');
    await page.click('#stock-form button');
    await page.waitForSelector('#stock-result:not([hidden])');
    const onHand = await page.$$eval('#on-hand tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '')));
    expect(onHand).toEqual(expected.on_hand.map((place) => [place.location_id, String(place.on_hand), String(place.held ?? 0)]));
    const channels = await page.$$eval('#channels tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll(':scope > td')].map((td) => td.textContent ?? '')));
    expect(channels.map((cells) => cells.slice(0, 3))).toEqual(expected.channels.map((channel) => [channel.channel, String(channel.quantity), channel.status]));
    const steps = await page.$$eval('#channels tbody tr:first-child li', (items) => items.length);
    expect(steps).toBe(expected.channels[0]?.explain?.length);
    expect(steps).toBeGreaterThan(0);
  });

  it('shows hostile payloads as text, never as markup', async () => {
    await session.store.commit({
      pipeline: 'stock-from-erp',
      runId: await session.store.startRun({ pipeline: 'stock-from-erp', kind: 'run', dryRun: false }),
      source: 'erp-export',
      deliveries: [],
      deadLetters: [{ source: 'erp-export', stage: 'decode', code: 'decode_failed', reason: '<img src=x onerror="document.title=\'owned\'">', payload: '<script>document.title="owned"</script>' }],
      sequences: [],
      counts: { read: 1, written: 0, duplicates: 0, deadLettered: 1, skipped: 0, resent: 0, outcomes: {} },
    });
    const hostile = (await session.store.listDeadLetters({ status: 'open' })).at(-1);
    await page.click('nav button[data-view="runs"]');
    await page.click('nav button[data-view="dead-letters"]');
    await page.click(`tr[data-letter="${hostile?.id}"]`);
    await expect.poll(() => page.inputValue('#payload')).toBe('<script>document.title="owned"</script>');
    expect(await page.textContent('#letter [data-field="reason"]')).toBe('<img src=x onerror="document.title=\'owned\'">');
    expect(await page.$('main img')).toBeNull();
    expect(await page.title()).toBe('Keel · operations');
  });
});
