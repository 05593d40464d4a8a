/**
 * One error taxonomy for all of Keel, grouped by what the caller should do about it.
 * Every error carries a stable code, the stage it happened in, a message for the user and
 * optional detail for the log. None of them may carry a secret: messages pass through the
 * run's redactor before they are logged or stored.
 */
export type ErrorKind =
  | 'config' // fix the configuration, then run again
  | 'auth' // credentials rejected: fix them, then run again
  | 'transient' // retry with backoff
  | 'rate_limited' // retry after `retryAfterMs`
  | 'record' // this record is bad: dead-letter it and go on
  | 'fatal'; // stop the run

export interface KeelErrorOptions {
  code: string;
  stage?: string;
  detail?: string;
  retryAfterMs?: number;
  cause?: unknown;
}

export class KeelError extends Error {
  readonly kind: ErrorKind;
  readonly code: string;
  readonly stage: string | undefined;
  readonly detail: string | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(kind: ErrorKind, message: string, options: KeelErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KeelError';
    this.kind = kind;
    this.code = options.code;
    this.stage = options.stage;
    this.detail = options.detail;
    this.retryAfterMs = options.retryAfterMs;
  }

  get retryable(): boolean {
    return this.kind === 'transient' || this.kind === 'rate_limited';
  }
}

export interface RecordRejectionOptions {
  /** The field (a dotted path) that is wrong, when one is: `sku`, `lines.0.quantity`. */
  field?: string;
  /** What to do about it, said after the reason: `add it to the catalog or fix the source`. */
  hint?: string;
  stage?: string;
  detail?: string;
  cause?: unknown;
}

/**
 * This record cannot be processed: it goes to the dead-letter queue and the run goes on. The one
 * record error of Keel: a step returns it, a service (the ledger, routing, the HTTP client)
 * returns or throws it, a target turns it into a `permanent` result (see `writeResultFor`).
 * Its message is the reason, then the hint: `unknown SKU "X": it is not in the catalog; add it
 * there or fix the source`. The code is stable and what tools match on; the message may improve.
 */
export class RecordRejection extends KeelError {
  readonly field: string | undefined;
  readonly hint: string | undefined;

  constructor(reason: string, code: string = 'record_rejected', options: RecordRejectionOptions = {}) {
    // A verdict on data, not a fault in code: no stack trace. Capturing one costs microseconds,
    // ten times the rest of making a rejection, in a feed that may reject a million rows.
    const stackTraceLimit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    const { hint } = options;
    super('record', hint === undefined ? reason : `${reason}; ${hint}`, { code, stage: options.stage, detail: options.detail, cause: options.cause });
    Error.stackTraceLimit = stackTraceLimit;
    this.name = 'RecordRejection';
    this.field = options.field;
    this.hint = hint;
  }

  /** The message under the name steps have always read: what dead letters show. */
  get reason(): string {
    return this.message;
  }
}

/** A position in a configuration file, 1-based like editors show it. */
export interface SourcePosition {
  file: string;
  line: number;
  col: number;
}

export interface ConfigProblem extends SourcePosition {
  message: string;
}

/** All problems found in a configuration, reported together so one `keel validate` shows them all. */
export class ConfigError extends KeelError {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    super('config', problems.map(formatProblem).join('\n'), { code: 'config_invalid', stage: 'load' });
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export function formatProblem(problem: ConfigProblem): string {
  return `${problem.file}:${problem.line}:${problem.col}: ${problem.message}`;
}

export function isKeelError(value: unknown): value is KeelError {
  return value instanceof KeelError;
}

/** Turns anything thrown into a KeelError, keeping KeelErrors as they are. */
export function toKeelError(error: unknown, stage: string, kind: ErrorKind = 'fatal'): KeelError {
  if (error instanceof KeelError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new KeelError(kind, message, { code: 'unexpected', stage, cause: error });
}
