import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { withIngestThread } from './ingest-thread.js';
import { packSnapshots, unpackSnapshots } from './snapshot-columns.js';
import type { InventoryStore } from './inventory-store.js';
import { SqliteInventoryStore } from './sqlite-inventory.js';

/** The worker runs compiled code: `npm test` builds dist/ first. */
const COMPILED_WORKER = new URL('../../dist/core/inventory/ingest-worker.js', import.meta.url);

/** Never skipped: without dist/ these tests would prove nothing, so they fail and say how to build. */
function requireBuilt(): void {
  if (!existsSync(fileURLToPath(COMPILED_WORKER))) throw new Error(`${fileURLToPath(COMPILED_WORKER)} is missing: run npm run build first (npm test does)`);
}

let dir: string | undefined;
let store: InventoryStore | undefined;
afterEach(async () => {
  await store?.close();
  store = undefined;
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function open(idleMs?: number): { store: InventoryStore; path: string } {
  requireBuilt();
  dir = mkdtempSync(join(tmpdir(), 'keel-ingest-thread-'));
  const path = join(dir, 'state.db');
  store = withIngestThread(new SqliteInventoryStore(path), path, { worker: COMPILED_WORKER, idleMs });
  return { store, path };
}

const snapshot = (sku: string, location_id: string, on_hand: number, at: string) => ({ sku, location_id, on_hand, at: Date.parse(at), source: 'wms' });

describe('stock ingest on its own thread', () => {
  it('sends snapshots by column, each distinct string once, and gets the same snapshots back', () => {
    const inputs = [
      snapshot('TEE', 'wh-a', 5, '2026-11-23T06:00:00Z'),
      snapshot('TEE', 'wh-b', 0, '2026-11-23T06:00:01Z'),
      { ...snapshot('MUG', 'wh-a', 12, '2026-11-23T06:00:02Z'), source: 'erp' },
      snapshot('wh-a', 'TEE', 3, '2026-11-23T06:00:03Z'),
    ];
    const columns = packSnapshots(inputs);
    expect(columns.strings).toEqual(['TEE', 'wms', 'wh-a', 'wh-b', 'MUG', 'erp']);
    expect(unpackSnapshots(columns)).toEqual(inputs);
    expect(unpackSnapshots(packSnapshots([]))).toEqual([]);
  });

  it('stays on the calling thread when there is no compiled worker, or the database is in memory', async () => {
    const plain = new SqliteInventoryStore(':memory:');
    try {
      expect(withIngestThread(plain, ':memory:', { worker: COMPILED_WORKER })).toBe(plain);
      expect(withIngestThread(plain, '/tmp/state.db', { worker: new URL('./no-such-worker.js', import.meta.url) })).toBe(plain);
    } finally {
      await plain.close();
    }
  });

  // That writes on the thread keep every promise of the store (outcomes, what the main connection
  // reads, publish records) is the InventoryStore contract, run on it in ingest-thread.contract.test.ts.

  it('ends the thread when idle and starts another on the next write', async () => {
    const { store } = open(10);
    expect(await store.applySnapshots([snapshot('TEE', 'wh-a', 5, '2026-11-23T06:00:00Z')])).toEqual(['applied']);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await store.applySnapshots([snapshot('TEE', 'wh-a', 6, '2026-11-23T07:00:00Z')])).toEqual(['applied']);
    expect((await store.stock('TEE', Date.parse('2026-11-23T08:00:00Z'))).levels).toEqual([{ location_id: 'wh-a', on_hand: 6 }]);
  });

  it('answers a write that comes while the idle thread is ending, on the next thread', async () => {
    // Seen under load: publishing paused longer than the idle time between two pages, the thread
    // began to end, the next page's write went to a new thread, and the old one's end failed it
    // ("closed during a write"). A fake clock starts the ending exactly before that write.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { store } = open(1000);
    expect(await store.applySnapshots([snapshot('TEE', 'wh-a', 5, '2026-11-23T06:00:00Z')])).toEqual(['applied']);
    vi.advanceTimersByTime(1000); // idle: the thread is told to close and end
    const during = store.applySnapshots([snapshot('TEE', 'wh-a', 6, '2026-11-23T07:00:00Z')]);
    vi.useRealTimers();
    expect(await during).toEqual(['applied']);
    expect((await store.stock('TEE', Date.parse('2026-11-23T08:00:00Z'))).levels).toEqual([{ location_id: 'wh-a', on_hand: 6 }]);
  });

  it('closes before the process ends, though nothing else keeps it alive', async () => {
    requireBuilt();
    dir = mkdtempSync(join(tmpdir(), 'keel-ingest-thread-'));
    const script = fileURLToPath(new URL('../../dist/test-support/ingest-and-close.js', import.meta.url));
    const out = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, [script, join(dir as string, 'state.db')], (error, stdout) => (error !== null ? reject(error) : resolve(stdout)));
    });
    expect(out).toBe('applied closed\n');
  });

  it('reports the thread failing, and refuses writes once closed', async () => {
    const { store } = open();
    await expect(store.applySnapshots([{ sku: 'TEE', location_id: 'wh-a', on_hand: 1, at: Number.NaN, source: 'wms' }])).rejects.toThrow(/NOT NULL|constraint|datatype/i);
    expect(await store.applySnapshots([snapshot('TEE', 'wh-a', 5, '2026-11-23T06:00:00Z')])).toEqual(['applied']);
    await store.close();
    await expect(store.applySnapshots([snapshot('TEE', 'wh-a', 6, '2026-11-23T07:00:00Z')])).rejects.toThrow(/closed/);
  });
});
