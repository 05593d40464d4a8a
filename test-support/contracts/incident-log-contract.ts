import { describe, expect, it } from 'vitest';
import type { IncidentInput } from '../../core/state/incident-log.js';
import type { StateStore } from '../../core/state/state-store.js';
import { openPerTest, type ReopenableStore } from './open-per-test.js';

const T = Date.parse('2026-11-23T08:00:00Z');
const LEASE = 60_000;

/** What every StateStore's `incidents` promises (core/state/incident-log.ts). */
export function testIncidentLog(open: () => Promise<ReopenableStore<StateStore>>): void {
  describe('IncidentLog contract', () => {
    const opened = openPerTest(open);
    const input = (key = 'run-failed/orders', more: Partial<IncidentInput> = {}): IncidentInput => ({
      key,
      rule: 'run-failed',
      subject: 'orders',
      facts: { run: 7, status: 'failed' },
      ...more,
    });
    const summary = (notes: readonly { destination: string; event: string; incident: { key: string } }[]): string[] =>
      notes.map((note) => `${note.incident.key} ${note.event} → ${note.destination}`);

    it('opens an incident once per key while it is open, queueing one open notification per destination', async () => {
      const { store } = await opened();
      const first = await store.incidents.open(input(), ['ops-hook', 'ops-mail'], T);
      expect(first).toEqual({ opened: true, incident: { id: expect.any(Number), ...input(), openedAt: T, resolvedAt: undefined, resolvedFacts: undefined } });
      const again = await store.incidents.open(input('run-failed/orders', { facts: { run: 8 } }), ['ops-hook', 'ops-mail'], T + 1);
      expect(again).toEqual({ opened: false, incident: first.incident });
      expect(summary(await store.incidents.notifications(first.incident.id))).toEqual(['run-failed/orders open → ops-hook', 'run-failed/orders open → ops-mail']);
      expect((await store.incidents.listOpen()).map((incident) => incident.key)).toEqual(['run-failed/orders']);
    });

    it('lets one of two stores on the same state open a key, never both', async () => {
      const { store, reopen } = await opened();
      const other = await reopen();
      const answers = await Promise.all([store.incidents.open(input(), ['hook'], T), other.incidents.open(input(), ['hook'], T), store.incidents.open(input(), ['hook'], T)]);
      expect(answers.filter((answer) => answer.opened)).toHaveLength(1);
      expect(new Set(answers.map((answer) => answer.incident.id)).size).toBe(1);
      expect(await other.incidents.notifications(answers[0].incident.id)).toHaveLength(1);
    });

    it('resolves an open incident once, queueing a resolve notification; the key can then open a new incident', async () => {
      const { store } = await opened();
      const { incident } = await store.incidents.open(input(), ['hook'], T);
      expect(await store.incidents.resolve('run-failed/orders', { run: 9, status: 'ok' }, ['hook'], T + 10)).toBe(true);
      expect(await store.incidents.resolve('run-failed/orders', { run: 10 }, ['hook'], T + 11)).toBe(false);
      expect(await store.incidents.resolve('never-opened', {}, ['hook'], T + 11)).toBe(false);
      expect(await store.incidents.listOpen()).toEqual([]);
      const notes = await store.incidents.notifications(incident.id);
      expect(summary(notes)).toEqual(['run-failed/orders open → hook', 'run-failed/orders resolve → hook']);
      expect(notes[1]?.incident).toMatchObject({ resolvedAt: T + 10, resolvedFacts: { run: 9, status: 'ok' } });
      const reopened = await store.incidents.open(input(), ['hook'], T + 20);
      expect(reopened.opened).toBe(true);
      expect(reopened.incident.id).not.toBe(incident.id);
    });

    it('gives each due notification to one claimer until it is sent, or until the claim runs out', async () => {
      const { store, reopen } = await opened();
      const other = await reopen();
      await store.incidents.open(input('a'), ['hook', 'mail'], T);
      await store.incidents.open(input('b'), ['hook'], T);
      const mine = await store.incidents.claimDue('one', ['hook', 'mail'], T, LEASE, 10);
      expect(summary(mine)).toEqual(['a open → hook', 'a open → mail', 'b open → hook']);
      expect(await other.incidents.claimDue('two', ['hook', 'mail'], T + 1, LEASE, 10)).toEqual([]);
      await store.incidents.markSent(mine[0]?.id ?? 0, 'one', T + 2);
      // A claim not marked (its holder died) is claimable again once it runs out; a sent one never.
      const retaken = await other.incidents.claimDue('two', ['hook', 'mail'], T + LEASE, LEASE, 10);
      expect(summary(retaken)).toEqual(['a open → mail', 'b open → hook']);
      // The first holder's late answer no longer counts: the claim is the second's.
      await store.incidents.markSent(retaken[0]?.id ?? 0, 'one', T + LEASE + 1);
      expect((await store.incidents.notifications(retaken[0]?.incident.id ?? 0)).map((note) => note.status)).toEqual(['sent', 'pending']);
      expect(await store.incidents.claimDue('one', ['hook', 'mail'], T + 10 * LEASE, LEASE, 1)).toHaveLength(1);
    });

    it('claims only the destinations asked for, at most `limit`, in queue order', async () => {
      const { store } = await opened();
      await store.incidents.open(input('a'), ['hook', 'mail'], T);
      await store.incidents.open(input('b'), ['hook', 'mail'], T);
      expect(summary(await store.incidents.claimDue('one', ['mail'], T, LEASE, 1))).toEqual(['a open → mail']);
      expect(summary(await store.incidents.claimDue('one', ['mail', 'gone'], T, LEASE, 10))).toEqual(['b open → mail']);
      expect(await store.incidents.claimDue('one', [], T, LEASE, 10)).toEqual([]);
    });

    it('keeps a failed send pending until its retry time, counting attempts and keeping the error', async () => {
      const { store } = await opened();
      await store.incidents.open(input(), ['hook'], T);
      const [note] = await store.incidents.claimDue('one', ['hook'], T, LEASE, 10);
      await store.incidents.markFailed(note?.id ?? 0, 'one', T + 30_000, 'HTTP 503 from the receiver');
      expect(await store.incidents.claimDue('one', ['hook'], T + 29_999, LEASE, 10)).toEqual([]);
      const [again] = await store.incidents.claimDue('one', ['hook'], T + 30_000, LEASE, 10);
      expect(again).toMatchObject({ id: note?.id, status: 'pending', attempts: 1, nextAttemptAt: T + 30_000, lastError: 'HTTP 503 from the receiver' });
      await store.incidents.markSent(again?.id ?? 0, 'one', T + 30_001);
      expect(await store.incidents.notifications(again?.incident.id ?? 0)).toEqual([expect.objectContaining({ status: 'sent', sentAt: T + 30_001, attempts: 1 })]);
    });

    it('holds back a resolve until the open notification to the same destination was sent', async () => {
      const { store } = await opened();
      await store.incidents.open(input(), ['hook', 'mail'], T);
      const [toHook] = await store.incidents.claimDue('one', ['hook'], T, LEASE, 10);
      await store.incidents.markFailed(toHook?.id ?? 0, 'one', T + 5, 'refused');
      await store.incidents.resolve('run-failed/orders', {}, ['hook', 'mail'], T + 1);
      const [toMail] = await store.incidents.claimDue('one', ['mail'], T + 1, LEASE, 10);
      await store.incidents.markSent(toMail?.id ?? 0, 'one', T + 1);
      expect(summary(await store.incidents.claimDue('one', ['hook', 'mail'], T + 2, LEASE, 10))).toEqual(['run-failed/orders resolve → mail']);
      const [openAgain] = await store.incidents.claimDue('one', ['hook'], T + 5, LEASE, 10);
      expect(openAgain?.event).toBe('open');
      await store.incidents.markSent(openAgain?.id ?? 0, 'one', T + 6);
      expect(summary(await store.incidents.claimDue('one', ['hook'], T + 6, LEASE, 10))).toEqual(['run-failed/orders resolve → hook']);
    });
  });
}
