import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../test-support/random.js';
import { allocate, type AllocationProblem, type PartLine } from './allocate.js';

/** Every random case can be replayed from its seed. */
const seeded = mulberry32;

interface RandomCase {
  problem: AllocationProblem;
  skus: string[];
  stock: number[][];
}

function randomCase(seed: number): RandomCase {
  const random = seeded(seed);
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const lineCount = int(1, 5);
  const candidates = int(1, 5);
  const skuPool = ['a', 'b', 'c', 'd'];
  const lines = Array.from({ length: lineCount }, () => ({ stockKey: skuPool[int(0, 3)] as string, quantity: int(1, 3), value: int(1, 20) * 1000 }));
  const stock = Array.from({ length: candidates }, () => skuPool.map(() => (random() < 0.35 ? 0 : int(0, 6))));
  const fixed = Array.from({ length: candidates }, () => int(0, 4));
  const perUnit = Array.from({ length: candidates }, () => lines.map(() => int(0, 3)));
  // Coarse values make ties common, so tie-breaking is exercised too.
  const bump = int(0, 3);
  const shipTogether = lineCount >= 3 && random() < 0.3 ? [[0, 2]] : [];
  const problem: AllocationProblem = {
    lines,
    shipTogether,
    candidates,
    stock: (candidate, line) => (stock[candidate] as number[])[skuPool.indexOf((lines[line] as { stockKey: string }).stockKey)] as number,
    fixedScore: (candidate) => fixed[candidate] as number,
    partScore: (candidate, part) => {
      const units = part.reduce((sum, entry) => sum + entry.quantity, 0);
      const variable = part.reduce((sum, entry) => sum + ((perUnit[candidate] as number[])[entry.line] as number) * entry.quantity, 0);
      return (fixed[candidate] as number) + variable + (units > 4 ? bump : 0);
    },
    maxParts: int(1, 4),
    minValuePerPart: random() < 0.3 ? int(1, 15) * 1000 : 0,
  };
  return { problem, skus: skuPool, stock };
}

interface BruteResult {
  parts: number;
  score: number;
  key: number[];
  assignment: number[];
}

/** Every line to every candidate, checked for stock, groups, parts and value; written apart from allocate.ts. */
function bruteForce(problem: AllocationProblem): BruteResult | undefined {
  const n = problem.lines.length;
  let best: BruteResult | undefined;
  const assignment = new Array<number>(n).fill(0);
  const total = problem.candidates ** n;
  for (let code = 0; code < total; code += 1) {
    let rest = code;
    for (let line = 0; line < n; line += 1) {
      assignment[line] = rest % problem.candidates;
      rest = Math.floor(rest / problem.candidates);
    }
    if ((problem.shipTogether ?? []).some((group) => new Set(group.map((line) => assignment[line])).size > 1)) continue;
    const used = new Map<string, number>();
    let fits = true;
    for (let line = 0; line < n; line += 1) {
      const key = `${assignment[line]}/${problem.lines[line]?.stockKey}`;
      used.set(key, (used.get(key) ?? 0) + (problem.lines[line]?.quantity ?? 0));
      if ((used.get(key) as number) > problem.stock(assignment[line] as number, line)) fits = false;
    }
    if (!fits) continue;
    const members = [...new Set(assignment)].sort((a, b) => a - b);
    if (members.length > problem.maxParts) continue;
    const partsOf = members.map((member) => {
      const part: PartLine[] = [];
      for (let line = 0; line < n; line += 1) if (assignment[line] === member) part.push({ line, quantity: problem.lines[line]?.quantity ?? 0 });
      return part;
    });
    if (members.length > 1 && (problem.minValuePerPart ?? 0) > 0) {
      const values = partsOf.map((part) => part.reduce((sum, entry) => sum + (problem.lines[entry.line]?.value ?? 0), 0));
      if (values.some((value) => value < (problem.minValuePerPart ?? 0))) continue;
    }
    const score = members.reduce((sum, member, index) => sum + problem.partScore(member, partsOf[index] as PartLine[]), 0);
    const candidate = { parts: members.length, score, key: [...members, ...assignment], assignment: [...assignment] };
    if (best === undefined || better(candidate, best)) best = candidate;
  }
  return best;
}

function better(a: BruteResult, b: BruteResult): boolean {
  if (a.parts !== b.parts) return a.parts < b.parts;
  if (Math.abs(a.score - b.score) > 1e-9) return a.score < b.score;
  for (let index = 0; index < a.key.length; index += 1) if (a.key[index] !== b.key[index]) return (a.key[index] as number) < (b.key[index] as number);
  return false;
}

describe('allocate', () => {
  it('matches an exhaustive search on 500 seeded random cases (fewest parts, then score, then tie-break)', () => {
    let feasible = 0;
    for (let seed = 1; seed <= 500; seed += 1) {
      const { problem } = randomCase(seed);
      const expected = bruteForce(problem);
      const actual = allocate(problem);
      if (expected === undefined) {
        expect(actual, `seed ${seed}`).toBeUndefined();
        continue;
      }
      feasible += 1;
      expect(actual, `seed ${seed}`).toBeDefined();
      expect(actual?.method).toBe('exact');
      expect(actual?.parts.length, `seed ${seed} parts`).toBe(expected.parts);
      expect(actual?.score, `seed ${seed} score`).toBeCloseTo(expected.score, 9);
      const assignment = new Array<number>(problem.lines.length).fill(-1);
      for (const part of actual?.parts ?? []) for (const entry of part.lines) assignment[entry.line] = part.candidate;
      expect(assignment, `seed ${seed} assignment`).toEqual(expected.assignment);
    }
    // The generator must produce a real mix, or the comparison proves little.
    expect(feasible).toBeGreaterThan(150);
    expect(feasible).toBeLessThan(500);
  });

  it('takes one location that has everything over two cheaper ones', () => {
    const result = allocate({
      lines: [
        { stockKey: 'a', quantity: 1, value: 1000 },
        { stockKey: 'b', quantity: 1, value: 1000 },
      ],
      candidates: 3,
      stock: (candidate, line) => (candidate === 2 ? 5 : candidate === line ? 5 : 0),
      fixedScore: (candidate) => (candidate === 2 ? 100 : 1),
      partScore: (candidate) => (candidate === 2 ? 100 : 1),
      maxParts: 3,
    });
    expect(result?.parts.map((part) => part.candidate)).toEqual([2]);
  });

  it('splits one line over two locations only when split_lines allows it', () => {
    const problem: AllocationProblem = {
      lines: [{ stockKey: 'a', quantity: 5, value: 5000 }],
      candidates: 2,
      stock: (candidate) => (candidate === 0 ? 3 : 4),
      fixedScore: () => 1,
      partScore: () => 1,
      maxParts: 2,
    };
    expect(allocate(problem)).toBeUndefined();
    const split = allocate({ ...problem, splitLines: true });
    expect(split?.parts).toEqual([
      { candidate: 0, lines: [{ line: 0, quantity: 3 }], score: 1 },
      { candidate: 1, lines: [{ line: 0, quantity: 2 }], score: 1 },
    ]);
  });

  it('falls back to the greedy heuristic beyond the search budget and says so', () => {
    const lines = Array.from({ length: 20 }, (_, index) => ({ stockKey: `s${index}`, quantity: 1, value: 1000 }));
    const result = allocate({
      lines,
      candidates: 200,
      // Each candidate holds 4 consecutive lines: at least 5 parts, a huge search space.
      stock: (candidate, line) => ((line - (candidate % 20) + 20) % 20 < 4 ? 1 : 0),
      fixedScore: (candidate) => candidate % 7,
      partScore: (candidate, part) => (candidate % 7) + part.length,
      maxParts: 10,
      budget: 2_000,
    });
    expect(result?.method).toBe('heuristic');
    const covered = new Set(result?.parts.flatMap((part) => part.lines.map((entry) => entry.line)));
    expect(covered.size).toBe(20);
  });

  it('stays exact for 20 lines over 200 candidates when a few locations hold everything', () => {
    const lines = Array.from({ length: 20 }, (_, index) => ({ stockKey: `s${index}`, quantity: 2, value: 1000 }));
    const result = allocate({
      lines,
      candidates: 200,
      stock: (candidate, line) => (candidate % 50 === 7 ? 10 : (candidate + line) % 3 === 0 ? 5 : 0),
      fixedScore: (candidate) => candidate % 11,
      partScore: (candidate, part) => (candidate % 11) + part.length / 10,
      maxParts: 3,
    });
    expect(result?.method).toBe('exact');
    // Candidates 7, 57, 107, 157 hold everything; 57 % 11 = 2 is the cheapest of them.
    expect(result?.parts.map((part) => part.candidate)).toEqual([57]);
  });
});
