/**
 * One set's parts while the search places units: the lines and stock each member takes, its part
 * score (kept as parts change), the split lines filled at the end, and the tie-break key the
 * search compares allocations by.
 */
import { EPSILON, type AllocatedPart, type AllocationLine, type AllocationProblem, type PartLine } from './allocation-problem.js';
import { sameStock } from './allocation-units.js';

export interface Best {
  score: number;
  key: number[];
  parts: AllocatedPart[];
}

/**
 * Stable sort in place. The search sorts many lists of a few items, where Array.prototype.sort
 * allocates more than it compares; a stable sort gives the same order either way.
 */
export function sortSmall<T>(items: T[], compare: (a: T, b: T) => number): T[] {
  if (items.length > 16) return items.sort(compare);
  for (let at = 1; at < items.length; at += 1) {
    const item = items[at] as T;
    let to = at - 1;
    for (; to >= 0 && compare(items[to] as T, item) > 0; to -= 1) items[to + 1] = items[to] as T;
    items[to + 1] = item;
  }
  return items;
}

/** Parts under construction for one set of members, with the stock they use. */
export class AssignmentState {
  private readonly parts = new Map<number, PartLine[]>();
  /** Each member's part score now (its fixed score while empty), kept as parts change. */
  private readonly scores = new Map<number, number>();
  /** Scores replaced by add(), for remove() to put back. */
  private readonly replaced: number[] = [];
  /**
   * A version per member's part, new on every add and put back on remove: a unit's cost at a member
   * depends on that member's part alone, so a cost remembered under the same version still holds.
   */
  private readonly versions: Int32Array;
  private readonly replacedVersions: number[] = [];
  private nextVersion = 1;
  private readonly memberIndex = new Map<number, number>();
  /** Remembered costs by choice and member index, with the version they were computed under. */
  private costs = new Float64Array(0);
  private costVersions = new Int32Array(0);
  private readonly used = new Map<number, number>();
  /** Lines to be filled from several members once every whole unit is placed. */
  private readonly split: number[] = [];
  /** The member each line ships from whole; -1 while it is not placed (or split). */
  private readonly lineMember: Int32Array;
  /** Members cheapest fixed score first (then index): the order split lines are filled in. */
  private readonly fillOrder: readonly number[];

  /** `scored` is told of every part scored: the search counts them as steps, as it does nodes. */
  constructor(
    private readonly problem: AllocationProblem,
    readonly members: readonly number[],
    private readonly slots: readonly number[],
    private readonly scored: () => void = () => undefined,
  ) {
    for (const [index, member] of members.entries()) {
      this.parts.set(member, []);
      this.scores.set(member, problem.fixedScore(member));
      this.memberIndex.set(member, index);
    }
    this.versions = new Int32Array(members.length);
    this.fillOrder = sortSmall([...members], (a, b) => problem.fixedScore(a) - problem.fixedScore(b) || a - b);
    this.lineMember = new Int32Array(problem.lines.length).fill(-1);
  }

  /**
   * Whether an allocation completed from here can still win a tie with `best` on its key (same
   * members, then line by line the first location): it cannot once the first line that is not
   * placed exactly as in `best` is placed at a later location.
   */
  mayWinTie(best: readonly number[]): boolean {
    const count = this.members.length;
    for (let at = 0; at < count; at += 1) {
      const diff = (this.members[at] as number) - (best[at] as number);
      if (diff !== 0) return diff < 0;
    }
    const lines = this.lineMember.length;
    for (let line = 0; line < lines; line += 1) {
      const member = this.lineMember[line] as number;
      if (member < 0) return true;
      const diff = member - (best[count + line] as number);
      if (diff !== 0) return diff < 0;
      // Best split this line where it ships whole here: the key's spread part may still decide for this one.
      if ((best[count + lines + line] as number) > 1) return true;
    }
    // Every line placed whole, as in best: the same allocation.
    return false;
  }

  /** Stock used at a member, per stock key (lines of one key share a slot). */
  private usedKey(member: number, line: number): number {
    return member * this.problem.lines.length + (this.slots[line] as number);
  }

  private fits(member: number, line: number, quantity: number): boolean {
    return (this.used.get(this.usedKey(member, line)) ?? 0) + quantity <= this.problem.stock(member, line);
  }

  markSplit(line: number): void {
    this.split.push(line);
  }

  unmarkSplit(): void {
    this.split.pop();
  }

  /** Room to remember the cost of each of `choices` units at each member. */
  rememberCosts(choices: number): void {
    this.costs = new Float64Array(choices * this.members.length);
    this.costVersions = new Int32Array(choices * this.members.length).fill(-1);
  }

  /** costIfAdded of the unit of choice `choice`, remembered while the member's part is unchanged; Infinity when it does not fit. */
  cost(choice: number, member: number, lines: readonly number[]): number {
    const index = this.memberIndex.get(member) as number;
    const slot = choice * this.members.length + index;
    const version = this.versions[index] as number;
    if (this.costVersions[slot] === version) return this.costs[slot] as number;
    const cost = this.costIfAdded(member, lines) ?? Number.POSITIVE_INFINITY;
    this.costs[slot] = cost;
    this.costVersions[slot] = version;
    return cost;
  }

  costIfAdded(member: number, lines: readonly number[]): number | undefined {
    const part = this.parts.get(member) as PartLine[];
    const added: PartLine[] = [];
    for (const line of lines) {
      const quantity = (this.problem.lines[line] as AllocationLine).quantity;
      let alsoNeeded = 0;
      for (const other of lines) if (other !== line && other < line && sameStock(this.problem, other, line)) alsoNeeded += (this.problem.lines[other] as AllocationLine).quantity;
      if (!this.fits(member, line, quantity + alsoNeeded)) return undefined;
      added.push({ line, quantity });
    }
    this.scored();
    return this.problem.partScore(member, part.concat(added)) - (this.scores.get(member) as number);
  }

  add(member: number, lines: readonly number[]): void {
    const part = this.parts.get(member) as PartLine[];
    for (const line of lines) {
      this.lineMember[line] = member;
      const quantity = (this.problem.lines[line] as AllocationLine).quantity;
      const key = this.usedKey(member, line);
      this.used.set(key, (this.used.get(key) ?? 0) + quantity);
      part.push({ line, quantity });
    }
    this.replaced.push(this.scores.get(member) as number);
    this.scored();
    this.scores.set(member, this.problem.partScore(member, part));
    const index = this.memberIndex.get(member) as number;
    this.replacedVersions.push(this.versions[index] as number);
    this.versions[index] = this.nextVersion;
    this.nextVersion += 1;
  }

  remove(member: number, lines: readonly number[]): void {
    const part = this.parts.get(member) as PartLine[];
    for (let at = lines.length - 1; at >= 0; at -= 1) {
      const line = lines[at] as number;
      this.lineMember[line] = -1;
      const key = this.usedKey(member, line);
      this.used.set(key, (this.used.get(key) ?? 0) - (this.problem.lines[line] as AllocationLine).quantity);
      part.pop();
    }
    this.scores.set(member, this.replaced.pop() as number);
    this.versions[this.memberIndex.get(member) as number] = this.replacedVersions.pop() as number;
  }

  /** Split lines only add units, and part scores never drop when they grow: a lower bound. */
  lowerBound(): number {
    let bound = 0;
    for (const member of this.members) bound += this.scores.get(member) as number;
    return bound;
  }

  /**
   * The allocation once the split lines are filled (in line order, from what the whole units left)
   * when every member has a line and split parts carry enough value; else undefined.
   */
  complete(): Best | undefined {
    const filled = this.split.length === 0 ? undefined : this.fillSplitLines();
    if (filled === null) return undefined;
    const parts: AllocatedPart[] = [];
    for (const member of this.members) {
      const own = this.parts.get(member) as PartLine[];
      const extra = filled?.get(member);
      const lines = sortSmall(extra === undefined ? own.slice() : own.concat(extra), (a, b) => a.line - b.line);
      if (lines.length === 0) return undefined;
      parts.push({ candidate: member, lines, score: this.problem.partScore(member, lines) });
    }
    return finish(this.problem, parts);
  }

  /** What each member ships of the split lines; null when a line cannot be split as the rule says. */
  private fillSplitLines(): Map<number, PartLine[]> | null {
    const taken = new Map<number, number>();
    const free = (member: number, line: number): number => {
      const key = this.usedKey(member, line);
      return this.problem.stock(member, line) - (this.used.get(key) ?? 0) - (taken.get(key) ?? 0);
    };
    const out = new Map<number, PartLine[]>();
    for (const line of sortSmall(this.split.slice(), (a, b) => a - b)) {
      let left = (this.problem.lines[line] as AllocationLine).quantity;
      // A member that still has the whole quantity ships the line whole: that placement is searched too.
      for (const member of this.members) if (free(member, line) >= left) return null;
      for (const member of this.fillOrder) {
        const take = Math.min(free(member, line), left);
        if (take <= 0) continue;
        const key = this.usedKey(member, line);
        taken.set(key, (taken.get(key) ?? 0) + take);
        const lines = out.get(member) ?? [];
        lines.push({ line, quantity: take });
        out.set(member, lines);
        left -= take;
        if (left === 0) break;
      }
      if (left > 0) return null;
    }
    return out;
  }
}

function finish(problem: AllocationProblem, parts: AllocatedPart[]): Best | undefined {
  const minValue = problem.minValuePerPart ?? 0;
  if (parts.length > 1 && minValue > 0) {
    for (const part of parts) {
      const value = part.lines.reduce((sum, entry) => {
        const line = problem.lines[entry.line] as AllocationLine;
        return sum + (line.quantity === 0 ? 0 : (line.value * entry.quantity) / line.quantity);
      }, 0);
      if (value < minValue) return undefined;
    }
  }
  sortSmall(parts, (a, b) => a.candidate - b.candidate);
  const score = parts.reduce((sum, part) => sum + part.score, 0);
  return { score, key: allocationKey(problem, parts), parts };
}

/**
 * Tie-break key: the sorted candidates, then for each line the first candidate it ships from, then
 * for each line how many it ships from (a line shipped whole before the same line split).
 */
function allocationKey(problem: AllocationProblem, parts: readonly AllocatedPart[]): number[] {
  const byLine = new Array<number>(problem.lines.length).fill(-1);
  const spread = new Array<number>(problem.lines.length).fill(0);
  for (const part of parts) {
    for (const entry of part.lines) {
      if (byLine[entry.line] === -1) byLine[entry.line] = part.candidate;
      spread[entry.line] = (spread[entry.line] as number) + 1;
    }
  }
  return [...parts.map((part) => part.candidate), ...byLine, ...spread];
}

export function isBetter(a: Best, b: Best): boolean {
  if (a.parts.length !== b.parts.length) return a.parts.length < b.parts.length;
  const tolerance = EPSILON * Math.max(1, Math.abs(a.score), Math.abs(b.score));
  if (a.score < b.score - tolerance) return true;
  if (a.score > b.score + tolerance) return false;
  for (let index = 0; index < Math.min(a.key.length, b.key.length); index += 1) {
    const diff = (a.key[index] as number) - (b.key[index] as number);
    if (diff !== 0) return diff < 0;
  }
  return false;
}
