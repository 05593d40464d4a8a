import type { Static, TObject, TSchema } from '@sinclair/typebox';
import type { JsonObject, JsonValue } from '../json.js';
import type { Logger } from '../logger.js';
import type { RateLedger } from '../state/rate-ledger.js';
import type { ConnectionInbox } from '../state/webhook-inbox.js';
import type { Engines } from './engine.js';
import type { WebhookSpec } from './webhooks.js';

/**
 * What kind of system a connector talks to; shown by `keel connectors`. `engine` is a Keel
 * engine's own streams (inventory, routing); `generic` a transport (files, HTTP, SFTP).
 */
export type ConnectorKind = 'shop' | 'marketplace' | 'erp' | '3pl' | 'pos' | 'engine' | 'generic';
export const CONNECTOR_KINDS: readonly ConnectorKind[] = ['shop', 'marketplace', 'erp', '3pl', 'pos', 'engine', 'generic'];

/** The SDK major this build of Keel speaks; a connector declaring another one is refused at load. */
export const SDK_VERSION = 1;

/** One record as a source produced it; `at` is its line (or item number) in the page's unit. */
export interface SourceRecord {
  data: JsonObject;
  at?: number;
}

/** Input that could not be decoded into a record; it goes to the dead-letter queue with its raw text. */
export interface DecodeReject {
  raw: string;
  origin: string;
  reason: string;
  /** Line or item number in its unit, when known. */
  at?: number;
}

/**
 * A source yields pages: records in order, then the checkpoint to resume from after them.
 * The runner saves a checkpoint only once every record before it reached every target, and can
 * resume in the middle of a page by re-reading from the previous checkpoint and skipping.
 * Reading again from the same checkpoint must yield the same records in the same order.
 */
export interface SourcePage {
  /** What the records came from (a file name), for error messages: `orders.csv:17`. */
  unit?: string;
  /** Whether `at` counts lines (`orders.csv:17`) or items (`orders.json#17`). */
  positions?: 'line' | 'item';
  /** `unit` names a file (a file or SFTP source): the run lists it among the files it read (`keel runs show`). */
  unitIsFile?: boolean;
  records: SourceRecord[];
  rejects?: DecodeReject[];
  checkpoint?: JsonValue;
  /**
   * For a source that cannot replay: names what this page holds, so that two pages with the same
   * identity hold the same records. The runner then names batches by it rather than by hashing
   * every record's content. Give it only when it is true (a page built from a stored revision and
   * a timestamp its records carry, say); without it the content is hashed.
   */
  identity?: string;
  /** Runs after `checkpoint` is committed: e.g. moving a fully processed file to an archive folder. */
  afterCommit?: () => Promise<void>;
}

/** A small key-value store in the state store, private to one connection. */
export interface ConnectorState {
  get(key: string): Promise<JsonValue | undefined>;
  set(key: string, value: JsonValue): Promise<void>;
}

export type SyncMode = 'full' | 'incremental';

interface StreamContext<Config, Options> {
  config: Config;
  options: Options;
  connection: string;
  stream: string;
  logger: Logger;
  state: ConnectorState;
  /** Cancels work in flight: the run is aborted (a second Ctrl-C). */
  signal: AbortSignal;
  /** A stop was requested (SIGINT/SIGTERM): finish what is in flight, but start no retry and no wait. */
  stopping?: AbortSignal;
  /** Directory the project lives in: relative paths in config resolve against it. */
  projectDir: string;
  /** The project's engines, by definition: `ctx.engines.require(inventory, 'the inventory connector')`. */
  engines: Engines;
  /** `keel run --dry-run`: read and transform, but change nothing anywhere (no side effects in reads either). */
  dryRun?: boolean;
  /**
   * The request budgets of external accounts, in the project's state store, so that every process
   * of the project shares one budget per account: pass it on, `httpClientFor(ctx.config, { rates: ctx.rates })`.
   * The runner always gives it; a context built by hand (a test) may leave it out, and then each
   * process keeps its own budget.
   */
  rates?: RateLedger;
  /**
   * The webhook deliveries stored for this connection (a `webhooks` stream reads them). The runner
   * always gives it; a context built by hand (a test) may leave it out.
   */
  inbox?: ConnectionInbox;
}

export interface ReadContext<Config = unknown, Options = unknown> extends StreamContext<Config, Options> {
  /** The last committed checkpoint, or undefined on a first (or full) sync. */
  cursor: JsonValue | undefined;
  sync: SyncMode;
}

export interface WriteContext<Config = unknown, Options = unknown> extends StreamContext<Config, Options> {
  /** Deterministic key of this batch: the same records from the same source position get the same key. */
  batchKey: string;
  /** Batch counter per target, committed with the cursor: a re-run after a crash reuses the number. */
  sequence: number;
  /**
   * For a write capability with `perRecordProgress`: await this right before record `index` of the
   * batch leaves for the target. The runner notes the send in the state store first, so that a
   * record whose answer a crash cut off is known, and counted as re-sent when it goes out again.
   */
  sending?(index: number): Promise<void>;
  /**
   * For a write capability with `perRecordProgress`: record `index`'s result as soon as it is
   * known (write still returns every result). An accepted record enters the effect ledger with
   * the next group commit, milliseconds later, so a crash later in the batch does not send it again.
   */
  settled?(index: number, result: WriteResult): void;
  /** A target that writes files: call once a file is written whole, so the run lists it among the files it wrote (`keel runs show`). */
  wroteFile?(name: string, records: number): void;
}

/**
 * A record on its way to a target. `key` is its deterministic idempotency key: the record's key
 * for its first delivery, the key with a version suffix (`order-7#3f9a…`) when a changed version
 * of a record delivered before is sent (`on_change: send`), so an API that remembers keys takes
 * the update instead of answering with the first result.
 */
export interface WriteRecord {
  key: string;
  data: JsonObject;
}

/**
 * A label a target gives a record it accepted (`reserved`, `adjusted`): the run summary counts
 * them per label. Two have a meaning for the runner: `duplicate` (the target had it already) and
 * `stale` (the target holds a newer version) count as duplicates, not as written. A label is
 * lower-case letters, digits, `_` and `-`, at most 40 characters.
 */
export type WriteOutcome = 'duplicate' | 'stale' | (string & Record<never, never>);

/** Per-record outcome of a write. Expected failures are results, not exceptions. */
export type WriteResult =
  | { status: 'ok'; ref?: string; outcome?: WriteOutcome }
  | { status: 'retryable'; error: string; retryAfterMs?: number }
  | { status: 'permanent'; error: string; code?: string };

/**
 * What happens to a record whose key was delivered before with other content: `skip` drops it as
 * a duplicate, `send` delivers it again (an update), `dead_letter` holds it in the dead-letter
 * queue with a diff against what was delivered, for a person to replay (send) or discard.
 */
export type OnChange = 'skip' | 'send' | 'dead_letter';
export const ON_CHANGE: readonly OnChange[] = ['skip', 'send', 'dead_letter'];

/**
 * How a target avoids writing the same thing twice when a batch is retried or re-run:
 * - `record`: the target accepts a key per record (an Idempotency-Key header, an upsert by id);
 *   the runner keeps a ledger entry per record key.
 * - `batch`: the target writes each batch as one unit under a deterministic name (a file);
 *   the runner keeps a ledger entry per batch key.
 * - `none`: the target cannot deduplicate; pipelines must opt in to at-least-once delivery.
 */
export type IdempotencyScope = 'record' | 'batch' | 'none';

export interface ReadCapability<Config, OptionsSchema extends TSchema> {
  options?: OptionsSchema;
  /** Incremental sync needs a cursor; a non-monotonic one could skip records and is refused. */
  incremental?: { cursor: string; monotonic: boolean };
  /**
   * Whether reading again from a checkpoint yields the same records in the same order (files do;
   * a live API does not). When false, a run resuming inside a page re-reads it whole and relies
   * on the effect ledger to drop what was delivered, instead of skipping a count of records.
   */
  replayable?: boolean;
  /** The records' fields when they are fixed (a JSON Schema with additionalProperties: false): lets `keel validate` check the steps' field names. */
  recordSchema?: TSchema;
  /** Offline checks of the options beyond their schema (paths that leave the root, settings a sync mode needs). */
  check?(options: Static<OptionsSchema>, ctx: { sync: SyncMode }): OptionProblem[];
  /**
   * For `keel state backfill`: the checkpoint from which an incremental read starts at the value a
   * person gave (an ISO 8601 time for a stream read by updated-at). A value the stream cannot
   * start from is a problem, not an exception. Without it the stream cannot be backfilled.
   */
  backfill?: Backfill<Static<OptionsSchema>>;
  read(ctx: ReadContext<Config, Static<OptionsSchema>>): AsyncIterable<SourcePage>;
}

/** What a backfill value comes to: the checkpoint to start from, or why the value does not do. */
export type BackfillResult = { checkpoint: JsonValue } | { problem: string };

export interface Backfill<Options> {
  /** What a value is, for help and errors: "an ISO 8601 time (2024-05-01T00:00:00Z)". */
  accepts: string;
  checkpointFrom(value: string, options: Options): BackfillResult;
}

/** A problem in a stream's options found offline: where in the options, and what to do. */
export interface OptionProblem {
  path: (string | number)[];
  message: string;
}

export interface WriteCapability<Config, OptionsSchema extends TSchema> {
  options?: OptionsSchema;
  /** Fixed, or decided by the target's options (an API with or without an idempotency header). */
  idempotency: IdempotencyScope | ((options: Static<OptionsSchema>) => IdempotencyScope);
  /**
   * What a changed version of a record delivered before does when the pipeline's target does not
   * say (`on_change:`); default `dead_letter`. A stream that updates by key (an API taking PUT by
   * id) declares `send`.
   */
  onChange?: OnChange | ((options: Static<OptionsSchema>) => OnChange);
  /**
   * The write calls `ctx.sending` and `ctx.settled` for each record (an API sending records one
   * by one): accepted records are recorded as their answers arrive, so a crash sends again only
   * what was in flight. Without it a crash sends the whole uncommitted batch again, and counts it.
   */
  perRecordProgress?: boolean;
  deletes?: boolean;
  /** Offline checks of the options beyond their schema. */
  check?(options: Static<OptionsSchema>): OptionProblem[];
  write(ctx: WriteContext<Config, Static<OptionsSchema>>, batch: WriteRecord[]): Promise<WriteResult[]>;
}

/**
 * How far a stream can be relied on, shown by `keel connectors`: `stable` keeps its options and
 * behaviour within an SDK major; `beta` works and is tested, but its options may still change;
 * `experimental` may change or go away.
 */
export type StreamStatus = 'stable' | 'beta' | 'experimental';
export const STREAM_STATUSES: readonly StreamStatus[] = ['stable', 'beta', 'experimental'];

/**
 * A use of a stream as a pipeline writes it: YAML holding the `source:` or `targets:` that use the
 * stream and the `connections:` they name (other parts of a pipeline, such as `steps:`, may come
 * along). A test loads every built-in stream's examples as pipelines, so they cannot drift.
 */
export interface StreamExample {
  /** What the example does, in a few words: "Read JSON exports and archive each file". */
  title: string;
  /** A sentence or two on when to use it, if the title does not say enough. */
  summary?: string;
  yaml: string;
}

export interface StreamDefinition<Config = unknown> {
  description?: string;
  /** Fields that identify a record; the default idempotency key of records from this stream. */
  primaryKey?: string[];
  status?: StreamStatus;
  examples?: readonly StreamExample[];
  // Options schemas vary per stream; they are checked against the pipeline at load time.
  read?: ReadCapability<Config, TSchema>;
  write?: WriteCapability<Config, TSchema>;
}

export interface ConnectorDefinition<ConfigSchema extends TObject = TObject> {
  readonly name: string;
  readonly kind: ConnectorKind;
  readonly description?: string;
  readonly sdkVersion: number;
  readonly configSchema: ConfigSchema;
  readonly streams: Readonly<Record<string, StreamDefinition<Static<ConfigSchema>>>>;
  /** How the vendor signs its webhook deliveries, for connectors that take them (see webhooks.ts). */
  readonly webhooks?: WebhookSpec<Static<ConfigSchema>>;
}

export interface ConnectorInput<ConfigSchema extends TObject> {
  name: string;
  kind: ConnectorKind;
  description?: string;
  configSchema: ConfigSchema;
  streams: Record<string, StreamDefinition<Static<ConfigSchema>>>;
  webhooks?: WebhookSpec<Static<ConfigSchema>>;
}

const NAME_PATTERN = /^[a-z][a-z0-9-]*$/;

/** Declares a connector. Partners default-export the result from their `keel-connector-*` package. */
export function defineConnector<ConfigSchema extends TObject>(
  input: ConnectorInput<ConfigSchema>,
): ConnectorDefinition<ConfigSchema> {
  if (!NAME_PATTERN.test(input.name)) {
    throw new TypeError(`connector name "${input.name}" must be lower-case letters, digits and dashes`);
  }
  for (const [streamName, stream] of Object.entries(input.streams)) {
    if (stream.read === undefined && stream.write === undefined) {
      throw new TypeError(`connector "${input.name}": stream "${streamName}" can neither read nor write`);
    }
    if (stream.status !== undefined && !STREAM_STATUSES.includes(stream.status)) {
      throw new TypeError(`connector "${input.name}": stream "${streamName}" has status "${String(stream.status)}"; use ${STREAM_STATUSES.join(', ')}`);
    }
    for (const [index, example] of (stream.examples ?? []).entries()) {
      if (typeof example.title !== 'string' || example.title.trim() === '' || typeof example.yaml !== 'string' || example.yaml.trim() === '') {
        throw new TypeError(`connector "${input.name}": example ${index + 1} of stream "${streamName}" needs a title and yaml`);
      }
    }
  }
  return Object.freeze({ ...input, sdkVersion: SDK_VERSION });
}

/** Declares a stream with typed options; a helper so `read`/`write` see their option types. */
export function defineStream<Config, ReadOptions extends TSchema, WriteOptions extends TSchema>(stream: {
  description?: string;
  primaryKey?: string[];
  status?: StreamStatus;
  examples?: readonly StreamExample[];
  read?: ReadCapability<Config, ReadOptions>;
  write?: WriteCapability<Config, WriteOptions>;
}): StreamDefinition<Config> {
  return stream as StreamDefinition<Config>;
}

export function isConnectorDefinition(value: unknown): value is ConnectorDefinition {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<ConnectorDefinition>;
  return (
    typeof candidate.name === 'string' &&
    typeof candidate.sdkVersion === 'number' &&
    typeof candidate.streams === 'object' &&
    typeof candidate.configSchema === 'object'
  );
}
