import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../test-support/random.js';
import { ReservationCover } from './reservation-cover.js';

const map = (entries: Record<string, number>): Map<string, number> => new Map(Object.entries(entries));

describe('reservations without a location, charged against locations', () => {
  // web sells from A; the call centre from A and B; the marketplace from B alone.
  const cover = new ReservationCover(
    new Map([
      ['web', ['A']],
      ['callcenter', ['A', 'B']],
      ['marketplace', ['B']],
    ]),
  );

  it('keeps a web reservation on the only location web counts: the call centre can route nothing there', () => {
    const free = map({ A: 1, B: 0 });
    const reserved = map({ web: 1 });
    expect(cover.spareAt('A', free, reserved)).toBe(0);
    expect(cover.promisable('callcenter', free, reserved)).toBe(0);
    expect(cover.shortfall(free, reserved)).toBe(0);
  });

  it('serves a call-centre reservation from wherever leaves most for others', () => {
    const free = map({ A: 1, B: 1 });
    const reserved = map({ callcenter: 1 });
    // Either unit can be the call centre's, but not both: each of A and B may give one away, not two.
    expect(cover.spareAt('A', free, reserved)).toBe(1);
    expect(cover.spareAt('B', free, reserved)).toBe(1);
    expect(cover.promisable('web', free, reserved)).toBe(1);
    expect(cover.promisable('marketplace', free, reserved)).toBe(1);
    expect(cover.promisable('callcenter', free, reserved)).toBe(1);
  });

  it('says how much is uncovered when counts fell under the reservations, and promises nothing more there', () => {
    const free = map({ A: 1, B: 5 });
    const reserved = map({ web: 3 });
    expect(cover.shortfall(free, reserved)).toBe(2);
    expect(cover.promisable('web', free, reserved)).toBe(0);
    expect(cover.promisable('marketplace', free, reserved)).toBe(5);
    expect(cover.spareAt('A', free, reserved)).toBe(0);
  });

  it('agrees with a brute force on random cases: what is promisable can be reserved and leaves every reservation covered', () => {
    const random = mulberry32(11);
    const channels = ['web', 'callcenter', 'marketplace'];
    for (let round = 0; round < 400; round += 1) {
      const free = map({ A: Math.floor(random() * 4), B: Math.floor(random() * 4) });
      const reserved = new Map(channels.map((channel) => [channel, Math.floor(random() * 3)]));
      for (const channel of channels) {
        const promisable = cover.promisable(channel, free, reserved);
        const before = cover.shortfall(free, reserved);
        const more = new Map(reserved);
        more.set(channel, (reserved.get(channel) ?? 0) + promisable);
        expect(cover.shortfall(free, more)).toBe(before);
        more.set(channel, (reserved.get(channel) ?? 0) + promisable + 1);
        expect(cover.shortfall(free, more)).toBeGreaterThan(before);
      }
      for (const location of ['A', 'B']) {
        const spare = cover.spareAt(location, free, reserved);
        const before = cover.shortfall(free, reserved);
        const less = new Map(free);
        less.set(location, (free.get(location) ?? 0) - spare);
        expect(cover.shortfall(less, reserved)).toBe(before);
        if (spare < (free.get(location) ?? 0)) {
          less.set(location, (free.get(location) ?? 0) - spare - 1);
          expect(cover.shortfall(less, reserved)).toBeGreaterThan(before);
        }
      }
    }
  });
});
