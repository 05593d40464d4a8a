import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import inventory from '../engines/inventory/index.js';
import { openProject } from '../core/project/open-project.js';
import { issueToken } from '../core/serve/tokens.js';
import { DATA_DIR, REPO_ROOT } from './paths.js';
import { BenchFailure, perSecond, say, toMb, type Scenario, type ScenarioOptions, type ScenarioResult } from './scenario.js';

const NAME = 'serve';
const SCENARIO_DIR = join(DATA_DIR, NAME);
const SKUS = 20_000;
const LOCATIONS = ['WH-NORTH', 'WH-SOUTH', 'STORE-BERLIN', 'STORE-HAMBURG'];
const DEFAULT_LOOKUPS = 20_000;
const IN_FLIGHT = 16;
const BASELINE_SCRIPT = resolve(dirname(fileURLToPath(import.meta.url)), 'serve-baseline.js');
const KEEL_BIN = join(REPO_ROOT, 'bin', 'keel.js');

interface LoadResult {
  lookups: number;
  elapsedMs: number;
  p50Ms: number;
  p99Ms: number;
  peakRssBytes: number;
}

/**
 * Stock lookups over HTTP: `keel serve` (bearer token checked, request validated, the SKU's
 * stock and what each of 3 channels may sell computed, the answer serialised by its schema)
 * against a bare Fastify handler that reads the same rows from the same state file. 20,000 SKUs
 * at 4 locations; lookups of random SKUs, 16 in flight on keep-alive connections.
 */
export const serveScenario: Scenario = {
  name: NAME,
  description: 'stock lookups/s and p99 latency through keel serve, against a bare Fastify handler reading the same rows (16 in flight)',
  async run(options: ScenarioOptions): Promise<ScenarioResult> {
    const lookups = options.rowsGiven ? options.rows : DEFAULT_LOOKUPS;
    const { dir, statePath, token } = await createProject();
    const skus = Array.from({ length: lookups }, (_, index) => sku((index * 7919) % SKUS));
    let best: { keel: LoadResult; baseline: LoadResult } | undefined;
    for (let round = 1; round <= options.repeat; round += 1) {
      const baseline = await withServer(process.execPath, [BASELINE_SCRIPT, statePath], (url, child) => load(url, '/stock/', skus, {}, child));
      say(`${NAME}: bare Fastify   ${perSecond(baseline.lookups, baseline.elapsedMs)} lookups/s, p50 ${baseline.p50Ms} ms, p99 ${baseline.p99Ms} ms, peak ${toMb(baseline.peakRssBytes)} MB`);
      const keel = await withServer(process.execPath, [KEEL_BIN, 'serve', '--project', dir, '--port', '0', '--no-schedule'], async (url, child) => {
        await sameRows(url, token);
        return load(url, '/api/stock/', skus, { authorization: `Bearer ${token}` }, child);
      });
      say(`${NAME}: keel serve     ${perSecond(keel.lookups, keel.elapsedMs)} lookups/s, p50 ${keel.p50Ms} ms, p99 ${keel.p99Ms} ms, peak ${toMb(keel.peakRssBytes)} MB`);
      if (best === undefined || keel.elapsedMs < best.keel.elapsedMs) best = { keel, baseline };
    }
    if (best === undefined) throw new Error('--repeat must be at least 1');
    const perS = perSecond(best.keel.lookups, best.keel.elapsedMs);
    const baselinePerS = perSecond(best.baseline.lookups, best.baseline.elapsedMs);
    return {
      scenario: NAME,
      records: lookups,
      unit: 'lookups',
      records_per_s: perS,
      baseline_per_s: baselinePerS,
      ratio: Math.round((perS / baselinePerS) * 100) / 100,
      peak_rss_mb: toMb(best.keel.peakRssBytes),
      p50_ms: best.keel.p50Ms,
      p99_ms: best.keel.p99Ms,
      baseline_p99_ms: best.baseline.p99Ms,
      baseline_peak_rss_mb: toMb(best.baseline.peakRssBytes),
    };
  },
};

const sku = (index: number): string => `SKU-${String(index).padStart(6, '0')}`;

/** The project with its stock ingested through the inventory engine, and a read token. */
async function createProject(): Promise<{ dir: string; statePath: string; token: string }> {
  const dir = join(SCENARIO_DIR, 'project');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'pipelines'), { recursive: true });
  const locations = LOCATIONS.map((id, index) => `    - { location_id: ${id}, name: ${id}, type: ${index < 2 ? 'warehouse' : 'store'}, channels: [${index < 2 ? 'shop, marketplace, b2b' : 'shop'}] }`);
  writeFileSync(
    join(dir, 'keel.yaml'),
    [
      'name: bench-serve',
      'connections:',
      '  stock-in: { connector: file, config: { root: ./in } }',
      '  inventory: { connector: inventory }',
      'inventory:',
      '  locations:',
      ...locations,
      '  channels:',
      '    shop: { buffer: { percent: 10 } }',
      '    marketplace: { buffer: { units: 3 }, max_quantity: 500 }',
      '    b2b: { show_zero_below: 10 }',
      '',
    ].join('\n'),
  );
  writeFileSync(join(dir, 'pipelines', 'ingest.yaml'), 'name: ingest\nsource: { connection: stock-in, stream: files, options: { path: "*.csv" } }\ntargets:\n  - { connection: inventory, stream: ledger }\n');
  const session = await openProject(dir);
  try {
    const engine = session.engines.require(inventory, 'the serve bench');
    const at = '2026-12-01T06:00:00Z';
    for (let first = 0; first < SKUS; first += 5000) {
      const records = [];
      for (let index = first; index < Math.min(first + 5000, SKUS); index += 1) {
        for (const [place, location_id] of LOCATIONS.entries()) records.push({ sku: sku(index), location_id, on_hand: (index * 13 + place * 7) % 90, updated_at: at, source: 'wms' });
      }
      await engine.ingestRecords(records);
    }
    const { secret } = await issueToken(session.store.tokens, 'bench', ['read']);
    say(`${NAME}: ${SKUS} SKUs × ${LOCATIONS.length} locations in ${session.plan.statePath}`);
    return { dir, statePath: session.plan.statePath, token: secret };
  } finally {
    await session.close();
  }
}

/** Starts a server process, waits for its "listening on <url>" line, runs `use`, stops it. */
async function withServer<T>(command: string, args: string[], use: (url: string, child: ChildProcess) => Promise<T>): Promise<T> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, KEEL_LOG_LEVEL: 'warn' } });
  try {
    const url = await new Promise<string>((resolveUrl, reject) => {
      let seen = '';
      const timeout = setTimeout(() => reject(new Error(`${args[0]} did not start listening within 60 s`)), 60_000);
      child.stdout?.on('data', (chunk: Buffer) => {
        seen += chunk.toString();
        const found = /listening on (http:\/\/[^\s]+)/.exec(seen);
        if (found?.[1] !== undefined) {
          clearTimeout(timeout);
          resolveUrl(found[1]);
        }
      });
      child.on('exit', (code) => reject(new Error(`${args[0]} exited with ${code} before listening`)));
    });
    return await use(url, child);
  } finally {
    child.kill('SIGTERM');
    await new Promise((done) => child.once('close', done));
  }
}

/** Keel answers with the rows the baseline reads: the check that both do the same lookup. */
async function sameRows(url: string, token: string): Promise<void> {
  for (const index of [0, 1, 4999, 12345, SKUS - 1]) {
    const answer = JSON.parse(await get(url, `/api/stock/${sku(index)}`, { authorization: `Bearer ${token}` })) as { on_hand: { location_id: string; on_hand: number }[]; channels: unknown[] };
    const want = LOCATIONS.map((location_id, place) => ({ location_id, on_hand: (index * 13 + place * 7) % 90 })).sort((a, b) => a.location_id.localeCompare(b.location_id));
    const got = answer.on_hand.map(({ location_id, on_hand }) => ({ location_id, on_hand }));
    if (JSON.stringify(got) !== JSON.stringify(want) || answer.channels.length !== 3) {
      throw new BenchFailure(`keel serve answered ${JSON.stringify(answer).slice(0, 300)} for ${sku(index)}; expected on hand ${JSON.stringify(want)} and 3 channels`);
    }
  }
}

function get(url: string, path: string, headers: Record<string, string>, agent?: Agent): Promise<string> {
  return new Promise((resolveBody, reject) => {
    const req = request(`${url}${path}`, { headers, agent }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => (response.statusCode === 200 ? resolveBody(body) : reject(new BenchFailure(`GET ${path} answered ${response.statusCode}: ${body.slice(0, 200)}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

/** `skus.length` lookups, IN_FLIGHT at a time on keep-alive connections, after a warm-up; latencies per request. */
async function load(url: string, prefix: string, skus: readonly string[], headers: Record<string, string>, child: ChildProcess): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  try {
    for (let index = 0; index < 500; index += IN_FLIGHT) await Promise.all(skus.slice(index, index + IN_FLIGHT).map((one) => get(url, `${prefix}${one}`, headers, agent)));
    const latencies = new Float64Array(skus.length);
    let next = 0;
    const started = performance.now();
    const worker = async (): Promise<void> => {
      for (let index = next++; index < skus.length; index = next++) {
        const sent = performance.now();
        await get(url, `${prefix}${skus[index] ?? ''}`, headers, agent);
        latencies[index] = performance.now() - sent;
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    const elapsedMs = performance.now() - started;
    latencies.sort();
    const at = (share: number): number => Math.round((latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * share))] ?? 0) * 100) / 100;
    return { lookups: skus.length, elapsedMs, p50Ms: at(0.5), p99Ms: at(0.99), peakRssBytes: peakRss(child) };
  } finally {
    agent.destroy();
  }
}

/** The server's peak resident memory so far (Linux: VmHWM). */
function peakRss(child: ChildProcess): number {
  const status = readFileSync(`/proc/${child.pid ?? 0}/status`, 'utf8');
  const kib = /VmHWM:\s+(\d+) kB/.exec(status)?.[1];
  return kib === undefined ? 0 : Number(kib) * 1024;
}
