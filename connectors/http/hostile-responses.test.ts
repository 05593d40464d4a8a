import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStateStore } from '../../core/state/sqlite-store.js';
import { runProject } from '../../test-support/run-project.js';
import { tempProject, type TempProject } from '../../test-support/temp-project.js';

let project: TempProject | undefined;
let server: Server | undefined;
afterEach(async () => {
  project?.remove();
  await new Promise((resolve) => (server === undefined ? resolve(undefined) : server.close(resolve)));
  server = undefined;
});

/** A JSON API on loopback that answers every request with the same body. */
async function serve(body: string): Promise<string> {
  server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(body);
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server?.address() as AddressInfo).port}`;
}

function apiProject(url: string): TempProject {
  return tempProject({
    'keel.yaml': `name: hostile-api\nconnections:\n  api: { connector: http, config: { base_url: "${url}" } }\n  outbox: { connector: file, config: { root: ./out } }\n`,
    'pipelines/copy.yaml': `name: copy
source: { connection: api, stream: api, sync: full, options: { path: /orders, records: orders } }
targets:
  - { connection: outbox, stream: files, options: { path: "out-{seq}.ndjson" } }
`,
  });
}

describe('an API response read by the http source', () => {
  it('keeps integers beyond 2^53 exact and refuses a record nested too deep, alone', async () => {
    const deep = `${'['.repeat(100)}${']'.repeat(100)}`;
    project = apiProject(await serve(`{"orders":[{"id":9007199254740993,"qty":2},{"id":2,"deep":${deep}},{"id":3}]}`));
    const run = await runProject(project.dir);
    expect(run.summary).toMatchObject({ status: 'dead_letters', read: 3, written: 2, deadLettered: 1 });
    const out = readdirSync(project.path('out')).filter((name) => !name.startsWith('.'));
    expect(out.flatMap((name) => readFileSync(project?.path('out', name) ?? '', 'utf8').trim().split('\n'))).toEqual(['{"id":"9007199254740993","qty":2}', '{"id":3}']);
    const store = new SqliteStateStore(project.path('.keel/state.db'));
    const [letter] = await store.listDeadLetters({});
    await store.close();
    expect(letter).toMatchObject({ stage: 'decode', reason: 'the record is nested deeper than 64 levels' });
    expect(letter?.payload.startsWith('{"id":2,"deep":[[[')).toBe(true);
  });
});
