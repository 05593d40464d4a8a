import { copyFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { fencedBlocks } from '../core/docs/fenced-blocks.js';
import { startSftpServer, type SftpTestServer } from '../test-support/sftp-server.js';
import { EMULATOR_TOKEN } from '../test-support/shopify-emulator.js';
import { CLI_TEST_TIMEOUT_MS, initReadyMade, pointShopifyAt, runsOf, startShopify, Teardown } from '../test-support/ready-made-project.js';

/**
 * The ready-made pipeline shopify-orders-to-erp with its ERP inbox on a real OpenSSH server
 * (the real-server tier, `npm run test:real`), bound as its README says.
 */
const teardown = new Teardown();
afterEach(() => teardown.run());

/** The README's binding of the erp_inbox role to an SFTP server. */
function readmeSftpBinding(readme: string): Record<string, unknown> {
  const block = fencedBlocks(readme).find((candidate) => candidate.kind === 'project' && candidate.body.includes('connector: sftp'));
  if (block === undefined) throw new Error('the README shows no SFTP binding');
  return (parse(block.body) as { connections: { erp_inbox: Record<string, unknown> } }).connections.erp_inbox;
}

describe('ready-made pipeline shopify-orders-to-erp over SFTP', () => {
  it('uploads each paid order as an openTRANS document into the ERP folder on the SFTP server, with nothing half-written and no secret printed', async () => {
    const server: SftpTestServer = await startSftpServer();
    teardown.add(() => server.stop());
    const { url } = await startShopify({ orders: 2, linesPerOrder: () => 1 }, teardown);
    const env = { SHOPIFY_TOKEN: EMULATOR_TOKEN, SHOPIFY_BASE_URL: url, ERP_SFTP_HOST: '127.0.0.1', ERP_SFTP_USER: server.username, ERP_SFTP_HOST_KEY: server.fingerprint };
    const { project } = await initReadyMade('shopify-orders-to-erp', env, teardown);
    pointShopifyAt(project, 'shop', 'SHOPIFY_BASE_URL');
    const binding = readmeSftpBinding(readFileSync(project.path('README.md'), 'utf8'));
    const config = binding['config'] as Record<string, unknown>;
    // The test server listens on a port of its own and serves a folder of this machine.
    const inbox = join(server.root, 'import/orders');
    mkdirSync(inbox, { recursive: true });
    project.editKeel((document) => document.setIn(['connections', 'erp_inbox'], document.createNode({ ...binding, config: { ...config, port: server.port, root: inbox } })));
    // The key where the README's ${file:secrets/erp_sftp_key} reads it.
    mkdirSync(project.path('secrets'));
    copyFileSync(server.privateKeyFile, project.path('secrets/erp_sftp_key'));

    expect((await project.keel(['validate', project.dir])).code).toBe(0);
    const run = await project.keel(['run', project.dir, '--json']);
    expect(run.stderr).toBe('');
    expect(runsOf(run)['orders-to-erp']).toMatchObject({ status: 'ok', read: 2, written: 2 });
    const uploaded = readdirSync(inbox).sort();
    // Only finished documents: uploads go under a temporary name and are renamed when complete.
    expect(uploaded).toEqual([expect.stringMatching(/^ORDER-\d{6}-1\.xml$/), expect.stringMatching(/^ORDER-\d{6}-2\.xml$/)]);
    const ids = uploaded.map((name) => /<ORDER_ID>(\d+)<\/ORDER_ID>/.exec(readFileSync(join(inbox, name), 'utf8'))?.[1]);
    expect(ids).toEqual(['1001', '1002']);
    const key = readFileSync(server.privateKeyFile, 'utf8').split('\n')[1] ?? '';
    expect(key.length).toBeGreaterThan(20);
    expect(run.stdout).not.toContain(key);
    const history = await project.keel(['runs', '--json', '--project', project.dir]);
    expect(history.stdout).not.toContain(key);
    expect(history.stdout).not.toContain(EMULATOR_TOKEN);
  }, CLI_TEST_TIMEOUT_MS);
});
