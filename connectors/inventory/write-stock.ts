import { RecordRejection } from '../../core/errors.js';
import type { InventoryEngine } from '../../core/inventory/inventory-engine.js';
import { orderVersion } from '../../core/inventory/inventory-engine.js';
import type { ApplyOutcome } from '../../core/inventory/inventory-store.js';
import { readPath, type JsonObject } from '../../core/json.js';
import type { WriteContext, WriteRecord, WriteResult } from '../../core/sdk/connector.js';
import inventory from '../../engines/inventory/index.js';
import { writeInOrder, writeResultFor } from '../../core/sdk/error-outcome.js';

/** The runner only reads write results, so every record with the same outcome shares one. */
const RESULTS: Readonly<Record<ApplyOutcome, WriteResult>> = Object.freeze({
  applied: Object.freeze({ status: 'ok', outcome: 'applied' }),
  // An older count than the ledger holds, or the same again: neither changes stock, both count as duplicates.
  stale: Object.freeze({ status: 'ok', outcome: 'stale' }),
  duplicate: Object.freeze({ status: 'ok', outcome: 'duplicate' }),
});

/**
 * Stock into the ledger; a record it cannot place is a permanent failure with the reason. The
 * batch goes in with one transaction per kind, so a failure of the store fails the whole batch:
 * it is thrown, and a transient one makes the runner write the batch again, which the ledger
 * takes once (counts are placed by timestamp, movements applied once per id).
 */
export async function writeLedger(ctx: WriteContext, batch: WriteRecord[]): Promise<WriteResult[]> {
  const records = new Array<JsonObject>(batch.length);
  for (let index = 0; index < batch.length; index += 1) records[index] = (batch[index] as WriteRecord).data;
  const outcomes = await ctx.engines.require(inventory, 'the inventory connector').ingestRecords(records);
  return outcomes.map((outcome) => (outcome instanceof RecordRejection ? writeResultFor(outcome) : RESULTS[outcome]));
}

/**
 * Orders: a new one reserves its lines at once, all or nothing (not enough stock is a permanent
 * failure naming the SKU, so the order is visible in the dead-letter queue and can be replayed
 * when stock arrives); a cancelled one releases; a shipped one fulfils at its location.
 * Orders are written in order, as the first gets the stock (see writeInOrder).
 */
export async function writeReservations(ctx: WriteContext<unknown, { location_field?: string }>, batch: WriteRecord[]): Promise<WriteResult[]> {
  const engine = ctx.engines.require(inventory, 'the inventory connector');
  const now = new Date();
  return writeInOrder(batch, (record) => reserveOrder(engine, record.data, ctx.options.location_field ?? 'location_id', now));
}

async function reserveOrder(engine: InventoryEngine, order: JsonObject, locationField: string, now: Date): Promise<WriteResult> {
  const channel = order['channel'];
  const externalId = order['external_id'];
  if (typeof channel !== 'string' || (typeof externalId !== 'string' && typeof externalId !== 'number')) {
    return { status: 'permanent', error: 'not a canonical order: channel and external_id are required', code: 'order_invalid' };
  }
  if (!engine.channels.includes(channel)) {
    return { status: 'permanent', error: `channel "${channel}" has no rules under inventory.channels (channels: ${engine.channels.join(', ')})`, code: 'channel_unknown' };
  }
  const key = `${channel}:${externalId}`;
  const status = order['status'];
  if (status === 'cancelled') return { status: 'ok', ref: `released ${await engine.store.release(key, now.getTime())}`, outcome: 'released' };
  if (status === 'shipped' || status === 'delivered') {
    const location = readPath(order, locationField.split('.'));
    if (typeof location !== 'string') {
      return { status: 'permanent', error: `shipped order ${key} names no location in ${locationField}, so its stock cannot be taken out`, code: 'location_missing' };
    }
    return { status: 'ok', ref: `fulfilled ${await engine.store.fulfil(key, location, now.getTime())}`, outcome: 'fulfilled' };
  }
  const lines = Array.isArray(order['lines']) ? order['lines'] : [];
  const wanted = [];
  for (const line of lines) {
    if (typeof line !== 'object' || line === null || Array.isArray(line)) continue;
    const sku = line['sku'];
    const quantity = line['quantity'];
    if (typeof sku !== 'string' || typeof quantity !== 'number' || !Number.isInteger(quantity) || quantity < 0) {
      return { status: 'permanent', error: `order ${key}: a line has no SKU or no whole quantity`, code: 'order_invalid' };
    }
    const lineId = line['line_id'];
    wanted.push({ sku, quantity, ...(typeof lineId === 'string' ? { line_id: lineId } : {}) });
  }
  const result = await engine.reserve(key, channel, wanted, now, orderVersion(versionAt(order), wanted));
  if (result.status === 'insufficient') {
    return {
      status: 'permanent',
      error: `not enough stock to reserve order ${key}: ${result.sku} wanted ${result.wanted}, ${result.detail}`,
      code: 'insufficient_stock',
    };
  }
  if (result.status === 'refused') return { status: 'permanent', error: `order ${key} changed, but ${result.reason}`, code: 'order_change_refused' };
  // reserved, adjusted, duplicate or stale: `keel run --json` counts each (the last two as duplicates).
  return { status: 'ok', outcome: result.status };
}

/** When the order was last changed: updated_at, else created_at (epoch ms); undefined without either. */
function versionAt(order: JsonObject): number | undefined {
  for (const field of ['updated_at', 'created_at']) {
    const value = order[field];
    const at = typeof value === 'string' ? Date.parse(value) : Number.NaN;
    if (!Number.isNaN(at)) return at;
  }
  return undefined;
}

/** Reconciliation input: what the channel shows now. */
export async function writeShown(ctx: WriteContext<unknown, { channel: string }>, batch: WriteRecord[]): Promise<WriteResult[]> {
  const engine = ctx.engines.require(inventory, 'the inventory connector');
  const results: WriteResult[] = [];
  const shown: { sku: string; quantity: number }[] = [];
  for (const record of batch) {
    const sku = record.data['sku'];
    const quantity = Number(record.data['quantity']);
    if (typeof sku !== 'string' || !Number.isInteger(quantity)) {
      results.push({ status: 'permanent', error: 'a shown value needs sku and a whole quantity', code: 'shown_invalid' });
      continue;
    }
    shown.push({ sku, quantity });
    results.push({ status: 'ok' });
  }
  const drift = await engine.reconcile(ctx.options.channel, shown);
  if (drift.length > 0) {
    ctx.logger.warn('channel shows other quantities than it should; the next publish corrects them', {
      channel: ctx.options.channel,
      drifted: drift.length,
      examples: drift.slice(0, 5).map((item) => `${item.sku}: shows ${item.shown}, should show ${item.expected}`).join('; '),
    });
  }
  return results;
}
