/**
 * The allocation problem as the search sees it: lines with a stock key and quantity, candidates
 * by index, and the stock and score functions the router supplies; and what the search returns.
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
  /** Search steps (nodes visited) before the search gives up on proving the best; default DEFAULT_MAX_SEARCH_STEPS. */
  maxSteps?: number;
}

export interface AllocatedPart {
  candidate: number;
  lines: PartLine[];
  score: number;
}

export interface Allocation {
  parts: AllocatedPart[];
  score: number;
  /** `heuristic` when the search ran out of steps: the allocation is valid but may not be optimal. */
  method: 'exact' | 'heuristic';
  /** Search steps taken (nodes visited). */
  explored: number;
}

/** What the search found, and whether it ran out of steps before it could prove it the best. */
export interface SearchOutcome {
  /** Undefined when no allocation exists, or none was found before the steps ran out. */
  allocation: Allocation | undefined;
  steps: number;
  exhausted: boolean;
}

/** Relative tolerance under which two scores count as equal (a tie the key decides). */
export const EPSILON = 1e-9;
