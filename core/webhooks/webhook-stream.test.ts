import { describe, expect, it } from 'vitest';
import { tempStatePerTest } from '../../test-support/temp-state.js';
import { OpenEngines } from '../engines/open-engines.js';
import type { JsonValue } from '../json.js';
import { createLogger } from '../logger.js';
import { Redactor } from '../redact.js';
import type { SourcePage, SyncMode } from '../sdk/connector.js';
import { SqliteStateStore } from '../state/sqlite-store.js';
import { connectionInbox } from '../state/webhook-inbox.js';
import { webhookStream } from './webhook-stream.js';

const stream = webhookStream({ description: 'test', examples: [] });

const opened = tempStatePerTest();

async function append(state: SqliteStateStore, n: number, body: string, topic = 'orders/create', connection = 'shop'): Promise<number> {
  return (await state.webhooks.append({ connection, topic, deliveryId: `d-${n}`, receivedAt: new Date().toISOString(), body: Buffer.from(body), headers: {} })).seq;
}

async function read(state: SqliteStateStore | undefined, options: Record<string, unknown>, cursor: JsonValue | undefined, sync: SyncMode = 'incremental'): Promise<SourcePage[]> {
  const pages: SourcePage[] = [];
  const read = stream.read?.read;
  if (read === undefined) throw new Error('the webhooks stream cannot read');
  for await (const page of read({
    config: {},
    options,
    connection: 'shop',
    stream: 'webhooks',
    logger: createLogger({ level: 'error', format: 'json', redactor: new Redactor(), write: () => undefined }),
    state: { get: () => Promise.resolve(undefined), set: () => Promise.resolve() },
    signal: new AbortController().signal,
    projectDir: '.',
    engines: OpenEngines.none(),
    inbox: state === undefined ? undefined : connectionInbox(state.webhooks, 'shop'),
    cursor,
    sync,
  })) pages.push(page);
  return pages;
}

describe('the webhooks stream', () => {
  it("reads its connection's events in order, a page per event with its number as checkpoint, across page_size reads", async () => {
    const state = opened();
    const seqs = [];
    for (let n = 1; n <= 5; n += 1) seqs.push(await append(state, n, `{"id":${n}}`));
    await append(state, 9, '{"id":9}', 'orders/create', 'other-shop');
    const pages = await read(state, { page_size: 2 }, undefined);
    expect(pages.map((page) => page.records.map((record) => record.data))).toEqual([[{ id: 1 }], [{ id: 2 }], [{ id: 3 }], [{ id: 4 }], [{ id: 5 }]]);
    expect(pages.map((page) => page.checkpoint)).toEqual(seqs.map((seq) => ({ seq })));
    expect(pages[0]).toMatchObject({ unit: 'webhook orders/create d-1', positions: 'item', records: [{ at: seqs[0] }] });
  });

  it('goes on after its checkpoint when incremental, reads everything kept when full, and only the named topics', async () => {
    const state = opened();
    const first = await append(state, 1, '{"id":1}');
    await append(state, 2, '{"id":2}', 'products/update');
    await append(state, 3, '{"id":3}', 'orders/updated');
    const ids = (pages: SourcePage[]) => pages.flatMap((page) => page.records.map((record) => record.data['id']));
    expect(ids(await read(state, {}, { seq: first }))).toEqual([2, 3]);
    expect(ids(await read(state, {}, { seq: first }, 'full'))).toEqual([1, 2, 3]);
    expect(ids(await read(state, { topics: ['orders/create', 'orders/updated'] }, undefined))).toEqual([1, 3]);
  });

  it('dead-letters a body that is not a JSON object, naming the event, and reads on', async () => {
    const state = opened();
    await append(state, 1, 'webhook_id=12');
    await append(state, 2, '[1,2]');
    await append(state, 3, '{"id":3}');
    const pages = await read(state, {}, undefined);
    expect(pages.map((page) => page.rejects?.map((reject) => [reject.origin, reject.raw]))).toEqual([
      [['webhook orders/create d-1', 'webhook_id=12']],
      [['webhook orders/create d-2', '[1,2]']],
      undefined,
    ]);
    expect(pages[0]?.rejects?.[0]?.reason).toMatch(/^the body is not a JSON record/);
    expect(pages[1]?.rejects?.[0]?.reason).toBe('the body is JSON but not an object');
    expect(pages[2]?.records.map((record) => record.data)).toEqual([{ id: 3 }]);
  });

  it('says to run it with keel run when it has no inbox, and refuses a checkpoint that is no inbox number', async () => {
    const state = opened();
    await expect(read(undefined, {}, undefined)).rejects.toThrow(/run it with keel run/);
    await expect(read(state, {}, { page: 2 })).rejects.toThrow(/not an inbox number/);
  });
});
