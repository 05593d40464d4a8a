/**
 * What one `/metrics` scrape costs on a big state file: 100,000 runs over 20 pipelines and
 * 100,000 open dead letters, written straight into a throw-away project's state. Prints the
 * median and worst of 20 scrapes. A measurement, run by hand (`node dist/scripts/metrics-scrape-cost.js`),
 * not a test: nothing here asserts a time.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createMetrics } from '../core/ops/metrics.js';
import { openProject } from '../core/project/open-project.js';

const RUNS = 100_000;
const DEAD_LETTERS = 100_000;
const PIPELINES = 20;

const dir = mkdtempSync(join(tmpdir(), 'keel-scrape-'));
try {
  mkdirSync(join(dir, 'pipelines'));
  writeFileSync(join(dir, 'keel.yaml'), 'name: scrape\nconnections:\n  inbox: { connector: file, config: { root: ./in } }\n  outbox: { connector: file, config: { root: ./out } }\n');
  for (let n = 0; n < PIPELINES; n += 1) {
    writeFileSync(
      join(dir, 'pipelines', `p${n}.yaml`),
      `name: p${n}\nsource: { connection: inbox, stream: files, options: { path: "p${n}/*.csv" } }\ntargets:\n  - { connection: outbox, stream: files, options: { path: "p${n}-{seq}.ndjson" } }\n`,
    );
  }
  // Opening the project once makes the state file with every table, index and trigger.
  await (await openProject(dir)).close();
  const db = new Database(join(dir, '.keel', 'state.db'));
  const statuses = ['ok', 'ok', 'ok', 'dead_letters', 'failed'];
  const insertRun = db.prepare(
    `INSERT INTO runs (pipeline, kind, dry_run, status, started_at, finished_at, read, written, dead_lettered) VALUES (?, 'run', 0, ?, ?, ?, ?, ?, ?)`,
  );
  const insertLetter = db.prepare(
    `INSERT INTO dead_letters (run_id, pipeline, source, stage, code, reason, payload, created_at, updated_at) VALUES (?, ?, 'inbox', 'decode', 'bad_row', 'a row that does not decode', ?, ?, ?)`,
  );
  const start = Date.parse('2026-01-01T00:00:00Z');
  db.transaction(() => {
    for (let n = 0; n < RUNS; n += 1) {
      const at = start + n * 60_000;
      insertRun.run(`p${n % PIPELINES}`, statuses[n % statuses.length], new Date(at).toISOString(), new Date(at + 4_321).toISOString(), 1000, 990, 10);
    }
    const payload = JSON.stringify({ id: 'x'.repeat(40), lines: [{ sku: 'TEE', quantity: 1 }], note: 'y'.repeat(120) });
    for (let n = 0; n < DEAD_LETTERS; n += 1) insertLetter.run(1 + (n % RUNS), `p${n % PIPELINES}`, payload, new Date(start).toISOString(), new Date(start).toISOString());
  })();
  db.close();

  const project = await openProject(dir);
  const metrics = createMetrics(project);
  const times: number[] = [];
  let bytes = 0;
  for (let n = 0; n < 20; n += 1) {
    const began = performance.now();
    bytes = (await metrics.collect()).body.length;
    times.push(performance.now() - began);
  }
  await project.close();
  times.sort((a, b) => a - b);
  const ms = (value: number | undefined): string => `${(value ?? 0).toFixed(1)} ms`;
  process.stdout.write(`${RUNS} runs, ${DEAD_LETTERS} open dead letters, ${PIPELINES} pipelines: a scrape takes ${ms(times[10])} (median of 20), ${ms(times[19])} at worst; ${bytes} bytes\n`);
} finally {
  if (process.env['KEEP'] === undefined) rmSync(dir, { recursive: true, force: true });
  else process.stdout.write(`kept ${dir}\n`);
}
