import type { Static, TObject } from '@sinclair/typebox';
import type { JsonObject } from '../json.js';
import type { Logger } from '../logger.js';
import type { RecordRejection } from '../errors.js';
import type { RecordShape } from './record-shape.js';

/** Returned by a step to drop a record on purpose (a filter): not an error, counted as skipped. */
export const DROP: unique symbol = Symbol('keel.drop');

/** Returned by a step for a record it has seen before (`dedupe`): dropped, counted as a duplicate. */
export const DUPLICATE: unique symbol = Symbol('keel.duplicate');

// Returned by a step for a record it cannot process: the record goes to the dead-letter queue.
// It is the one record error of Keel, so it lives with the taxonomy in core/errors.ts.
export { RecordRejection, type RecordRejectionOptions } from '../errors.js';

/** One record out, several (a mapping with `for_each` turns an order into its lines), none, or a rejection. */
export type StepOutput = JsonObject | JsonObject[] | typeof DROP | typeof DUPLICATE | RecordRejection;
export type StepFunction = (record: JsonObject) => StepOutput | Promise<StepOutput>;

export interface StepContext {
  projectDir: string;
  /** The pipeline file declaring the step, for messages. */
  file: string;
  logger: Logger;
  /**
   * The effect ledger in one scope of the pipeline (`dedupe:orders`), during a run. Absent when
   * steps are built to check a config or in `keel test`: a step then remembers in memory.
   */
  ledger?: (scope: string) => StepLedger;
}

/** A version of a record remembered under its key: its content hash, and its content where it was kept. */
export interface RememberedVersion {
  /** Undefined for entries from before content hashes were kept: the content is unknown. */
  hash: string | undefined;
  content: JsonObject | undefined;
  /** When it was remembered (ISO 8601). */
  at: string;
}

/**
 * The effect ledger as a step sees it. What a step remembers is committed with the batch and
 * forgotten when the batch is not (a crash), so a run after a crash decides the same way.
 */
export interface StepLedger {
  /** Dead letters are being replayed: a person sends these records again on purpose. */
  readonly replaying: boolean;
  /** What was remembered under `key`: committed before, or earlier in this batch. */
  recall(key: string): Promise<RememberedVersion | undefined>;
  remember(key: string, version: { hash: string; content: JsonObject | undefined }): void;
}

/** A problem a step finds offline in its config, at a path inside it. */
export interface StepProblem {
  path: (string | number)[];
  message: string;
}

export interface StepShape {
  /** The shape of the records the step passes on; undefined when it cannot be known. */
  output: RecordShape | undefined;
  problems: StepProblem[];
}

export interface StepDefinition<ConfigSchema extends TObject = TObject> {
  readonly name: string;
  readonly description: string;
  readonly configSchema: ConfigSchema;
  /** Builds the per-record function once per run; config errors thrown here stop the load. */
  create(config: Static<ConfigSchema>, ctx: StepContext): StepFunction | Promise<StepFunction>;
  /**
   * Offline, for `keel validate`: what the step makes of records of the `input` shape, and the
   * fields it names that such records cannot have (a filter on a misspelt field drops every
   * record). Without it the records after the step are of unknown shape.
   */
  shape?(config: Static<ConfigSchema>, input: RecordShape | undefined, ctx: StepContext): StepShape | Promise<StepShape>;
}

export function defineStep<ConfigSchema extends TObject>(step: StepDefinition<ConfigSchema>): StepDefinition<ConfigSchema> {
  return Object.freeze({ ...step });
}

export function isStepDefinition(value: unknown): value is StepDefinition {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<StepDefinition>;
  return typeof candidate.name === 'string' && typeof candidate.create === 'function' && typeof candidate.configSchema === 'object';
}
