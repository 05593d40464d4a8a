import { describe, expect, it } from 'vitest';
import { pruneState } from '../../core/state/prune-state.js';
import { emptyCounts, type BatchCommit, type DeadLetterInput, type StateStore } from '../../core/state/state-store.js';
import { openPerTest, type ReopenableStore } from './open-per-test.js';

/** A time after everything a test stored: every row is "older" than it. */
const LATER = (): string => new Date(Date.now() + 60_000).toISOString();

/**
 * What every StateStore promises about run details, source positions and pruning (run-details.ts,
 * source-positions.ts, state-pruning.ts), through the interface only: `testStateAdmin(open)`.
 */
export function testStateAdmin(open: () => Promise<ReopenableStore<StateStore>>): void {
  describe('StateStore contract: run details, positions, pruning', () => {
    const opened = openPerTest(open);
    const batch = (runId: number, more: Partial<BatchCommit> = {}): BatchCommit => ({
      pipeline: 'p',
      runId,
      source: 's',
      cursor: { checkpoint: null, skip: 0 },
      deliveries: [],
      deadLetters: [],
      sequences: [],
      counts: emptyCounts(),
      ...more,
    });
    const startRun = (state: StateStore, pipeline = 'p'): Promise<number> => state.startRun({ pipeline, kind: 'run', dryRun: false });
    const letter = (code: string, stage = 'step:1:map'): DeadLetterInput => ({ source: 's', stage, code, reason: `failed with ${code}`, payload: '{}' });
    const stage = (name: string, position: number, counts: { in: number; out: number; filtered?: number; duplicates?: number; deadLettered?: number }) => ({
      stage: name,
      position,
      filtered: 0,
      duplicates: 0,
      deadLettered: 0,
      ...counts,
    });

    describe('run details', () => {
      it("adds up each batch's stage counts, dead-letter codes and files per run, in stage order", async () => {
        const { store: state, reopen } = await opened();
        const run = await startRun(state);
        const other = await startRun(state, 'q');
        await state.commit(
          batch(run, {
            deadLetters: [letter('mapping_failed'), letter('mapping_failed'), letter('http_422', 'target:erp')],
            detail: {
              stages: [stage('target:erp', 3, { in: 2, out: 1, deadLettered: 1 }), stage('source:s', 0, { in: 5, out: 5 }), stage('step:1:map', 1, { in: 5, out: 3, filtered: 0, deadLettered: 2 })],
              files: [{ direction: 'read', stage: 'source:s', name: 'a.csv', records: 5 }],
            },
          }),
        );
        await state.commit(
          batch(run, {
            deadLetters: [letter('mapping_failed')],
            detail: {
              stages: [stage('source:s', 0, { in: 2, out: 2 }), stage('step:1:map', 1, { in: 2, out: 1, deadLettered: 1 })],
              files: [
                { direction: 'read', stage: 'source:s', name: 'a.csv', records: 2 },
                { direction: 'written', stage: 'target:erp', name: 'out/1.xml', records: 1 },
              ],
            },
          }),
        );
        await state.commit(batch(other, { deadLetters: [letter('decode_failed', 'decode')] }));
        const detail = await (await reopen()).runDetails.ofRun(run);
        expect(detail.stages.map((row) => [row.stage, row.in, row.out, row.deadLettered])).toEqual([
          ['source:s', 7, 7, 0],
          ['step:1:map', 7, 4, 3],
          ['target:erp', 2, 1, 1],
        ]);
        expect(detail.errors).toEqual([
          { stage: 'step:1:map', code: 'mapping_failed', count: 3 },
          { stage: 'target:erp', code: 'http_422', count: 1 },
        ]);
        expect(detail.files).toEqual([
          { direction: 'read', stage: 'source:s', name: 'a.csv', records: 7 },
          { direction: 'written', stage: 'target:erp', name: 'out/1.xml', records: 1 },
        ]);
        const errors = await state.runDetails.errorsOf([run, other, 999]);
        expect([...errors.keys()].sort()).toEqual([run, other].sort());
        expect(errors.get(other)).toEqual([{ stage: 'decode', code: 'decode_failed', count: 1 }]);
        expect(await state.runDetails.ofRun(999)).toEqual({ stages: [], errors: [], files: [] });
      });

      it('stores no detail of a batch whose commit fails', async () => {
        const { store: state } = await opened();
        const run = await startRun(state);
        const unstorable = { toJSON: () => { throw new Error('cannot be stored'); } } as unknown as null;
        await expect(
          state.commit(batch(run, { cursor: { checkpoint: unstorable, skip: 0 }, deadLetters: [letter('x')], detail: { stages: [stage('source:s', 0, { in: 1, out: 1 })], files: [] } })),
        ).rejects.toThrow();
        expect(await state.runDetails.ofRun(run)).toEqual({ stages: [], errors: [], files: [] });
      });
    });

    describe('source positions', () => {
      it('lists every position with when it moved, sets one (a backfill) and forgets one or all of a pipeline', async () => {
        const { store: state } = await opened();
        const run = await startRun(state);
        await state.commit(batch(run, { cursor: { checkpoint: { since: 1 }, skip: 2 } }));
        await state.commit(batch(run, { source: 't', cursor: { checkpoint: 'x', skip: 0 } }));
        await state.commit(batch(run, { pipeline: 'q', cursor: { checkpoint: null, skip: 0 } }));
        const listed = await state.positions.list();
        expect(listed.map((row) => [row.pipeline, row.source, row.checkpoint, row.skip])).toEqual([
          ['p', 's', { since: 1 }, 2],
          ['p', 't', 'x', 0],
          ['q', 's', null, 0],
        ]);
        expect(listed.every((row) => !Number.isNaN(Date.parse(row.updatedAt)))).toBe(true);
        await state.positions.set('p', 's', { checkpoint: { since: 5, seen: {} }, skip: 0 });
        expect(await state.readCursor('p', 's')).toEqual({ checkpoint: { since: 5, seen: {} }, skip: 0 });
        expect(await state.positions.reset('p', 'never')).toEqual([]);
        expect(await state.positions.reset('p', 't')).toEqual(['t']);
        expect((await state.positions.list({ pipeline: 'p' })).map((row) => row.source)).toEqual(['s']);
        expect(await state.positions.reset('q')).toEqual(['s']);
        expect(await state.readCursor('q', 's')).toBeUndefined();
        expect(await state.readCursor('p', 's')).toBeDefined();
      });
    });

    describe('pruning', () => {
      it('never forgets an unsettled ledger entry or a key with a send in doubt, whatever its age; forgets settled ones', async () => {
        const { store: state, reopen } = await opened();
        const killed = await startRun(state);
        await state.commit(batch(killed, { deliveries: [{ target: 'erp', key: 'settled', hash: 'h' }, { target: 'erp', key: 'resending', hash: 'h' }] }));
        // A run killed mid-batch: one answer recorded but not committed, one send never answered,
        // and a settled key being sent again when it died.
        await state.recordProgress('p', killed, {
          sending: [{ scope: 'erp', key: 'in-doubt' }, { scope: 'erp', key: 'resending' }],
          accepted: [{ target: 'erp', key: 'unsettled', hash: 'h' }],
        });
        const before = LATER();
        expect(await state.pruning.count('ledger', before)).toBe(1);
        const report = await pruneState(state, { runs: undefined, deadLetters: undefined, ledger: 1 }, new Date(Date.now() + 2 * 86_400_000), { window: 1 });
        expect(report.parts.find((part) => part.part === 'ledger')?.pruned).toBe(1);
        const recalled = await (await reopen()).recallKeys('p', 'erp', ['settled', 'unsettled', 'in-doubt', 'resending']);
        expect(recalled.has('settled')).toBe(false);
        expect(recalled.get('unsettled')?.delivered?.unsettledRun).toBe(killed);
        expect(recalled.get('in-doubt')).toEqual({ inDoubtSince: killed });
        expect(recalled.get('resending')).toMatchObject({ inDoubtSince: killed, delivered: expect.objectContaining({ hash: 'h' }) });
      });

      it('forgets handled dead letters and never an open one', async () => {
        const { store: state } = await opened();
        const run = await startRun(state);
        await state.commit(batch(run, { deadLetters: [letter('a'), letter('b'), letter('c')] }));
        const [open, replayed, discarded] = await state.listDeadLetters();
        await state.setDeadLetterStatus([replayed?.id as number], 'replayed');
        await state.setDeadLetterStatus([discarded?.id as number], 'discarded');
        expect(await state.pruning.count('deadLetters', LATER())).toBe(2);
        // Not yet old enough: nothing goes.
        expect((await state.pruning.prune('deadLetters', new Date(Date.now() - 60_000).toISOString(), 100)).pruned).toBe(0);
        expect((await state.pruning.prune('deadLetters', LATER(), 100)).pruned).toBe(2);
        expect((await state.listDeadLetters({ limit: 10 })).map((row) => [row.id, row.status])).toEqual([[open?.id, 'open']]);
      });

      it("forgets old finished runs with their details, but not a running one, nor a pipeline's newest run or newest success", async () => {
        const { store: state } = await opened();
        const ok = await startRun(state);
        await state.commit(batch(ok, { deadLetters: [letter('x')], detail: { stages: [stage('source:s', 0, { in: 1, out: 1 })], files: [] } }));
        await state.finishRun(ok, { status: 'ok' });
        const newestSuccess = await startRun(state);
        await state.finishRun(newestSuccess, { status: 'dead_letters' });
        const failed = await startRun(state);
        await state.finishRun(failed, { status: 'failed', error: 'boom' });
        const newest = await startRun(state);
        await state.finishRun(newest, { status: 'failed', error: 'boom' });
        const running = await startRun(state, 'q');
        const onlyRunOfR = await startRun(state, 'r');
        await state.finishRun(onlyRunOfR, { status: 'ok' });
        expect(await state.pruning.count('runs', LATER())).toBe(2);
        let after: string | undefined;
        let pruned = 0;
        for (let window = 0; window < 10; window += 1) {
          const chunk = await state.pruning.prune('runs', LATER(), 2, after);
          pruned += chunk.pruned;
          after = chunk.next;
          if (after === undefined) break;
        }
        expect([pruned, after]).toEqual([2, undefined]);
        expect((await state.listRuns({ limit: 10 })).map((run) => run.id).sort((a, b) => a - b)).toEqual([newestSuccess, newest, running, onlyRunOfR]);
        expect(await state.runDetails.ofRun(ok)).toEqual({ stages: [], errors: [], files: [] });
        // The dead letter of a pruned run stays: it is still open.
        expect((await state.listDeadLetters()).map((row) => row.runId)).toEqual([ok]);
      });

      it('counts what a dry run would prune and forgets nothing; a part without retention is kept', async () => {
        const { store: state } = await opened();
        const run = await startRun(state);
        await state.commit(batch(run, { deliveries: [{ target: 'erp', key: 'a', hash: 'h' }] }));
        await state.finishRun(run, { status: 'ok' });
        const future = new Date(Date.now() + 3 * 86_400_000);
        const dry = await pruneState(state, { runs: 1, deadLetters: 1, ledger: 1 }, future, { dryRun: true });
        expect(dry.parts.map((part) => [part.part, part.pruned])).toEqual([['runs', 0], ['deadLetters', 0], ['ledger', 1]]);
        expect(await state.delivered('p', 'erp', ['a'])).toEqual(new Set(['a']));
        const kept = await pruneState(state, { runs: 1, deadLetters: 1, ledger: undefined }, future);
        expect(kept.parts.find((part) => part.part === 'ledger')).toEqual({ part: 'ledger', keptDays: null, olderThan: null, pruned: 0 });
        expect(await state.delivered('p', 'erp', ['a'])).toEqual(new Set(['a']));
      });
    });
  });
}
