/**
 * Worker thread entry (see ingest-thread.ts): stock ingest and publish records on its own SQLite
 * connection to the project's state file. Requests are answered one at a time, in the order they came.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { packOutcomes, unpackPublished, type IngestReply, type IngestRequest } from './ingest-thread.js';
import { SqliteInventoryStore } from './sqlite-inventory.js';

const port = workerPort();
const store = new SqliteInventoryStore((workerData as { path: string }).path);

port.on('message', (request: IngestRequest) => {
  void answer(request).then((reply) => port.postMessage(reply, reply.outcomes !== undefined ? [reply.outcomes.buffer] : []));
});

async function answer(request: IngestRequest): Promise<IngestReply> {
  try {
    switch (request.method) {
      case 'applySnapshots':
        return { id: request.id, outcomes: packOutcomes(await store.applySnapshotColumns(request.snapshots)) };
      case 'applyMovements':
        return { id: request.id, outcomes: packOutcomes(await store.applyMovements(request.inputs)) };
      case 'setIncoming':
        await store.setIncoming(request.inputs);
        return { id: request.id };
      case 'markPublished':
        await store.markPublished(request.channel, unpackPublished(request.published), request.now);
        return { id: request.id };
      case 'close':
        // The last request: the connection closes, the port with it, and the thread ends.
        await store.close();
        port.close();
        return { id: request.id };
    }
  } catch (error) {
    const failure = error instanceof Error ? error : new Error(String(error));
    return { id: request.id, error: { name: failure.name, message: failure.message, code: (failure as { code?: unknown }).code } };
  }
}

function workerPort(): MessagePort {
  if (parentPort === null) throw new Error('ingest-worker.js runs as a worker thread (see ingest-thread.ts)');
  return parentPort;
}
