import { readdirSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { runProject } from '../../test-support/run-project.js';
import { tempProject, type TempProject } from '../../test-support/temp-project.js';
import { SqliteStateStore } from '../state/sqlite-store.js';

let project: TempProject | undefined;
afterEach(() => project?.remove());

const deepArray = (levels: number): string => `${'['.repeat(levels)}${']'.repeat(levels)}`;

function copyProject(files: Record<string, string>, sourceOptions: string): TempProject {
  return tempProject({
    'keel.yaml': 'name: hostile\nconnections:\n  inbox: { connector: file, config: { root: ./in } }\n  outbox: { connector: file, config: { root: ./out } }\n',
    'pipelines/copy.yaml': `name: copy
source: { connection: inbox, stream: files, options: ${sourceOptions} }
targets:
  - { connection: outbox, stream: files, options: { path: "out-{seq}.ndjson" } }
`,
    ...Object.fromEntries(Object.entries(files).map(([name, content]) => [`in/${name}`, content])),
  });
}

function written(dir: string): string[] {
  return readdirSync(`${dir}/out`)
    .filter((name) => !name.startsWith('.'))
    .flatMap((name) => readFileSync(`${dir}/out/${name}`, 'utf8').trim().split('\n'));
}

describe('a record no encoder can write', () => {
  it('is dead-lettered with a bounded payload, and the good record after it is written and committed', async () => {
    // The decoder is told to let a record 9,000 levels deep through: JSON.stringify cannot write it.
    project = copyProject({ 'orders.json': `[{"id":1,"deep":${deepArray(9000)}},{"id":2}]` }, '{ path: "*.json", json: { max_depth: 10000 } }');
    const first = await runProject(project.dir);
    expect(first.summary).toMatchObject({ status: 'dead_letters', read: 2, written: 1, deadLettered: 1 });
    expect(written(project.dir)).toEqual(['{"id":2}']);
    const store = new SqliteStateStore(`${project.dir}/.keel/state.db`);
    const [letter] = await store.listDeadLetters({});
    await store.close();
    expect(letter).toMatchObject({ stage: 'target:outbox', code: 'encode_failed', origin: 'orders.json#1' });
    expect(letter?.payload.startsWith('{"id":1,"deep":[[[[')).toBe(true);
    expect(letter?.payload.length).toBeLessThan(70_000);
    // Committed: a second run has nothing left to read, and does not fail.
    const second = await runProject(project.dir);
    expect(second.summary).toMatchObject({ status: 'ok', read: 0 });
  });

  it('with the default limits never reaches a target: the decoder refuses it and the run goes on', async () => {
    project = copyProject({ 'orders.json': `[{"id":1,"deep":${deepArray(200_000)}},{"id":2}]` }, '{ path: "*.json" }');
    const run = await runProject(project.dir);
    expect(run.summary).toMatchObject({ status: 'dead_letters', read: 2, written: 1, deadLettered: 1 });
    expect(written(project.dir)).toEqual(['{"id":2}']);
  });
});
