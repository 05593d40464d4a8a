import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DATA_DIR } from './paths.js';
import type { ChildResult, RunOutcome } from './protocol.js';
import { BenchFailure, perSecond, say, toMb, type Scenario, type ScenarioOptions, type ScenarioResult } from './scenario.js';
import { launcherNodeFlags } from './node-flags.js';
import { measureInChild } from './spawn-child.js';
import { STOCK_HEADER, stockCsv } from './stock-data.js';
import { scanCsvRows } from './verify-output.js';

const NAME = 'stock-csv';
const BATCH_SIZE = 10_000;
const SCENARIO_DIR = join(DATA_DIR, NAME);

/**
 * A stock export (CSV) copied file → file by the real runner, against csv-parse reading the
 * same file: the ratio is the share of the parser's speed the whole runner keeps.
 */
export const stockCsvScenario: Scenario = {
  name: NAME,
  description: 'N stock rows, CSV file → CSV files in batches of 10 000, through loadProject + runPipeline',
  async run(options: ScenarioOptions): Promise<ScenarioResult> {
    const { rows } = options;
    const started = Date.now();
    const input = await stockCsv(join(SCENARIO_DIR, 'input'), rows);
    say(`${NAME}: ${input.generated ? 'generated' : 'reusing'} ${input.file} (${((Date.now() - started) / 1000).toFixed(1)}s)`);

    let baseline: ChildResult | undefined;
    let runner: ChildResult | undefined;
    let peakRss = 0;
    for (let round = 1; round <= options.repeat; round += 1) {
      // The baseline goes first so both read the file from the page cache.
      const base = await measureInChild({ kind: 'csv-parse', file: input.file });
      report('baseline csv-parse', base);
      if (base.records !== rows) throw new BenchFailure(`baseline read ${base.records} records, expected ${rows}`);

      const project = createProject(join(SCENARIO_DIR, 'project'), dirname(input.file));
      const profiling = options.cpuProfDir !== undefined ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfDir] : [];
      const run = await measureInChild({ kind: 'keel-run', projectDir: project.dir, statePath: project.statePath }, [...launcherNodeFlags(), ...profiling]);
      report('keel runPipeline', run);
      await verify(rows, run.outcome, input.file, project.outDir);

      baseline = faster(baseline, base);
      runner = faster(runner, run);
      peakRss = Math.max(peakRss, run.peakRssBytes);
    }
    if (baseline === undefined || runner === undefined) throw new Error('--repeat must be at least 1');
    if (options.cpuProfDir !== undefined) say(`${NAME}: CPU profiles written to ${options.cpuProfDir}`);

    const recordsPerS = perSecond(runner.records, runner.elapsedMs);
    const baselinePerS = perSecond(baseline.records, baseline.elapsedMs);
    return {
      scenario: NAME,
      records: runner.records,
      records_per_s: recordsPerS,
      baseline_per_s: baselinePerS,
      ratio: baselinePerS > 0 ? Math.round((recordsPerS / baselinePerS) * 1000) / 1000 : 0,
      peak_rss_mb: toMb(peakRss),
    };
  },
};

function report(label: string, result: ChildResult): void {
  const seconds = (result.elapsedMs / 1000).toFixed(2);
  say(`${NAME}: ${label.padEnd(18)} ${result.records} records in ${seconds}s, peak RSS ${toMb(result.peakRssBytes)} MB`);
}

function faster(best: ChildResult | undefined, next: ChildResult): ChildResult {
  return best === undefined || next.elapsedMs < best.elapsedMs ? next : best;
}

interface BenchProject {
  dir: string;
  statePath: string;
  outDir: string;
}

/**
 * A throw-away project, recreated for every measurement so state and output of an earlier run
 * cannot turn this one into a no-op (the file source is incremental). The input stays in its
 * cached folder: the source connection's root points there, and the folder holds only that file.
 */
function createProject(dir: string, inputDir: string): BenchProject {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'pipelines'), { recursive: true });
  // JSON strings are valid YAML scalars, which keeps any path safe to embed.
  writeFileSync(
    join(dir, 'keel.yaml'),
    [
      'name: bench-stock',
      'connections:',
      '  stock_in:',
      '    connector: file',
      `    config: { root: ${JSON.stringify(inputDir)} }`,
      '  stock_out:',
      '    connector: file',
      '    config: { root: "." }',
      '',
    ].join('\n'),
  );
  writeFileSync(
    join(dir, 'pipelines', `${NAME}.yaml`),
    [
      `name: ${NAME}`,
      'source:',
      '  connection: stock_in',
      '  stream: files',
      '  options: { path: "*.csv", format: csv }',
      'targets:',
      '  - connection: stock_out',
      '    stream: files',
      '    options: { path: "out/stock-{seq}.csv", format: csv }',
      `batch_size: ${BATCH_SIZE}`,
      '',
    ].join('\n'),
  );
  return { dir, statePath: join(dir, '.keel', 'state.db'), outDir: join(dir, 'out') };
}

/** Fails loudly unless the runner wrote every input row exactly once, unchanged, in order. */
async function verify(rows: number, outcome: RunOutcome | undefined, inputFile: string, outDir: string): Promise<void> {
  if (outcome === undefined) throw new BenchFailure('the runner child returned no run summary');
  if (outcome.status !== 'ok' || outcome.read !== rows || outcome.written !== rows || outcome.deadLettered !== 0) {
    throw new BenchFailure(
      `run summary: status ${outcome.status}, read ${outcome.read}, written ${outcome.written}, dead-lettered ${outcome.deadLettered} ` +
        `(expected ok, ${rows}, ${rows}, 0)${outcome.error !== undefined ? `: ${outcome.error}` : ''}`,
    );
  }
  // {seq} is zero-padded, so name order is batch order.
  const files = readdirSync(outDir)
    .filter((name) => name.endsWith('.csv'))
    .sort()
    .map((name) => join(outDir, name));
  const expectedFiles = Math.ceil(rows / BATCH_SIZE);
  if (files.length !== expectedFiles) throw new BenchFailure(`${files.length} output files in ${outDir}, expected ${expectedFiles}`);
  const written = await scanCsvRows(files);
  const badHeader = written.headers.findIndex((header) => header !== STOCK_HEADER);
  if (badHeader >= 0) throw new BenchFailure(`${files[badHeader]} has header "${written.headers[badHeader]}", expected "${STOCK_HEADER}"`);
  if (written.rows !== rows) throw new BenchFailure(`output files hold ${written.rows} data rows, expected ${rows}`);
  const read = await scanCsvRows([inputFile]);
  if (written.sha256 !== read.sha256) throw new BenchFailure('output rows differ from input rows (same count, different content or order)');
  say(`${NAME}: verified ${files.length} output files, ${written.rows} data rows, identical to the input`);
}
