import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { runCli, type CliResult } from './run-cli.js';

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
  remove(): void;
}

export async function initReadyMade(name: string, env: Record<string, string>): Promise<{ project: ReadyMadeProject; init: CliResult }> {
  const parent = mkdtempSync(join(tmpdir(), 'keel-ready-made-'));
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
    remove: () => rmSync(parent, { recursive: true, force: true }),
  };
  return { project, init };
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
