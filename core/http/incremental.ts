/**
 * Incremental reads by an updated-at field that lose nothing and repeat nothing.
 *
 * The walk asks for records updated at or after a boundary, sorted by that field, and moves the
 * boundary to the newest record of each page. Records sharing the boundary timestamp, or
 * updated while pages are being fetched, are therefore asked for again rather than skipped,
 * and a record is passed on only when its (id, updated-at) pair is new. A look-back window at
 * the start of each run also catches records committed late with an older timestamp.
 */
import { Type, type Static } from '@sinclair/typebox';
import { isJsonObject, readPath, type JsonObject, type JsonValue } from '../json.js';

export const IncrementalSchema = Type.Object(
  {
    field: Type.String({ minLength: 1, description: 'the updated-at field of a record, e.g. updated_at or LastUpdateDate' }),
    param: Type.String({ minLength: 1, description: 'the query parameter for "updated at or after", e.g. updated_at_min' }),
    id: Type.Optional(Type.String({ minLength: 1, description: 'the record id field (default id)' })),
    lookback_seconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 7 * 86_400, description: 'read this far behind the saved boundary on each run (default 300)' })),
    format: Type.Optional(Type.Union([Type.Literal('iso'), Type.Literal('unix'), Type.Literal('unix_ms')], { description: 'how the parameter is written (default iso)' })),
    start: Type.Optional(Type.String({ description: 'boundary of the very first run (ISO 8601); default: everything' })),
  },
  { additionalProperties: false },
);
export type Incremental = Static<typeof IncrementalSchema>;

/** Saved between runs and after every page: the boundary and the versions already passed on near it. */
export interface WalkCursor {
  since: number | undefined;
  seen: Record<string, number>;
}

export class UpdatedAtWalk {
  readonly lookbackMs: number;
  private since: number | undefined;
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
    this.since = saved.since ?? (start !== undefined && !Number.isNaN(start) ? start : undefined);
    this.seen = new Map(Object.entries(saved.seen));
  }

  /** Query parameters of a request from the boundary; with the look-back on a run's first request. */
  query(withLookback: boolean): Record<string, string> {
    if (this.since === undefined) return {};
    return { [this.options.param]: this.format(withLookback ? this.since - this.lookbackMs : this.since) };
  }

  get boundary(): number | undefined {
    return this.since;
  }

  /**
   * Passes on the records of one page that are new versions; returns them and the ones that
   * cannot be placed (no id or no readable timestamp), and moves the boundary.
   */
  take(records: readonly JsonObject[]): { fresh: JsonObject[]; unplaceable: { record: JsonObject; reason: string }[] } {
    const fresh: JsonObject[] = [];
    const unplaceable: { record: JsonObject; reason: string }[] = [];
    let newest = this.since;
    for (const record of records) {
      const id = readPath(record, this.idPath);
      const stamp = readPath(record, this.fieldPath);
      const at = typeof stamp === 'string' ? Date.parse(stamp) : typeof stamp === 'number' ? stamp : Number.NaN;
      if ((typeof id !== 'string' && typeof id !== 'number') || Number.isNaN(at)) {
        unplaceable.push({
          record,
          reason: `record has no ${typeof id !== 'string' && typeof id !== 'number' ? `id (${this.idPath.join('.')})` : `readable ${this.options.field}`}, so incremental sync cannot place it`,
        });
        continue;
      }
      const key = String(id);
      if (this.seen.get(key) === at) continue;
      this.seen.set(key, at);
      fresh.push(record);
      if (newest === undefined || at > newest) newest = at;
    }
    this.since = newest;
    if (newest !== undefined) {
      // Only versions inside the look-back window can come back; forget the rest.
      for (const [key, at] of this.seen) if (at < newest - this.lookbackMs) this.seen.delete(key);
    }
    return { fresh, unplaceable };
  }

  checkpoint(): JsonValue {
    return { since: this.since ?? null, seen: Object.fromEntries(this.seen) };
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
