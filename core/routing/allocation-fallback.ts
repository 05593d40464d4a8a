/**
 * What the search returns when it runs out of steps: a greedy cover (the candidate that takes the
 * most open units, again and again) improved by local moves. Always valid, possibly not the best.
 */
import type { AllocationProblem } from './allocation-problem.js';
import { AssignmentState, isBetter, type Best } from './allocation-state.js';
import { isCovered, mayBeSplit, stockSlots, type Unit } from './allocation-units.js';

/**
 * Greedy cover: repeatedly the candidate that takes the most open units whole (a unit it can only
 * help to split counts half), cheapest first on ties.
 */
export function greedyCover(problem: AllocationProblem, units: readonly Unit[]): Best | undefined {
  const open = new Set(units.map((_, index) => index));
  const members: number[] = [];
  while (open.size > 0 && members.length < problem.maxParts) {
    let pick = -1;
    let pickCount = 0;
    for (let candidate = 0; candidate < problem.candidates; candidate += 1) {
      if (members.includes(candidate)) continue;
      let count = 0;
      for (const index of open) {
        const unit = units[index] as Unit;
        if (unit.servers.includes(candidate)) count += 1;
        else if (unit.partial.includes(candidate)) count += 0.5;
      }
      if (count > pickCount || (count === pickCount && count > 0 && problem.fixedScore(candidate) < problem.fixedScore(pick))) {
        pick = candidate;
        pickCount = count;
      }
    }
    if (pick < 0) break;
    members.push(pick);
    for (const index of [...open]) if (isCovered(problem, units[index] as Unit, members)) open.delete(index);
  }
  if (open.size > 0) return undefined;
  return assignGreedily(problem, units, members);
}

/** Each unit to the member where it adds least, else split; undefined when stock or min value does not allow it. */
function assignGreedily(problem: AllocationProblem, units: readonly Unit[], members: readonly number[]): Best | undefined {
  const sorted = [...members].sort((a, b) => a - b);
  const state = new AssignmentState(problem, sorted, stockSlots(problem));
  for (const unit of units) {
    let pick: number | undefined;
    let pickCost = Number.POSITIVE_INFINITY;
    for (const member of state.members) {
      if (unit.serves[member] !== 1) continue;
      const cost = state.costIfAdded(member, unit.lines);
      if (cost !== undefined && cost < pickCost) {
        pick = member;
        pickCost = cost;
      }
    }
    if (pick !== undefined) state.add(pick, unit.lines);
    else if (mayBeSplit(problem, unit, sorted, 0)) state.markSplit(unit.lines[0] as number);
    else return undefined;
  }
  return state.complete();
}

/** Local moves on a heuristic allocation: merge two parts into one location, or swap a part's location. */
export function improveLocally(problem: AllocationProblem, units: readonly Unit[], start: Best | undefined): Best | undefined {
  let current = start;
  for (let pass = 0; current !== undefined && pass < 20; pass += 1) {
    const members = current.parts.map((part) => part.candidate);
    let improved: Best | undefined;
    const consider = (next: number[]): void => {
      const candidate = assignGreedily(problem, units, next);
      if (candidate !== undefined && isBetter(candidate, improved ?? (current as Best))) improved = candidate;
    };
    for (let drop = 0; drop < members.length && members.length > 1; drop += 1) consider(members.filter((_, index) => index !== drop));
    for (let at = 0; at < members.length; at += 1) {
      for (let candidate = 0; candidate < problem.candidates; candidate += 1) {
        if (members.includes(candidate)) continue;
        consider(members.map((member, index) => (index === at ? candidate : member)));
      }
    }
    if (improved === undefined) break;
    current = improved;
  }
  return current;
}
