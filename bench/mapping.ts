import type { ChildResult } from './protocol.js';
import { BenchFailure, perSecond, say, toMb, type Scenario, type ScenarioOptions, type ScenarioResult } from './scenario.js';
import { launcherNodeFlags } from './node-flags.js';
import { measureInChild } from './spawn-child.js';

const NAME = 'mapping';
const DEFAULT_ORDERS = 100_000;

/**
 * Shopify orders mapped to canonical orders and validated: the compiled JSON mapping against
 * the same mapping written by hand (the ceiling) and as a JSONata expression, each in its own
 * child. The outputs of all three are compared first: a fast wrong mapping measures nothing.
 */
export const mappingScenario: Scenario = {
  name: NAME,
  description: 'N Shopify orders → canonical orders, validated: compiled mapping vs hand-written function vs JSONata',
  async run(options: ScenarioOptions): Promise<ScenarioResult & { jsonata_per_s: number; jsonata_ratio: number }> {
    // --rows is the stock scenario's million by default; orders are heavier, so the default here is 100k.
    const orders = options.rowsGiven ? options.rows : DEFAULT_ORDERS;
    const best: Partial<Record<'handwritten' | 'compiled' | 'jsonata', ChildResult>> = {};
    for (let round = 1; round <= options.repeat; round += 1) {
      for (const variant of ['handwritten', 'compiled', 'jsonata'] as const) {
        const result = await measureInChild({ kind: 'mapping', variant, orders }, launcherNodeFlags());
        say(`${NAME}: ${variant.padEnd(11)} ${perSecond(result.records, result.elapsedMs)} orders/s, peak ${toMb(result.peakRssBytes)} MB`);
        const previous = best[variant];
        if (previous === undefined || result.elapsedMs < previous.elapsedMs) best[variant] = result;
      }
    }
    const { handwritten, compiled, jsonata } = best;
    if (handwritten === undefined || compiled === undefined || jsonata === undefined) throw new Error('--repeat must be at least 1');
    if (compiled.digest !== handwritten.digest || jsonata.digest !== handwritten.digest) {
      throw new BenchFailure('the three mapping implementations disagree on the output; fix them before timing them');
    }
    const compiledPerS = perSecond(compiled.records, compiled.elapsedMs);
    const handwrittenPerS = perSecond(handwritten.records, handwritten.elapsedMs);
    const jsonataPerS = perSecond(jsonata.records, jsonata.elapsedMs);
    return {
      scenario: NAME,
      records: compiled.records,
      records_per_s: compiledPerS,
      baseline_per_s: handwrittenPerS,
      ratio: Math.round((compiledPerS / handwrittenPerS) * 1000) / 1000,
      peak_rss_mb: toMb(compiled.peakRssBytes),
      jsonata_per_s: jsonataPerS,
      jsonata_ratio: Math.round((jsonataPerS / handwrittenPerS) * 1000) / 1000,
    };
  },
};
