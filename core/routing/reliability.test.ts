import { describe, expect, it } from 'vitest';
import { addPenalty, reliabilityScore } from './reliability.js';

const HOUR = 3600_000;
const HALF_LIFE = 72 * HOUR;

describe('reliability', () => {
  it('takes a penalty off the score: a store at 0.9 is at 0.7 after one unclaim of 0.2', () => {
    const penalty = addPenalty(undefined, 0.2, 0, HALF_LIFE);
    expect(reliabilityScore(0.9, penalty, 0, HALF_LIFE)).toBeCloseTo(0.7, 10);
    expect(reliabilityScore(1, penalty, 0, HALF_LIFE)).toBeCloseTo(0.8, 10);
    // So an unclaim costs every store the same at one rating weight: 200 × 0.2 = 40 points.
    expect(200 * (0.9 - reliabilityScore(0.9, penalty, 0, HALF_LIFE))).toBeCloseTo(40, 8);
    expect(200 * (1 - reliabilityScore(1, penalty, 0, HALF_LIFE))).toBeCloseTo(40, 8);
  });

  it('halves the standing penalty every half-life, and adds a new one to what is left', () => {
    const first = addPenalty(undefined, 0.2, 0, HALF_LIFE);
    expect(reliabilityScore(0.9, first, HALF_LIFE, HALF_LIFE)).toBeCloseTo(0.8, 10);
    expect(reliabilityScore(0.9, first, 2 * HALF_LIFE, HALF_LIFE)).toBeCloseTo(0.85, 10);
    const second = addPenalty(first, 0.2, HALF_LIFE, HALF_LIFE);
    expect(reliabilityScore(0.9, second, HALF_LIFE, HALF_LIFE)).toBeCloseTo(0.6, 10);
  });

  it('never drops below 0, and a location without penalties keeps its base', () => {
    let state = addPenalty(undefined, 0.3, 0, HALF_LIFE);
    for (let count = 0; count < 4; count += 1) state = addPenalty(state, 0.3, 0, HALF_LIFE);
    expect(reliabilityScore(0.9, state, 0, HALF_LIFE)).toBe(0);
    expect(reliabilityScore(0.9, undefined, 0, HALF_LIFE)).toBe(0.9);
  });
});
