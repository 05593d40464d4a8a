import { describe, expect, it } from 'vitest';
import type { NumberRequest } from '../../core/state/document-numbers.js';
import type { StateStore } from '../../core/state/state-store.js';
import { openPerTest, type ReopenableStore } from './open-per-test.js';

const FORMAT = 'INV-{year}-{number:06}';

/** What every StateStore's `documentNumbers` promises (core/state/document-numbers.ts). */
export function testDocumentNumbers(open: () => Promise<ReopenableStore<StateStore>>): void {
  describe('DocumentNumbers contract', () => {
    const opened = openPerTest(open);
    const ask = (documentKey: string, more: Partial<NumberRequest> = {}): NumberRequest => ({
      series: 'invoice',
      year: 2026,
      documentKey,
      format: FORMAT,
      at: '2026-12-08T10:00:00.000Z',
      ...more,
    });

    it('numbers a series from 1 without gaps, formatting each number once as it is given', async () => {
      const { store } = await opened();
      const given = [];
      for (const key of ['order:1', 'order:2', 'order:3']) given.push(await store.documentNumbers.assign(ask(key)));
      expect(given.map((number) => [number.number, number.formatted, number.new])).toEqual([
        [1, 'INV-2026-000001', true],
        [2, 'INV-2026-000002', true],
        [3, 'INV-2026-000003', true],
      ]);
      expect(await store.documentNumbers.list('invoice', 2026)).toEqual(given.map((number) => ({ ...number, new: false })));
    });

    it('gives a document the number it was given before, whatever year, format or time is asked again', async () => {
      const { store } = await opened();
      const first = await store.documentNumbers.assign(ask('order:1'));
      await store.documentNumbers.assign(ask('order:2'));
      const again = await store.documentNumbers.assign(ask('order:1', { year: 2027, format: 'X{number}-{year}', at: '2027-01-02T00:00:00.000Z' }));
      expect(again).toEqual({ ...first, new: false });
      expect(await store.documentNumbers.get('invoice', 'order:1')).toEqual({ ...first, new: false });
      expect(await store.documentNumbers.get('invoice', 'order:9')).toBeUndefined();
      expect((await store.documentNumbers.assign(ask('order:3'))).number).toBe(3);
    });

    it('counts each series and each year on its own, starting again at 1 in a new year', async () => {
      const { store } = await opened();
      await store.documentNumbers.assign(ask('order:1'));
      await store.documentNumbers.assign(ask('order:2'));
      const credit = await store.documentNumbers.assign(ask('order:1', { series: 'credit_note', format: 'CN-{year}-{number:04}' }));
      const nextYear = await store.documentNumbers.assign(ask('order:3', { year: 2027 }));
      expect([credit.formatted, nextYear.formatted]).toEqual(['CN-2026-0001', 'INV-2027-000001']);
      expect((await store.documentNumbers.list('invoice', 2026)).map((number) => number.documentKey)).toEqual(['order:1', 'order:2']);
      expect((await store.documentNumbers.list('invoice', 2026, { afterNumber: 1, limit: 5 })).map((number) => number.number)).toEqual([2]);
    });

    it('never gives one number twice to asks from two stores on the same state', async () => {
      const { store, reopen } = await opened();
      const other = await reopen();
      const asks = Array.from({ length: 40 }, (_, index) => (index % 2 === 0 ? store : other).documentNumbers.assign(ask(`order:${index % 25}`)));
      const given = await Promise.all(asks);
      const byKey = new Map(given.filter((number) => number.new).map((number) => [number.documentKey, number.number]));
      expect(byKey.size).toBe(25);
      expect([...byKey.values()].sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, index) => index + 1));
      for (const number of given) expect(number.number).toBe(byKey.get(number.documentKey));
    });

    it('keeps its numbers after the store is closed and opened again', async () => {
      const { store, reopen } = await opened();
      const first = await store.documentNumbers.assign(ask('order:1'));
      await store.close();
      const again = await reopen();
      expect(await again.documentNumbers.assign(ask('order:1'))).toEqual({ ...first, new: false });
      expect((await again.documentNumbers.assign(ask('order:2'))).number).toBe(2);
    });

    it('refuses a request it cannot count right, writing nothing', async () => {
      const { store } = await opened();
      await expect(store.documentNumbers.assign(ask('order:1', { format: 'INV-{number}' }))).rejects.toThrow('has no {year}');
      await expect(store.documentNumbers.assign(ask('order:1', { year: 26.5 }))).rejects.toThrow('is not a year');
      await expect(store.documentNumbers.assign(ask(''))).rejects.toThrow('needs a series and a document key');
      expect(await store.documentNumbers.list('invoice', 2026)).toEqual([]);
      expect((await store.documentNumbers.assign(ask('__proto__'))).number).toBe(1);
    });
  });
}
