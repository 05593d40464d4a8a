import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { tempProject, type TempProject } from '../../test-support/temp-project.js';
import { SqliteStateStore } from './sqlite-store.js';

let project: TempProject | undefined;
let store: SqliteStateStore | undefined;
afterEach(async () => {
  await store?.close();
  project?.remove();
  store = undefined;
});

function open(): SqliteStateStore {
  project ??= tempProject();
  store = new SqliteStateStore(project.path('state.db'));
  return store;
}

describe('the effect ledger in SQLite', () => {
  // What every state store promises of the ledger is tested once, for each store, in
  // test-support/contracts/state-store-contract.ts; this is what only a SQLite file has.
  it('opens a state file written before content hashes were kept: its entries count as delivered with unknown content', async () => {
    project = tempProject();
    const db = new Database(project.path('state.db'));
    db.exec(`CREATE TABLE ledger (pipeline TEXT NOT NULL, target TEXT NOT NULL, key TEXT NOT NULL, ref TEXT, created_at TEXT NOT NULL,
      PRIMARY KEY (pipeline, target, key)) WITHOUT ROWID;
      CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, pipeline TEXT NOT NULL, kind TEXT NOT NULL, dry_run INTEGER NOT NULL,
      status TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT, error TEXT, pid INTEGER,
      read INTEGER NOT NULL DEFAULT 0, written INTEGER NOT NULL DEFAULT 0, duplicates INTEGER NOT NULL DEFAULT 0,
      dead_lettered INTEGER NOT NULL DEFAULT 0, skipped INTEGER NOT NULL DEFAULT 0);
      INSERT INTO ledger VALUES ('p', 'api', 'old', 'r0', '2025-01-01T00:00:00.000Z');
      INSERT INTO runs (pipeline, kind, dry_run, status, started_at, written) VALUES ('p', 'run', 0, 'ok', '2025-01-01T00:00:00.000Z', 4);`);
    db.close();
    const state = open();
    expect((await state.recallKeys('p', 'api', ['old'])).get('old')).toEqual({
      delivered: { hash: undefined, content: undefined, ref: 'r0', at: '2025-01-01T00:00:00.000Z', unsettledRun: undefined, unsettledResent: false },
    });
    expect(await state.listRuns()).toEqual([expect.objectContaining({ written: 4, resent: 0, outcomes: {} })]);
  });
});
