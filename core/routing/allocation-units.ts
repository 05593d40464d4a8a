/**
 * The units of an allocation: each line alone, or a ship-together group of lines, with the
 * candidates that can take it whole or (a splittable line) help fill it, and the checks on stock
 * the search makes before it places anything. Lines of one stock key share a location's stock.
 */
import type { AllocationLine, AllocationProblem } from './allocation-problem.js';

export interface Unit {
  lines: number[];
  /** Candidates that can take every line of the unit whole. */
  servers: number[];
  /** servers as a lookup by candidate (1 = server): the search asks this at every node. */
  serves: Uint8Array;
  /** Single-line units that may be split: candidates with some stock of the line. */
  partial: number[];
  /** servers and partial without repeats, cheapest fixed score first (then index); built when first needed. */
  ranked: number[] | undefined;
  /** A single line in no ship-together group, with split_lines on: it may be filled from several members. */
  splittable: boolean;
  /** Another line draws on the same stock: members that hold the quantity may have lent it to that line. */
  sharesStock: boolean;
}

/** For each line, the first line with its stock key: lines that draw on the same stock share it. */
export function stockSlots(problem: AllocationProblem): number[] {
  const first = new Map<string, number>();
  return problem.lines.map((line, at) => {
    const slot = first.get(line.stockKey);
    if (slot !== undefined) return slot;
    first.set(line.stockKey, at);
    return at;
  });
}

export function sameStock(problem: AllocationProblem, a: number, b: number): boolean {
  return (problem.lines[a] as AllocationLine).stockKey === (problem.lines[b] as AllocationLine).stockKey;
}

export function buildUnits(problem: AllocationProblem): Unit[] {
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
    const serves = new Uint8Array(problem.candidates);
    for (const server of servers) serves[server] = 1;
    return { lines, servers, serves, partial, ranked: undefined, splittable, sharesStock };
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

export function isCovered(problem: AllocationProblem, unit: Unit, chosen: readonly number[]): boolean {
  for (const candidate of chosen) if (unit.serves[candidate] === 1) return true;
  if (unit.partial.length === 0) return false;
  const line = unit.lines[0] as number;
  let total = 0;
  for (const candidate of chosen) total += problem.stock(candidate, line);
  return total >= (problem.lines[line] as AllocationLine).quantity;
}

/**
 * Whether splitting the unit over the set can ever be valid: it needs two members or more and
 * enough stock among them, and no member that keeps the whole quantity for it (one that holds it
 * does, unless another line of the SKU may take from it first).
 */
export function mayBeSplit(problem: AllocationProblem, unit: Unit, members: readonly number[], wholeServers: number): boolean {
  if (!unit.splittable || members.length < 2 || (wholeServers > 0 && !unit.sharesStock)) return false;
  const line = unit.lines[0] as number;
  let total = 0;
  for (const member of members) total += problem.stock(member, line);
  return total >= (problem.lines[line] as AllocationLine).quantity;
}

/** For each stock key, one of its lines and the units all its lines need together. */
export function keyDemand(problem: AllocationProblem, slots: readonly number[]): { line: number; quantity: number }[] {
  const bySlot = new Map<number, { line: number; quantity: number }>();
  problem.lines.forEach((line, at) => {
    const slot = slots[at] as number;
    const entry = bySlot.get(slot) ?? { line: slot, quantity: 0 };
    entry.quantity += line.quantity;
    bySlot.set(slot, entry);
  });
  return [...bySlot.values()];
}
