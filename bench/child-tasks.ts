import { parse } from 'csv-parse';
import { createReadStream, readdirSync, readFileSync } from 'node:fs';
import SftpClient from 'ssh2-sftp-client';
import { performance } from 'node:perf_hooks';
import { openProject, runPipeline } from '../core/index.js';
import { createLogger } from '../core/logger.js';
import { Redactor } from '../core/redact.js';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { connect } from 'node:net';
import { resolve } from 'node:path';
import jsonata from 'jsonata';
import type { JsonObject } from '../core/json.js';
import { loadMapping } from '../core/mapping/load-mapping.js';
import { canonicalValidator } from '../core/mapping/validate-output.js';
import { stableJson } from '../core/runtime/record-key.js';
import { RecordRejection } from '../core/sdk/step.js';
import { httpBaseline } from './http-baseline.js';
import { routeOrders } from './routing-task.js';
import { REPO_ROOT } from './paths.js';
import type { ChildResult, ChildTask, MappingVariant, RunOutcome, SftpDirection, SftpServerAddress } from './protocol.js';
import { handwrittenShopifyOrder, JSONATA_SHOPIFY_ORDER } from './shopify-order-variants.js';
import { shopifyOrder } from './shopify-orders.js';

/** A task's work; peak RSS is added by the child entry, which owns the sampler. */
export type Measured = Omit<ChildResult, 'peakRssBytes'>;

export function runTask(task: ChildTask): Promise<Measured> {
  switch (task.kind) {
    case 'csv-parse':
      return countWithCsvParse(task.file);
    case 'keel-run':
      return runKeel(task.projectDir, task.statePath);
    case 'mapping':
      return mapOrders(task.variant, task.orders);
    case 'routing':
      return Promise.resolve(routeOrders(task.orders, task.receipts));
    case 'http-baseline':
      return httpBaseline(task.url, task.pageSize, task.concurrency);
    case 'sftp-loop':
      return sftpLoop(task.direction, task.localDir, task.remoteDir, task.server);
  }
}

/**
 * The baseline: the plainest streaming read csv-parse offers, with `columns: true` so it too
 * builds an object per row. The runner does this and then everything else (batching, encoding,
 * writing, committing state), so this is its ceiling. Same read buffer as the file connector
 * (256 KiB), so only what happens above the parser differs.
 */
async function countWithCsvParse(file: string): Promise<Measured> {
  const started = performance.now();
  const parser = createReadStream(file, { highWaterMark: 256 * 1024 }).pipe(parse({ columns: true }));
  let records = 0;
  for await (const _record of parser as AsyncIterable<unknown>) records += 1;
  return { records, elapsedMs: performance.now() - started };
}

/**
 * The real runner, as `keel run` drives it: openProject (its state store and every engine the
 * project configures) on the bench's state file, a warn-level logger, every pipeline in order.
 * Only runPipeline is timed: loading (connector discovery, schema compilation) is a fixed cost
 * that says nothing about throughput. `records` counts what the first pipeline read.
 */
async function runKeel(projectDir: string, statePath: string): Promise<Measured> {
  const redactor = new Redactor();
  const logger = createLogger({ level: 'warn', format: 'text', redactor });
  const project = await openProject(projectDir, { logger, redactor, state: { driver: 'sqlite', path: statePath } });
  const { plan } = project;
  try {
    if (plan.pipelines.length === 0) throw new Error(`no pipeline in ${projectDir}`);
    const started = performance.now();
    const outcome: RunOutcome = { status: 'ok', read: 0, written: 0, deadLettered: 0 };
    let records: number | undefined;
    for (const pipeline of plan.pipelines) {
      const summary = await runPipeline(pipeline, project.runOptions());
      records ??= summary.read;
      outcome.read += summary.read;
      outcome.written += summary.written;
      outcome.deadLettered += summary.deadLettered;
      if (summary.status !== 'ok' && outcome.status === 'ok') {
        outcome.status = summary.status;
        if (summary.error !== undefined) outcome.error = summary.error;
      }
    }
    const elapsedMs = performance.now() - started;
    return { records: records ?? 0, elapsedMs, outcome };
  } finally {
    await project.close();
  }
}

/** Distinct orders cycled through: enough variety for every branch, few enough to stay in memory. */
const ORDER_POOL = 2_000;

/**
 * Maps `count` orders and checks each output against the canonical order schema (the same
 * compiled validator for every variant), then hashes the outputs of the pool so the parent can
 * tell the three implementations agree.
 */
async function mapOrders(variant: MappingVariant, count: number): Promise<Measured> {
  const pool = Array.from({ length: ORDER_POOL }, (_, seed) => shopifyOrder(seed));
  const validate = canonicalValidator('order');
  if (validate === undefined) throw new Error('no canonical order schema');
  let map: (order: JsonObject) => unknown;
  if (variant === 'compiled') {
    const mapping = loadMapping(resolve(REPO_ROOT, 'mappings/shopify/order.to-canonical.json'));
    map = (order) => mapping.apply(order);
  } else if (variant === 'handwritten') {
    map = (order) => handwrittenShopifyOrder(order);
  } else {
    const expression = jsonata(JSONATA_SHOPIFY_ORDER);
    map = (order) => expression.evaluate(order);
  }
  const hash = createHash('sha256');
  for (const order of pool) {
    let output = map(order as JsonObject);
    if (output instanceof Promise) output = await output;
    hash.update(stableJson(JSON.parse(JSON.stringify(output)) as JsonObject));
  }
  const started = performance.now();
  let invalid = 0;
  for (let index = 0; index < count; index += 1) {
    let output = map(pool[index % ORDER_POOL] as JsonObject);
    if (output instanceof Promise) output = await output;
    if (validate(output as JsonObject) instanceof RecordRejection) invalid += 1;
  }
  const elapsedMs = performance.now() - started;
  if (invalid > 0) throw new Error(`${variant}: ${invalid} of ${count} outputs are not valid canonical orders`);
  return { records: count, elapsedMs, digest: hash.digest('hex') };
}

/**
 * The SFTP baseline: one connection, then `put` (or `get` into memory) of every file, one after
 * the other, the way a hand-written script would. No temp names, no renames, no parsing: the
 * connector's ceiling on the same server, files and machine.
 */
async function sftpLoop(direction: SftpDirection, localDir: string, remoteDir: string, server: SftpServerAddress): Promise<Measured> {
  const client = new SftpClient('bench', { error: () => undefined, end: () => undefined, close: () => undefined });
  // Nagle's algorithm off, as the connector has it: otherwise each request waits for a delayed ACK.
  const sock = connect(server.port, '127.0.0.1');
  sock.setNoDelay(true);
  await once(sock, 'connect');
  await client.connect({ sock, username: server.username, privateKey: readFileSync(server.keyFile) });
  try {
    const started = performance.now();
    let files = 0;
    if (direction === 'upload') {
      await client.mkdir(remoteDir, true);
      for (const name of readdirSync(localDir).sort()) {
        // From memory, as the connector uploads an encoded batch (a path would add a local read stream).
        await client.put(readFileSync(`${localDir}/${name}`), `${remoteDir}/${name}`);
        files += 1;
      }
    } else {
      for (const entry of (await client.list(remoteDir)).sort((a, b) => (a.name < b.name ? -1 : 1))) {
        const body = await client.get(`${remoteDir}/${entry.name}`);
        if (!Buffer.isBuffer(body) || body.length !== entry.size) throw new Error(`downloaded ${entry.name} incompletely`);
        files += 1;
      }
    }
    return { records: files, elapsedMs: performance.now() - started };
  } finally {
    await client.end();
  }
}
