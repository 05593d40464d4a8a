import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { readyMadeRoot } from '../core/project/ready-made.js';
import { runCli, type CliResult } from './run-cli.js';
import { ShopifyEmulator, type ShopifyEmulatorOptions } from './shopify-emulator.js';
import { VendureEmulator, type EmulatedOrder } from './vendure-emulator.js';

/** A test that runs the CLI several times takes a few seconds per run on a busy machine: a bound for a hang, not a pace. */
export const CLI_TEST_TIMEOUT_MS = 240_000;

/**
 * A project started from a ready-made pipeline the way a user starts one: `keel init --from
 * <name>` into a fresh folder, with the built CLI. Commands run with the given environment, which
 * is where a ready-made keel.yaml takes its addresses and secrets from.
 */
export interface ReadyMadeProject {
  dir: string;
  path(...parts: string[]): string;
  /** Runs `keel <args>` with the project's environment (plus `env`). */
  keel(args: readonly string[], env?: Record<string, string>): Promise<CliResult>;
  /** Changes keel.yaml as a user would in an editor, keeping its comments. */
  editKeel(edit: (document: ReturnType<typeof parseDocument>) => void): void;
  /** Every non-hidden file of a folder of the project, sorted by name. */
  files(folder: string): string[];
}

/** What a test started, stopped and removed in reverse order after it (`afterEach(() => teardown.run())`). */
export class Teardown {
  private readonly steps: (() => void | Promise<void>)[] = [];

  add(step: () => void | Promise<void>): void {
    this.steps.push(step);
  }

  async run(): Promise<void> {
    for (const step of this.steps.splice(0).reverse()) await step();
  }
}

export async function initReadyMade(name: string, env: Record<string, string>, teardown: Teardown): Promise<{ project: ReadyMadeProject; init: CliResult }> {
  const parent = mkdtempSync(join(tmpdir(), 'keel-ready-made-'));
  teardown.add(() => rmSync(parent, { recursive: true, force: true }));
  const dir = join(parent, 'project');
  const init = await runCli(['init', '--from', name, dir]);
  const project: ReadyMadeProject = {
    dir,
    path: (...parts) => join(dir, ...parts),
    keel: (args, more = {}) => runCli(args, { env: { ...env, ...more } }),
    editKeel(edit) {
      const file = join(dir, 'keel.yaml');
      const document = parseDocument(readFileSync(file, 'utf8'));
      edit(document);
      writeFileSync(file, document.toString());
    },
    files(folder) {
      try {
        return readdirSync(join(dir, folder))
          .filter((file) => !file.startsWith('.'))
          .sort();
      } catch {
        return [];
      }
    },
  };
  return { project, init };
}

/** `keel validate` and `keel test` on the project, as a user runs them before the first run: what each said. */
export async function validateAndTest(project: ReadyMadeProject): Promise<{ validate: string; test: string }> {
  const validated = await project.keel(['validate', project.dir]);
  const tested = await project.keel(['test', project.dir]);
  return {
    validate: `exit ${String(validated.code)}: ${(validated.stdout + validated.stderr).trim()}`,
    test: `exit ${String(tested.code)}: ${tested.stdout.trim().split('\n').at(-1) ?? ''}`,
  };
}

/** The Shopify emulator on 127.0.0.1 with a bucket that never throttles these small tests, stopped by the teardown. */
export async function startShopify(options: ShopifyEmulatorOptions, teardown: Teardown): Promise<{ shop: ShopifyEmulator; url: string }> {
  const shop = new ShopifyEmulator({ bucket: { maximum: 2000, restoreRate: 20_000 }, ...options });
  const url = await shop.start();
  teardown.add(() => shop.stop());
  return { shop, url };
}

/** The Vendure emulator on 127.0.0.1, its administrator `superadmin` with this password, stopped by the teardown. */
export async function startVendure(password: string, teardown: Teardown): Promise<{ shop: VendureEmulator; url: string; env: Record<string, string> }> {
  const shop = new VendureEmulator({ password });
  const url = await shop.start();
  teardown.add(() => shop.stop());
  return { shop, url, env: { VENDURE_ADMIN_API: url, VENDURE_ADMIN: 'superadmin', VENDURE_ADMIN_PASSWORD: password } };
}

/**
 * An order of marketplace-orders-to-3pl's Vendure fixture (41 paid: 2 tees on line 101, socks on
 * line 102; 42 authorized; 43 cancelled; 44 for pick-up), a fresh copy each time.
 */
export function vendureFixtureOrder(id: string): EmulatedOrder {
  const file = join(readyMadeRoot(), 'marketplace-orders-to-3pl/fixtures/vendure-orders-paid-authorized-cancelled-pickup.json');
  const orders = (JSON.parse(readFileSync(file, 'utf8')) as { data: { orders: { items: EmulatedOrder[] } } }).data.orders.items;
  const order = orders.find((candidate) => candidate.id === id);
  if (order === undefined) throw new Error(`the Vendure fixture has no order ${id}`);
  return order;
}

/** A role bound to the shopify connector, pointed at an emulator on this machine instead of a shop domain. */
export function pointShopifyAt(project: ReadyMadeProject, role: string, baseUrlVariable: string): void {
  project.editKeel((document) => {
    document.deleteIn(['connections', role, 'config', 'shop']);
    document.setIn(['connections', role, 'config', 'base_url'], `\${env:${baseUrlVariable}}`);
  });
}

/** The summary of each pipeline of a `keel run --json`, by name. */
export function runsOf(result: CliResult): Record<string, Record<string, unknown>> {
  const runs = (JSON.parse(result.stdout) as { runs: { pipeline: string }[] }).runs;
  return Object.fromEntries(runs.map((run) => [run.pipeline, run]));
}
