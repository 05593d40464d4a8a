/**
 * The page loop of an incremental read: which page to ask for next, and when a page may move the
 * boundary, for every pagination style alike.
 *
 * The rule: the boundary may move to the newest time on a page only if no record older than that
 * can be hiding on a page already read. Records that change while pages are fetched get a new
 * updated-at and leave their place; every record behind them moves up, and one at the top of the
 * next page slides onto the page just read, never to be sent. Page numbers and offsets shift like
 * that, and so do Link headers and cursors that carry them (WooCommerce's `Link: <…?page=3>`). So:
 *
 * - The first page of a request from a boundary is one answer of the API: every record from the
 *   boundary up to the newest on that page was on it. The walk asks for the first page again, from
 *   that newest time, instead of following the API's next page; records on that very time are
 *   asked for again and dropped as known.
 * - Only when a page holds nothing but one time (more records share it than fit a page) does the
 *   walk follow the API's next page, and then it reads the page before again: if that page is
 *   unchanged, nothing left it meanwhile and nothing slid past. If it changed, the walk restarts
 *   from the newest time on that page, which a record that slid past cannot be older than.
 * - A run ends on a request that saw the end of the result set, so that every version that
 *   existed when it finished was read: when the last page was reached by following, and the page
 *   before was read after it, the walk asks from the newest time read, or (when that is still the
 *   shared time) for the last page again until it comes back unchanged.
 * - Restarts (reading again because pages shifted, or because the last page changed again) are
 *   bounded per run by `max_restarts_per_run`, so a collection that never stops changing cannot
 *   keep the walk going. Beyond the bound the walk reads on to the end without reading pages
 *   again, but the boundary is held where a record could have slid past: the next run reads from
 *   there again, the log says so with a warning and the checkpoint with `held`.
 *
 * The boundary moves after every page that passes these checks, not only at the end of the result
 * set, so a crash costs little and the versions remembered stay those of the look-back window. A
 * page position (page number, offset, cursor) is never checkpointed: after a crash it may point
 * elsewhere, and a cursor may have expired. The next run starts from the boundary instead and drops
 * the versions it already passed on.
 */
import { MAX_RAW_CHARS } from '../codecs/limits.js';
import { stringifyBounded, type JsonObject, type JsonValue } from '../json.js';
import type { DecodeReject, SourcePage } from '../sdk/connector.js';
import type { Logger } from '../logger.js';
import type { HttpResponse } from './http-client.js';
import type { UpdatedAtWalk } from './incremental.js';
import type { PageRequest, Pager } from './pagination.js';

/** Restarts per run when none are configured: a few changes during one long run of a shared time. */
export const DEFAULT_MAX_RESTARTS = 10;

export interface FetchedPage {
  /** The page's records that could be read, in the order the API sent them. */
  records: readonly JsonObject[];
  /** Every item on the page, those refused included: pagers decide from it whether a page was the last. */
  count: number;
  response: HttpResponse;
}

export interface IncrementalStep<Page extends FetchedPage> {
  page: Page;
  /** The page's records that are new versions. */
  fresh: JsonObject[];
  unplaceable: { record: JsonObject; reason: string }[];
  /** Safe to commit once `fresh` is delivered. */
  checkpoint: JsonValue;
}

export interface IncrementalPagesOptions {
  maxRestarts: number;
  signal: AbortSignal;
  logger: Logger;
}

/** A page read while following the API's next page, kept to read it again after the next one. */
interface Followed {
  request: PageRequest;
  signature: string;
  /** The newest time on it (or before it): a record that slid past it sorts after it. */
  newest: number | undefined;
}

export async function* walkIncrementalPages<Page extends FetchedPage>(
  walk: UpdatedAtWalk,
  pager: Pager,
  base: PageRequest,
  fetch: (request: PageRequest) => Promise<Page>,
  options: IncrementalPagesOptions,
): AsyncGenerator<IncrementalStep<Page>> {
  const firstPage = (from: number | undefined): PageRequest => {
    walk.readFrom(from);
    return pager.first({ path: base.path, query: { ...base.query, ...walk.query(from) } });
  };
  let from = walk.runStart;
  let request: PageRequest | undefined = firstPage(from);
  let before: Followed | undefined;
  // The newest time on the first page of the pages being followed: a request from there would follow them again.
  let followedFrom: number | undefined;
  // What the last page held, when it is asked for again to see that nothing changed meanwhile.
  let ending: string | undefined;
  let restarts = 0;
  while (request !== undefined && !options.signal.aborted) {
    const current: PageRequest = request;
    const confirming = ending;
    request = undefined;
    ending = undefined;
    const page = await fetch(current);
    const { fresh, unplaceable } = walk.take(page.records);
    const newest = newestOn(walk, page.records);
    const next = pager.next(current, page.response, page.count);
    const seen = signature(walk, page);
    if (confirming === seen && next === undefined) {
      yield { page, fresh, unplaceable, checkpoint: walk.checkpoint() };
      return; // nothing changed since the end was read: the run has read it all
    }
    // Following the API's next page: read the page before again, once the boundary is not held.
    const again = before !== undefined && !walk.held ? signature(walk, await fetch(before.request)) : undefined;
    if (before !== undefined && again !== undefined && again !== before.signature) {
      // Records left the page before (or arrived on it) between the requests: what slid past it sorts after its newest time.
      const slidFrom = before.newest;
      before = undefined;
      if (restarts < options.maxRestarts) {
        restarts += 1;
        options.logger.info('records changed between page requests and pages shifted: reading again from the newest time on the page before', {
          path: base.path,
          from: isoOrEverything(slidFrom),
          restart: restarts,
        });
        from = slidFrom;
        request = firstPage(from);
      } else {
        walk.hold(slidFrom, restarts);
        if (newest !== undefined) walk.reach(newest);
        options.logger.warn(
          `records kept changing while ${base.path} was paged (${restarts} restarts): reading on without reading pages again; the boundary stays at ${isoOrEverything(walk.boundary)} and the next run reads from there again`,
          { path: base.path, held_at: isoOrEverything(slidFrom), restarts },
        );
        request = next;
      }
    } else {
      if (newest !== undefined) walk.reach(newest);
      const latest = newest ?? before?.newest ?? from;
      if (next !== undefined && newest !== undefined && walk.movesPast(from, newest) && !onlyAt(walk, page.records, newest)) {
        from = newest;
        before = undefined;
        request = firstPage(from);
      } else if (next !== undefined) {
        // More records share one time than fit a page: only the API's next page gets past them.
        if (before === undefined) followedFrom = latest;
        before = { request: current, signature: seen, newest: latest };
        request = next;
      } else if (again !== undefined && latest !== undefined && walk.movesPast(followedFrom ?? from, latest)) {
        // The end, but a page was read after it: what changed meanwhile is newer than anything read.
        from = latest;
        before = undefined;
        request = firstPage(from);
      } else if (again !== undefined && (confirming === undefined || restarts < options.maxRestarts)) {
        // The end, inside one time shared by more records than fit a page: ask for the last page
        // again, so that the run ends on a request that saw the end of the result set. (When the
        // last page is empty, a record of that time changed meanwhile moves to the end of the page
        // before, unseen; its new time is past the boundary, so the next run reads it.)
        if (confirming !== undefined) restarts += 1;
        ending = seen;
        request = current;
      }
    }
    yield { page, fresh, unplaceable, checkpoint: walk.checkpoint() };
  }
}

/** What a page holds, to tell whether it changed: every record's id and time, in order, and the count. */
function signature(walk: UpdatedAtWalk, page: FetchedPage): string {
  return JSON.stringify([page.count, page.records.map((record) => {
    const placed = walk.place(record);
    return placed === undefined ? null : `${placed.key}@${placed.at}`;
  })]);
}

function newestOn(walk: UpdatedAtWalk, records: readonly JsonObject[]): number | undefined {
  let newest: number | undefined;
  for (const record of records) {
    const at = walk.place(record)?.at;
    if (at !== undefined && (newest === undefined || at > newest)) newest = at;
  }
  return newest;
}

/** Whether every record on the page that can be placed is at `at`: a request from `at` would get the same page. */
function onlyAt(walk: UpdatedAtWalk, records: readonly JsonObject[], at: number): boolean {
  return records.every((record) => {
    const placed = walk.place(record);
    return placed === undefined || placed.at === at;
  });
}

function isoOrEverything(at: number | undefined): string {
  return at === undefined ? 'the beginning' : new Date(at).toISOString();
}

/**
 * A walk's steps as a source's pages: the fresh records, and as rejects what the page refused to
 * decode and the records the walk could not place (no id, no updated-at), each with its reason.
 */
export async function* walkSourcePages<Page extends FetchedPage & { refused?: DecodeReject[] }>(steps: AsyncIterable<IncrementalStep<Page>>): AsyncGenerator<SourcePage> {
  for await (const { page, fresh, unplaceable, checkpoint } of steps) {
    const origin = page.response.label;
    yield {
      unit: origin,
      positions: 'item',
      records: fresh.map((data) => ({ data })),
      rejects: [...(page.refused ?? []), ...unplaceable.map(({ record, reason }) => ({ raw: stringifyBounded(record, MAX_RAW_CHARS), origin, reason }))],
      checkpoint,
    };
  }
}
