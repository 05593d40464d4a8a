import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ApplyOutcome, IncomingInput, InventoryStore, MovementInput, PublishedValue } from './inventory-store.js';
import { columnBuffers, packSnapshots, type SnapshotColumns } from './snapshot-columns.js';

export type IngestRequest =
  | { id: number; method: 'applySnapshots'; snapshots: SnapshotColumns }
  | { id: number; method: 'applyMovements'; inputs: readonly MovementInput[] }
  | { id: number; method: 'setIncoming'; inputs: readonly IncomingInput[] }
  | { id: number; method: 'markPublished'; channel: string; published: PublishedColumns; now: number }
  | { id: number; method: 'close' };

/** What a channel was sent, by column for the trip to the worker (a publish page holds a thousand values). */
export interface PublishedColumns {
  skus: string[];
  quantities: Float64Array<ArrayBuffer>;
  revisions: Float64Array<ArrayBuffer>;
  /** Null where a value has none: publishing compares them with what it computes next. */
  statuses: (string | null)[];
  availableFrom: (string | null)[];
}

export function packPublished(values: readonly PublishedValue[]): PublishedColumns {
  return {
    skus: values.map((value) => value.sku),
    quantities: Float64Array.from(values, (value) => value.quantity),
    revisions: Float64Array.from(values, (value) => value.revision),
    statuses: values.map((value) => value.status ?? null),
    availableFrom: values.map((value) => value.available_from ?? null),
  };
}

export function unpackPublished(columns: PublishedColumns): PublishedValue[] {
  return columns.skus.map((sku, index) => {
    const value: PublishedValue = { sku, quantity: columns.quantities[index] as number, revision: columns.revisions[index] as number };
    const status = columns.statuses[index];
    const availableFrom = columns.availableFrom[index];
    if (status !== null && status !== undefined) value.status = status;
    if (availableFrom !== null && availableFrom !== undefined) value.available_from = availableFrom;
    return value;
  });
}

export interface IngestReply {
  id: number;
  /** Outcomes as indexes into OUTCOMES. */
  outcomes?: Uint8Array<ArrayBuffer>;
  error?: { name: string; message: string; code: unknown };
}

/** A request before it is numbered. */
type Request = IngestRequest extends infer R ? (R extends IngestRequest ? Omit<R, 'id'> : never) : never;

const OUTCOMES: readonly ApplyOutcome[] = ['applied', 'stale', 'duplicate'];

export function packOutcomes(outcomes: readonly ApplyOutcome[]): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(outcomes, (outcome) => OUTCOMES.indexOf(outcome));
}

function unpackOutcomes(codes: Uint8Array | undefined): ApplyOutcome[] {
  return Array.from(codes ?? [], (code) => OUTCOMES[code] as ApplyOutcome);
}

/** The compiled worker entry. Running from TypeScript sources (the tests) it is absent, and ingest stays on the calling thread. */
const COMPILED_WORKER = new URL('./ingest-worker.js', import.meta.url);

/**
 * `store`, with stock ingest (snapshots, movements, incoming stock) and the record of what was
 * published written on a worker thread with its own connection to the same state file; reads,
 * reservations and the rest stay on `store`. Closing closes both.
 *
 * Why: better-sqlite3 blocks the thread it runs on, and writing a batch of stock rows is, after
 * parsing, most of what a stock feed costs. On its own thread the write of one batch overlaps
 * with the main thread decoding and mapping the next; likewise recording a published page
 * overlaps with computing the next one. Crash safety is unchanged: a write is
 * answered once its transaction has committed, and the runner commits the batch only then.
 * Both connections take IMMEDIATE transactions, so their writes queue up as two processes'
 * would. The thread starts on the first write, so commands that only read never start it.
 */
export function withIngestThread(store: InventoryStore, path: string, options: { worker?: URL; idleMs?: number } = {}): InventoryStore {
  const worker = options.worker ?? COMPILED_WORKER;
  // An in-memory database is private to its connection: a second one would see another database.
  if (path === ':memory:' || !existsSync(fileURLToPath(worker))) return store;
  const thread = new IngestThread(path, worker, options.idleMs ?? IDLE_MS);
  const applySnapshotColumns = async (snapshots: SnapshotColumns): Promise<ApplyOutcome[]> =>
    unpackOutcomes((await thread.request({ method: 'applySnapshots', snapshots }, columnBuffers(snapshots))).outcomes);
  const ingest: Pick<InventoryStore, 'applySnapshots' | 'applySnapshotColumns' | 'applyMovements' | 'setIncoming' | 'markPublished' | 'close'> = {
    applySnapshots: async (inputs) => applySnapshotColumns(packSnapshots(inputs)),
    applySnapshotColumns,
    applyMovements: async (inputs) => unpackOutcomes((await thread.request({ method: 'applyMovements', inputs })).outcomes),
    setIncoming: async (inputs) => {
      await thread.request({ method: 'setIncoming', inputs });
    },
    markPublished: async (channel, values, now) => {
      const published = packPublished(values);
      await thread.request({ method: 'markPublished', channel, published, now }, [published.quantities.buffer, published.revisions.buffer]);
    },
    close: async () => {
      try {
        await thread.close();
      } finally {
        await store.close();
      }
    },
  };
  // A proxy rather than a class that forwards each method: whatever the store interface gains
  // later is forwarded as it is.
  return new Proxy(store, {
    get(target, property) {
      if (typeof property === 'string' && Object.hasOwn(ingest, property)) return ingest[property as keyof typeof ingest];
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** How long the worker outlives its last request: a feed writes batch after batch, then nothing for a long time. */
const IDLE_MS = 1000;

type Waiter = { resolve(reply: IngestReply): void; reject(error: Error): void };

/**
 * One worker at a time, its requests answered in order. It keeps the process alive only while a
 * request is open, and ends (closing its connection) once idle, giving its memory back for what
 * comes after a feed (publishing reads a lot); the next write starts another.
 */
class IngestThread {
  private worker: Worker | undefined;
  private closed = false;
  private idle: NodeJS.Timeout | undefined;
  private next = 1;
  private readonly pending = new Map<number, Waiter>();

  constructor(
    private readonly path: string,
    private readonly entry: URL,
    private readonly idleMs: number,
  ) {}

  request(request: Request, transfer: readonly ArrayBuffer[] = []): Promise<IngestReply> {
    if (this.closed) return Promise.reject(new Error('the inventory store is closed'));
    clearTimeout(this.idle);
    const worker = this.worker ?? this.start();
    const id = this.next;
    this.next += 1;
    return new Promise<IngestReply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) worker.ref();
      worker.postMessage({ ...request, id }, transfer);
    }).then((reply) => {
      if (reply.error === undefined) return reply;
      throw Object.assign(new Error(reply.error.message), { name: reply.error.name, code: reply.error.code });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.idle);
    await this.stop();
  }

  private start(): Worker {
    const worker = new Worker(this.entry, { workerData: { path: this.path } });
    worker.unref();
    worker.on('message', (reply: IngestReply) => this.settle(reply.id, (waiter) => waiter.resolve(reply)));
    worker.on('error', (error) => this.fail(worker, error));
    worker.on('exit', (code) => this.fail(worker, new Error(`the inventory ingest thread stopped (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }

  /** The worker closes its connection and ends; resolves when it has. */
  private async stop(): Promise<void> {
    const worker = this.worker;
    if (worker === undefined) return;
    this.worker = undefined;
    // Only these were sent to this thread: a write that comes while it ends starts the next thread.
    const sentHere = [...this.pending.keys()];
    const ended = new Promise((resolve) => worker.once('exit', resolve));
    // Held open until the thread has closed its connection and ended, or the process could end first.
    worker.ref();
    worker.postMessage({ id: 0, method: 'close' } satisfies IngestRequest);
    await ended;
    // Never the case when idle; on close, a write still open has no one left to answer it.
    for (const id of sentHere) this.settle(id, (waiter) => waiter.reject(new Error('the inventory store was closed during a write')));
  }

  private settle(id: number, done: (waiter: Waiter) => void): void {
    const waiter = this.pending.get(id);
    if (waiter === undefined) return;
    this.pending.delete(id);
    if (this.pending.size === 0 && this.worker !== undefined) {
      this.worker.unref();
      this.idle = setTimeout(() => void this.stop(), this.idleMs);
      this.idle.unref();
    }
    done(waiter);
  }

  /** The worker died: its open requests fail with the reason; the next request starts another. */
  private fail(worker: Worker, error: Error): void {
    if (this.worker !== worker) return; // stopped on purpose
    this.worker = undefined;
    for (const id of [...this.pending.keys()]) this.settle(id, (waiter) => waiter.reject(error));
  }
}
