/**
 * Forgetting what is old, a bounded window of rows at a time so that a large state file is never
 * locked for long (core/state/prune-state.ts drives it). What may be forgotten, and what never is:
 * - `runs`: finished runs started before the cutoff, with their details; never a running run,
 *   nor the newest run of a pipeline or its newest successful one (what "last run" and "last
 *   success" answer).
 * - `deadLetters`: replayed or discarded dead letters last changed before the cutoff; an open
 *   one is never forgotten.
 * - `ledger`: settled entries of the effect ledger last delivered before the cutoff. Unsettled
 *   entries (a killed run's accepted effects, taken up by the next run) and keys with a send in
 *   doubt stay, whatever their age: crash recovery reads them.
 */
export interface StatePruning {
  /** How many rows of `part` are prunable as of `before` (ISO 8601). */
  count(part: PrunablePart, before: string): Promise<number>;
  /**
   * Looks at the next `window` rows of `part` (in key order, after the place `after` names) and
   * forgets the prunable ones among them, in one short transaction. Answers how many it forgot
   * and where the next window starts, undefined once the part is done.
   */
  prune(part: PrunablePart, before: string, window: number, after?: string): Promise<{ pruned: number; next: string | undefined }>;
}

export type PrunablePart = 'runs' | 'deadLetters' | 'ledger';
export const PRUNABLE_PARTS: readonly PrunablePart[] = ['runs', 'deadLetters', 'ledger'];
