import { describe, expect, it } from 'vitest';
import { SqliteStateStore } from '../../core/state/sqlite-store.js';
import { EMULATOR_CREDENTIALS, type AmazonSpApiEmulator } from '../../test-support/amazon-sp-api-emulator.js';
import { addDeOrders, AMAZON_ENV, amazonTestBed, readAmazonOrders, writeAmazonStock } from '../../test-support/amazon-sp-api-project.js';
import { runProject } from '../../test-support/run-project.js';

const bed = amazonTestBed();

const HOUR_AGO = (): string => new Date(Date.now() - 3600_000).toISOString();
const ORDERS_PIPELINE = `name: orders
source: { connection: amazon, stream: orders, options: { start: "${new Date(Date.now() - 3600_000).toISOString()}" } }
targets:
  - { connection: out, stream: files, options: { path: "orders-{seq}.ndjson" } }
`;

/** Every secret of the connection and every access token the emulator handed out, found in `text`. */
function secretsIn(text: string, amazon: AmazonSpApiEmulator): string[] {
  return [EMULATOR_CREDENTIALS.clientSecret, EMULATOR_CREDENTIALS.refreshToken, ...amazon.issuedTokens].filter((secret) => text.includes(secret));
}

describe('amazon-sp-api Login with Amazon', () => {
  it('renews the access token before it expires: a read longer than a token lives gets no expired answer', async () => {
    // Tokens live two seconds; twenty orders whose items Amazon hands out five a second take longer.
    const { amazon, config } = await bed.start({ tokenLifetimeSeconds: 2, usagePlans: { getOrderItems: { perSecond: 5, burst: 2 } } });
    addDeOrders(amazon, 20, (n) => Date.now() - n * 60_000 - 180_000);
    const read = await readAmazonOrders({ ...config, usage_plans: { getOrderItems: { per_second: 5, burst: 2 } } }, { start: HOUR_AGO() }, undefined);
    expect(read.records).toHaveLength(20);
    expect(amazon.stats.tokenRequests).toBeGreaterThanOrEqual(2);
    expect(amazon.stats.expiredTokenAnswers).toBe(0);
  });

  it('fetches a fresh token once when Amazon says the one sent has expired, and reads on', async () => {
    let items = 0;
    const { amazon, config } = await bed.start({
      beforeRequest: (operation, shop) => {
        items += operation === 'getOrderItems' ? 1 : 0;
        // Amazon ends the token early (a clock off, a token revoked and reissued).
        if (operation === 'getOrderItems' && items === 3) shop.expireTokens();
      },
    });
    addDeOrders(amazon, 5, (n) => Date.now() - n * 60_000 - 180_000);
    const read = await readAmazonOrders(config, { start: HOUR_AGO() }, undefined);
    expect(read.records).toHaveLength(5);
    expect(amazon.stats.expiredTokenAnswers).toBe(1);
    expect(amazon.stats.tokenRequests).toBe(2);
    // One more request for the refused one, nothing else.
    expect(amazon.stats.requests.getOrderItems).toBe(6);
    expect(read.log).toContain('amazon says the access token expired; fetching a fresh one');
  });

  it('stops at a refresh token Login with Amazon refuses, saying what to do, with no secret in the summary, the log or the run history', async () => {
    const under = await bed.start();
    const { amazon } = under;
    addDeOrders(amazon, 2, (n) => Date.now() - n * 60_000 - 180_000);
    const project = bed.project(under, { orders: ORDERS_PIPELINE });
    const revoked = 'Atzr|IwEBrevoked-refresh-token-000000';
    const { summary, log } = await runProject(project.dir, { env: { ...AMAZON_ENV, AMAZON_LWA_REFRESH_TOKEN: revoked } });
    expect(summary.status).toBe('failed');
    expect(summary.error).toMatch(
      /access token request to http:\/\/127\.0\.0\.1:\d+\/auth\/o2\/token → HTTP 400 invalid_grant: The request has an invalid grant parameter : refresh_token; the refresh token was refused: revoked by the seller, or issued to another app; have the seller authorize the app again and set refresh_token/,
    );
    // Refused credentials are not tried again.
    expect(amazon.stats.tokenRequests).toBe(1);
    const store = new SqliteStateStore(`${project.dir}/.keel/state.db`);
    try {
      const history = JSON.stringify(await store.listRuns());
      for (const text of [JSON.stringify(summary), log, history]) {
        expect(text).not.toContain(revoked);
        expect(text).not.toContain(EMULATOR_CREDENTIALS.clientSecret);
      }
    } finally {
      await store.close();
    }
  });

  it('keeps the client secret, the refresh token and every access token out of logs, errors and dead letters', async () => {
    const under = await bed.start({
      feedPolls: 1,
      rejectSkus: { 'NH-BATTERY': [{ code: '90220', message: "'[batteries_required]' is required but not supplied." }] },
    });
    const { amazon, config } = under;
    addDeOrders(amazon, 3, (n) => Date.now() - n * 60_000 - 180_000);

    // The connector's own output, with nothing redacted for it: a logger that writes every line as it comes, at debug level.
    const read = await readAmazonOrders(config, { start: HOUR_AGO() }, undefined);
    amazon.expireTokens();
    const write = await writeAmazonStock(config, { poll_interval_ms: 100 }, [
      { sku: 'NH-TEE-BLK-M', location_id: 'channel-amazon-de', available: 3, updated_at: '2026-12-01T10:00:00Z', source: 'keel' },
      { sku: 'NH-BATTERY', location_id: 'channel-amazon-de', available: 1, updated_at: '2026-12-01T10:00:00Z', source: 'keel' },
    ]);
    expect(write.results.map((result) => result.status)).toEqual(['ok', 'permanent']);
    expect(amazon.issuedTokens.length).toBeGreaterThanOrEqual(2);
    expect(secretsIn(read.log + write.log + JSON.stringify(write.results), amazon)).toEqual([]);
    // The log did record the calls: it is not empty by accident.
    expect(read.log).toContain('amazon access token fetched');
    expect(write.log).toContain('amazon feed submitted');

    // And a whole run: its dead letter, summary, log and run history.
    const project = bed.project(under, {
      stock: `name: stock
source: { connection: in, stream: files, options: { path: "stock-*.ndjson" } }
targets:
  - { connection: amazon, stream: stock, key: "{{sku}}", options: { poll_interval_ms: 100 } }
`,
    });
    project.write({ 'in/stock-1.ndjson': '{"sku":"NH-BATTERY","location_id":"channel-amazon-de","available":2,"updated_at":"2026-12-01T10:00:00Z","source":"keel"}\n' });
    const { summary, log } = await runProject(project.dir, { env: AMAZON_ENV });
    expect(summary).toMatchObject({ status: 'dead_letters', deadLettered: 1 });
    const store = new SqliteStateStore(`${project.dir}/.keel/state.db`);
    try {
      const letters = await store.listDeadLetters({});
      expect(letters[0]?.reason).toMatch(/^Amazon refused SKU NH-BATTERY: 90220/);
      const stored = JSON.stringify(letters) + JSON.stringify(await store.listRuns());
      expect(secretsIn(stored + JSON.stringify(summary) + log, amazon)).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
