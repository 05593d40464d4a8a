import { describe, expect, it } from 'vitest';
import { UpdatedAtWalk } from './incremental.js';

const T0 = Date.parse('2026-03-01T00:00:00Z');
const order = (id: number, seconds: number): { id: number; updated_at: string } => ({ id, updated_at: new Date(T0 + seconds * 1000).toISOString() });
const options = { field: 'updated_at', param: 'updated_at_min', lookback_seconds: 60 };

describe('UpdatedAtWalk', () => {
  it('keeps the versions that pages read again can return, even when the boundary moved far past them', () => {
    const walk = new UpdatedAtWalk(options, undefined);
    walk.readFrom(T0);
    expect(walk.take([order(1, 0), order(2, 0)]).fresh).toHaveLength(2);
    walk.reach(T0 + 3_600_000);
    // Still asking from T0 (a page of a shared time read again): the same versions are known.
    expect(walk.take([order(1, 0), order(2, 0)]).fresh).toEqual([]);
  });

  it('saves only the versions inside the look-back window behind the boundary, where the next run starts', () => {
    const walk = new UpdatedAtWalk(options, undefined);
    walk.readFrom(T0);
    walk.take([order(1, 0), order(2, 100), order(3, 130)]);
    walk.reach(T0 + 130_000);
    expect(walk.checkpoint()).toEqual({ since: T0 + 130_000, seen: { '2': T0 + 100_000, '3': T0 + 130_000 } });
    expect(walk.runStart).toBe(T0 + 70_000);
  });

  it('holds the boundary where a record may have slid past, but never below where the run started', () => {
    const resumed = new UpdatedAtWalk(options, { since: T0 + 100_000, seen: {} });
    resumed.reach(T0 + 200_000);
    resumed.hold(T0 + 150_000, 3);
    expect(resumed.checkpoint()).toMatchObject({ since: T0 + 150_000, held: { at: T0 + 150_000, restarts: 3 } });
    // Inside the look-back window the next run reads anyway: the saved boundary does not go back.
    resumed.hold(T0 + 50_000, 4);
    expect(resumed.boundary).toBe(T0 + 100_000);
  });
});
