import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * A connection to the project's state file as every store in it wants one: the folder made,
 * WAL (readers never block the writer), NORMAL sync (durable against a crashed process, no fsync
 * per commit), and a busy timeout so two processes queue instead of failing.
 */
export function openStateDatabase(path: string, busyTimeoutMs = 15000): Database.Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma(`busy_timeout = ${busyTimeoutMs}`);
  return db;
}
