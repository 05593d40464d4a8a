import { describe, expect, it } from 'vitest';
import { UpdatedAtWalk } from '../http/incremental.js';
import type { JsonValue } from '../json.js';
import { checkpointTime } from './checkpoint-time.js';

describe('the time a checkpoint has read up to', () => {
  it("is an updated-at walk's boundary, as the walk saves it", () => {
    const walk = new UpdatedAtWalk({ field: 'updated_at', param: 'since' }, { since: Date.parse('2026-11-23T08:00:00Z'), seen: { a: 1 } });
    expect(checkpointTime(walk.checkpoint())).toBe(Date.parse('2026-11-23T08:00:00Z'));
  });

  it('is the oldest boundary of walks kept side by side, and unknown while one has none', () => {
    expect(checkpointTime({ orders: { since: 2000, seen: {} }, customers: { since: 1000, seen: {} } })).toBe(1000);
    expect(checkpointTime({ orders: { since: 2000, seen: {} }, customers: { since: null, seen: {} } })).toBeUndefined();
  });

  it('is unknown for checkpoints that are no time: files done, pages, sequences, nothing yet', () => {
    const checkpoints: (JsonValue | undefined)[] = [{ done: { 'a.csv': '1:2' } }, { page: 3 }, 17, 'token', null, undefined, { since: null, seen: {} }, { since: '2026-01-01' }, {}];
    for (const checkpoint of checkpoints) {
      expect(checkpointTime(checkpoint)).toBeUndefined();
    }
  });
});
