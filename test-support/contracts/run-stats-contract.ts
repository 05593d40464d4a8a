import { describe, expect, it } from 'vitest';
import { emptyCounts, type BatchCommit, type StateStore } from '../../core/state/state-store.js';
import { openPerTest, type ReopenableStore } from './open-per-test.js';

/** What every StateStore's `runStats` promises (core/state/run-stats.ts). */
export function testRunStats(open: () => Promise<ReopenableStore<StateStore>>): void {
  describe('RunStats contract', () => {
    const opened = openPerTest(open);
    const counts = (read: number, written: number, deadLettered: number): BatchCommit['counts'] => ({ ...emptyCounts(), read, written, deadLettered });
    const runWith = async (state: StateStore, pipeline: string, status: 'ok' | 'failed' | undefined, batch: BatchCommit['counts'], more: { dryRun?: boolean; kind?: 'run' | 'replay' } = {}): Promise<number> => {
      const id = await state.startRun({ pipeline, kind: more.kind ?? 'run', dryRun: more.dryRun ?? false });
      await state.commit({ pipeline, runId: id, source: 's', deliveries: [], deadLetters: [], sequences: [], counts: batch });
      if (status !== undefined) await state.finishRun(id, { status });
      return id;
    };

    it('adds up records and runs per pipeline, kind and status, with the newest run of each, leaving dry runs out', async () => {
      const { store: state, reopen } = await opened();
      expect(await state.runStats.outcomes()).toEqual([]);
      await runWith(state, 'orders', 'ok', counts(10, 9, 1));
      const lastOk = await runWith(state, 'orders', 'ok', counts(5, 5, 0));
      const failed = await runWith(state, 'orders', 'failed', counts(2, 0, 0));
      await runWith(state, 'orders', 'ok', counts(100, 100, 0), { dryRun: true });
      const replay = await runWith(state, 'orders', 'ok', counts(1, 1, 0), { kind: 'replay' });
      const running = await runWith(state, 'stock', undefined, counts(7, 3, 0));
      const stats = await (await reopen()).runStats.outcomes();
      const finished = await state.getRun(lastOk);
      expect(stats).toEqual([
        { pipeline: 'orders', kind: 'replay', status: 'ok', runs: 1, read: 1, written: 1, deadLettered: 0, last: { id: replay, startedAt: expect.any(String), finishedAt: expect.any(String) } },
        { pipeline: 'orders', kind: 'run', status: 'failed', runs: 1, read: 2, written: 0, deadLettered: 0, last: { id: failed, startedAt: expect.any(String), finishedAt: expect.any(String) } },
        { pipeline: 'orders', kind: 'run', status: 'ok', runs: 2, read: 15, written: 14, deadLettered: 1, last: { id: lastOk, startedAt: finished?.startedAt, finishedAt: finished?.finishedAt } },
        { pipeline: 'stock', kind: 'run', status: 'running', runs: 1, read: 7, written: 3, deadLettered: 0, last: { id: running, startedAt: expect.any(String), finishedAt: null } },
      ]);
    });

    it('counts the dead letters still open per pipeline', async () => {
      const { store: state } = await opened();
      expect(await state.runStats.openDeadLetters()).toEqual([]);
      const letter = { source: 's', stage: 'decode', code: 'bad', reason: 'bad', payload: '{}' };
      const run = await state.startRun({ pipeline: 'orders', kind: 'run', dryRun: false });
      await state.commit({ pipeline: 'orders', runId: run, source: 's', deliveries: [], deadLetters: [letter, letter, letter], sequences: [], counts: emptyCounts() });
      const other = await state.startRun({ pipeline: 'stock', kind: 'run', dryRun: false });
      await state.commit({ pipeline: 'stock', runId: other, source: 's', deliveries: [], deadLetters: [letter], sequences: [], counts: emptyCounts() });
      const [first, second] = await state.listDeadLetters({ pipeline: 'orders' });
      await state.setDeadLetterStatus([first?.id ?? 0], 'replayed');
      await state.setDeadLetterStatus([second?.id ?? 0], 'discarded');
      expect(await state.runStats.openDeadLetters()).toEqual([
        { pipeline: 'orders', open: 1 },
        { pipeline: 'stock', open: 1 },
      ]);
    });
  });
}
