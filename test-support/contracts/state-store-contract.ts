import { describe, expect, it } from 'vitest';
import type { JsonValue } from '../../core/json.js';
import { emptyCounts, type BatchCommit, type DeadLetterInput, type StateStore } from '../../core/state/state-store.js';
import type { WebhookEventInput } from '../../core/state/webhook-inbox.js';
import { openPerTest, type ReopenableStore } from './open-per-test.js';

/**
 * What every StateStore promises (core/state/state-store.ts), as one suite each implementation
 * runs in one line: `testStateStore(async () => ({ store, reopen, cleanup }))`. `open` gives an
 * empty store per test; `reopen` another store on the same data. Only the interface is used, so
 * a PostgreSQL store is held to exactly what the SQLite one is.
 */
export function testStateStore(open: () => Promise<ReopenableStore<StateStore>>): void {
  describe('StateStore contract', () => {
    const opened = openPerTest(open);

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
    const startRun = (state: StateStore, pipeline = 'p'): Promise<number> => state.startRun({ pipeline, kind: 'run', dryRun: false });
    const letter = (more: Partial<DeadLetterInput> = {}): DeadLetterInput => ({
      source: 's',
      stage: 'target:erp',
      target: 'erp',
      recordKey: 'order-1',
      origin: 'orders.csv:2',
      code: 'http_422',
      reason: 'the ERP refused the record',
      payload: '{"id":"1"}',
      ...more,
    });

    describe('cursors and sequences', () => {
      it('reads no cursor for a source never committed, and the last one committed per pipeline and source', async () => {
        const { store: state } = await opened();
        expect(await state.readCursor('p', 's')).toBeUndefined();
        const run = await startRun(state);
        await state.commit(batch(run, { cursor: { checkpoint: { page: 2, since: '2026-01-01T00:00:00Z', ids: [1, 2] }, skip: 3 } }));
        await state.commit(batch(run, { source: 's2', cursor: { checkpoint: 'token-7', skip: 0 } }));
        expect(await state.readCursor('p', 's')).toEqual({ checkpoint: { page: 2, since: '2026-01-01T00:00:00Z', ids: [1, 2] }, skip: 3 });
        expect(await state.readCursor('p', 's2')).toEqual({ checkpoint: 'token-7', skip: 0 });
        expect(await state.readCursor('q', 's')).toBeUndefined();
        // A null checkpoint (resume from the start of the source, skipping records) is a cursor, not none.
        await state.commit(batch(run, { cursor: { checkpoint: null, skip: 5 } }));
        expect(await state.readCursor('p', 's')).toEqual({ checkpoint: null, skip: 5 });
      });

      it('leaves the cursor where it is when a batch commits none (a replay)', async () => {
        const { store: state } = await opened();
        const run = await startRun(state);
        await state.commit(batch(run, { cursor: { checkpoint: { page: 1 }, skip: 0 } }));
        await state.commit(batch(run, { cursor: undefined, deliveries: [{ target: 'erp', key: 'k' }] }));
        expect(await state.readCursor('p', 's')).toEqual({ checkpoint: { page: 1 }, skip: 0 });
        expect(await state.delivered('p', 'erp', ['k'])).toEqual(new Set(['k']));
      });

      it("forgets one source's cursor on reset, so the next run reads it from the start", async () => {
        const { store: state } = await opened();
        const run = await startRun(state);
        await state.commit(batch(run, { cursor: { checkpoint: 1, skip: 0 } }));
        await state.commit(batch(run, { source: 's2', cursor: { checkpoint: 2, skip: 0 } }));
        await state.resetCursor('p', 's');
        await state.resetCursor('p', 'never-read');
        expect(await state.readCursor('p', 's')).toBeUndefined();
        expect(await state.readCursor('p', 's2')).toEqual({ checkpoint: 2, skip: 0 });
      });

      it("numbers each target's batches from 0, per pipeline, and never moves back", async () => {
        const { store: state } = await opened();
        expect(await state.lastSequence('p', 'out')).toBe(0);
        const run = await startRun(state);
        await state.commit(batch(run, { sequences: [{ target: 'out', value: 1 }, { target: 'erp', value: 4 }] }));
        expect([await state.lastSequence('p', 'out'), await state.lastSequence('p', 'erp'), await state.lastSequence('q', 'out')]).toEqual([1, 4, 0]);
        await state.commit(batch(run, { sequences: [{ target: 'out', value: 3 }] }));
        // A lower number committed later (a replay's batch) must not let a file name be used twice.
        await state.commit(batch(run, { sequences: [{ target: 'out', value: 2 }] }));
        expect(await state.lastSequence('p', 'out')).toBe(3);
      });

      it('commits a batch all or nothing: a commit that fails leaves none of its entries, letters, counts, sequences or cursor', async () => {
        const { store: state } = await opened();
        const run = await startRun(state);
        await state.commit(batch(run, { cursor: { checkpoint: 'page-1', skip: 0 }, sequences: [{ target: 'erp', value: 1 }], deliveries: [{ target: 'erp', key: 'a' }], counts: { ...emptyCounts(), read: 1, written: 1 } }));
        await state.recordProgress('p', run, { sending: [{ scope: 'erp', key: 'b' }], accepted: [{ target: 'erp', key: 'c', hash: 'hc' }] });
        // The last part of this batch cannot be stored: everything before it must go too.
        const unstorable = { toJSON: () => { throw new Error('this checkpoint cannot be stored'); } } as unknown as JsonValue;
        await expect(
          state.commit(
            batch(run, {
              cursor: { checkpoint: unstorable, skip: 0 },
              deliveries: [{ target: 'erp', key: 'd', hash: 'hd' }],
              deadLetters: [letter()],
              sequences: [{ target: 'erp', value: 2 }],
              counts: { ...emptyCounts(), read: 2, written: 1, deadLettered: 1, outcomes: { created: 1 } },
            }),
          ),
        ).rejects.toThrow();
        expect(await state.delivered('p', 'erp', ['a', 'd'])).toEqual(new Set(['a']));
        expect(await state.listDeadLetters()).toEqual([]);
        expect(await state.lastSequence('p', 'erp')).toBe(1);
        expect(await state.readCursor('p', 's')).toEqual({ checkpoint: 'page-1', skip: 0 });
        expect(await state.getRun(run)).toMatchObject({ read: 1, written: 1, deadLettered: 0, outcomes: {} });
        // Nor did it settle what the run recorded as the answers arrived.
        const recalled = await state.recallKeys('p', 'erp', ['b', 'c']);
        expect(recalled.get('b')).toEqual({ inDoubtSince: run });
        expect(recalled.get('c')?.delivered?.unsettledRun).toBe(run);
      });
    });

    describe('the effect ledger', () => {
      it('says which keys a target holds, per pipeline and target, answered sends included and sends in flight not', async () => {
        const { store: state } = await opened();
        const run = await startRun(state);
        expect(await state.delivered('p', 'erp', ['a'])).toEqual(new Set());
        await state.commit(batch(run, { deliveries: [{ target: 'erp', key: 'a', ref: '17' }, { target: 'erp', key: 'b' }] }));
        await state.recordProgress('p', run, { sending: [{ scope: 'erp', key: 'sending' }], accepted: [{ target: 'erp', key: 'answered' }] });
        expect(await state.delivered('p', 'erp', ['a', 'b', 'c', 'sending', 'answered'])).toEqual(new Set(['a', 'b', 'answered']));
        expect(await state.delivered('p', 'shop', ['a'])).toEqual(new Set());
        expect(await state.delivered('q', 'erp', ['a'])).toEqual(new Set());
        expect(await state.recallKeys('q', 'erp', ['a'])).toEqual(new Map());
      });

      it('holds a send in flight until answered, an answer unsettled until its batch commits, and forgets both for the run that commits', async () => {
        const { store: state } = await opened();
        const run = await startRun(state);
        await state.recordProgress('p', run, { sending: [{ scope: 'api', key: 'a' }, { scope: 'api', key: 'b' }], accepted: [] });
        await state.recordProgress('p', run, { sending: [], accepted: [{ target: 'api', key: 'a', hash: 'h1', content: '{"id":"a"}', ref: '17' }] });
        const during = await state.recallKeys('p', 'api', ['a', 'b', 'c']);
        expect(during.get('a')).toEqual({ delivered: { hash: 'h1', content: '{"id":"a"}', ref: '17', at: expect.any(String), unsettledRun: run, unsettledResent: false } });
        expect(Number.isNaN(Date.parse(during.get('a')?.delivered?.at ?? ''))).toBe(false);
        expect(during.get('b')).toEqual({ inDoubtSince: run });
        expect(during.has('c')).toBe(false);

        await state.commit(batch(run, { deliveries: [{ target: 'api', key: 'a', hash: 'h1', content: '{"id":"a"}', ref: '17' }] }));
        const after = await state.recallKeys('p', 'api', ['a', 'b']);
        expect(after.get('a')?.delivered).toMatchObject({ hash: 'h1', unsettledRun: undefined, unsettledResent: false });
        expect(after.has('b')).toBe(false);
      });

      it('replaces the version a changed record sent again left, and keeps it when an answer says stale (no hash)', async () => {
        const { store: state } = await opened();
        const run = await startRun(state);
        await state.commit(batch(run, { deliveries: [{ target: 'api', key: 'a', hash: 'h1', content: '{"v":1}', ref: '1' }] }));
        await state.commit(batch(run, { deliveries: [{ target: 'api', key: 'a', hash: 'h2', content: '{"v":2}', ref: '2' }] }));
        expect((await state.recallKeys('p', 'api', ['a'])).get('a')?.delivered).toMatchObject({ hash: 'h2', content: '{"v":2}', ref: '2' });
        await state.commit(batch(run, { deliveries: [{ target: 'api', key: 'a', hash: undefined, ref: undefined }] }));
        expect((await state.recallKeys('p', 'api', ['a'])).get('a')?.delivered).toMatchObject({ hash: 'h2', content: '{"v":2}', ref: '2' });
      });

      it('leaves what a killed run left in doubt to later runs until one that read everything settles it', async () => {
        const { store: state } = await opened();
        const killed = await startRun(state);
        await state.recordProgress('p', killed, { sending: [{ scope: 'api', key: 'lost' }], accepted: [{ target: 'api', key: 'kept', hash: 'h', resent: true }] });
        expect((await state.recallKeys('p', 'api', ['kept'])).get('kept')?.delivered).toMatchObject({ unsettledRun: killed, unsettledResent: true });
        const next = await startRun(state);
        await state.recordProgress('p', next, { sending: [{ scope: 'api', key: 'mine' }], accepted: [{ target: 'api', key: 'answered', hash: 'h' }] });
        // A batch of the next run commits: it settles its own, not what the killed run left.
        await state.commit(batch(next));
        await state.recordProgress('p', next, { sending: [{ scope: 'api', key: 'mine' }], accepted: [{ target: 'api', key: 'answered-2', hash: 'h' }] });
        expect((await state.recallKeys('p', 'api', ['kept', 'lost'])).get('lost')).toEqual({ inDoubtSince: killed });
        expect((await state.recallKeys('p', 'api', ['kept'])).get('kept')?.delivered?.unsettledRun).toBe(killed);

        await state.settleEarlierRuns('p', next);
        const settled = await state.recallKeys('p', 'api', ['kept', 'lost', 'mine', 'answered-2']);
        expect(settled.get('kept')?.delivered).toMatchObject({ unsettledRun: undefined, unsettledResent: false });
        expect(settled.has('lost')).toBe(false);
        // The settling run's own sends and answers are still its batch's to commit.
        expect(settled.get('mine')).toEqual({ inDoubtSince: next });
        expect(settled.get('answered-2')?.delivered?.unsettledRun).toBe(next);
      });

      it('keeps what a killed run recorded as the answers arrived for the process that comes next', async () => {
        const { store: state, reopen } = await opened();
        const killed = await startRun(state);
        await state.recordProgress('p', killed, { sending: [{ scope: 'api', key: 'sent' }], accepted: [{ target: 'api', key: 'answered', hash: 'h', ref: '9' }] });
        await state.close();
        const next = await reopen();
        const recalled = await next.recallKeys('p', 'api', ['sent', 'answered']);
        expect(recalled.get('sent')).toEqual({ inDoubtSince: killed });
        expect(recalled.get('answered')?.delivered).toMatchObject({ hash: 'h', ref: '9', unsettledRun: killed });
        expect(await next.delivered('p', 'api', ['answered'])).toEqual(new Set(['answered']));
      });
    });

    describe('runs', () => {
      it('records a run from start to finish: what it was, its status, times and error', async () => {
        const { store: state } = await opened();
        const id = await state.startRun({ pipeline: 'p', kind: 'replay', dryRun: true });
        const started = await state.getRun(id);
        expect(started).toEqual({
          id,
          pipeline: 'p',
          kind: 'replay',
          dryRun: true,
          status: 'running',
          startedAt: expect.any(String),
          finishedAt: null,
          durationMs: null,
          error: null,
          ...emptyCounts(),
        });
        await state.finishRun(id, { status: 'failed', error: 'target erp failed: connection refused' });
        const finished = await state.getRun(id);
        expect(finished).toMatchObject({ status: 'failed', error: 'target erp failed: connection refused', finishedAt: expect.any(String) });
        expect(Date.parse(finished?.finishedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(started?.startedAt ?? ''));
        expect(finished?.durationMs).toBeGreaterThanOrEqual(0);

        const ok = await startRun(state);
        await state.finishRun(ok, { status: 'ok' });
        expect(await state.getRun(ok)).toMatchObject({ status: 'ok', error: null, dryRun: false, kind: 'run' });
        expect(await state.getRun(ok + 1000)).toBeUndefined();
      });

      it('adds the counts of each batch to its run, outcomes per label', async () => {
        const { store: state } = await opened();
        const run = await startRun(state);
        const other = await startRun(state);
        await state.commit(batch(run, { counts: { read: 5, written: 3, duplicates: 1, deadLettered: 1, skipped: 0, resent: 2, outcomes: { reserved: 2, adjusted: 1 } } }));
        await state.commit(batch(run, { counts: { read: 4, written: 1, duplicates: 0, deadLettered: 0, skipped: 3, resent: 1, outcomes: { reserved: 1, stale: 1 } } }));
        expect(await state.getRun(run)).toMatchObject({ read: 9, written: 4, duplicates: 1, deadLettered: 1, skipped: 3, resent: 3, outcomes: { reserved: 3, adjusted: 1, stale: 1 } });
        expect(await state.getRun(other)).toMatchObject({ ...emptyCounts() });
      });

      it('lists runs newest first, of one pipeline when asked, up to a limit', async () => {
        const { store: state } = await opened();
        const first = await startRun(state, 'p');
        const second = await startRun(state, 'q');
        const third = await startRun(state, 'p');
        expect(second).toBeGreaterThan(first);
        expect(third).toBeGreaterThan(second);
        expect((await state.listRuns()).map((run) => run.id)).toEqual([third, second, first]);
        expect((await state.listRuns({ pipeline: 'p' })).map((run) => run.id)).toEqual([third, first]);
        expect((await state.listRuns({ limit: 2 })).map((run) => run.id)).toEqual([third, second]);
        expect((await state.listRuns({ pipeline: 'p', limit: 1 }))[0]).toEqual(await state.getRun(third));
        expect(await state.listRuns({ pipeline: 'none' })).toEqual([]);
      });
    });

    describe('dead letters', () => {
      it('keeps each dead letter of a batch with all it needs to be replayed, open, in id order', async () => {
        const { store: state } = await opened();
        const run = await startRun(state);
        await state.commit(batch(run, { deadLetters: [letter(), letter({ stage: 'decode', target: undefined, recordKey: undefined, code: 'csv_invalid', payload: 'a,"b' })] }));
        const letters = await state.listDeadLetters();
        expect(letters).toEqual([
          { id: expect.any(Number), runId: run, pipeline: 'p', status: 'open', createdAt: expect.any(String), updatedAt: expect.any(String), ...letter() },
          {
            id: expect.any(Number),
            runId: run,
            pipeline: 'p',
            status: 'open',
            createdAt: expect.any(String),
            updatedAt: expect.any(String),
            ...letter({ stage: 'decode', target: undefined, recordKey: undefined, code: 'csv_invalid', payload: 'a,"b' }),
          },
        ]);
        const [first, second] = letters;
        expect(second?.id).toBeGreaterThan(first?.id ?? Infinity);
        expect(await state.getDeadLetter(first?.id ?? -1)).toEqual(first);
        expect(await state.getDeadLetter((second?.id ?? 0) + 1000)).toBeUndefined();
      });

      it('lists letters by pipeline and status, a page at a time after the last id seen', async () => {
        const { store: state } = await opened();
        const p = await startRun(state, 'p');
        const q = await startRun(state, 'q');
        await state.commit(batch(p, { deadLetters: [1, 2, 3].map((n) => letter({ recordKey: `p-${n}` })) }));
        await state.commit(batch(q, { pipeline: 'q', deadLetters: [letter({ recordKey: 'q-1' })] }));
        await state.commit(batch(p, { deadLetters: [letter({ recordKey: 'p-4' })] }));
        const keys = (letters: { recordKey?: string | undefined }[]): (string | undefined)[] => letters.map((one) => one.recordKey);
        expect(keys(await state.listDeadLetters())).toEqual(['p-1', 'p-2', 'p-3', 'q-1', 'p-4']);
        const firstPage = await state.listDeadLetters({ pipeline: 'p', limit: 2 });
        expect(keys(firstPage)).toEqual(['p-1', 'p-2']);
        const secondPage = await state.listDeadLetters({ pipeline: 'p', limit: 2, afterId: firstPage.at(-1)?.id });
        expect(keys(secondPage)).toEqual(['p-3', 'p-4']);
        expect(await state.listDeadLetters({ pipeline: 'p', limit: 2, afterId: secondPage.at(-1)?.id })).toEqual([]);
        const all = await state.listDeadLetters();
        await state.setDeadLetterStatus([all[1]?.id ?? -1], 'discarded');
        expect(keys(await state.listDeadLetters({ status: 'open', pipeline: 'p' }))).toEqual(['p-1', 'p-3', 'p-4']);
        expect(keys(await state.listDeadLetters({ status: 'discarded' }))).toEqual(['p-2']);
        expect(keys(await state.listDeadLetters({ status: 'open', pipeline: 'q' }))).toEqual(['q-1']);
      });

      it('moves the letters named, and only those, between open, replayed and discarded', async () => {
        const { store: state } = await opened();
        const run = await startRun(state);
        await state.commit(batch(run, { deadLetters: ['a', 'b', 'c'].map((key) => letter({ recordKey: key })) }));
        const [a, b, c] = (await state.listDeadLetters()).map((one) => one.id);
        await state.setDeadLetterStatus([a ?? -1, b ?? -1], 'replayed');
        await state.setDeadLetterStatus([], 'discarded');
        expect((await state.listDeadLetters()).map((one) => one.status)).toEqual(['replayed', 'replayed', 'open']);
        await state.setDeadLetterStatus([b ?? -1, c ?? -1], 'discarded');
        await state.setDeadLetterStatus([a ?? -1], 'open');
        expect((await state.listDeadLetters()).map((one) => one.status)).toEqual(['open', 'discarded', 'discarded']);
        const discarded = await state.getDeadLetter(c ?? -1);
        expect(Date.parse(discarded?.updatedAt ?? '')).toBeGreaterThanOrEqual(Date.parse(discarded?.createdAt ?? ''));
      });

      it('updates a replayed letter that fails again instead of adding one; a second failure of it in that batch is a letter of its own', async () => {
        const { store: state } = await opened();
        const first = await startRun(state);
        await state.commit(batch(first, { deadLetters: [letter(), letter({ recordKey: 'order-2' })] }));
        const [original, untouched] = await state.listDeadLetters();
        await state.setDeadLetterStatus([original?.id ?? -1], 'replayed');
        const replay = await state.startRun({ pipeline: 'p', kind: 'replay', dryRun: false });
        await state.commit(
          batch(replay, {
            cursor: undefined,
            deadLetters: [
              letter({ replaces: original?.id, stage: 'target:wms', target: 'wms', code: 'http_500', reason: 'the WMS is down' }),
              letter({ replaces: original?.id, stage: 'target:crm', target: 'crm', code: 'http_409', reason: 'conflict' }),
            ],
          }),
        );
        const letters = await state.listDeadLetters();
        expect(letters).toHaveLength(3);
        expect(letters[0]).toMatchObject({
          id: original?.id,
          runId: replay,
          status: 'open',
          stage: 'target:wms',
          target: 'wms',
          code: 'http_500',
          reason: 'the WMS is down',
          payload: original?.payload,
          recordKey: 'order-1',
          createdAt: original?.createdAt,
        });
        expect(letters[1]).toEqual(untouched);
        expect(letters[2]).toMatchObject({ runId: replay, target: 'crm', code: 'http_409', recordKey: 'order-1', status: 'open' });
      });
    });

    describe('connector state', () => {
      it('keeps JSON values per scope and key; a stored null is not a missing value', async () => {
        const { store: state } = await opened();
        expect(await state.getValue('connection:shop', 'token')).toBeUndefined();
        const values: JsonValue[] = [{ cursor: 'abc', page: [1, 2, { deep: true }] }, ['x', 2], 'text', 42.5, false, null];
        for (const [index, value] of values.entries()) await state.setValue('connection:shop', `k${index}`, value);
        for (const [index, value] of values.entries()) expect(await state.getValue('connection:shop', `k${index}`)).toEqual(value);
        await state.setValue('connection:shop', 'k0', { cursor: 'def' });
        expect(await state.getValue('connection:shop', 'k0')).toEqual({ cursor: 'def' });
        expect(await state.getValue('connection:erp', 'k0')).toBeUndefined();
        await state.setValue('connection:erp', 'k0', 'erp-own');
        expect(await state.getValue('connection:shop', 'k0')).toEqual({ cursor: 'def' });
      });
    });

    describe('leases', () => {
      it('lets one owner hold a lease at a time, renew it and release it; leases of other names are apart', async () => {
        const { store: state } = await opened();
        expect(await state.acquireLease('pipeline:p', 'a', 60_000)).toBe(true);
        expect(await state.acquireLease('pipeline:p', 'b', 60_000)).toBe(false);
        expect(await state.acquireLease('pipeline:p', 'a', 60_000)).toBe(true);
        expect(await state.acquireLease('pipeline:q', 'b', 60_000)).toBe(true);
        await state.releaseLease('pipeline:p', 'b');
        expect(await state.acquireLease('pipeline:p', 'b', 60_000)).toBe(false);
        await state.releaseLease('pipeline:p', 'a');
        expect(await state.acquireLease('pipeline:p', 'b', 60_000)).toBe(true);
        expect(await state.acquireLease('pipeline:p', 'a', 60_000)).toBe(false);
      });

      it('lets another owner take over a lease that expired', async () => {
        const { store: state } = await opened();
        expect(await state.acquireLease('pipeline:p', 'a', 1)).toBe(true);
        // Expired after 1 ms: waiting longer (a loaded machine) only makes it more so.
        await new Promise((resolve) => setTimeout(resolve, 20));
        expect(await state.acquireLease('pipeline:p', 'b', 60_000)).toBe(true);
        expect(await state.acquireLease('pipeline:p', 'a', 60_000)).toBe(false);
      });

      it('lets another owner take over from a holder that isDead says is gone, and not otherwise', async () => {
        const { store: state } = await opened();
        expect(await state.acquireLease('pipeline:p', 'pid:1', 60_000)).toBe(true);
        const asked: string[] = [];
        expect(await state.acquireLease('pipeline:p', 'pid:2', 60_000, (holder) => (asked.push(holder), false))).toBe(false);
        expect(asked).toEqual(['pid:1']);
        expect(await state.acquireLease('pipeline:p', 'pid:2', 60_000, (holder) => holder === 'pid:1')).toBe(true);
        expect(await state.acquireLease('pipeline:p', 'pid:1', 60_000)).toBe(false);
      });

      it('excludes owners on two stores of the same state (two processes)', async () => {
        const { store: one, reopen } = await opened();
        const two = await reopen();
        expect(await one.acquireLease('pipeline:p', 'a', 60_000)).toBe(true);
        expect(await two.acquireLease('pipeline:p', 'b', 60_000)).toBe(false);
        await one.releaseLease('pipeline:p', 'a');
        expect(await two.acquireLease('pipeline:p', 'b', 60_000)).toBe(true);
        expect(await one.acquireLease('pipeline:p', 'a', 60_000)).toBe(false);
      });
    });

    describe('rate ledger', () => {
      // A bucket of 5 requests, one leaking every 64 ms (a power of two: the arithmetic is exact),
      // stepped through at explicit times: no test here sleeps.
      const bucket = { capacity: 5, leakPerMs: 1 / 64 };
      const T = 1_767_225_600_000;
      /** Takes on the stores in turn until one answers with a wait: how many were granted, and that wait. */
      const takeUntilFull = async (stores: readonly StateStore[], account: string, now: number, shape = bucket): Promise<{ granted: number; waitMs: number }> => {
        for (let granted = 0; granted <= 100; granted += 1) {
          const waitMs = await (stores[granted % stores.length] as StateStore).rates.take(account, shape, now);
          if (waitMs > 0) return { granted, waitMs };
        }
        throw new Error('the bucket never filled');
      };

      it('shares one bucket between two stores on the same state: together they never take more than its capacity plus what leaked', async () => {
        const { store: one, reopen } = await opened();
        const two = await reopen();
        expect(await takeUntilFull([one, two], 'shop', T)).toEqual({ granted: 5, waitMs: 64 });
        // Full: either store answers how long until one request has leaked.
        expect(await two.rates.take('shop', bucket, T + 40)).toBe(24);
        let granted = 5;
        for (let step = 1; step <= 24; step += 1) {
          const elapsed = step * 48;
          granted += (await takeUntilFull(step % 2 === 0 ? [one, two] : [two, one], 'shop', T + elapsed)).granted;
          // Capacity plus what leaked, and not one less: a leaked request is not lost either.
          expect(granted).toBe(5 + Math.floor(elapsed / 64));
        }
      });

      it('holds every store while a pause one of them reported lasts; a shorter pause reported later does not end it early', async () => {
        const { store: one, reopen } = await opened();
        const two = await reopen();
        await one.rates.report('shop', bucket, { pausedUntil: T + 2000 }, T);
        expect(await two.rates.take('shop', bucket, T + 10)).toBe(1990);
        await two.rates.report('shop', bucket, { pausedUntil: T + 500 }, T + 20);
        expect(await one.rates.take('shop', bucket, T + 1999)).toBe(1);
        expect(await takeUntilFull([two, one], 'shop', T + 2000)).toEqual({ granted: 5, waitMs: 64 });
      });

      it('restores the capacity as the bucket leaks, and no more than the capacity after a long quiet time', async () => {
        const { store: state } = await opened();
        expect((await takeUntilFull([state], 'shop', T)).granted).toBe(5);
        expect((await takeUntilFull([state], 'shop', T + 2 * 64)).granted).toBe(2);
        expect((await takeUntilFull([state], 'shop', T + 7 * 64)).granted).toBe(5);
        expect((await takeUntilFull([state], 'shop', T + 3_600_000)).granted).toBe(5);
      });

      it('raises the level to what the vendor reports (a call-limit header, a 429), up to the capacity, and never lowers it', async () => {
        const { store: one, reopen } = await opened();
        const two = await reopen();
        await one.rates.report('shop', bucket, { level: 4 }, T);
        expect(await takeUntilFull([two], 'shop', T)).toEqual({ granted: 1, waitMs: 64 });
        // A lower count may miss another process's requests in flight: it changes nothing.
        await two.rates.report('shop', bucket, { level: 0 }, T + 1);
        expect(await one.rates.take('shop', bucket, T + 1)).toBe(63);
        await one.rates.report('other-shop', bucket, { level: 9 }, T);
        expect(await takeUntilFull([two], 'other-shop', T + 64)).toEqual({ granted: 1, waitMs: 64 });
      });

      it('takes what a request costs (points, not requests) and takes back what a process refunds, for every process', async () => {
        const { store: one, reopen } = await opened();
        const two = await reopen();
        const points = { capacity: 1000, leakPerMs: 0.1 };
        // 600 points requested by one process, 300 by another: 100 are left.
        expect(await one.rates.take('shop', points, T, 600)).toBe(0);
        expect(await two.rates.take('shop', points, T, 300)).toBe(0);
        // 200 more do not fit: 100 points missing at 0.1 a millisecond.
        expect(await one.rates.take('shop', points, T, 200)).toBe(1000);
        // The first query cost 400 of its 600: the 200 refunded are there for the other process at once.
        await one.rates.refund('shop', points, 200, T);
        expect(await two.rates.take('shop', points, T, 200)).toBe(0);
        // A refund never makes the bucket emptier than empty; a cost above capacity counts as capacity.
        await two.rates.refund('shop', points, 5000, T);
        expect(await one.rates.take('shop', points, T, 1500)).toBe(0);
        expect(await two.rates.take('shop', points, T, 1)).toBe(10);
      });

      it('keeps accounts apart, and grants every request of a bucket without a limit but for a pause', async () => {
        const { store: state } = await opened();
        expect((await takeUntilFull([state], 'shop', T)).granted).toBe(5);
        expect((await takeUntilFull([state], 'erp', T)).granted).toBe(5);
        const unlimited = { capacity: Number.POSITIVE_INFINITY, leakPerMs: Number.POSITIVE_INFINITY };
        for (let n = 0; n < 50; n += 1) expect(await state.rates.take('feed', unlimited, T)).toBe(0);
        await state.rates.report('feed', unlimited, { pausedUntil: T + 1000 }, T);
        expect(await state.rates.take('feed', unlimited, T + 1)).toBe(999);
        expect(await state.rates.take('feed', unlimited, T + 1000)).toBe(0);
      });

      it('leaks nothing twice when a call comes with an earlier time than the last one (a slow call, another clock)', async () => {
        const { store: one, reopen } = await opened();
        const two = await reopen();
        expect((await takeUntilFull([one], 'shop', T + 1000)).granted).toBe(5);
        expect(await two.rates.take('shop', bucket, T)).toBe(64);
        expect((await takeUntilFull([two], 'shop', T + 1000 + 64)).granted).toBe(1);
      });

      it("answers every account's budget as of a time: used (leaked), capacity and pause, to any store on the state", async () => {
        const { store: one, reopen } = await opened();
        expect(await one.rates.budgets(T)).toEqual([]);
        await takeUntilFull([one], 'shop', T);
        await one.rates.report('erp', { capacity: Number.POSITIVE_INFINITY, leakPerMs: Number.POSITIVE_INFINITY }, { pausedUntil: T + 500 }, T);
        const two = await reopen();
        expect(await two.rates.budgets(T + 2 * 64)).toEqual([
          { account: 'erp', used: 0, capacity: undefined, pausedUntil: T + 500 },
          { account: 'shop', used: 3, capacity: 5, pausedUntil: 0 },
        ]);
        expect((await two.rates.budgets(T + 3_600_000)).find((budget) => budget.account === 'shop')?.used).toBe(0);
      });
    });

    describe('webhook inbox', () => {
      const T = '2026-12-01T10:00:00.000Z';
      const event = (more: Partial<WebhookEventInput> = {}): WebhookEventInput => ({
        connection: 'shop',
        topic: 'orders/create',
        deliveryId: 'delivery-1',
        receivedAt: T,
        triggeredAt: '2026-12-01T09:59:58.000Z',
        body: Buffer.from('{"id":1001}'),
        headers: { 'x-shopify-topic': 'orders/create', 'x-shopify-webhook-id': 'delivery-1' },
        ...more,
      });
      const all = (state: StateStore, connection = 'shop', afterSeq = 0) => state.webhooks.list({ connection, afterSeq, limit: 100 });

      it('keeps an event byte for byte, with its headers and times, numbered in the order events came', async () => {
        const { store: state } = await opened();
        // Bytes as signed: a BOM, escaped slashes, a trailing newline and bytes that are not UTF-8 come back unchanged.
        const body = Buffer.concat([Buffer.from('\uFEFF{"url":"https:\\/\\/shop.example\\/"}\n'), Buffer.from([0xff, 0xfe])]);
        const first = await state.webhooks.append(event({ body }));
        const second = await state.webhooks.append(event({ deliveryId: 'delivery-2', body: Buffer.from('{"id":1002}'), triggeredAt: undefined }));
        expect(first).toEqual({ stored: true, seq: expect.any(Number) });
        expect(second.seq).toBeGreaterThan(first.seq);
        const [one, two] = await all(state);
        expect(one).toEqual({
          seq: first.seq,
          connection: 'shop',
          topic: 'orders/create',
          deliveryId: 'delivery-1',
          receivedAt: T,
          triggeredAt: '2026-12-01T09:59:58.000Z',
          headers: { 'x-shopify-topic': 'orders/create', 'x-shopify-webhook-id': 'delivery-1' },
          body: expect.any(Buffer),
        });
        expect(Buffer.compare(one?.body ?? Buffer.alloc(0), body)).toBe(0);
        expect(two).toMatchObject({ seq: second.seq, deliveryId: 'delivery-2', triggeredAt: undefined });
      });

      it('stores a delivery id once: the same delivery again is a duplicate of the stored event', async () => {
        const { store: state } = await opened();
        const first = await state.webhooks.append(event());
        expect(await state.webhooks.append(event())).toEqual({ stored: false, seq: first.seq, duplicateOf: 'delivery_id' });
        // Even with another body: one delivery is one event.
        expect(await state.webhooks.append(event({ body: Buffer.from('{"id":1001,"x":1}') }))).toEqual({ stored: false, seq: first.seq, duplicateOf: 'delivery_id' });
        expect(await all(state)).toHaveLength(1);
      });

      it('stores a body once per topic: the same signed body under another delivery id is a duplicate, under another topic an event', async () => {
        const { store: state } = await opened();
        const first = await state.webhooks.append(event());
        expect(await state.webhooks.append(event({ deliveryId: 'made-up' }))).toEqual({ stored: false, seq: first.seq, duplicateOf: 'body' });
        expect((await state.webhooks.append(event({ deliveryId: 'delivery-3', topic: 'orders/updated' }))).stored).toBe(true);
        expect((await state.webhooks.append(event({ deliveryId: 'delivery-4', body: Buffer.from('{"id":1001} ') }))).stored).toBe(true);
        expect((await all(state)).map((stored) => stored.deliveryId)).toEqual(['delivery-1', 'delivery-3', 'delivery-4']);
      });

      it('keeps connections apart: the same delivery id and body on another connection is another event', async () => {
        const { store: state } = await opened();
        await state.webhooks.append(event());
        expect((await state.webhooks.append(event({ connection: 'shop-at' }))).stored).toBe(true);
        expect(await all(state, 'shop')).toHaveLength(1);
        expect((await all(state, 'shop-at')).map((stored) => stored.connection)).toEqual(['shop-at']);
      });

      it('lists after a number, page by page, of the named topics only when some are named', async () => {
        const { store: state } = await opened();
        const seqs: number[] = [];
        for (let n = 1; n <= 5; n += 1) {
          const topic = n % 2 === 0 ? 'products/update' : 'orders/create';
          seqs.push((await state.webhooks.append(event({ deliveryId: `d-${n}`, topic, body: Buffer.from(`{"n":${n}}`) }))).seq);
        }
        const page = await state.webhooks.list({ connection: 'shop', afterSeq: 0, limit: 2 });
        expect(page.map((stored) => stored.seq)).toEqual(seqs.slice(0, 2));
        const next = await state.webhooks.list({ connection: 'shop', afterSeq: page.at(-1)?.seq ?? 0, limit: 2 });
        expect(next.map((stored) => stored.seq)).toEqual(seqs.slice(2, 4));
        const orders = await state.webhooks.list({ connection: 'shop', afterSeq: seqs[0] ?? 0, limit: 10, topics: ['orders/create', 'orders/updated'] });
        expect(orders.map((stored) => stored.deliveryId)).toEqual(['d-3', 'd-5']);
        expect(await state.webhooks.list({ connection: 'shop', afterSeq: seqs[4] ?? 0, limit: 10 })).toEqual([]);
      });

      it('prunes what was received before a time, and never hands out a pruned number again', async () => {
        const { store: state } = await opened();
        const old = await state.webhooks.append(event({ receivedAt: '2026-11-20T10:00:00.000Z' }));
        const kept = await state.webhooks.append(event({ deliveryId: 'delivery-2', body: Buffer.from('{"id":1002}') }));
        expect(await state.webhooks.prune('2026-11-24T10:00:00.000Z')).toBe(1);
        expect((await all(state)).map((stored) => stored.seq)).toEqual([kept.seq]);
        // Once pruned, a delivery is not remembered: its number is not reused when it comes again.
        const again = await state.webhooks.append(event({ receivedAt: T }));
        expect(again.stored).toBe(true);
        expect(again.seq).toBeGreaterThan(kept.seq);
        expect(again.seq).not.toBe(old.seq);
        expect(await state.webhooks.prune('2026-11-24T10:00:00.000Z')).toBe(0);
      });

      it('shares one inbox between two stores on the same state, each delivery stored once whichever store takes it', async () => {
        const { store: one, reopen } = await opened();
        const two = await reopen();
        const answers = await Promise.all([one.webhooks.append(event()), two.webhooks.append(event()), two.webhooks.append(event({ deliveryId: 'made-up' }))]);
        expect(answers.filter((answer) => answer.stored)).toHaveLength(1);
        expect(new Set(answers.map((answer) => answer.seq)).size).toBe(1);
        expect(await all(two)).toHaveLength(1);
        expect((await all(one))[0]?.deliveryId).toBe('delivery-1');
      });
    });

    describe('schedule fires', () => {
      const claim = (state: StateStore, fireAt: string, holder = 'host:1', pipeline = 'p') => state.fires.claim({ pipeline, fireAt, holder, claimedAt: fireAt });

      it('lets one claim of a fire through, across two stores on the same state', async () => {
        const { store: one, reopen } = await opened();
        const two = await reopen();
        const answers = await Promise.all([claim(one, '2026-12-08T02:00:00.000Z', 'a:1'), claim(two, '2026-12-08T02:00:00.000Z', 'b:2'), claim(one, '2026-12-08T02:00:00.000Z', 'a:1')]);
        expect(answers.filter(Boolean)).toHaveLength(1);
        expect(await claim(two, '2026-12-08T02:00:00.000Z', 'p', 'other')).toBe(true);
        const fire = await two.fires.get('p', '2026-12-08T02:00:00.000Z');
        expect(fire).toMatchObject({ outcome: 'running', runId: undefined });
        expect(['a:1', 'b:2']).toContain(fire?.holder);
      });

      it('keeps how each fire ended and lists the latest, oldest first', async () => {
        const { store: state } = await opened();
        for (const minute of ['00', '05', '10']) await claim(state, `2026-12-08T02:${minute}:00.000Z`);
        await state.fires.finish('p', '2026-12-08T02:05:00.000Z', 'ok', 7);
        await state.fires.finish('p', '2026-12-08T02:10:00.000Z', 'busy');
        expect(await state.fires.last('p')).toMatchObject({ fireAt: '2026-12-08T02:10:00.000Z', outcome: 'busy', runId: undefined });
        expect((await state.fires.list('p', 2)).map((fire) => [fire.fireAt.slice(14, 16), fire.outcome, fire.runId])).toEqual([
          ['05', 'ok', 7],
          ['10', 'busy', undefined],
        ]);
        expect(await state.fires.last('nobody')).toBeUndefined();
      });

      it("prunes old fires but keeps each pipeline's latest, which tells a restart what it missed", async () => {
        const { store: state } = await opened();
        await claim(state, '2026-11-01T00:00:00.000Z', 'h', 'old');
        await claim(state, '2026-11-01T00:00:00.000Z');
        await claim(state, '2026-12-08T00:00:00.000Z');
        expect(await state.fires.prune('2026-12-01T00:00:00.000Z')).toBe(1);
        expect((await state.fires.list('p', 10)).map((fire) => fire.fireAt)).toEqual(['2026-12-08T00:00:00.000Z']);
        expect(await state.fires.last('old')).toBeDefined();
      });
    });

    describe('lifetime', () => {
      it('keeps everything over a close and reopen, and shows another store on the same state what one wrote', async () => {
        const { store: state, reopen } = await opened();
        const run = await startRun(state);
        const other = await reopen();
        await state.commit(
          batch(run, {
            cursor: { checkpoint: { page: 3 }, skip: 1 },
            sequences: [{ target: 'out', value: 7 }],
            deliveries: [{ target: 'erp', key: 'a', hash: 'h', content: '{}', ref: 'r' }],
            deadLetters: [letter()],
            counts: { ...emptyCounts(), read: 2, written: 1, deadLettered: 1 },
          }),
        );
        await state.finishRun(run, { status: 'dead_letters' });
        await state.setValue('connection:shop', 'token', { value: 't' });
        expect(await other.readCursor('p', 's')).toEqual({ checkpoint: { page: 3 }, skip: 1 });
        await state.close();
        await other.close();

        const again = await reopen();
        expect(await again.readCursor('p', 's')).toEqual({ checkpoint: { page: 3 }, skip: 1 });
        expect(await again.lastSequence('p', 'out')).toBe(7);
        expect((await again.recallKeys('p', 'erp', ['a'])).get('a')?.delivered).toMatchObject({ hash: 'h', content: '{}', ref: 'r', unsettledRun: undefined });
        expect(await again.listDeadLetters()).toEqual([expect.objectContaining({ runId: run, ...letter() })]);
        expect(await again.getRun(run)).toMatchObject({ status: 'dead_letters', read: 2, written: 1, deadLettered: 1 });
        expect(await again.getValue('connection:shop', 'token')).toEqual({ value: 't' });
      });

      it('closes twice without error', async () => {
        const { store: state } = await opened();
        await state.close();
        await expect(state.close()).resolves.toBeUndefined();
      });
    });
  });
}
