import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { loadProject } from '../../core/config/load-project.js';
import { createLogger } from '../../core/logger.js';
import { Redactor } from '../../core/redact.js';
import { runPipeline, type RunSummary } from '../../core/runtime/run-pipeline.js';
import { SqliteStateStore } from '../../core/state/sqlite-store.js';
import { runProject } from '../../test-support/run-project.js';
import { tempProject, type TempProject } from '../../test-support/temp-project.js';

let project: TempProject | undefined;
let outside: TempProject | undefined;
afterEach(() => {
  project?.remove();
  outside?.remove();
});

const KEEL_YAML = `name: files
connections:
  inbox: { connector: file, config: { root: ./in } }
  outbox: { connector: file, config: { root: ./out } }
  broken: { connector: ./broken.js }
`;

/** A target that cannot be reached: every write throws a non-retryable error. */
const BROKEN_TARGET = `
export default {
  name: 'broken', kind: 'generic', sdkVersion: 1,
  configSchema: { type: 'object', properties: {}, additionalProperties: false },
  streams: { sink: { write: { idempotency: 'record', write: async () => { throw new Error('connection refused'); } } } },
};
`;

function pipeline(source: string, target = '{ connection: outbox, stream: files, options: { path: "out-{seq}.ndjson" } }'): string {
  return `name: copy\nsource: { connection: inbox, stream: files, options: ${source} }\ntargets:\n  - ${target}\nbatch_size: 2\n`;
}

async function run(dir: string): Promise<RunSummary> {
  const { plan } = await loadProject(dir);
  const store = new SqliteStateStore(plan.statePath);
  const redactor = new Redactor();
  const logger = createLogger({ level: 'error', format: 'json', redactor, write: () => undefined });
  try {
    const first = plan.pipelines[0];
    if (first === undefined) throw new Error('no pipeline');
    return await runPipeline(first, { store, logger, redactor, projectDir: plan.dir });
  } finally {
    await store.close();
  }
}

function written(dir: string): string[] {
  const out = `${dir}/out`;
  if (!existsSync(out)) return [];
  return readdirSync(out)
    .filter((name) => !name.startsWith('.'))
    .sort()
    .flatMap((name) => readFileSync(`${out}/${name}`, 'utf8').trim().split('\n'));
}

describe('file connector', () => {
  it('moves a file to the archive only after all its records were delivered', async () => {
    project = tempProject({
      'keel.yaml': KEEL_YAML,
      'broken.js': BROKEN_TARGET,
      'in/a.csv': 'id\n1\n2\n3\n',
      'pipelines/copy.yaml': pipeline('{ path: "*.csv", archive_dir: done }', '{ connection: broken, stream: sink }'),
    });
    const failed = await run(project.dir);
    expect(failed.status).toBe('failed');
    expect(failed.error).toBe('target broken failed: connection refused');
    expect(existsSync(project.path('in/a.csv'))).toBe(true);

    project.write({ 'pipelines/copy.yaml': pipeline('{ path: "*.csv", archive_dir: done }') });
    const ok = await run(project.dir);
    expect(ok).toMatchObject({ status: 'ok', read: 3, written: 3 });
    expect(existsSync(project.path('in/a.csv'))).toBe(false);
    expect(readFileSync(project.path('in/done/a.csv'), 'utf8')).toBe('id\n1\n2\n3\n');
    expect(written(project.dir)).toEqual(['{"id":"1"}', '{"id":"2"}', '{"id":"3"}']);
    expect((await run(project.dir)).read).toBe(0);
  });

  it('reads new files and changed files incrementally, in name order', async () => {
    project = tempProject({ 'keel.yaml': KEEL_YAML, 'broken.js': BROKEN_TARGET, 'in/b.csv': 'id\nb1\n', 'pipelines/copy.yaml': pipeline('{ path: "*.csv" }') });
    expect((await run(project.dir)).read).toBe(1);
    project.write({ 'in/a.csv': 'id\na1\n', 'in/c.csv': 'id\nc1\n' });
    expect((await run(project.dir)).read).toBe(2);
    writeFileSync(project.path('in/b.csv'), 'id\nb1\nb2\n');
    expect((await run(project.dir)).read).toBe(2);
    expect(written(project.dir)).toEqual(['{"id":"b1"}', '{"id":"a1"}', '{"id":"c1"}', '{"id":"b1"}', '{"id":"b2"}']);
  });

  it('does not follow symlinks out of the root and skips files still being written', async () => {
    outside = tempProject({ 'secret.csv': 'id\nsecret\n' });
    project = tempProject({
      'keel.yaml': KEEL_YAML,
      'broken.js': BROKEN_TARGET,
      'in/ok.csv': 'id\n1\n',
      'pipelines/copy.yaml': pipeline('{ path: "**/*.csv" }'),
    });
    symlinkSync(outside.path('secret.csv'), project.path('in/link.csv'));
    symlinkSync(outside.dir, project.path('in/linked-dir'), 'dir');
    expect(await run(project.dir)).toMatchObject({ read: 1, written: 1 });
    expect(written(project.dir)).toEqual(['{"id":"1"}']);

    project.write({ 'pipelines/copy.yaml': pipeline('{ path: "*.csv", min_age_ms: 600000 }'), 'in/fresh.csv': 'id\n2\n' });
    expect((await run(project.dir)).read).toBe(0);
  });

  it('refuses reads, listings and writes that a symbolic link inside the root would lead out of it, and warns of skipped links', async () => {
    outside = tempProject({ 'secret.csv': 'id\nsecret\n' });
    project = tempProject({ 'keel.yaml': KEEL_YAML, 'broken.js': BROKEN_TARGET, 'in/ok.csv': 'id\n1\n', 'pipelines/copy.yaml': pipeline('{ path: "linked-dir/*.csv" }') });
    symlinkSync(outside.dir, project.path('in/linked-dir'), 'dir');
    symlinkSync(outside.path('secret.csv'), project.path('in/link.csv'));
    const listed = await run(project.dir);
    expect(listed.status).toBe('failed');
    expect(listed.error).toMatch(/^path "linked-dir" leaves the connection root .*\/in \(through a symbolic link, it is .*\); keep paths inside it$/);

    project.write({ 'pipelines/copy.yaml': pipeline('{ path: "*.csv" }', '{ connection: outbox, stream: files, options: { path: "linked-out/out-{seq}.ndjson" } }') });
    mkdirSync(project.path('out'));
    symlinkSync(outside.dir, project.path('out/linked-out'), 'dir');
    const wrote = await run(project.dir);
    expect(wrote.status).toBe('failed');
    expect(wrote.error).toMatch(/^target outbox failed: path "linked-out\/out-000001\.ndjson" leaves the connection root .*\/out \(through a symbolic link/);
    expect(readdirSync(outside.dir)).toEqual(['secret.csv']);

    rmSync(project.path('out/linked-out'));
    const logged = await runProject(project.dir);
    expect(logged.summary).toMatchObject({ status: 'ok', read: 1, written: 1 });
    expect(logged.log).toContain('link.csv is a symbolic link and is not read: links are not followed, as they could lead out of the connection root');
  });

  it('refuses an output path that leaves the root before anything runs', async () => {
    project = tempProject({
      'keel.yaml': KEEL_YAML,
      'broken.js': BROKEN_TARGET,
      'in/a.csv': 'id\n1\n',
      'pipelines/copy.yaml': pipeline('{ path: "*.csv" }', '{ connection: outbox, stream: files, options: { path: "../../escaped-{seq}.csv" } }'),
    });
    await expect(run(project.dir)).rejects.toThrow(/copy\.yaml:4:59: target "outbox": path "\.\.\/\.\.\/escaped-000001\.csv" leaves the connection root; keep paths inside it$/);
    expect(existsSync(project.path('../escaped-000001.csv'))).toBe(false);
  });
});
