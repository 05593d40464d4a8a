import type { ChildResult } from './protocol.js';
import { launcherNodeFlags } from './node-flags.js';
import { BenchFailure, perSecond, say, toMb, type Scenario, type ScenarioOptions, type ScenarioResult } from './scenario.js';
import { measureInChild } from './spawn-child.js';
import { LARGE_ORDERS, routeLargeOrders } from '../test-support/large-orders.js';

const NAME = 'routing';
const DEFAULT_ORDERS = 100_000;

/**
 * 100,000 orders of 1 to 5 lines routed over 50 locations (fences, four ratings, splits of up to
 * three parts, capacity and stock taken as orders are allocated), with every receipt written out
 * as NDJSON, against the same run with receipts turned off. Both must take the same decisions.
 * Then the seeded large orders (24–36 lines, test-support/large-orders.ts): how many allocation
 * searches ran out of steps, and the most steps one took.
 */
export const routingScenario: Scenario = {
  name: NAME,
  description: 'N orders of 1–5 lines over 50 locations, receipts written vs receipts off',
  async run(
    options: ScenarioOptions,
  ): Promise<ScenarioResult & { receipts_off_per_s: number; split_orders: number; held_orders: number; large_orders_exhausted: number; large_orders_most_steps: number }> {
    const orders = options.rowsGiven ? options.rows : DEFAULT_ORDERS;
    let on: ChildResult | undefined;
    let off: ChildResult | undefined;
    for (let round = 1; round <= options.repeat; round += 1) {
      const withReceipts = await measureInChild({ kind: 'routing', orders, receipts: true }, launcherNodeFlags());
      say(`${NAME}: receipts on   ${perSecond(withReceipts.records, withReceipts.elapsedMs)} orders/s, peak ${toMb(withReceipts.peakRssBytes)} MB`);
      const without = await measureInChild({ kind: 'routing', orders, receipts: false }, launcherNodeFlags());
      say(`${NAME}: receipts off  ${perSecond(without.records, without.elapsedMs)} orders/s, peak ${toMb(without.peakRssBytes)} MB`);
      if (withReceipts.digest !== without.digest) throw new BenchFailure('routing with and without receipts took different decisions');
      if (on === undefined || withReceipts.elapsedMs < on.elapsedMs) on = withReceipts;
      if (off === undefined || without.elapsedMs < off.elapsedMs) off = without;
    }
    if (on === undefined || off === undefined) throw new Error('--repeat must be at least 1');
    const [split, held] = (on.digest ?? '0:0:').split(':').map(Number);
    const large = searchOnLargeOrders();
    const onPerS = perSecond(on.records, on.elapsedMs);
    const offPerS = perSecond(off.records, off.elapsedMs);
    return {
      scenario: NAME,
      records: on.records,
      records_per_s: onPerS,
      baseline_per_s: offPerS,
      ratio: Math.round((onPerS / offPerS) * 1000) / 1000,
      peak_rss_mb: toMb(on.peakRssBytes),
      receipts_off_per_s: offPerS,
      split_orders: split ?? 0,
      held_orders: held ?? 0,
      large_orders_exhausted: large.exhausted,
      large_orders_most_steps: large.mostSteps,
    };
  },
};

/** Searches that ran out of steps on the large orders of the bench network and of a dense one (in this process: it is a count, not a pace). */
function searchOnLargeOrders(): { exhausted: number; mostSteps: number } {
  let exhausted = 0;
  let mostSteps = 0;
  for (const share of [0.4, 0.8]) {
    for (const { decision } of routeLargeOrders(share)) {
      if (decision.search_exhausted === true) exhausted += 1;
      mostSteps = Math.max(mostSteps, decision.receipt?.allocation?.explored ?? 0);
    }
  }
  say(`${NAME}: ${2 * LARGE_ORDERS} large orders (24–36 lines): ${exhausted} allocation search(es) ran out of steps; the most steps one took: ${mostSteps}`);
  return { exhausted, mostSteps };
}
