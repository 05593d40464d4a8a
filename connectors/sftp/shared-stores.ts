import { createHash } from 'node:crypto';
import type { Logger } from '../../core/logger.js';
import type { SftpSettings } from './config.js';
import { SftpFileStore } from './sftp-file-store.js';

/** How long a connection stays open unused, waiting for the next batch or archive move. */
export const IDLE_CLOSE_MS = 1_000;

const stores = new Map<string, SftpFileStore>();

/**
 * Targets are called once per batch with no end-of-run hook, so their store (and its SSH
 * connection) is shared between batches of the same connection and closes itself when idle.
 * Keyed by a hash of the settings, so a changed config gets a fresh connection.
 */
export function sharedStore(connection: string, settings: SftpSettings, logger: Logger): SftpFileStore {
  const key = createHash('sha256').update(JSON.stringify([connection, settings])).digest('hex');
  let store = stores.get(key);
  if (store === undefined) {
    store = new SftpFileStore(settings, logger, IDLE_CLOSE_MS);
    stores.set(key, store);
  }
  store.useLogger(logger);
  return store;
}
