import { Ajv2020 } from 'ajv/dist/2020.js';
import { cpSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../test-support/run-cli.js';
import { tempProject, type TempProject } from '../test-support/temp-project.js';

const EXAMPLE = fileURLToPath(new URL('../examples/omnichannel/', import.meta.url));

let project: TempProject | undefined;
afterEach(() => project?.remove());

function copyOfExample(): TempProject {
  const copy = tempProject();
  cpSync(EXAMPLE, copy.dir, { recursive: true, filter: (source) => !source.includes('/.keel') });
  return copy;
}

describe('keel CLI', () => {
  it('runs the example project: exit 1 for its dead letter, then nothing new, with stable --json', async () => {
    project = copyOfExample();
    const first = await runCli(['run', project.dir, '--json']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(1);
    const runs = (JSON.parse(first.stdout) as { runs: Record<string, unknown>[] }).runs;
    expect(runs.map((run) => Object.keys(run).sort())).toEqual(
      runs.map(() => ['deadLettered', 'dryRun', 'duplicates', 'durationMs', 'outcomes', 'pipeline', 'read', 'resent', 'runId', 'skipped', 'status', 'written']),
    );
    // Counts per label are always there (empty when targets label nothing); nothing was re-sent on a first run.
    expect(runs.every((run) => run['resent'] === 0 && typeof run['outcomes'] === 'object')).toBe(true);
    expect(runs.find((run) => run['pipeline'] === 'marketplace-orders-to-erp')).toMatchObject({ status: 'dead_letters', deadLettered: 1 });
    expect(readdirSync(project.path('data/erp-outbox')).filter((name) => !name.startsWith('.')).length).toBeGreaterThan(0);

    const second = await runCli(['run', project.dir, '--json']);
    expect(second.code).toBe(0);
    expect((JSON.parse(second.stdout) as { runs: { read: number }[] }).runs.every((run) => run.read === 0)).toBe(true);

    const letters = await runCli(['dlq', 'list', '--json', '--project', project.dir]);
    const list = (JSON.parse(letters.stdout) as { deadLetters: { id: number; stage: string; origin: string; code: string }[] }).deadLetters;
    // The marketplace row without an order id, shop order #1003 changed after its first version went to
    // the ERP (the diff is in the reason), and the ERP stock item whose quantity is "n/a" (never a silent zero).
    expect(list).toEqual([
      expect.objectContaining({ stage: 'step:1:map', origin: 'amazon-orders-2024-05-14.csv:7' }),
      expect.objectContaining({ stage: 'target:erp', origin: 'orders-2024-05-14.json#6', code: 'changed_after_delivery' }),
      expect.objectContaining({ stage: 'step:1:map', origin: 'stock-2024-05-14.xml:17' }),
    ]);
    const shown = await runCli(['dlq', 'show', String(list[0]?.id), '--project', project.dir]);
    expect(shown.stdout).toContain('payload:');

    // The inventory the stock pipelines built: the kit is limited by its scarcer component on Amazon.
    const stock = await runCli(['stock', 'NH-GIFT-SET', '--project', project.dir, '--channel', 'amazon-de', '--explain', '--json']);
    expect(stock.code).toBe(0);
    const kit = (JSON.parse(stock.stdout) as { channels: { channel: string; quantity: number; explain: { step: string }[] }[] }).channels;
    // Mugs: Berlin 55 − 2 safety − 3 held for #1003 (its second version) = 50, the Leipzig 3PL 30 − 5
    // safety = 25; tees far more; − 5 units buffer = 70, listed at most 50.
    expect(kit).toEqual([expect.objectContaining({ channel: 'amazon-de', quantity: 50, status: 'in_stock' })]);
    expect(kit[0]?.explain.map((step) => step.step)).toEqual(['component NH-TEE-BLK-M', 'component NH-MUG-WHT', 'channel buffer', 'maximum listed']);
    expect((await runCli(['stock', '--drift', '--project', project.dir])).stdout).toBe('no drift recorded since the last publish\n');
    // The navy hoodie is not in stock: the web shop sells the 24 due on 3 June, less #1006's 2.
    const hoodie = JSON.parse((await runCli(['stock', 'NH-HOOD-NVY-M', '--project', project.dir, '--channel', 'shopify', '--json'])).stdout) as { preordered: number; channels: unknown[] };
    expect(hoodie).toMatchObject({ preordered: 2, channels: [{ quantity: 22, status: 'preorder', available_from: '2024-06-03' }] });

    // Routing: the Munich store gave CC-2003 back, so it was routed again without it, to the 3PL.
    const explained = await runCli(['route', 'explain', 'CC-2003', '--project', project.dir, '--json']);
    expect(explained.code).toBe(0);
    const decisions = JSON.parse(explained.stdout) as { receipts: { cause: string }[]; requests: { kind: string; location_id: string; status: string }[] };
    expect(decisions.receipts.map((receipt) => receipt.cause)).toEqual(['new order', 'unclaimed by store-muenchen: the last M is the window display']);
    expect(decisions.requests.map((request) => `${request.kind} ${request.location_id} ${request.status}`)).toEqual(['offer store-muenchen unclaimed', 'fulfil 3pl-leipzig open']);
    expect(readFileSync(project.path('data/3pl-outbox/pick-orders-000001.csv'), 'utf8')).toContain('CC-2003');
    const text = (await runCli(['route', 'explain', 'callcenter:CC-2003', '--project', project.dir])).stdout;
    expect(text).toContain('store-muenchen: excluded (rejected_order): store-muenchen already rejected or unclaimed this order');
    expect(text).toContain('Part 1: 3pl-leipzig ships 1 × NH-TEE-BLK-M (line 1)');
    const unknown = await runCli(['route', 'claim', 'CC-9999', '--location', 'store-muenchen', '--project', project.dir]);
    expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringContaining('order CC-9999 was never routed here')]);

    const history = await runCli(['runs', '--json', '--limit', '100', '--project', project.dir]);
    expect((JSON.parse(history.stdout) as { runs: unknown[] }).runs).toHaveLength(34);

    // The marketplace row gets its order id by hand and goes through: corrected, then replayed.
    const marketplaceRow = list[0]?.id ?? 0;
    const original = JSON.parse((await runCli(['dlq', 'show', String(marketplaceRow), '--json', '--project', project.dir])).stdout) as { payload: string };
    project.write({ 'fixed.json': '[1]' });
    const notARecord = await runCli(['dlq', 'edit', String(marketplaceRow), '--payload-file', project.path('fixed.json'), '--project', project.dir]);
    expect([notARecord.code, notARecord.stderr]).toEqual([2, `keel: dead letter ${marketplaceRow} holds a JSON record; the corrected payload must be a JSON object too\n`]);
    project.write({ 'fixed.json': JSON.stringify({ ...(JSON.parse(original.payload) as object), 'amazon-order-id': '303-7777777-1234567' }) });
    const edited = await runCli(['dlq', 'edit', String(marketplaceRow), '--payload-file', project.path('fixed.json'), '--project', project.dir]);
    expect(edited.stdout).toContain(`dead letter ${marketplaceRow} corrected; replay it with: keel dlq replay ${marketplaceRow}`);
    const replayed = await runCli(['dlq', 'replay', String(marketplaceRow), '--project', project.dir]);
    expect(replayed.code).toBe(0);
    const after = JSON.parse((await runCli(['dlq', 'show', String(marketplaceRow), '--json', '--project', project.dir])).stdout) as { status: string; originalPayload: string };
    expect(after).toMatchObject({ status: 'replayed', originalPayload: original.payload });
    const outbox = project.path('data/erp-outbox');
    expect(readdirSync(outbox).some((name) => readFileSync(join(outbox, name), 'utf8').includes('303-7777777-1234567'))).toBe(true);
  }, 240_000); // about 15 s alone, 50 s beside a second suite (the default is 60 s): a bound for a hang, not a pace

  it('exits 2 with file:line:col on stderr for an invalid pipeline', async () => {
    project = tempProject({ 'p.yaml': 'name: x\nsource: { connection: nope, stream: files }\ntargets: []\n' });
    const result = await runCli(['validate', project.path('p.yaml')]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/p\.yaml:3:10: pipeline at targets must NOT have fewer than 1 items/);
  });

  it('scaffolds a project with init that validates and runs', async () => {
    project = tempProject();
    expect((await runCli(['init', project.dir])).code).toBe(0);
    expect((await runCli(['validate', project.dir])).code).toBe(0);
    const run = await runCli(['run', project.dir]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/orders: ok — read 3, written 2, duplicates skipped 0, filtered 1, dead-lettered 0/);
    expect(run.stderr).toBe('');
  });

  it('publishes a pipeline schema that accepts every example pipeline', async () => {
    const printed = await runCli(['schema', 'pipeline']);
    expect(printed.code).toBe(0);
    const ajv = new Ajv2020({ strict: false });
    const validate = ajv.compile(JSON.parse(printed.stdout) as object);
    const dir = `${EXAMPLE}pipelines`;
    const files = readdirSync(dir).filter((name) => name.endsWith('.yaml') && !name.endsWith('.test.yaml'));
    expect(files.length).toBeGreaterThan(2);
    for (const file of files) {
      const valid = validate(parse(readFileSync(`${dir}/${file}`, 'utf8')));
      expect({ file, errors: validate.errors ?? null }).toEqual({ file, errors: null });
      expect(valid).toBe(true);
    }
    expect(validate({ name: 'x', source: { connection: 'a', stream: 'b' }, targets: [{ connection: 'c', stream: 'd' }], steps: [{ filtr: {} }] })).toBe(false);
  });

  it('publishes a routing-profile schema that accepts the example profiles and refuses a misspelt rating', async () => {
    const printed = await runCli(['schema', 'routing-profile']);
    expect(printed.code).toBe(0);
    const validate = new Ajv2020({ strict: false }).compile(JSON.parse(printed.stdout) as object);
    for (const file of ['profile.yaml', 'profile.no-store-shipping.yaml']) {
      validate(parse(readFileSync(`${EXAMPLE}routing/${file}`, 'utf8')));
      expect({ file, errors: validate.errors ?? null }).toEqual({ file, errors: null });
    }
    expect(validate({ name: 'x', strategies: [{ name: 'a', ratings: { distanse: 1 } }] })).toBe(false);
  });

  it("lists each stream's status with `keel connectors`", async () => {
    const printed = await runCli(['connectors']);
    const rows = printed.stdout.split('\n').map((line) => line.trim().split(/\s+/));
    expect(rows[0]).toEqual(['CONNECTOR', 'KIND', 'FROM', 'STREAM', 'STATUS', 'READ', 'WRITE']);
    expect(rows.find((row) => row[0] === 'file')?.slice(3, 5)).toEqual(['files', 'stable']);
    expect(rows.find((row) => row[0] === 'routing' && row[3] === 'orders')?.[4]).toBe('beta');
  });

  it('describes a connector with `keel schema connector file`', async () => {
    const printed = await runCli(['schema', 'connector', 'file']);
    const schema = JSON.parse(printed.stdout) as {
      config: { required: string[] };
      streams: { files: { status: string; read_options: object; write_options: object; examples: { title: string; yaml: string }[] } };
    };
    expect(schema.config.required).toEqual(['root']);
    expect(Object.keys(schema.streams.files)).toEqual(['description', 'status', 'read_options', 'write_options', 'examples']);
    expect(schema.streams.files.status).toBe('stable');
    expect(schema.streams.files.examples[0]?.yaml).toContain('stream: files');
  });
});
