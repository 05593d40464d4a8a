import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { startCli } from '../../test-support/run-cli.js';
import { tempProject, type TempProject } from '../../test-support/temp-project.js';
import { SLOW_CONNECTOR } from '../../test-support/test-connectors.js';

const RECORDS = 10_000;
const BATCH = 20;

let project: TempProject | undefined;
afterEach(() => project?.remove());

function crashProject(): TempProject {
  const rows = Array.from({ length: RECORDS }, (_, index) => `${index + 1},SKU-${index % 500},${index % 9}`);
  return tempProject({
    'keel.yaml': `name: crash
connections:
  inbox: { connector: file, config: { root: ./in } }
  outbox: { connector: file, config: { root: ./out } }
  audit: { connector: ./slow.js, config: { pause_ms: 4 } }
`,
    'slow.js': SLOW_CONNECTOR,
    // The slow second target holds each batch uncommitted for a few ms after the file is written,
    // so kills often land between "file written" and "cursor committed": the case that duplicates.
    'pipelines/copy.yaml': `name: copy
source: { connection: inbox, stream: files, options: { path: "*.csv" } }
targets:
  - { connection: outbox, stream: files, options: { path: "part-{seq}.ndjson" } }
  - { connection: audit, stream: sink }
batch_size: ${BATCH}
`,
    // Two files, so kills also land between files and inside the second one.
    'in/a.csv': `id,sku,qty\n${rows.slice(0, 6000).join('\n')}\n`,
    'in/b.csv': `id,sku,qty\n${rows.slice(6000).join('\n')}\n`,
  });
}

/** Output files the target finished (hidden names are temp files of a write in progress). */
function outputFiles(dir: string): string[] {
  const out = `${dir}/out`;
  return existsSync(out) ? readdirSync(out).filter((name) => !name.startsWith('.')) : [];
}

/** Every id found in the target's files, read from the files themselves, not from Keel's state. */
function idsInTarget(dir: string): Map<number, number> {
  const counts = new Map<number, number>();
  for (const name of outputFiles(dir)) {
    for (const line of readFileSync(`${dir}/out/${name}`, 'utf8').split('\n')) {
      if (line === '') continue;
      const id = Number((JSON.parse(line) as { id: string }).id);
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
  }
  return counts;
}

/** Starts `keel run`, and SIGKILLs it once the target holds `killAfterFiles` files. */
async function runUntilKilled(dir: string, killAfterFiles: number): Promise<'killed' | 'finished'> {
  const { child, done } = startCli(['run', dir]);
  const deadline = Date.now() + 30_000;
  const poll = setInterval(() => {
    if (outputFiles(dir).length >= killAfterFiles || Date.now() > deadline) child.kill('SIGKILL');
  }, 2);
  const result = await done;
  clearInterval(poll);
  return result.signal === 'SIGKILL' ? 'killed' : 'finished';
}

describe('crash safety', () => {
  it('holds every record exactly once after SIGKILL at 5 random points and a re-run', async () => {
    project = crashProject();
    const batches = RECORDS / BATCH;
    const points = Array.from({ length: 5 }, () => 1 + Math.floor(Math.random() * (batches - 2))).sort((a, b) => a - b);
    const outcomes: string[] = [];
    for (const point of points) outcomes.push(await runUntilKilled(project.dir, point));
    // Progress is checked between kills by file count, so most kills land mid-run.
    expect(outcomes.filter((outcome) => outcome === 'killed').length).toBeGreaterThanOrEqual(3);

    const final = await startCli(['run', project.dir, '--json']).done;
    expect(final.code).toBe(0);

    const counts = idsInTarget(project.dir);
    const missing = Array.from({ length: RECORDS }, (_, index) => index + 1).filter((id) => !counts.has(id));
    const doubled = [...counts].filter(([, count]) => count > 1).map(([id]) => id);
    expect({ points, missing: missing.slice(0, 10), doubled: doubled.slice(0, 10) }).toEqual({ points, missing: [], doubled: [] });
    expect(counts.size).toBe(RECORDS);
  }, 240_000); // six runs of the CLI: about 10 s alone, 35 s beside a second suite

  it('finishes the current batch on SIGINT, saves its place, and resumes without loss or duplicates', async () => {
    project = crashProject();
    const { child, done } = startCli(['run', project.dir]);
    const poll = setInterval(() => {
      if (outputFiles(project?.dir ?? '').length >= 50) {
        child.kill('SIGINT');
        clearInterval(poll);
      }
    }, 2);
    const interrupted = await done;
    clearInterval(poll);
    expect(interrupted.code).toBe(130);
    expect(interrupted.stdout).toMatch(/copy: interrupted/);
    const before = idsInTarget(project.dir).size;
    expect(before).toBeLessThan(RECORDS);

    const resumed = await startCli(['run', project.dir]).done;
    expect(resumed.code).toBe(0);
    const counts = idsInTarget(project.dir);
    expect(counts.size).toBe(RECORDS);
    expect([...counts.values()].every((count) => count === 1)).toBe(true);
  });
});
