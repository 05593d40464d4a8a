import { describe, expect, it } from 'vitest';
import type { JsonObject, JsonValue } from '../json.js';
import { createLogger } from '../logger.js';
import { Redactor } from '../redact.js';
import { UpdatedAtWalk } from './incremental.js';
import { walkIncrementalPages, type FetchedPage } from './incremental-pages.js';
import { pagerFor, type PageRequest } from './pagination.js';

const PAGE = 3;
const T0 = Date.parse('2026-03-01T00:00:00Z');
const at = (seconds: number): number => T0 + seconds * 1000;

/**
 * An API in memory that pages by number, sorted by (updated_at, id) like a shop, and calls
 * `beforeRequest` before it answers: the test changes records there, between two page requests.
 */
class PagedApi {
  readonly requests: string[] = [];
  beforeRequest: ((api: PagedApi, request: PageRequest) => void) | undefined;
  constructor(readonly records: Map<number, number>) {}

  update(id: number, seconds: number): void {
    this.records.set(id, at(seconds));
  }

  readonly fetch = (request: PageRequest): Promise<FetchedPage> => {
    this.beforeRequest?.(this, request);
    const min = request.query['updated_at_min'];
    const page = Number(request.query['page']);
    this.requests.push(`${min === undefined ? '-' : (Date.parse(String(min)) - T0) / 1000}#${page}`);
    const sorted = [...this.records]
      .filter(([, stamp]) => min === undefined || stamp >= Date.parse(String(min)))
      .sort(([a, x], [b, y]) => x - y || a - b);
    const records: JsonObject[] = sorted.slice((page - 1) * PAGE, page * PAGE).map(([id, stamp]) => ({ id, updated_at: new Date(stamp).toISOString() }));
    return Promise.resolve({ records, count: records.length, response: { status: 200, header: () => undefined, data: records, label: 'GET /orders' } });
  };
}

/** One run: every version passed on, the last checkpoint, and the warnings logged. */
async function run(api: PagedApi, cursor: JsonValue | undefined, maxRestarts = 10): Promise<{ delivered: string[]; checkpoint: JsonValue | undefined; warnings: string[] }> {
  const warnings: string[] = [];
  const logger = createLogger({ level: 'warn', format: 'json', redactor: new Redactor(), write: (line) => warnings.push(line) });
  const walk = new UpdatedAtWalk({ field: 'updated_at', param: 'updated_at_min', lookback_seconds: 60 }, cursor);
  const pager = pagerFor({ type: 'page', size: PAGE });
  const delivered: string[] = [];
  let checkpoint = cursor;
  for await (const step of walkIncrementalPages(walk, pager, { path: '/orders', query: {} }, api.fetch, { maxRestarts, signal: new AbortController().signal, logger })) {
    for (const record of step.fresh) delivered.push(`${String(record['id'])}@${(Date.parse(String(record['updated_at'])) - T0) / 1000}`);
    checkpoint = step.checkpoint;
  }
  return { delivered, checkpoint, warnings };
}

/** Records 1..count, `perSecond` of them on each second from T0. */
function records(count: number, perSecond = 1): Map<number, number> {
  return new Map(Array.from({ length: count }, (_, index) => [index + 1, at(Math.floor(index / perSecond))]));
}

describe('walkIncrementalPages', () => {
  it('asks for the first page again from the newest time on each page instead of following page numbers', async () => {
    const api = new PagedApi(records(7));
    const { delivered } = await run(api, undefined);
    expect(delivered).toEqual(['1@0', '2@1', '3@2', '4@3', '5@4', '6@5', '7@6']);
    // Each page starts where the one before ended; the record on that time is asked for again.
    expect(api.requests).toEqual(['-#1', '2#1', '4#1', '6#1']);
  });

  it('follows page numbers through one time shared by more records than fit a page, reading the page before again', async () => {
    const api = new PagedApi(records(7, 7));
    const { delivered, checkpoint } = await run(api, undefined);
    expect(delivered).toHaveLength(7);
    // Page 2, page 1 again (unchanged), page 3, page 2 again, then page 3 once more: the run ends on a request that saw the end.
    expect(api.requests).toEqual(['-#1', '-#2', '-#1', '-#3', '-#2', '-#3']);
    expect(checkpoint).toMatchObject({ since: at(0) });
  });

  it('reads again from the newest time on the page before when it changed, so a record that slid onto it is not skipped', async () => {
    // Six records on second 0 fill two pages; record 7 is on second 10. Before page 3 is asked
    // for, record 1 changes: record 7 slides onto page 2, already read, and page 3 holds only record 1.
    const api = new PagedApi(new Map([...records(6, 6), [7, at(10)]]));
    api.beforeRequest = (self, request) => {
      if (request.query['page'] !== 3) return;
      self.beforeRequest = undefined;
      self.update(1, 20);
    };
    const { delivered, checkpoint } = await run(api, undefined);
    expect(delivered).toContain('7@10');
    expect(delivered).toContain('1@20');
    expect(checkpoint).toMatchObject({ since: at(20) });
    expect(checkpoint).not.toHaveProperty('held');
  });

  it('holds the boundary after max_restarts_per_run restarts and reads on to the end, saying so in the log and the checkpoint', async () => {
    // Thirty records on second 0; before every request the oldest of them changes, so every page read again differs.
    const api = new PagedApi(records(30, 30));
    let clock = 100;
    api.beforeRequest = (self) => {
      const oldest = [...self.records].filter(([, stamp]) => stamp === at(0)).sort(([a], [b]) => a - b)[0];
      if (oldest !== undefined) self.update(oldest[0], (clock += 1));
    };
    const first = await run(api, undefined, 2);
    expect(first.checkpoint).toMatchObject({ since: at(0), held: { at: at(0), restarts: 2 } });
    expect(first.warnings.join('\n')).toMatch(/records kept changing while \/orders was paged \(2 restarts\).*the boundary stays at 2026-03-01T00:00:00\.000Z/);

    // Quiet again: the next run reads from the held boundary, and every record arrived at its current version, once.
    api.beforeRequest = undefined;
    const next = await run(api, first.checkpoint);
    expect(next.checkpoint).not.toHaveProperty('held');
    const delivered = [...first.delivered, ...next.delivered];
    expect(delivered.filter((version, index) => delivered.indexOf(version) !== index)).toEqual([]);
    expect([...api.records].map(([id, stamp]) => `${id}@${(stamp - T0) / 1000}`).filter((version) => !delivered.includes(version))).toEqual([]);
  });
});
