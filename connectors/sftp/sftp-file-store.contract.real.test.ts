import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe } from 'vitest';
import { createLogger } from '../../core/logger.js';
import { Redactor } from '../../core/redact.js';
import { testFileStore } from '../../test-support/contracts/file-store-contract.js';
import { startSftpServer, type SftpServerOptions, type SftpTestServer } from '../../test-support/sftp-server.js';
import { sftpSettings } from './config.js';
import { SftpFileStore } from './sftp-file-store.js';

/** The FileStore contract on a real OpenSSH server (real-server tier): one server per kind, a fresh root per test. */
function onServer(options: SftpServerOptions): void {
  let server: SftpTestServer | undefined;
  beforeAll(async () => {
    server = await startSftpServer(options);
  });
  afterAll(() => server?.stop());

  testFileStore(async () => {
    if (server === undefined) throw new Error('the SFTP test server did not start');
    const root = mkdtempSync(join(server.root, 'contract-'));
    const settings = sftpSettings({ host: '127.0.0.1', port: server.port, username: server.username, private_key: readFileSync(server.privateKeyFile, 'utf8'), host_key: server.fingerprint, root });
    const logger = createLogger({ level: 'error', format: 'json', redactor: new Redactor(), write: () => undefined });
    return { store: new SftpFileStore(settings, logger), root, cleanup: async () => rmSync(root, { recursive: true, force: true }) };
  });
}

describe('on OpenSSH', () => onServer({}));
// Renames over an existing file take another way there (remove, then rename): held to the same promises.
describe('on a server that refuses posix-rename', () => onServer({ deniedRequests: ['posix-rename'] }));
