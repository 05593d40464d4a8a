import type { StoredCursor } from './state-store.js';

/**
 * Where each pipeline's sources stand, for people: listed with when they last moved, set to a
 * position a connector made from a value (a backfill), forgotten (a full re-read). Runs move
 * cursors only through the batch commit.
 */
export interface SourcePositions {
  /** Every stored position, by pipeline and source name. */
  list(query?: { pipeline?: string }): Promise<SourcePosition[]>;
  /** Puts a source at `cursor`: the next incremental run reads from there. */
  set(pipeline: string, source: string, cursor: StoredCursor): Promise<void>;
  /** Forgets the position of one source, or of every source of the pipeline; answers the sources forgotten. */
  reset(pipeline: string, source?: string): Promise<string[]>;
}

export interface SourcePosition extends StoredCursor {
  pipeline: string;
  source: string;
  /** When the position last moved (ISO 8601). */
  updatedAt: string;
}
