import type { JsonObject, JsonValue } from '../json.js';
import type { Engines } from '../sdk/engine.js';
import type { ConnectionInbox } from '../state/webhook-inbox.js';

export type Awaitable<T> = T | Promise<T>;

/**
 * What `setup` opened for one check: the connection's config (secrets as plain values, as they
 * are once `${env:…}` is resolved), and whatever the fixtures' hooks need, such as an emulator.
 */
export interface OpenedFixture<Config> {
  config: Config;
  /** The folder relative paths in the config resolve against; default: an empty temporary folder, removed after the check. */
  projectDir?: string;
  /** Stops what setup started; runs after every check, passed or failed. */
  teardown?(): Awaitable<void>;
  /** For a `webhooks` stream: the connection's stored deliveries, as `keel run` hands them to it (a state store's inbox, seeded by setup). */
  inbox?: ConnectionInbox;
  /** For an engine connector: the project's engines, as `openProject` opens them (close them in teardown); default: none. */
  engines?: Engines;
}

/**
 * How to run a connector's shared checks: `setup` opens a fresh external system for each check
 * (an emulator on 127.0.0.1, a temporary folder), and each stream says, per capability it
 * declares, which options to use and how to seed, change, observe and break that system.
 */
export interface ConformanceSpec<Config, Opened extends OpenedFixture<Config> = OpenedFixture<Config>> {
  setup(): Awaitable<Opened>;
  /** One entry per stream of the connector, with a fixture for each capability it declares. */
  streams: Readonly<Record<string, StreamFixture<Opened>>>;
  /** Records one read may yield before the kit calls it endless (default 10,000). */
  maxRecords?: number;
}

export interface StreamFixture<Opened> {
  read?: ReadFixture<Opened>;
  write?: WriteFixture<Opened>;
}

/** Options the schema must refuse, and a part of the message that must say why. */
export interface InvalidOptions {
  options: JsonObject;
  message: string;
}

/** Makes the external system fail, in a way each check then expects to see classified. */
export interface Failures<Opened> {
  /** Fails for now (a 503, a 429, a dropped connection): a retry may succeed. Expected: retryable. */
  retryable?(opened: Opened): Awaitable<void>;
  /** Fails for good (credentials refused, a resource that does not exist): expected to stop or be permanent. */
  permanent?(opened: Opened): Awaitable<void>;
}

export interface ReadFixture<Opened> {
  /** The source options a pipeline would give (`source.options`). */
  options?: JsonObject;
  invalidOptions?: readonly InvalidOptions[];
  /**
   * Needed when the stream declares `incremental`. The data `setup` seeds must hold several
   * records per cursor value, straddling a page boundary (a small page size in `options`).
   */
  incremental?: {
    /** What the source orders records by (their updated-at): records with equal values share a cursor value. */
    cursorOf?(record: JsonObject): JsonValue;
    /** Instead of cursorOf, for a cursor no two records can share (an event's number in an inbox): why; the check of shared values is then skipped, saying so. */
    uniqueCursor?: string;
    /**
     * Adds a record at `cursor`, the cursor value of `last`, the last record read (undefined with
     * `uniqueCursor`): the next read from the last checkpoint must return it.
     */
    addAt(opened: Opened, cursor: JsonValue | undefined, last: JsonObject): Awaitable<void>;
  };
  failures?: Failures<Opened>;
}

export interface WriteFixture<Opened> {
  /** The target options a pipeline would give (`targets[].options`). */
  options?: JsonObject;
  invalidOptions?: readonly InvalidOptions[];
  /** A batch the target accepts whole: every result must be ok. */
  records: readonly JsonObject[] | ((opened: Opened) => readonly JsonObject[]);
  /** What the target holds, as JSON: it must change with the batch, and not change when the batch comes again. */
  state(opened: Opened): Awaitable<unknown>;
  /** A record the target refuses for good: written after `records`, its result must be permanent. */
  rejected?: JsonObject;
  failures?: Failures<Opened>;
}
