import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { tempStatePerTest } from '../../test-support/temp-state.js';
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
