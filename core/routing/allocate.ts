/**
 * Allocation: which candidate location ships which line of one order, with the FEWEST parts and,
 * among those, the lowest score (sum of part scores), ties broken by the sorted candidate indexes
 * and then line by line (callers sort candidates by location id, so ties go to the lower id).
 *
 * The search is exact set cover with small k. For k = 1, 2, … up to max_parts it enumerates the
 * sets of k candidates that can cover every unit (a line, or a ship-together group of lines): it
 * always branches on the uncovered unit with the fewest servers, so a set is only built from
 * candidates that cover something still missing, and sets reached twice are skipped. A set is
 * bounded by its members' fixed scores plus the cheapest candidate that could serve a unit still
 * uncovered. A complete set whose members hold what every SKU needs gets the best assignment of
 * units to its members by branch and bound, forced units first and then in line order: part scores
 * never drop when a part gets more lines, so the score of the parts so far plus the least the
 * dearest unit still to place must add is a lower bound. On a tie with the best found, a subtree is
 * cut as soon as its members or placed lines sort after the best's in the tie-break key. The first
 * k with a valid allocation is the answer.
 *
 * Every node visited and every part scored is a step. Beyond `maxSteps` (default 500,000: 22
 * seeded orders of 24–36 lines over 50 locations take at most about 8,000; a step is a
 * microsecond or a few, more on larger orders) the search stops and the best of what it found and
 * a greedy cover improved by local moves (allocation-fallback.ts) is returned with `method:
 * 'heuristic'`: still valid, possibly not optimal. searchAllocation() says so (`exhausted`), also
 * when it found nothing in time.
 *
 * Lines with the same stock key (two lines of one SKU) draw on the same stock at a location: a
 * location holding 3 can ship one of two 2-unit lines whole, not both. With `splitLines` a line in
 * no ship-together group may instead be split: once the whole units are placed, split lines are
 * filled in line order from the members of the set, cheapest fixed score first (then index), out of
 * the stock the other lines left, and only when no member has the line's quantity left (a line one
 * location can ship whole is never split). Each location a line comes from is a part.
 */
import { EPSILON, type Allocation, type AllocationProblem, type SearchOutcome } from './allocation-problem.js';
import { greedyCover, improveLocally } from './allocation-fallback.js';
import { AssignmentState, isBetter, sortSmall, type Best } from './allocation-state.js';
import { buildUnits, isCovered, keyDemand, mayBeSplit, stockSlots, type Unit } from './allocation-units.js';

export type { AllocatedPart, Allocation, AllocationLine, AllocationProblem, PartLine, SearchOutcome } from './allocation-problem.js';

export const DEFAULT_MAX_SEARCH_STEPS = 500_000;

class StepsExhausted extends Error {}

function withMember(chosen: readonly number[], candidate: number): number[] {
  const next = new Array<number>(chosen.length + 1);
  for (let at = 0; at < chosen.length; at += 1) next[at] = chosen[at] as number;
  next[chosen.length] = candidate;
  return next;
}

export function allocate(problem: AllocationProblem): Allocation | undefined {
  return searchAllocation(problem).allocation;
}

/** The allocation search with its step count, so callers can tell when it ran out. */
export function searchAllocation(problem: AllocationProblem): SearchOutcome {
  return new AllocationSearch(problem).run();
}

class AllocationSearch {
  private readonly units: Unit[];
  private readonly maxSteps: number;
  private readonly slots: readonly number[];
  /** Set keys are packed into one number (base candidates + 1) while that stays exact, else joined as text. */
  private readonly packedKeys: boolean;
  /** Each candidate's fixed score, read once: the search compares them often. */
  private readonly fixed: number[];
  /** For each stock key, one of its lines and what all its lines need: a set holding less cannot serve the order. */
  private readonly demand: { line: number; quantity: number }[];
  private explored = 0;
  private best: Best | undefined;

  constructor(private readonly problem: AllocationProblem) {
    this.maxSteps = problem.maxSteps ?? DEFAULT_MAX_SEARCH_STEPS;
    this.units = buildUnits(problem);
    this.slots = stockSlots(problem);
    this.packedKeys = (problem.candidates + 1) ** Math.min(problem.maxParts, problem.candidates) <= Number.MAX_SAFE_INTEGER;
    this.fixed = [];
    for (let candidate = 0; candidate < problem.candidates; candidate += 1) this.fixed.push(problem.fixedScore(candidate));
    this.demand = keyDemand(problem, this.slots);
  }

  private compareFixed(a: number, b: number): number {
    return (this.fixed[a] as number) - (this.fixed[b] as number) || a - b;
  }

  /** Distinct candidates, cheapest fixed score first (then index). */
  private rankedAmong(candidates: readonly number[]): number[] {
    const ranked = candidates.slice();
    if (ranked.length > 64) return ranked.sort((a, b) => this.compareFixed(a, b));
    // Insertion sort: the lists are short, and it needs no comparator calls.
    for (let at = 1; at < ranked.length; at += 1) {
      const candidate = ranked[at] as number;
      let to = at - 1;
      for (; to >= 0 && this.compareFixed(ranked[to] as number, candidate) > 0; to -= 1) ranked[to + 1] = ranked[to] as number;
      ranked[to + 1] = candidate;
    }
    return ranked;
  }

  run(): SearchOutcome {
    if (this.units.some((unit) => unit.servers.length === 0 && unit.partial.length === 0)) return this.outcome(undefined, false);
    try {
      for (let k = 1; k <= Math.min(this.problem.maxParts, this.problem.candidates); k += 1) {
        this.enumerateSets(k, [], new Set());
        if (this.best !== undefined) return this.outcome('exact', false);
      }
      return this.outcome(undefined, false);
    } catch (error) {
      if (!(error instanceof StepsExhausted)) throw error;
      const greedy = improveLocally(this.problem, this.units, greedyCover(this.problem, this.units));
      if (greedy !== undefined && (this.best === undefined || isBetter(greedy, this.best))) this.best = greedy;
      return this.outcome(this.best === undefined ? undefined : 'heuristic', true);
    }
  }

  private outcome(method: Allocation['method'] | undefined, exhausted: boolean): SearchOutcome {
    const best = this.best;
    const steps = Math.min(this.explored, this.maxSteps);
    const allocation = method === undefined || best === undefined ? undefined : { parts: best.parts, score: best.score, method, explored: steps };
    return { allocation, steps, exhausted };
  }

  private tick(): void {
    this.explored += 1;
    if (this.explored > this.maxSteps) throw new StepsExhausted();
  }

  /** Whether a bound leaves the subtree out: above the best score, or level with it (a tie the key decides). */
  private beyond(bound: number): 'no' | 'tie' | 'yes' {
    const best = this.best;
    if (best === undefined) return 'no';
    const tolerance = EPSILON * Math.max(1, Math.abs(best.score));
    if (bound > best.score + tolerance) return 'yes';
    return bound >= best.score - tolerance ? 'tie' : 'no';
  }

  private enumerateSets(k: number, chosen: number[], seen: Set<number | string>): void {
    this.tick();
    // The empty set and each single candidate are reached once per k (from the root, by distinct
    // options); only larger sets can be reached twice, in another order.
    if (chosen.length > 1) {
      const key = this.setKey(chosen);
      if (seen.has(key)) return;
      seen.add(key);
    }
    let bound = 0;
    for (const candidate of chosen) bound += this.fixed[candidate] as number;
    const missing = this.neediestUncovered(chosen);
    if (missing !== undefined) {
      if (chosen.length === k) return;
      // One more member must serve the missing unit: at least the cheapest that can.
      for (const candidate of this.ranked(missing)) {
        if (chosen.includes(candidate)) continue;
        bound += this.fixed[candidate] as number;
        break;
      }
    }
    const beyond = this.beyond(bound);
    if (beyond === 'yes') return;
    if (missing === undefined) {
      if (chosen.length === k) {
        // Level with the best: this set wins only on the tie-break, which starts with its members.
        if (beyond === 'tie' && compareMembers(chosen, (this.best as Best).key) >= 0) return;
        this.assign(chosen);
      }
      // Only reached when smaller sets failed (empty member or min value): add members that serve something.
      else for (const candidate of this.usefulCandidates()) if (!chosen.includes(candidate)) this.enumerateSets(k, withMember(chosen, candidate), seen);
      return;
    }
    for (const candidate of this.ranked(missing)) if (!chosen.includes(candidate)) this.enumerateSets(k, withMember(chosen, candidate), seen);
  }

  /** The same set in any order gets the same key: its members in ascending order. */
  private setKey(chosen: readonly number[]): number | string {
    const base = this.problem.candidates + 1;
    if (this.packedKeys && chosen.length === 2) {
      const [a, b] = chosen as [number, number];
      return a < b ? (a + 1) * base + b + 1 : (b + 1) * base + a + 1;
    }
    const sorted = sortSmall(chosen.slice(), (a, b) => a - b);
    if (!this.packedKeys) return sorted.join(',');
    let key = 0;
    for (const member of sorted) key = key * base + member + 1;
    return key;
  }

  /** Candidates that serve the unit, cheapest fixed score first: fixed per unit, so ranked once. */
  private ranked(unit: Unit): number[] {
    if (unit.ranked === undefined) unit.ranked = this.rankedAmong(unit.partial.length === 0 ? unit.servers : [...new Set([...unit.servers, ...unit.partial])]);
    return unit.ranked;
  }

  private useful: number[] | undefined;
  private usefulCandidates(): number[] {
    if (this.useful === undefined) this.useful = this.rankedAmong([...new Set(this.units.flatMap((unit) => [...unit.servers, ...unit.partial]))]);
    return this.useful;
  }

  /** The unit not yet coverable by `chosen` with the fewest possible servers, or undefined when all are. */
  private neediestUncovered(chosen: readonly number[]): Unit | undefined {
    let neediest: Unit | undefined;
    let fewest = Number.POSITIVE_INFINITY;
    for (const unit of this.units) {
      const count = unit.servers.length + unit.partial.length;
      if (count >= fewest || isCovered(this.problem, unit, chosen)) continue;
      fewest = count;
      neediest = unit;
    }
    return neediest;
  }

  /** Whether the members hold, for every stock key, what all lines of the key need together. */
  private holdsDemand(members: readonly number[]): boolean {
    for (const { line, quantity } of this.demand) {
      let held = 0;
      for (const member of members) held += this.problem.stock(member, line);
      if (held < quantity) return false;
    }
    return true;
  }

  /** Best assignment of units to the members of one set, every member getting at least one line. */
  private assign(members: readonly number[]): void {
    if (!this.holdsDemand(members)) return;
    const sorted = sortSmall([...members], (a, b) => a - b);
    const state = new AssignmentState(this.problem, sorted, this.slots, () => this.tick());
    const forced: Choice[] = [];
    const open: Choice[] = [];
    for (const unit of this.units) {
      const options = sorted.filter((member) => unit.serves[member] === 1);
      const split = mayBeSplit(this.problem, unit, sorted, options.length);
      if (options.length === 0 && !split) return;
      (options.length + Number(split) === 1 ? forced : open).push({ unit, options, split });
    }
    // Forced placements first (they only narrow the stock); then units in line order, so that on a
    // tie with the best the lines already placed decide whether the tie-break can still be won.
    const choices = forced.concat(open);
    state.rememberCosts(choices.length);
    this.assignFrom(state, choices, 0);
  }

  /** The choice that was dearest last time: often still the dearest, so it is looked at first. */
  private dearest = 0;

  /**
   * The least the costliest unit still to place must add: each unit ends up in some member's part,
   * whose score is at least that of its lines now plus this unit (scores never drop as parts grow),
   * so the partial score plus the largest of these cheapest additions is a lower bound. (Their sum
   * is not: two units added to one part can raise it by less than each alone, e.g. stock depth.)
   * Stops once an addition exceeds `enough`, which already rules the subtree out.
   */
  private dearestUnit(state: AssignmentState, choices: readonly Choice[], from: number, enough: number): number {
    let dearest = 0;
    const count = choices.length - from;
    const start = this.dearest >= from && this.dearest < choices.length ? this.dearest - from : 0;
    for (let step = 0; step < count; step += 1) {
      const at = from + ((start + step) % count);
      const choice = choices[at] as Choice;
      // A split line's units can land anywhere: it promises no addition.
      if (choice.split) continue;
      let cheapest = Number.POSITIVE_INFINITY;
      for (const member of choice.options) {
        const cost = state.cost(at, member, choice.unit.lines);
        if (cost < cheapest) cheapest = cost;
        if (cheapest <= dearest) break;
      }
      if (cheapest > dearest) {
        dearest = cheapest;
        this.dearest = at;
        if (dearest > enough) break;
      }
    }
    return dearest;
  }

  private assignFrom(state: AssignmentState, choices: readonly Choice[], at: number): void {
    this.tick();
    const partial = state.lowerBound();
    let beyond = this.beyond(partial);
    if (beyond === 'no' && this.best !== undefined) {
      const best = this.best.score + EPSILON * Math.max(1, Math.abs(this.best.score));
      beyond = this.beyond(partial + this.dearestUnit(state, choices, at, best - partial));
    }
    if (beyond === 'yes' || (beyond === 'tie' && !state.mayWinTie((this.best as Best).key))) return;
    if (at === choices.length) {
      const candidate = state.complete();
      if (candidate !== undefined && (this.best === undefined || isBetter(candidate, this.best))) this.best = candidate;
      return;
    }
    const choice = choices[at] as Choice;
    // Cheapest member first, so a good incumbent is found early and bounds prune the rest.
    const ranked: { member: number; cost: number }[] = [];
    for (const member of choice.options) {
      const cost = state.cost(at, member, choice.unit.lines);
      if (cost !== Number.POSITIVE_INFINITY) ranked.push({ member, cost });
    }
    sortSmall(ranked, (a, b) => a.cost - b.cost || a.member - b.member);
    for (const { member } of ranked) {
      state.add(member, choice.unit.lines);
      this.assignFrom(state, choices, at + 1);
      state.remove(member, choice.unit.lines);
    }
    if (choice.split) {
      state.markSplit(choice.unit.lines[0] as number);
      this.assignFrom(state, choices, at + 1);
      state.unmarkSplit();
    }
  }
}

/** The placements a unit may take in one set: whole at one of `options`, or split. */
interface Choice {
  unit: Unit;
  options: number[];
  split: boolean;
}

/** Ascending members against the members at the start of a tie-break key: <0 sorts first. */
function compareMembers(chosen: readonly number[], key: readonly number[]): number {
  const sorted = sortSmall(chosen.slice(), (a, b) => a - b);
  for (let at = 0; at < sorted.length; at += 1) {
    const diff = (sorted[at] as number) - (key[at] as number);
    if (diff !== 0) return diff;
  }
  return 0;
}
