import type { Static, TObject } from '@sinclair/typebox';
import type { JsonObject } from '../json.js';
import type { Logger } from '../logger.js';

/** Returned by a step to drop a record on purpose (a filter): not an error, counted as skipped. */
export const DROP: unique symbol = Symbol('keel.drop');

/** Returned by a step for a record it cannot process: the record goes to the dead-letter queue. */
export class RecordRejection {
  constructor(
    readonly reason: string,
    readonly code: string = 'record_rejected',
  ) {}
}

/** One record out, several (a mapping with `for_each` turns an order into its lines), none, or a rejection. */
export type StepOutput = JsonObject | JsonObject[] | typeof DROP | RecordRejection;
export type StepFunction = (record: JsonObject) => StepOutput | Promise<StepOutput>;

export interface StepContext {
  projectDir: string;
  /** The pipeline file declaring the step, for messages. */
  file: string;
  logger: Logger;
}

export interface StepDefinition<ConfigSchema extends TObject = TObject> {
  readonly name: string;
  readonly description: string;
  readonly configSchema: ConfigSchema;
  /** Builds the per-record function once per run; config errors thrown here stop the load. */
  create(config: Static<ConfigSchema>, ctx: StepContext): StepFunction | Promise<StepFunction>;
}

export function defineStep<ConfigSchema extends TObject>(step: StepDefinition<ConfigSchema>): StepDefinition<ConfigSchema> {
  return Object.freeze({ ...step });
}

export function isStepDefinition(value: unknown): value is StepDefinition {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<StepDefinition>;
  return typeof candidate.name === 'string' && typeof candidate.create === 'function' && typeof candidate.configSchema === 'object';
}
