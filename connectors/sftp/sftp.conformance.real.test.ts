import { readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { describeConnector } from '../../core/conformance/index.js';
import { filesIn, SEEDED_AT, seedOrderFiles } from '../../test-support/conformance-fixtures.js';
import { startSftpServer, type SftpTestServer } from '../../test-support/sftp-server.js';
import type { SftpConfig } from './config.js';
import sftp from './index.js';

/**
 * The SFTP connector through the conformance kit, against a real OpenSSH server per check
 * (test-support/sftp-server.ts): the real-server tier, `npm run test:real`.
 */


/** A host key fingerprint no test server has: pinned, it makes every connection fail for good. */
const OTHER_HOST_KEY = `SHA256:${'A'.repeat(43)}`;


/** Every file under out/, with its content: what the target holds. */
const written = (share: string): Record<string, string> => filesIn(join(share, 'out'));

interface OpenedServer {
  config: SftpConfig;
  server: SftpTestServer;
  share: string;
  teardown(): Promise<void>;
}

/** A fresh sshd with the seeded files; key auth with a passphrase, so the secrets check has two secrets to look for. */
async function openServer(): Promise<OpenedServer> {
  const server = await startSftpServer();
  const share = join(server.root, 'share');
  seedOrderFiles(join(share, 'in'));
  return {
    config: {
      host: '127.0.0.1',
      port: server.port,
      username: server.username,
      private_key: readFileSync(server.encryptedKeyFile, 'utf8'),
      passphrase: server.passphrase,
      host_key: server.fingerprint,
      root: share,
      reconnect_attempts: 2,
      reconnect_delay_ms: 50,
      connect_timeout_ms: 5_000,
      timeout_ms: 10_000,
      keepalive_interval_ms: 1_000,
    },
    server,
    share,
    teardown: () => server.stop(),
  };
}

const failures = {
  // The server is gone: connection refused, which a later attempt may get past.
  retryable: ({ server }: OpenedServer) => server.stop(),
  // The server presents another host key than the pinned one: no retry makes that right.
  permanent: (opened: OpenedServer) => void (opened.config.host_key = OTHER_HOST_KEY),
};

describeConnector(
  sftp,
  {
    setup: openServer,
    streams: {
      files: {
        read: {
          options: { path: 'in/*.ndjson' },
          invalidOptions: [{ options: { path: 'x.csv', format: 'xlsx' }, message: 'must be one of' }],
          incremental: {
            cursorOf: (record) => record['modified'] ?? null,
            // Another export lands with the same modification time as the files already read.
            addAt: ({ share }, cursor) => {
              const path = join(share, 'in', 'orders-4.ndjson');
              writeFileSync(path, `${JSON.stringify({ id: 'O-late', modified: cursor })}\n`);
              utimesSync(path, SEEDED_AT, SEEDED_AT);
            },
          },
          failures,
        },
        write: {
          options: { path: 'out/orders-{seq}.csv' },
          invalidOptions: [{ options: { path: 'orders.csv' }, message: 'must match pattern' }],
          records: [
            { id: 'W-1', total: '9.90' },
            { id: 'W-2', total: '5.00' },
          ],
          state: ({ share }) => written(share),
          failures,
        },
      },
    },
  },
  { describe, it },
);
