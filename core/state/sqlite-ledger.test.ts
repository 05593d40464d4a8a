import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { tempProject, type TempProject } from '../../test-support/temp-project.js';
import { SqliteStateStore } from './sqlite-store.js';
import { emptyCounts, type BatchCommit } from './state-store.js';

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

const batch = (runId: number, more: Partial<BatchCommit> = {}): BatchCommit => ({
  pipeline: 'p',
  runId,
  source: 's',
  cursor: { checkpoint: null, skip: 1 },
  deliveries: [],
  deadLetters: [],
  sequences: [],
  counts: emptyCounts(),
  ...more,
});

describe('the effect ledger in SQLite', () => {
  it('holds a send in flight until answered, an answer unsettled until its batch commits, and forgets both for the run that commits', async () => {
    const state = open();
    const run = await state.startRun({ pipeline: 'p', kind: 'run', dryRun: false });
    await state.recordProgress('p', run, { sending: [{ scope: 'api', key: 'a' }, { scope: 'api', key: 'b' }], accepted: [] });
    await state.recordProgress('p', run, { sending: [], accepted: [{ target: 'api', key: 'a', hash: 'h1', content: '{"id":"a"}', ref: '17' }] });
    const during = await state.recallKeys('p', 'api', ['a', 'b', 'c']);
    expect(during.get('a')).toEqual({ delivered: { hash: 'h1', content: '{"id":"a"}', ref: '17', at: expect.any(String), unsettledRun: run, unsettledResent: false } });
    expect(during.get('b')).toEqual({ inDoubtSince: run });
    expect(during.has('c')).toBe(false);

    await state.commit(batch(run, { deliveries: [{ target: 'api', key: 'a', hash: 'h1', content: '{"id":"a"}', ref: '17' }] }));
    const after = await state.recallKeys('p', 'api', ['a', 'b']);
    expect(after.get('a')?.delivered?.unsettledRun).toBeUndefined();
    expect(after.has('b')).toBe(false);
  });

  it('replaces the version a changed record sent again left, and keeps it when an answer says stale (no hash)', async () => {
    const state = open();
    const run = await state.startRun({ pipeline: 'p', kind: 'run', dryRun: false });
    await state.commit(batch(run, { deliveries: [{ target: 'api', key: 'a', hash: 'h1', content: '{"v":1}', ref: '1' }] }));
    await state.commit(batch(run, { deliveries: [{ target: 'api', key: 'a', hash: 'h2', content: '{"v":2}', ref: '2' }] }));
    expect((await state.recallKeys('p', 'api', ['a'])).get('a')?.delivered).toMatchObject({ hash: 'h2', content: '{"v":2}', ref: '2' });
    await state.commit(batch(run, { deliveries: [{ target: 'api', key: 'a', hash: undefined, ref: undefined }] }));
    expect((await state.recallKeys('p', 'api', ['a'])).get('a')?.delivered).toMatchObject({ hash: 'h2', content: '{"v":2}', ref: '2' });
  });

  it('settles what killed runs left behind once a later run has read everything', async () => {
    const state = open();
    const killed = await state.startRun({ pipeline: 'p', kind: 'run', dryRun: false });
    await state.recordProgress('p', killed, { sending: [{ scope: 'api', key: 'lost' }], accepted: [{ target: 'api', key: 'kept', hash: 'h', resent: true }] });
    expect((await state.recallKeys('p', 'api', ['kept'])).get('kept')?.delivered).toMatchObject({ unsettledRun: killed, unsettledResent: true });
    const next = await state.startRun({ pipeline: 'p', kind: 'run', dryRun: false });
    await state.settleEarlierRuns('p', next);
    const settled = await state.recallKeys('p', 'api', ['kept', 'lost']);
    expect(settled.get('kept')?.delivered).toMatchObject({ unsettledRun: undefined, unsettledResent: false });
    expect(settled.has('lost')).toBe(false);
  });

  it('adds re-sent and outcome counts to the run', async () => {
    const state = open();
    const run = await state.startRun({ pipeline: 'p', kind: 'run', dryRun: false });
    await state.commit(batch(run, { counts: { ...emptyCounts(), written: 3, resent: 2, outcomes: { reserved: 2, adjusted: 1 } } }));
    await state.commit(batch(run, { counts: { ...emptyCounts(), resent: 1, outcomes: { reserved: 1, stale: 1 } } }));
    expect(await state.getRun(run)).toMatchObject({ written: 3, resent: 3, outcomes: { reserved: 3, adjusted: 1, stale: 1 } });
  });

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
