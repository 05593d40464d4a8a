/**
 * What a run did, stage by stage, beyond its totals: records in and out of each stage, the codes
 * its dead letters carry, and the files it read and wrote. Added to with every batch commit (in
 * the batch's transaction, a handful of rows per batch, never one per record), read back by
 * `keel runs show`.
 */
export interface RunDetailLog {
  /** Everything recorded of one run; empty lists for a run from before Keel recorded them (or one that committed nothing). */
  ofRun(runId: number): Promise<RunDetail>;
  /** The dead-letter codes of each of these runs with their counts; runs without any are absent. */
  errorsOf(runIds: readonly number[]): Promise<Map<number, ErrorCount[]>>;
}

/**
 * One stage of a pipeline: `source:<name>` (read and decoded), `step:<n>:<type>`, `target:<name>`.
 * `position` orders the stages as the records pass them.
 */
export interface StageCounts {
  stage: string;
  position: number;
  /** Records that came into the stage. */
  in: number;
  /** Records it passed on (a source: decoded; a step: its output, several for a fan-out; a target: written). */
  out: number;
  /** Dropped on purpose (a filter, a fan-out to nothing). */
  filtered: number;
  /** Known already (a dedupe step; a target's ledger or its `duplicate`/`stale` answer). */
  duplicates: number;
  deadLettered: number;
}

/** How many dead letters of a run one stage gave one code. */
export interface ErrorCount {
  stage: string;
  code: string;
  count: number;
}

/** A file a run read (a file or SFTP source) or wrote (a file or SFTP target), with its records. */
export interface FileTouch {
  direction: 'read' | 'written';
  /** `source:<name>` or `target:<name>`. */
  stage: string;
  /** The path in its connection's root. */
  name: string;
  records: number;
}

export interface RunDetail {
  stages: StageCounts[];
  errors: ErrorCount[];
  files: FileTouch[];
}

/** What one batch adds to its run's detail; its errors come from the batch's dead letters. */
export interface BatchDetail {
  stages: readonly StageCounts[];
  files: readonly FileTouch[];
}
