import { parse } from 'csv-parse';
import { once } from 'node:events';
import { copyFileSync, createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { launcherNodeFlags } from './node-flags.js';
import { DATA_DIR } from './paths.js';
import type { ChildResult } from './protocol.js';
import { BenchFailure, perSecond, say, toMb, type Scenario, type ScenarioOptions, type ScenarioResult } from './scenario.js';
import { measureInChild } from './spawn-child.js';
import { STOCK_HEADER, stockCsv } from './stock-data.js';

const NAME = 'inventory';
const SCENARIO_DIR = join(DATA_DIR, NAME);
const LOCATION_COUNT = 20;
const LOCATIONS = ['WH-NORTH', 'WH-SOUTH', 'WH-EAST', 'WH-WEST', ...Array.from({ length: 16 }, (_, index) => `STORE-${String(index + 1).padStart(4, '0')}`)];
/** Every 100th row changes in the second run: 1%. */
const CHANGE_EVERY = 100;

/**
 * The channels of the benchmark and their rules, as data: the YAML written for Keel and the
 * independent reference arithmetic below both come from here.
 */
interface BenchChannel {
  locations: number[];
  buffer?: { percent?: number; units?: number };
  max?: number;
  zeroBelow?: number;
}
const SAFETY: Record<number, number> = { 0: 5, 1: 5, 2: 5, 3: 5 }; // the four warehouses keep 5 back
const CHANNELS: Record<string, BenchChannel> = {
  shop: { locations: range(0, 20), buffer: { percent: 10 } },
  marketplace: { locations: range(0, 4), buffer: { units: 3 }, max: 500 },
  'marketplace-fr': { locations: [0, 1], max: 200, zeroBelow: 5 },
  'pos-north': { locations: [4, 5, 6, 7, 8] },
  b2b: { locations: range(0, 4), buffer: { percent: 25 }, zeroBelow: 10 },
};

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, index) => from + index);
}

/**
 * 1,000,000 stock rows (50,000 SKUs × 20 locations) ingested into the inventory engine,
 * availability computed for 5 channels and published (first run: every (SKU, channel) value);
 * then a second run with 1% of the rows changed, which must publish exactly the (SKU, channel)
 * values whose availability changed, as worked out independently here.
 */
export const inventoryScenario: Scenario = {
  name: NAME,
  description: 'N stock rows (SKUs × 20 locations) → stock ledger → availability for 5 channels, published; then 1% changed: deltas only',
  async run(options: ScenarioOptions): Promise<InventoryResult> {
    const rows = options.rows - (options.rows % LOCATION_COUNT);
    const input = await stockCsv(join(SCENARIO_DIR, 'input'), rows);
    const changes = await changedRows(input.file, rows);
    say(`${NAME}: ${rows} rows in ${input.file}; ${changes.count} changed rows in ${changes.file}`);

    let best: { full: ChildResult; delta: ChildResult; parse: ChildResult; deltas: number } | undefined;
    for (let round = 1; round <= options.repeat; round += 1) {
      const parse = await measureInChild({ kind: 'csv-parse', file: input.file });
      say(`${NAME}: csv-parse alone       ${perSecond(parse.records, parse.elapsedMs)} rows/s`);
      const project = createProject(input.file);
      const profiling = options.cpuProfDir !== undefined ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfDir] : [];
      const full = await measureInChild({ kind: 'keel-run', projectDir: project.dir, statePath: project.statePath }, [...launcherNodeFlags(), ...profiling]);
      // The first publish sends every (SKU, channel) value: none was published before.
      checkOutcome(full, rows + (rows / LOCATION_COUNT) * Object.keys(CHANNELS).length, 'full run');
      const firstFiles = outputFiles(project.dir);
      say(`${NAME}: full run              ${perSecond(rows, full.elapsedMs)} rows/s (${(full.elapsedMs / 1000).toFixed(1)}s), peak ${toMb(full.peakRssBytes)} MB`);
      copyFileSync(changes.file, join(project.dir, 'in', 'stock-2.csv'));
      const delta = await measureInChild({ kind: 'keel-run', projectDir: project.dir, statePath: project.statePath }, [...launcherNodeFlags(), ...profiling]);
      const deltas = countLines(project.dir, outputFiles(project.dir).filter((file) => !firstFiles.includes(file)));
      checkOutcome(delta, changes.count + deltas, 'second run');
      say(`${NAME}: 1% changed             ${(delta.elapsedMs / 1000).toFixed(2)}s, ${deltas} deltas published (expected ${changes.expectedDeltas}), peak ${toMb(delta.peakRssBytes)} MB`);
      if (deltas !== changes.expectedDeltas) {
        throw new BenchFailure(`the second run published ${deltas} values; exactly ${changes.expectedDeltas} (SKU, channel) values changed`);
      }
      if (best === undefined || full.elapsedMs < best.full.elapsedMs) best = { full, delta, parse, deltas };
    }
    if (best === undefined) throw new Error('--repeat must be at least 1');
    if (options.cpuProfDir !== undefined) say(`${NAME}: CPU profiles written to ${options.cpuProfDir}`);
    const perS = perSecond(rows, best.full.elapsedMs);
    const parsePerS = perSecond(best.parse.records, best.parse.elapsedMs);
    return {
      scenario: NAME,
      records: rows,
      records_per_s: perS,
      baseline_per_s: parsePerS,
      ratio: Math.round((perS / parsePerS) * 1000) / 1000,
      peak_rss_mb: toMb(Math.max(best.full.peakRssBytes, best.delta.peakRssBytes)),
      changed_rows: changes.count,
      deltas_published: best.deltas,
      deltas_expected: changes.expectedDeltas,
      second_run_fraction: Math.round((best.delta.elapsedMs / best.full.elapsedMs) * 1000) / 1000,
    };
  },
};

interface InventoryResult extends ScenarioResult {
  changed_rows: number;
  deltas_published: number;
  deltas_expected: number;
  second_run_fraction: number;
}

function checkOutcome(result: ChildResult, written: number, label: string): void {
  const outcome = result.outcome;
  if (outcome === undefined || outcome.status !== 'ok' || outcome.deadLettered !== 0 || outcome.written !== written) {
    throw new BenchFailure(
      `${label}: ${outcome?.status ?? 'no summary'}, written ${outcome?.written ?? 0} (expected ${written}), dead-lettered ${outcome?.deadLettered ?? 0}` +
        `${outcome?.error !== undefined ? `: ${outcome.error}` : ''}`,
    );
  }
}

/**
 * The second input (every 100th row with a new count, an hour after the newest first count) and
 * the number of (SKU, channel) values that must change, computed here from the raw rows with the
 * rules above, without Keel.
 */
async function changedRows(file: string, rows: number): Promise<{ file: string; count: number; expectedDeltas: number }> {
  const skus = rows / LOCATION_COUNT;
  const before = new Int32Array(rows);
  const parser = createReadStream(file).pipe(parse({ columns: true }));
  let index = 0;
  for await (const row of parser as AsyncIterable<{ on_hand: string }>) before[index++] = Number(row.on_hand);
  const after = Int32Array.from(before);
  const out = join(dirname(file), `changes-${CHANGE_EVERY}.csv`);
  const lines = [STOCK_HEADER];
  for (let row = 0; row < rows; row += CHANGE_EVERY) {
    after[row] = ((before[row] as number) + 37) % 1000;
    const sku = `SKU-${String(Math.floor(row / LOCATION_COUNT)).padStart(8, '0')}`;
    lines.push(`${sku},${LOCATIONS[row % LOCATION_COUNT]},${after[row]},0,2024-04-01T00:00:00Z`);
  }
  if (!existsSync(out)) {
    const stream = createWriteStream(out);
    stream.end(`${lines.join('\n')}\n`);
    await once(stream, 'finish');
  }
  let expectedDeltas = 0;
  for (let sku = 0; sku < skus; sku += 1) {
    for (const channel of Object.values(CHANNELS)) {
      if (reference(before, sku, channel) !== reference(after, sku, channel)) expectedDeltas += 1;
    }
  }
  return { file: out, count: lines.length - 1, expectedDeltas };
}

/** The channel rules in plain arithmetic, for the reference count. */
function reference(onHand: Int32Array, sku: number, channel: BenchChannel): number {
  let pool = 0;
  for (const location of channel.locations) pool += Math.max(0, (onHand[sku * LOCATION_COUNT + location] as number) - (SAFETY[location] ?? 0));
  let quantity = pool;
  if (channel.buffer?.units !== undefined) quantity = Math.max(0, quantity - channel.buffer.units);
  if (channel.buffer?.percent !== undefined) quantity = Math.floor((quantity * (100 - channel.buffer.percent)) / 100);
  if (channel.zeroBelow !== undefined && quantity > 0 && quantity < channel.zeroBelow) quantity = 0;
  if (channel.max !== undefined) quantity = Math.min(quantity, channel.max);
  return quantity;
}

function createProject(inputFile: string): { dir: string; statePath: string } {
  const dir = join(SCENARIO_DIR, 'project');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'pipelines'), { recursive: true });
  mkdirSync(join(dir, 'in'), { recursive: true });
  copyFileSync(inputFile, join(dir, 'in', 'stock-1.csv'));
  const locations = LOCATIONS.map((id, index) => {
    const channels = Object.entries(CHANNELS).filter(([, channel]) => channel.locations.includes(index)).map(([name]) => name);
    const safety = SAFETY[index] !== undefined ? `, safety_stock: ${SAFETY[index]}` : '';
    return `    - { location_id: ${id}, name: ${id}, type: ${index < 4 ? 'warehouse' : 'store'}, channels: [${channels.join(', ')}]${safety} }`;
  });
  const channels = Object.entries(CHANNELS).map(([name, channel]) => {
    const rules: string[] = [];
    if (channel.buffer?.percent !== undefined) rules.push(`buffer: { percent: ${channel.buffer.percent} }`);
    if (channel.buffer?.units !== undefined) rules.push(`buffer: { units: ${channel.buffer.units} }`);
    if (channel.max !== undefined) rules.push(`max_quantity: ${channel.max}`);
    if (channel.zeroBelow !== undefined) rules.push(`show_zero_below: ${channel.zeroBelow}`);
    return `    ${name}: { ${rules.join(', ')} }`;
  });
  writeFileSync(
    join(dir, 'keel.yaml'),
    [
      'name: bench-inventory',
      'connections:',
      '  stock-in: { connector: file, config: { root: ./in } }',
      '  inventory: { connector: inventory }',
      '  outbox: { connector: file, config: { root: ./out } }',
      'inventory:',
      '  locations:',
      ...locations,
      '  channels:',
      ...channels,
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'pipelines', '0-ingest.yaml'),
    [
      'name: ingest',
      'source: { connection: stock-in, stream: files, options: { path: "*.csv" } }',
      'steps:',
      '  - set: { fields: { location_id: { from: location }, source: { value: wms } } }',
      'targets:',
      '  - { connection: inventory, stream: ledger }',
      'batch_size: 10000',
      '',
    ].join('\n'),
  );
  for (const [index, channel] of Object.keys(CHANNELS).entries()) {
    writeFileSync(
      join(dir, 'pipelines', `${index + 1}-publish-${channel}.yaml`),
      [
        `name: publish-${channel}`,
        `source: { connection: inventory, stream: availability, options: { channel: ${channel} } }`,
        'targets:',
        `  - { connection: outbox, stream: files, options: { path: "${channel}-{seq}.ndjson" } }`,
        'batch_size: 10000',
        '',
      ].join('\n'),
    );
  }
  return { dir, statePath: join(dir, '.keel', 'state.db') };
}

function outputFiles(dir: string): string[] {
  const out = join(dir, 'out');
  return existsSync(out) ? readdirSync(out).filter((name) => !name.startsWith('.')) : [];
}

function countLines(dir: string, files: string[]): number {
  let lines = 0;
  for (const file of files) lines += readFileSync(join(dir, 'out', file), 'utf8').split('\n').filter((line) => line !== '').length;
  return lines;
}
