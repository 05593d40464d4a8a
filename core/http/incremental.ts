/**
 * Incremental reads by an updated-at field that lose nothing and repeat nothing: the boundary and
 * the versions already passed on. Which pages to ask for, and when a page may move the boundary,
 * is decided in incremental-pages.ts.
 *
 * The boundary is a promise: every record updated before it has been read. It moves only to what
 * a read that cannot have missed anything reached (see `reach`), never to the newest record seen,
 * because records that change while pages are fetched shift the pages after them and a record can
 * slide onto a page already read. A record is passed on only when its (id, updated-at) pair is new,
 * so pages read again and records sharing the boundary timestamp are not repeated. Each run starts
 * a look-back window behind the boundary to catch records committed late with an older timestamp.
 */
import { Type, type Static } from '@sinclair/typebox';
import { DateTime } from 'luxon';
import type { Backfill } from '../sdk/connector.js';
import { isJsonObject, readPath, type JsonObject, type JsonValue } from '../json.js';

export const IncrementalSchema = Type.Object(
  {
    field: Type.String({ minLength: 1, description: 'the updated-at field of a record, e.g. updated_at or LastUpdateDate' }),
    param: Type.String({ minLength: 1, description: 'the query parameter for "updated at or after", e.g. updated_at_min' }),
    id: Type.Optional(Type.String({ minLength: 1, default: 'id', description: 'dotted path of the record id field' })),
    lookback_seconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 7 * 86_400, default: 300, description: 'read this far behind the saved boundary on each run' })),
    format: Type.Optional(
      Type.Union([Type.Literal('iso'), Type.Literal('unix'), Type.Literal('unix_ms')], {
        default: 'iso',
        description: 'how the parameter is written: ISO 8601, seconds or milliseconds since 1970',
      }),
    ),
    start: Type.Optional(Type.String({ description: 'boundary of the very first run (ISO 8601); default: everything' })),
    max_restarts_per_run: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 1000,
        default: 10,
        description: 'times a run reads again from the boundary when records shifted between page requests; beyond it the boundary stays put and the next run reads from there',
      }),
    ),
  },
  { additionalProperties: false },
);
export type Incremental = Static<typeof IncrementalSchema>;

/** Saved between runs and after every page: the boundary and the versions already passed on near it. */
export interface WalkCursor {
  since: number | undefined;
  seen: Record<string, number>;
}

/** Where a record sorts: its id and its updated-at time in epoch milliseconds. */
export interface Placed {
  key: string;
  at: number;
}

export class UpdatedAtWalk {
  readonly lookbackMs: number;
  /** The boundary this run started from; a run never saves less (its look-back covers what lies behind). */
  private readonly started: number | undefined;
  /** The newest time before which this run has read every record. */
  private reached: number | undefined;
  /**
   * Set when a record may have slid past the walk and could not be read again in this run: the
   * oldest time such a record can have (undefined: any time at all).
   */
  private holding: { at: number | undefined; restarts: number } | undefined;
  /** The time the current requests start from (-Infinity: from the beginning): pages read again return nothing older. */
  private readingFrom = Number.POSITIVE_INFINITY;
  private readonly seen: Map<string, number>;
  private readonly idPath: string[];
  private readonly fieldPath: string[];

  constructor(
    private readonly options: Incremental,
    cursor: JsonValue | undefined,
  ) {
    this.lookbackMs = (options.lookback_seconds ?? 300) * 1000;
    this.idPath = (options.id ?? 'id').split('.');
    this.fieldPath = options.field.split('.');
    const saved = parseCursor(cursor);
    const start = options.start !== undefined ? Date.parse(options.start) : undefined;
    this.started = saved.since ?? (start !== undefined && !Number.isNaN(start) ? start : undefined);
    this.reached = this.started;
    this.seen = new Map(Object.entries(saved.seen));
  }

  /** Every record updated before this time has been read (and passed on, unless it was known). */
  get boundary(): number | undefined {
    let reached = this.reached;
    if (this.holding !== undefined) reached = this.holding.at === undefined || reached === undefined ? undefined : Math.min(reached, this.holding.at);
    return this.started !== undefined && (reached === undefined || reached < this.started) ? this.started : reached;
  }

  /** Where a run's first request starts: the look-back window behind the boundary. */
  get runStart(): number | undefined {
    const boundary = this.boundary;
    return boundary === undefined ? undefined : boundary - this.lookbackMs;
  }

  /** Whether a record that slid past this run could not be read again, so the boundary is held back. */
  get held(): boolean {
    return this.holding !== undefined;
  }

  /**
   * The walk now asks for records updated at or after `from` (undefined: everything); until it
   * asks from elsewhere it may read them again, so the versions seen from there on are kept.
   */
  readFrom(from: number | undefined): void {
    this.readingFrom = from ?? Number.NEGATIVE_INFINITY;
  }

  /** Query parameters of a request for the records updated at or after `from` (everything when undefined). */
  query(from: number | undefined): Record<string, string> {
    return from === undefined ? {} : { [this.options.param]: this.format(from) };
  }

  /** Whether a request from `later` asks the API for something else than one from `earlier` (unix seconds round). */
  movesPast(earlier: number | undefined, later: number): boolean {
    return earlier === undefined || (later > earlier && this.format(later) !== this.format(earlier));
  }

  /** The record's id and updated-at time, or undefined when it lacks either. */
  place(record: JsonObject): Placed | undefined {
    const id = readPath(record, this.idPath);
    const stamp = readPath(record, this.fieldPath);
    const at = typeof stamp === 'string' ? Date.parse(stamp) : typeof stamp === 'number' ? stamp : Number.NaN;
    if ((typeof id !== 'string' && typeof id !== 'number') || Number.isNaN(at)) return undefined;
    return { key: String(id), at };
  }

  /** Passes on the records of one page that are new versions; returns them and the ones that cannot be placed. */
  take(records: readonly JsonObject[]): { fresh: JsonObject[]; unplaceable: { record: JsonObject; reason: string }[] } {
    const fresh: JsonObject[] = [];
    const unplaceable: { record: JsonObject; reason: string }[] = [];
    for (const record of records) {
      const placed = this.place(record);
      if (placed === undefined) {
        const id = readPath(record, this.idPath);
        unplaceable.push({
          record,
          reason: `record has no ${typeof id !== 'string' && typeof id !== 'number' ? `id (${this.idPath.join('.')})` : `readable ${this.options.field}`}, so incremental sync cannot place it`,
        });
        continue;
      }
      if (this.seen.get(placed.key) === placed.at) continue;
      this.seen.set(placed.key, placed.at);
      fresh.push(record);
    }
    return { fresh, unplaceable };
  }

  /** Every record updated before `at` has been read: the boundary may move there. */
  reach(at: number): void {
    if (this.reached === undefined || at > this.reached) this.reached = at;
    this.forgetOld();
  }

  /**
   * Records at or after `at` (undefined: at any time) may have slid past the walk and it may not
   * read again: the boundary stops there for this run, and the next run reads from it.
   */
  hold(at: number | undefined, restarts: number): void {
    const earlier = this.holding;
    const lowest = earlier === undefined ? at : earlier.at === undefined || at === undefined ? undefined : Math.min(earlier.at, at);
    this.holding = { at: lowest, restarts };
  }

  checkpoint(): JsonValue {
    // The next run reads from the look-back window behind the boundary: only versions from there on can come again.
    const boundary = this.boundary;
    const saved = [...this.seen].filter(([, at]) => boundary === undefined || at >= boundary - this.lookbackMs);
    const checkpoint: JsonObject = { since: boundary ?? null, seen: Object.fromEntries(saved) };
    // In the saved state too, not only in the log: it says why the boundary did not move.
    if (this.holding !== undefined) checkpoint['held'] = { at: this.holding.at ?? null, restarts: this.holding.restarts };
    return checkpoint;
  }

  /**
   * Forgets the versions that cannot be read again, so memory follows the look-back window and
   * not the run: those older than the window behind the boundary (where the next run starts) and
   * older than where the current requests start (pages this run reads again).
   */
  private forgetOld(): void {
    const boundary = this.boundary;
    if (boundary === undefined) return;
    const oldest = Math.min(boundary - this.lookbackMs, this.readingFrom);
    for (const [key, at] of this.seen) if (at < oldest) this.seen.delete(key);
  }

  private format(ms: number): string {
    switch (this.options.format ?? 'iso') {
      case 'unix':
        return String(Math.floor(ms / 1000));
      case 'unix_ms':
        return String(ms);
      case 'iso':
        return new Date(ms).toISOString();
    }
  }
}

function parseCursor(value: JsonValue | undefined): WalkCursor {
  if (!isJsonObject(value)) return { since: undefined, seen: {} };
  const since = typeof value['since'] === 'number' ? value['since'] : undefined;
  const seen: Record<string, number> = {};
  const raw = value['seen'];
  if (isJsonObject(raw)) for (const [key, at] of Object.entries(raw)) if (typeof at === 'number') seen[key] = at;
  return { since, seen };
}

/** An ISO 8601 time with an offset (or a date, taken as midnight UTC), as `Date.parse` would read it but strict. */
const WITH_OFFSET = /(?:Z|[+-]\d{2}(?::?\d{2})?)$/i;

/**
 * `keel state backfill` for a stream read by an updated-at walk: the boundary moves to the time
 * given and the versions remembered are forgotten, so the next run reads every record updated
 * from that time on (less the look-back window) and passes each on again.
 */
export const walkBackfill: Backfill<unknown> = {
  accepts: 'an ISO 8601 time with an offset (2024-05-01T00:00:00Z) or a date (2024-05-01, midnight UTC)',
  checkpointFrom(value) {
    const text = value.trim();
    const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(text);
    const parsed = DateTime.fromISO(text, { zone: 'utc' });
    if (!parsed.isValid) return { problem: `"${value}" is not an ISO 8601 time (${parsed.invalidExplanation ?? parsed.invalidReason ?? 'unreadable'})` };
    if (!dateOnly && !WITH_OFFSET.test(text)) return { problem: `"${value}" has no offset; add one (Z for UTC, or +02:00) so the time is not read in the wrong zone` };
    const checkpoint: WalkCursor & JsonObject = { since: parsed.toMillis(), seen: {} };
    return { checkpoint };
  },
};
