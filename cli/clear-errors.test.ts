import { cpSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../test-support/run-cli.js';
import { tempProject, type TempProject } from '../test-support/temp-project.js';

const EXAMPLE = fileURLToPath(new URL('../examples/omnichannel/', import.meta.url));

let project: TempProject | undefined;
afterEach(() => project?.remove());

/** A copy of the example project with its pipelines run once, so it has state to inspect. */
async function ranExample(): Promise<TempProject> {
  const copy = tempProject();
  cpSync(EXAMPLE, copy.dir, { recursive: true, filter: (source) => !source.includes('/.keel') });
  expect((await runCli(['run', copy.dir])).code).toBe(1);
  return copy;
}

describe('clear errors instead of raw ones', () => {
  it('names a missing mapping or input file with the one it probably meant; an absolute mapping path works', async () => {
    project = tempProject({ 'orders.json': '[{"id":1}]', 'm.json': JSON.stringify({ name: 'm', output: { id: 'id' } }) });
    const mapping = await runCli(['map', 'keel:shopify/order.to-canonica.json', project.path('orders.json')]);
    expect([mapping.code, mapping.stderr]).toEqual([
      2,
      "keel: mapping keel:shopify/order.to-canonica.json does not exist; did you mean keel:shopify/order.to-canonical.json? (keel: names a mapping shipped in Keel's mappings/ folder)\n",
    ]);
    const input = await runCli(['map', project.path('m.json'), project.path('ordrs.json')]);
    expect([input.code, input.stderr]).toEqual([2, `keel: input ${project.path('ordrs.json')} does not exist; did you mean ${project.path('orders.json')}?\n`]);
    const absolute = await runCli(['map', project.path('m.json'), 'orders.json'], { cwd: project.dir });
    expect([absolute.code, absolute.stdout]).toEqual([0, '{"id":1}\n']);
  });

  it('keel route plan names a file of orders that are not canonical orders, without a stack trace', async () => {
    project = await ranExample();
    writeFileSync(project.path('raw.ndjson'), '{"order_id":"A-1"}\n');
    const result = await runCli(['route', 'plan', '--project', project.dir, '--orders', project.path('raw.ndjson'), '--stock', project.path('routing/backtest-stock.csv'), '--profile', project.path('routing/profile.yaml')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^keel: .*raw\.ndjson record 1 is no canonical order \(.*must have required property 'channel'.*\); give --orders canonical orders/);
    expect(result.stderr).not.toContain('    at ');
  });

  it('state commands find the project from a subfolder; an unknown SKU or channel is said, not shown as zero; dead letters page', async () => {
    project = await ranExample();
    const inside = project.path('data/shop-export');
    const runs = await runCli(['runs', '--json'], { cwd: inside });
    expect((JSON.parse(runs.stdout) as { runs: unknown[] }).runs.length).toBeGreaterThan(10);

    const unknown = await runCli(['stock', 'NH-TEE-BLK-XXL'], { cwd: inside });
    expect([unknown.code, unknown.stderr]).toEqual([2, expect.stringMatching(/^keel: unknown SKU "NH-TEE-BLK-XXL": no count, movement, reservation or incoming stock/) as unknown as string]);
    const channel = await runCli(['stock', 'NH-TEE-BLK-M', '--channel', 'shopfy'], { cwd: inside });
    expect([channel.code, channel.stderr]).toEqual([2, 'keel: no channel "shopfy" under inventory.channels in keel.yaml; did you mean "shopify"?\n']);

    const first = JSON.parse((await runCli(['dlq', 'list', '--json', '--limit', '1'], { cwd: inside })).stdout) as { deadLetters: { id: number }[]; next: number | null };
    expect(first.deadLetters).toHaveLength(1);
    expect(first.next).toBe(first.deadLetters[0]?.id);
    // The example leaves three: the second page has a next, the third ends the list.
    const second = JSON.parse((await runCli(['dlq', 'list', '--json', '--limit', '1', '--after', String(first.next)], { cwd: inside })).stdout) as { deadLetters: { id: number }[]; next: number | null };
    expect(second).toEqual({ deadLetters: [expect.objectContaining({ id: (first.next ?? 0) + 1 })], next: (first.next ?? 0) + 1 });
    const third = JSON.parse((await runCli(['dlq', 'list', '--json', '--limit', '1', '--after', String(second.next)], { cwd: inside })).stdout) as { deadLetters: { id: number }[]; next: number | null };
    expect(third).toEqual({ deadLetters: [expect.objectContaining({ id: (first.next ?? 0) + 2 })], next: null });
  });

  it('one pipeline file runs alone despite its after:, and its dead-letter hint names the project folder', async () => {
    project = tempProject();
    cpSync(EXAMPLE, project.path('examples'), { recursive: true, filter: (source) => !source.includes('/.keel') });
    const alone = await runCli(['run', 'examples/pipelines/stock-to-shop.yaml'], { cwd: project.dir });
    expect([alone.code, alone.stderr]).toEqual([0, '']);
    const failing = await runCli(['run', 'examples/pipelines/marketplace-orders-to-erp.yaml'], { cwd: project.dir });
    expect(failing.code).toBe(1);
    expect(failing.stdout).toContain('see them with: keel dlq list --project examples --pipeline marketplace-orders-to-erp');
  });

  it('keel run exits 2 before running when an ${env:…} secret is missing', async () => {
    project = tempProject({
      'keel.yaml': 'name: s\nconnections:\n  shop: { connector: http, config: { base_url: "https://shop.example", auth: { type: bearer, token: "${env:KEEL_TEST_UNSET_TOKEN}" } } }\n  out: { connector: file, config: { root: ./out } }\n',
      'pipelines/p.yaml': 'name: p\nsource: { connection: shop, stream: api, sync: full, options: { path: /orders } }\ntargets:\n  - { connection: out, stream: files, options: { path: "o-{seq}.ndjson" } }\n',
    });
    const result = await runCli(['run', project.dir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('environment variable KEEL_TEST_UNSET_TOKEN is not set; export it before running');
    expect(result.stdout).toBe('');
  });
});
