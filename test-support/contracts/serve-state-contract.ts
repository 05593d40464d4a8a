import { describe, expect, it } from 'vitest';
import type { AnnouncedReturnInput } from '../../core/state/announced-returns.js';
import type { StateStore } from '../../core/state/state-store.js';
import { openPerTest, type ReopenableStore } from './open-per-test.js';

/**
 * What the state keeps for `keel serve` (core/state/api-tokens.ts, announced-returns.ts, and the
 * run filter its ops endpoints use), as one suite every StateStore implementation runs in one line.
 * Kept apart from state-store-contract.ts so each capability's promises read on their own.
 */
export function testServeState(open: () => Promise<ReopenableStore<StateStore>>): void {
  describe('StateStore contract: what keel serve keeps', () => {
    const opened = openPerTest(open);
    const T = '2025-03-01T10:00:00.000Z';

    describe('API tokens', () => {
      it('finds a token by the hash of its secret, and only a token not revoked', async () => {
        const { store } = await opened();
        const made = await store.tokens.create({ name: 'pos-berlin', scopes: ['store:berlin'], secretHash: 'a'.repeat(64), createdAt: T });
        expect(made).toMatchObject({ created: true, token: { name: 'pos-berlin', scopes: ['store:berlin'], revokedAt: null } });
        expect(await store.tokens.findByHash('a'.repeat(64))).toMatchObject({ name: 'pos-berlin', scopes: ['store:berlin'] });
        expect(await store.tokens.findByHash('b'.repeat(64))).toBeUndefined();
        expect(await store.tokens.revoke('pos-berlin', T)).toBe(true);
        expect(await store.tokens.findByHash('a'.repeat(64))).toBeUndefined();
        expect(await store.tokens.revoke('pos-berlin', T)).toBe(false);
      });

      it('refuses a second token of a name in use, and takes the name again once the first is revoked', async () => {
        const { store } = await opened();
        await store.tokens.create({ name: 'ops', scopes: ['ops'], secretHash: '1'.repeat(64), createdAt: T });
        expect(await store.tokens.create({ name: 'ops', scopes: ['read'], secretHash: '2'.repeat(64), createdAt: T })).toEqual({ created: false, reason: 'name_taken' });
        await store.tokens.revoke('ops', T);
        expect((await store.tokens.create({ name: 'ops', scopes: ['read'], secretHash: '2'.repeat(64), createdAt: T })).created).toBe(true);
        expect((await store.tokens.list()).map((token) => token.scopes)).toEqual([['read']]);
        expect((await store.tokens.list({ includeRevoked: true })).map((token) => [token.name, token.revokedAt !== null])).toEqual([
          ['ops', true],
          ['ops', false],
        ]);
      });

      it('keeps tokens for another connection on the same data', async () => {
        const { store, reopen } = await opened();
        await store.tokens.create({ name: 'erp', scopes: ['read', 'ops'], secretHash: 'c'.repeat(64), createdAt: T });
        const again = await reopen();
        expect(await again.tokens.findByHash('c'.repeat(64))).toMatchObject({ name: 'erp', scopes: ['read', 'ops'] });
      });
    });

    describe('announced returns', () => {
      const announcement = (more: Partial<AnnouncedReturnInput> = {}): AnnouncedReturnInput => ({
        returnKey: 'pos:R-1',
        locationId: 'berlin',
        announcedBy: 'pos-berlin',
        receivedAt: T,
        body: { return_id: 'R-1', status: 'requested', lines: [{ sku: 'TEE', quantity: 1 }], created_at: T },
        ...more,
      });

      it('keeps each version of a return once, in the order they came', async () => {
        const { store } = await opened();
        const first = await store.returns.announce(announcement());
        expect(first.stored).toBe(true);
        expect(await store.returns.announce(announcement({ receivedAt: '2025-03-01T11:00:00.000Z' }))).toEqual({ stored: false, seq: first.seq });
        const received = await store.returns.announce(announcement({ body: { return_id: 'R-1', status: 'received', lines: [{ sku: 'TEE', quantity: 1 }], created_at: T } }));
        expect(received.stored).toBe(true);
        expect(received.seq).toBeGreaterThan(first.seq);
        const listed = await store.returns.list({ afterSeq: 0, limit: 10 });
        expect(listed.map((entry) => entry.body['status'])).toEqual(['requested', 'received']);
        expect(listed[0]).toMatchObject({ returnKey: 'pos:R-1', locationId: 'berlin', announcedBy: 'pos-berlin', receivedAt: T });
      });

      it('takes the same return with its fields in another order as the same version', async () => {
        const { store } = await opened();
        const first = await store.returns.announce(announcement({ body: { return_id: 'R-1', status: 'requested' } }));
        expect(await store.returns.announce(announcement({ body: { status: 'requested', return_id: 'R-1' } }))).toEqual({ stored: false, seq: first.seq });
      });

      it('pages by number and lists one location on its own', async () => {
        const { store } = await opened();
        for (let index = 1; index <= 5; index += 1) {
          await store.returns.announce(announcement({ returnKey: `pos:R-${index}`, locationId: index % 2 === 0 ? 'hamburg' : 'berlin', body: { return_id: `R-${index}` } }));
        }
        const page = await store.returns.list({ afterSeq: 0, limit: 2 });
        expect(page.map((entry) => entry.returnKey)).toEqual(['pos:R-1', 'pos:R-2']);
        const next = await store.returns.list({ afterSeq: (page[1] as { seq: number }).seq, limit: 10 });
        expect(next.map((entry) => entry.returnKey)).toEqual(['pos:R-3', 'pos:R-4', 'pos:R-5']);
        expect((await store.returns.list({ afterSeq: 0, limit: 10, locationId: 'hamburg' })).map((entry) => entry.returnKey)).toEqual(['pos:R-2', 'pos:R-4']);
      });
    });

    describe('runs by status', () => {
      it('lists only the runs that ended as asked, newest first', async () => {
        const { store } = await opened();
        const ids: number[] = [];
        for (const status of ['ok', 'failed', 'ok', 'dead_letters'] as const) {
          const id = await store.startRun({ pipeline: status === 'dead_letters' ? 'q' : 'p', kind: 'run', dryRun: false });
          await store.finishRun(id, { status });
          ids.push(id);
        }
        expect((await store.listRuns({ status: 'ok' })).map((run) => run.id)).toEqual([ids[2], ids[0]]);
        expect((await store.listRuns({ status: 'ok', limit: 1 })).map((run) => run.id)).toEqual([ids[2]]);
        expect((await store.listRuns({ status: 'dead_letters', pipeline: 'p' })).length).toBe(0);
        expect((await store.listRuns({ pipeline: 'q' })).map((run) => run.status)).toEqual(['dead_letters']);
      });
    });
  });
}
