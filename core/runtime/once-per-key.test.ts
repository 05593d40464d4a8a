import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../test-support/run-cli.js';
import { runProject } from '../../test-support/run-project.js';
import { tempProject, type TempProject } from '../../test-support/temp-project.js';
import { GATE_CONNECTOR, LABEL_CONNECTOR } from '../../test-support/test-connectors.js';
import { SqliteStateStore } from '../state/sqlite-store.js';

let project: TempProject | undefined;
afterEach(() => project?.remove());

interface Order {
  id: number;
  sku: string;
  qty: number;
}

const PROJECT = `name: shop
connections:
  exports: { connector: file, config: { root: ./exports } }
  pick: { connector: file, config: { root: ./pick } }
  gate: { connector: ./gate.js }
  label: { connector: ./label.js }
`;

/** A shop export file, as a shop writes one per day: the same order may be in several. */
function exportFile(name: string, orders: Order[]): void {
  project?.write({ [`exports/${name}`]: JSON.stringify({ orders }) });
}

function pickProject(target: string, steps = ''): TempProject {
  return tempProject({
    'keel.yaml': PROJECT,
    'gate.js': GATE_CONNECTOR,
    'label.js': LABEL_CONNECTOR,
    'pipelines/pick.yaml': `name: pick
source: { connection: exports, stream: files, options: { path: "orders-*.json", json: { path: orders } } }
${steps}targets:
${target}`,
  });
}

const PICK_FILE = '  - { name: pick-file, connection: pick, stream: files, options: { path: "pick-{seq}.csv" }, key: "order-{{id}}"';

/** Every pick file and its rows (`id:qty`), read from the files themselves. */
function pickFiles(): Record<string, string[]> {
  const dir = project?.path('pick') ?? '';
  if (!existsSync(dir)) return {};
  const files: Record<string, string[]> = {};
  for (const name of readdirSync(dir).filter((file) => !file.startsWith('.')).sort()) {
    const [, ...rows] = readFileSync(`${dir}/${name}`, 'utf8').trim().split('\n');
    files[name] = rows.map((row) => {
      const [id, , qty] = row.split(',');
      return `${id}:${qty}`;
    });
  }
  return files;
}

async function deadLetters(): Promise<{ stage: string; code: string; recordKey: string | undefined; reason: string }[]> {
  const store = new SqliteStateStore(project?.path('.keel/state.db') ?? '');
  try {
    return (await store.listDeadLetters({ status: 'open' })).map(({ stage, code, recordKey, reason }) => ({ stage, code, recordKey, reason }));
  } finally {
    await store.close();
  }
}

const run = (replayAll = false) => runProject(project?.dir ?? '', { replayAll }).then((result) => result.summary);

describe('a file target with a key delivers each order once across exports', () => {
  it('writes an order that a second export repeats once, and holds back an edited one with a diff until a person replays it', async () => {
    project = pickProject(`${PICK_FILE} }\n`);
    exportFile('orders-1.json', [{ id: 1, sku: 'A', qty: 1 }, { id: 2, sku: 'B', qty: 1 }]);
    expect(await run()).toMatchObject({ written: 2, duplicates: 0 });
    exportFile('orders-2.json', [{ id: 2, sku: 'B', qty: 1 }, { id: 3, sku: 'C', qty: 1 }, { id: 3, sku: 'C', qty: 1 }]);
    expect(await run()).toMatchObject({ read: 3, written: 1, duplicates: 2, deadLettered: 0 });
    exportFile('orders-3.json', [{ id: 2, sku: 'B', qty: 3 }]);
    expect(await run()).toMatchObject({ status: 'dead_letters', read: 1, written: 0, deadLettered: 1 });
    expect(pickFiles()).toEqual({ 'pick-000001.csv': ['1:1', '2:1'], 'pick-000002.csv': ['3:1'] });
    expect(await deadLetters()).toEqual([
      {
        stage: 'target:pick-file',
        code: 'changed_after_delivery',
        recordKey: 'order-2',
        reason: expect.stringMatching(
          /^order-2 was delivered at \d{4}-\d\d-\d\dT[\d:.]+Z with other content: qty 1 → 3\. on_change: dead_letter holds it for a person: replay it to send the new version, or discard it to keep what went out$/,
        ),
      },
    ]);

    // The person decides: replaying the dead letter sends the new version; it is then the one delivered.
    expect(await run(true)).toMatchObject({ status: 'ok', written: 1, deadLettered: 0 });
    expect(pickFiles()['pick-000003.csv']).toEqual(['2:3']);
    exportFile('orders-4.json', [{ id: 2, sku: 'B', qty: 3 }]);
    expect(await run()).toMatchObject({ written: 0, duplicates: 1 });
  });

  it('follows on_change: skip keeps what went out, send writes the new version again', async () => {
    for (const [policy, expected] of [
      ['skip', { written: 0, duplicates: 1, deadLettered: 0 }],
      ['send', { written: 1, duplicates: 0, deadLettered: 0 }],
    ] as const) {
      project = pickProject(`${PICK_FILE}, on_change: ${policy} }\n`);
      exportFile('orders-1.json', [{ id: 1, sku: 'A', qty: 1 }]);
      await run();
      exportFile('orders-2.json', [{ id: 1, sku: 'A', qty: 2 }]);
      expect(await run()).toMatchObject(expected);
      expect(Object.values(pickFiles()).flat()).toEqual(policy === 'skip' ? ['1:1'] : ['1:1', '1:2']);
      project.remove();
    }
  });

  it('rewrites a batch cut off by a crash with the same records under the same name, and counts them as re-sent', async () => {
    project = pickProject(`${PICK_FILE} }\n  - { connection: gate, stream: sink }\n`);
    project.write({ 'keel.yaml': PROJECT.replace('gate: { connector: ./gate.js }', 'gate: { connector: ./gate.js, config: { wait_for: pick/pick-000002.csv } }') });
    writeFileSync(project.path('open.flag'), '');
    exportFile('orders-1.json', [{ id: 1, sku: 'A', qty: 1 }]);
    expect(await run()).toMatchObject({ written: 2 });
    // The file target writes its file, then the gate fails the run: the batch is not committed.
    rmSync(project.path('open.flag'));
    exportFile('orders-2.json', [{ id: 1, sku: 'A', qty: 1 }, { id: 2, sku: 'B', qty: 1 }, { id: 3, sku: 'C', qty: 1 }]);
    expect(await run()).toMatchObject({ status: 'failed' });
    const cutOff = pickFiles();
    expect(cutOff).toEqual({ 'pick-000001.csv': ['1:1'], 'pick-000002.csv': ['2:1', '3:1'] });

    writeFileSync(project.path('open.flag'), '');
    // Both targets had been handed the batch (order 1 went to each before): 2 records each, re-sent.
    expect(await run()).toMatchObject({ status: 'ok', read: 3, written: 4, duplicates: 2, resent: 4 });
    expect(pickFiles()).toEqual(cutOff);
  });
});

describe('the dedupe step', () => {
  const DEDUPE = '  - dedupe: { key: "order-{{id}}" }\n';
  const PLAIN_FILE = '  - { connection: pick, stream: files, options: { path: "pick-{seq}.csv" } }\n';

  it('lets each key through once, counts the rest as duplicates, and holds back a changed one until it is replayed', async () => {
    project = pickProject(PLAIN_FILE, `steps:\n${DEDUPE}`);
    exportFile('orders-1.json', [{ id: 1, sku: 'A', qty: 1 }, { id: 2, sku: 'B', qty: 1 }, { id: 1, sku: 'A', qty: 1 }]);
    expect(await run()).toMatchObject({ read: 3, written: 2, duplicates: 1 });
    exportFile('orders-2.json', [{ id: 2, sku: 'B', qty: 5 }, { id: 3, sku: 'C', qty: 1 }]);
    expect(await run()).toMatchObject({ read: 2, written: 1, duplicates: 0, deadLettered: 1 });
    expect(await deadLetters()).toEqual([
      { stage: 'step:1:dedupe', code: 'changed_after_delivery', recordKey: undefined, reason: expect.stringMatching(/^order-2 passed this dedupe step at \S+ with other content: qty 1 → 5\. .*replay it to let the new version through/) },
    ]);
    expect(await run(true)).toMatchObject({ status: 'ok', written: 1 });
    expect(Object.values(pickFiles()).flat()).toEqual(['1:1', '2:1', '3:1', '2:5']);
  });

  it('remembers nothing of a batch that was not committed, so the run after a crash lets the same records through', async () => {
    project = pickProject('  - { connection: gate, stream: sink }\n', `steps:\n${DEDUPE}`);
    exportFile('orders-1.json', [{ id: 1, sku: 'A', qty: 1 }, { id: 2, sku: 'B', qty: 1 }]);
    expect(await run()).toMatchObject({ status: 'failed' });
    writeFileSync(project.path('open.flag'), '');
    expect(await run()).toMatchObject({ status: 'ok', written: 2, duplicates: 0 });
    expect(readFileSync(project.path('gate.ndjson'), 'utf8').trim().split('\n')).toHaveLength(2);
  });
});

describe('outcomes a target gives accepted records', () => {
  it('are counted per label; duplicate and stale count as duplicates, not as written; the text summary shows them', async () => {
    project = pickProject('  - { connection: label, stream: sink }\n');
    exportFile('orders-1.json', [
      { id: 1, sku: 'A', qty: 1, answer: 'reserved' } as Order,
      { id: 2, sku: 'B', qty: 1, answer: 'reserved' } as Order,
      { id: 3, sku: 'C', qty: 1, answer: 'adjusted' } as Order,
      { id: 4, sku: 'D', qty: 1, answer: 'duplicate' } as Order,
      { id: 5, sku: 'E', qty: 1, answer: 'stale' } as Order,
      { id: 6, sku: 'F', qty: 1 },
    ]);
    const result = await runCli(['run', project.dir]);
    expect(result.stdout).toMatch(
      /^pick: ok — read 6, written 4, duplicates skipped 2, filtered 0, dead-lettered 0, outcomes: adjusted 1, duplicate 1, reserved 2, stale 1, [\d.]+s \(run 1\)\n$/,
    );
    const json = JSON.parse((await runCli(['runs', '--json', '--project', project.dir])).stdout) as { runs: Record<string, unknown>[] };
    expect(json.runs[0]).toMatchObject({ written: 4, duplicates: 2, resent: 0, outcomes: { reserved: 2, adjusted: 1, duplicate: 1, stale: 1 } });
  });

  it('refuse a label that is no word: the connector is broken', async () => {
    project = pickProject('  - { connection: label, stream: sink }\n');
    exportFile('orders-1.json', [{ id: 1, sku: 'A', qty: 1, answer: '__proto__' } as Order]);
    expect(await run()).toMatchObject({ status: 'failed', error: expect.stringMatching(/target label labelled a result "__proto__"; labels are lower-case words/) });
  });
});
