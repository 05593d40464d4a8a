import { describe, expect, it } from 'vitest';
import type { DeliveryProgress, StateStore } from '../state/state-store.js';
import { EffectJournal } from './effect-journal.js';

/** Just enough of a state store: what recordProgress received, in order. */
function recordingStore(fail = false): { store: StateStore; groups: DeliveryProgress[] } {
  const groups: DeliveryProgress[] = [];
  const store = {
    recordProgress: async (_pipeline: string, _run: number, progress: DeliveryProgress) => {
      if (fail) throw new Error('disk I/O error');
      groups.push(progress);
    },
  } as unknown as StateStore;
  return { store, groups };
}

describe('the effect journal', () => {
  it('lets a send start only once its mark is stored, and stores what arrived in one turn in one group', async () => {
    const { store, groups } = recordingStore();
    const journal = new EffectJournal(store, 'p', 1);
    const stored: number[] = [];
    journal.acceptedEffect({ target: 'api', key: 'a', hash: 'h' });
    const sends = ['b', 'c', 'd'].map((key) => journal.sending([{ scope: 'api', key }]).then(() => stored.push(groups.length)));
    expect(groups).toHaveLength(0);
    await Promise.all(sends);
    expect(stored).toEqual([1, 1, 1]);
    expect(groups).toEqual([{ sending: ['b', 'c', 'd'].map((key) => ({ scope: 'api', key })), accepted: [{ target: 'api', key: 'a', hash: 'h' }] }]);
  });

  it('writes accepted effects that wait for company when the batch is flushed', async () => {
    const { store, groups } = recordingStore();
    const journal = new EffectJournal(store, 'p', 1);
    journal.acceptedEffect({ target: 'api', key: 'a' });
    journal.acceptedEffect({ target: 'api', key: 'b' });
    await journal.flush();
    expect(groups).toEqual([{ sending: [], accepted: [{ target: 'api', key: 'a' }, { target: 'api', key: 'b' }] }]);
    await journal.flush();
    expect(groups).toHaveLength(1);
  });

  it('fails every send once the state store refused a group: nothing goes out unrecorded', async () => {
    const journal = new EffectJournal(recordingStore(true).store, 'p', 1);
    await expect(journal.sending([{ scope: 'api', key: 'a' }])).rejects.toMatchObject({ code: 'state_write_failed' });
    await expect(journal.sending([{ scope: 'api', key: 'b' }])).rejects.toMatchObject({ code: 'state_write_failed' });
    await expect(journal.flush()).rejects.toThrow(/could not record delivery progress in the state store: disk I\/O error/);
  });
});
