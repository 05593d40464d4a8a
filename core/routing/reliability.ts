/**
 * A location's reliability: its base score from the profile, lowered by every unclaim, rejection
 * or timed-out offer, each penalty fading by half over the half-life. The state is one number per
 * location (the penalty still standing at a moment) so it needs no event history: a new penalty
 * adds to what is left of the old ones.
 *
 * A penalty is taken off the score, not multiplied into it: "unclaim_penalty: 0.2" means an
 * unclaim costs 0.2 of reliability (0.9 → 0.7) whatever the location's base, so at a rating weight
 * of 200 it costs every store the same 40 points. Scaling the base would make one unclaim cheaper
 * for a store that starts lower (0.18 at 0.9, 0.2 at 1.0), rewarding the less reliable store.
 */

export interface PenaltyState {
  /** Sum of penalties still standing at `at`. */
  penalty: number;
  /** Epoch milliseconds. */
  at: number;
}

/** What is left of a penalty after `elapsedMs`. */
export function decayed(state: PenaltyState, now: number, halfLifeMs: number): number {
  const elapsed = Math.max(0, now - state.at);
  return state.penalty * 0.5 ** (elapsed / halfLifeMs);
}

/** The penalty after adding one at `now`. */
export function addPenalty(state: PenaltyState | undefined, amount: number, now: number, halfLifeMs: number): PenaltyState {
  return { penalty: (state === undefined ? 0 : decayed(state, now, halfLifeMs)) + amount, at: now };
}

/** Score between 0 and 1: the base less the standing penalty, never below 0. */
export function reliabilityScore(base: number, state: PenaltyState | undefined, now: number, halfLifeMs: number): number {
  if (state === undefined) return base;
  return Math.max(0, base - decayed(state, now, halfLifeMs));
}
