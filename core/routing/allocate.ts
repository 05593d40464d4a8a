/**
 * Allocation: which candidate location ships which line of one order, with the FEWEST parts and,
 * among those, the lowest score (sum of part scores), ties broken by the sorted candidate indexes
 * and then line by line (callers sort candidates by location id, so ties go to the lower id).
 *
 * The search is exact set cover with small k. For k = 1, 2, … up to max_parts it enumerates the
 * sets of k candidates that can cover every unit (a line, or a ship-together group of lines): it
 * always branches on the uncovered unit with the fewest servers, so a set is only built from
 * candidates that cover something still missing, and sets reached twice are skipped. A complete
 * set then gets the best assignment of units to its members by branch and bound: part scores never
 * drop when a part gets more lines, so the partial score is a lower bound; sets are bounded by the
 * sum of their members' fixed scores. The first k with a valid allocation is the answer.
 *
 * Beyond `budget` search nodes (default 200,000, well above what 20 lines over 200 candidates need
 * unless nearly every candidate holds nearly every line with k ≥ 3) the search stops and the best of
 * what it found and a greedy cover improved by local moves (swap a part's location, move a unit,
 * merge two parts) is returned with `method: 'heuristic'`: still valid, possibly not optimal.
 *
 * Lines with the same stock key (two lines of one SKU) draw on the same stock at a location: a
 * location holding 3 can ship one of two 2-unit lines whole, not both. With `splitLines` a line in
 * no ship-together group may instead be split: once the whole units are placed, split lines are
 * filled in line order from the members of the set, cheapest fixed score first (then index), out of
 * the stock the other lines left, and only when no member has the line's quantity left (a line one
 * location can ship whole is never split). Each location a line comes from is a part.
 */

export interface AllocationLine {
  /** Lines with the same stock key draw on the same stock (two lines of one SKU). */
  stockKey: string;
  quantity: number;
  /** Value of the line's goods in integer thousandths of the currency, for min_value_per_part. */
  value: number;
}

export interface PartLine {
  line: number;
  quantity: number;
}

export interface AllocationProblem {
  lines: readonly AllocationLine[];
  /** Groups of line indexes that must ship in one part; lines in no group ship alone. */
  shipTogether?: readonly (readonly number[])[];
  /** Number of candidates; they are referred to by index 0..n-1, in tie-break order. */
  candidates: number;
  /** Units of the line's stock key available at the candidate (0 when a fence keeps the line away). */
  stock(candidate: number, line: number): number;
  /** Score of a part: must never drop when lines are added or quantities grow. */
  partScore(candidate: number, lines: readonly PartLine[]): number;
  /** A lower bound of partScore for any non-empty part at the candidate. */
  fixedScore(candidate: number): number;
  maxParts: number;
  /** Applies to split orders only (more than one part). */
  minValuePerPart?: number;
  splitLines?: boolean;
  budget?: number;
}

export interface AllocatedPart {
  candidate: number;
  lines: PartLine[];
  score: number;
}

export interface Allocation {
  parts: AllocatedPart[];
  score: number;
  /** `heuristic` when the search budget ran out: the allocation is valid but may not be optimal. */
  method: 'exact' | 'heuristic';
  /** Search nodes visited. */
  explored: number;
}

export const DEFAULT_SEARCH_BUDGET = 200_000;
const EPSILON = 1e-9;

interface Unit {
  lines: number[];
  /** Candidates that can take every line of the unit whole. */
  servers: number[];
  /** Single-line units that may be split: candidates with some stock of the line. */
  partial: number[];
  /** servers and partial without repeats, cheapest fixed score first (then index); built when first needed. */
  ranked: number[] | undefined;
  /** A single line in no ship-together group, with split_lines on: it may be filled from several members. */
  splittable: boolean;
  /** Another line draws on the same stock: members that hold the quantity may have lent it to that line. */
  sharesStock: boolean;
}


interface Best {
  score: number;
  key: number[];
  parts: AllocatedPart[];
}

class BudgetExhausted extends Error {}

function withMember(chosen: readonly number[], candidate: number): number[] {
  const next = new Array<number>(chosen.length + 1);
  for (let at = 0; at < chosen.length; at += 1) next[at] = chosen[at] as number;
  next[chosen.length] = candidate;
  return next;
}

/**
 * Stable sort in place. The search sorts many lists of a few items, where Array.prototype.sort
 * allocates more than it compares; a stable sort gives the same order either way.
 */
function sortSmall<T>(items: T[], compare: (a: T, b: T) => number): T[] {
  if (items.length > 16) return items.sort(compare);
  for (let at = 1; at < items.length; at += 1) {
    const item = items[at] as T;
    let to = at - 1;
    for (; to >= 0 && compare(items[to] as T, item) > 0; to -= 1) items[to + 1] = items[to] as T;
    items[to + 1] = item;
  }
  return items;
}

export function allocate(problem: AllocationProblem): Allocation | undefined {
  const search = new AllocationSearch(problem);
  return search.run();
}

class AllocationSearch {
  private readonly units: Unit[];
  private readonly budget: number;
  private readonly slots: readonly number[];
  /** Set keys are packed into one number (base candidates + 1) while that stays exact, else joined as text. */
  private readonly packedKeys: boolean;
  /** Each candidate's fixed score, read once: the search compares them often. */
  private readonly fixed: number[];
  private explored = 0;
  private best: Best | undefined;

  constructor(private readonly problem: AllocationProblem) {
    this.budget = problem.budget ?? DEFAULT_SEARCH_BUDGET;
    this.units = buildUnits(problem);
    this.slots = stockSlots(problem);
    this.packedKeys = (problem.candidates + 1) ** Math.min(problem.maxParts, problem.candidates) <= Number.MAX_SAFE_INTEGER;
    this.fixed = [];
    for (let candidate = 0; candidate < problem.candidates; candidate += 1) this.fixed.push(problem.fixedScore(candidate));
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

  run(): Allocation | undefined {
    if (this.units.some((unit) => unit.servers.length === 0 && unit.partial.length === 0)) return undefined;
    try {
      for (let k = 1; k <= Math.min(this.problem.maxParts, this.problem.candidates); k += 1) {
        this.enumerateSets(k, [], new Set());
        if (this.best !== undefined) return this.result('exact');
      }
      return undefined;
    } catch (error) {
      if (!(error instanceof BudgetExhausted)) throw error;
      const greedy = improveLocally(this.problem, this.units, greedyCover(this.problem, this.units));
      if (greedy !== undefined && (this.best === undefined || isBetter(greedy, this.best))) this.best = greedy;
      return this.best === undefined ? undefined : this.result('heuristic');
    }
  }

  private result(method: Allocation['method']): Allocation {
    const best = this.best as Best;
    return { parts: best.parts, score: best.score, method, explored: this.explored };
  }

  private tick(): void {
    this.explored += 1;
    if (this.explored > this.budget) throw new BudgetExhausted();
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
    if (this.best !== undefined && bound > this.best.score + EPSILON * Math.max(1, Math.abs(this.best.score))) return;
    const missing = this.neediestUncovered(chosen);
    if (missing === undefined) {
      if (chosen.length === k) this.assign(chosen);
      // Only reached when smaller sets failed (empty member or min value): add members that serve something.
      else for (const candidate of this.usefulCandidates()) if (!chosen.includes(candidate)) this.enumerateSets(k, withMember(chosen, candidate), seen);
      return;
    }
    if (chosen.length === k) return;
    for (const candidate of this.ranked(missing)) if (!chosen.includes(candidate)) this.enumerateSets(k, withMember(chosen, candidate), seen);
  }

  /** The same set in any order gets the same key: its members in ascending order. */
  private setKey(chosen: readonly number[]): number | string {
    const base = this.problem.candidates + 1;
    if (this.packedKeys && chosen.length === 2) {
      const [a, b] = chosen as [number, number];
      return a < b ? (a + 1) * base + b + 1 : (b + 1) * base + a + 1;
    }
    const sorted = chosen.slice();
    for (let at = 1; at < sorted.length; at += 1) {
      const member = sorted[at] as number;
      let to = at - 1;
      for (; to >= 0 && (sorted[to] as number) > member; to -= 1) sorted[to + 1] = sorted[to] as number;
      sorted[to + 1] = member;
    }
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
      if (isCovered(this.problem, unit, chosen)) continue;
      const count = unit.servers.length + unit.partial.length;
      if (count < fewest) {
        fewest = count;
        neediest = unit;
      }
    }
    return neediest;
  }

  /** Best assignment of units to the members of one set, every member getting at least one line. */
  private assign(members: readonly number[]): void {
    const sorted = sortSmall([...members], (a, b) => a - b);
    const state = new AssignmentState(this.problem, sorted, this.slots);
    const choices: Choice[] = [];
    for (const unit of this.units) {
      const options = sorted.filter((member) => unit.servers.includes(member));
      const split = mayBeSplit(this.problem, unit, sorted, options.length);
      if (options.length === 0 && !split) return;
      choices.push({ unit, options, split });
    }
    sortSmall(choices, (a, b) => a.options.length + Number(a.split) - (b.options.length + Number(b.split)));
    this.assignFrom(state, choices, 0);
  }

  private assignFrom(state: AssignmentState, choices: readonly Choice[], at: number): void {
    this.tick();
    const bound = state.lowerBound();
    if (this.best !== undefined && bound > this.best.score + EPSILON * Math.max(1, Math.abs(this.best.score))) return;
    if (at === choices.length) {
      const candidate = state.complete();
      if (candidate !== undefined && (this.best === undefined || isBetter(candidate, this.best))) this.best = candidate;
      return;
    }
    const choice = choices[at] as Choice;
    // Cheapest member first, so a good incumbent is found early and bounds prune the rest.
    const ranked: { member: number; cost: number }[] = [];
    for (const member of choice.options) {
      const cost = state.costIfAdded(member, choice.unit.lines);
      if (cost !== undefined) ranked.push({ member, cost });
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

/**
 * Whether splitting the unit over the set can ever be valid: it needs two members or more and
 * enough stock among them, and no member that keeps the whole quantity for it (one that holds it
 * does, unless another line of the SKU may take from it first).
 */
function mayBeSplit(problem: AllocationProblem, unit: Unit, members: readonly number[], wholeServers: number): boolean {
  if (!unit.splittable || members.length < 2 || (wholeServers > 0 && !unit.sharesStock)) return false;
  const line = unit.lines[0] as number;
  let total = 0;
  for (const member of members) total += problem.stock(member, line);
  return total >= (problem.lines[line] as AllocationLine).quantity;
}

/** Parts under construction for one set of members, with the stock they use. */
class AssignmentState {
  private readonly parts = new Map<number, PartLine[]>();
  private readonly used = new Map<number, number>();
  /** Lines to be filled from several members once every whole unit is placed. */
  private readonly split: number[] = [];
  /** Members cheapest fixed score first (then index): the order split lines are filled in. */
  private readonly fillOrder: readonly number[];

  constructor(
    private readonly problem: AllocationProblem,
    readonly members: readonly number[],
    private readonly slots: readonly number[],
  ) {
    for (const member of members) this.parts.set(member, []);
    this.fillOrder = sortSmall([...members], (a, b) => problem.fixedScore(a) - problem.fixedScore(b) || a - b);
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
    const before = part.length === 0 ? this.problem.fixedScore(member) : this.problem.partScore(member, part);
    return this.problem.partScore(member, part.concat(added)) - before;
  }

  add(member: number, lines: readonly number[]): void {
    const part = this.parts.get(member) as PartLine[];
    for (const line of lines) {
      const quantity = (this.problem.lines[line] as AllocationLine).quantity;
      const key = this.usedKey(member, line);
      this.used.set(key, (this.used.get(key) ?? 0) + quantity);
      part.push({ line, quantity });
    }
  }

  remove(member: number, lines: readonly number[]): void {
    const part = this.parts.get(member) as PartLine[];
    for (let at = lines.length - 1; at >= 0; at -= 1) {
      const line = lines[at] as number;
      const key = this.usedKey(member, line);
      this.used.set(key, (this.used.get(key) ?? 0) - (this.problem.lines[line] as AllocationLine).quantity);
      part.pop();
    }
  }

  /** Split lines only add units, and part scores never drop when they grow: a lower bound. */
  lowerBound(): number {
    let bound = 0;
    for (const member of this.members) {
      const part = this.parts.get(member) as PartLine[];
      bound += part.length === 0 ? this.problem.fixedScore(member) : this.problem.partScore(member, part);
    }
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

function isBetter(a: Best, b: Best): boolean {
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

function sameStock(problem: AllocationProblem, a: number, b: number): boolean {
  return (problem.lines[a] as AllocationLine).stockKey === (problem.lines[b] as AllocationLine).stockKey;
}

/** For each line, the first line with its stock key: lines that draw on the same stock share it. */
function stockSlots(problem: AllocationProblem): number[] {
  const first = new Map<string, number>();
  return problem.lines.map((line, at) => {
    const slot = first.get(line.stockKey);
    if (slot !== undefined) return slot;
    first.set(line.stockKey, at);
    return at;
  });
}

function buildUnits(problem: AllocationProblem): Unit[] {
  const grouped = new Set<number>();
  const groups: { lines: number[]; together: boolean }[] = [];
  for (const group of problem.shipTogether ?? []) {
    const lines = group.filter((line) => line >= 0 && line < problem.lines.length && !grouped.has(line));
    for (const line of lines) grouped.add(line);
    if (lines.length > 0) groups.push({ lines: [...lines].sort((a, b) => a - b), together: true });
  }
  for (let line = 0; line < problem.lines.length; line += 1) if (!grouped.has(line)) groups.push({ lines: [line], together: false });
  groups.sort((a, b) => (a.lines[0] as number) - (b.lines[0] as number));
  const perKey = new Map<string, number>();
  for (const line of problem.lines) perKey.set(line.stockKey, (perKey.get(line.stockKey) ?? 0) + 1);
  return groups.map(({ lines, together }) => {
    const splittable = problem.splitLines === true && !together && lines.length === 1;
    const servers: number[] = [];
    const partial: number[] = [];
    for (let candidate = 0; candidate < problem.candidates; candidate += 1) {
      if (canServeWhole(problem, candidate, lines)) servers.push(candidate);
      else if (splittable && problem.stock(candidate, lines[0] as number) > 0) partial.push(candidate);
    }
    const sharesStock = lines.some((line) => (perKey.get((problem.lines[line] as AllocationLine).stockKey) ?? 0) > 1);
    return { lines, servers, partial, ranked: undefined, splittable, sharesStock };
  });
}

function canServeWhole(problem: AllocationProblem, candidate: number, lines: readonly number[]): boolean {
  if (lines.length === 1) return (problem.lines[lines[0] as number] as AllocationLine).quantity <= problem.stock(candidate, lines[0] as number);
  const need = new Map<string, number>();
  for (const line of lines) {
    const entry = problem.lines[line] as AllocationLine;
    const total = (need.get(entry.stockKey) ?? 0) + entry.quantity;
    need.set(entry.stockKey, total);
    if (total > problem.stock(candidate, line)) return false;
  }
  return true;
}

function isCovered(problem: AllocationProblem, unit: Unit, chosen: readonly number[]): boolean {
  for (const candidate of chosen) if (unit.servers.includes(candidate)) return true;
  if (unit.partial.length === 0) return false;
  const line = unit.lines[0] as number;
  let total = 0;
  for (const candidate of chosen) total += problem.stock(candidate, line);
  return total >= (problem.lines[line] as AllocationLine).quantity;
}

/**
 * Greedy cover: repeatedly the candidate that takes the most open units whole (a unit it can only
 * help to split counts half), cheapest first on ties.
 */
function greedyCover(problem: AllocationProblem, units: readonly Unit[]): Best | undefined {
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
      if (!unit.servers.includes(member)) continue;
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
function improveLocally(problem: AllocationProblem, units: readonly Unit[], start: Best | undefined): Best | undefined {
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
