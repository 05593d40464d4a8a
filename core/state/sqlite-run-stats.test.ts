import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { tempStatePerTest } from '../../test-support/temp-state.js';
import { SqliteStateStore } from './sqlite-store.js';
import { emptyCounts } from './state-store.js';

describe('run totals in the SQLite state file', () => {
  const openState = tempStatePerTest();

  it('keep what pruned runs counted, so the totals never go down when old history is deleted', async () => {
    const state = openState();
    for (let index = 0; index < 3; index += 1) {
      const run = await state.startRun({ pipeline: 'orders', kind: 'run', dryRun: false });
      await state.commit({ pipeline: 'orders', runId: run, source: 's', deliveries: [], deadLetters: [], sequences: [], counts: { ...emptyCounts(), read: 4, written: 3, deadLettered: 1 } });
      await state.finishRun(run, { status: 'ok' });
    }
    const before = await state.runStats.outcomes();
    // Whoever prunes (another process, a later command) deletes rows; the state file keeps the totals.
    const raw = new Database(state.path);
    const newest = raw.prepare<[], { id: number }>('SELECT max(id) AS id FROM runs').get()?.id ?? 0;
    raw.prepare('DELETE FROM runs WHERE id < ?').run(newest);
    raw.close();
    expect(await state.runStats.outcomes()).toEqual(before);
    expect(before).toEqual([expect.objectContaining({ runs: 3, read: 12, written: 9, deadLettered: 3, last: expect.objectContaining({ id: newest }) })]);
    const again = new Database(state.path);
    again.prepare('DELETE FROM runs').run();
    again.close();
    expect(await state.runStats.outcomes()).toEqual([{ ...before[0], last: undefined }]);
  });
});

describe('run totals of a state file made before they were kept', () => {
  const openState = tempStatePerTest();

  it('are counted from the history there when a store first opens it, once', async () => {
    const state = openState();
    const run = await state.startRun({ pipeline: 'orders', kind: 'run', dryRun: false });
    const letter = { source: 's', stage: 'decode', code: 'bad', reason: 'bad', payload: '{}' };
    await state.commit({ pipeline: 'orders', runId: run, source: 's', deliveries: [], deadLetters: [letter, letter], sequences: [], counts: { ...emptyCounts(), read: 5, written: 3, deadLettered: 2 } });
    await state.finishRun(run, { status: 'dead_letters' });
    const expected = await state.runStats.outcomes();
    // An older Keel knew none of it: no totals, no triggers.
    const raw = new Database(state.path);
    for (const { type, name } of raw.prepare<[], { type: string; name: string }>("SELECT type, name FROM sqlite_master WHERE name LIKE 'run_totals%' OR name LIKE 'dead_letters_open%'").all()) {
      raw.exec(`DROP ${type.toUpperCase()} IF EXISTS ${name}`);
    }
    raw.close();
    const [first, second] = await Promise.all([new SqliteStateStore(state.path), new SqliteStateStore(state.path)]);
    expect(await first.runStats.outcomes()).toEqual(expected);
    expect(await second.runStats.openDeadLetters()).toEqual([{ pipeline: 'orders', open: 2 }]);
    await first.close();
    await second.close();
  });

  it('follow dead letters deleted while open', async () => {
    const state = openState();
    const run = await state.startRun({ pipeline: 'orders', kind: 'run', dryRun: false });
    const letter = { source: 's', stage: 'decode', code: 'bad', reason: 'bad', payload: '{}' };
    await state.commit({ pipeline: 'orders', runId: run, source: 's', deliveries: [], deadLetters: [letter, letter, letter], sequences: [], counts: emptyCounts() });
    const [one] = await state.listDeadLetters();
    await state.setDeadLetterStatus([one?.id ?? 0], 'discarded');
    const raw = new Database(state.path);
    raw.prepare('DELETE FROM dead_letters WHERE id <> ?').run(one?.id ?? 0);
    raw.close();
    expect(await state.runStats.openDeadLetters()).toEqual([]);
    await state.setDeadLetterStatus([one?.id ?? 0], 'open');
    expect(await state.runStats.openDeadLetters()).toEqual([{ pipeline: 'orders', open: 1 }]);
  });
});
