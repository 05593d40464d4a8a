import { mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Engines } from '../core/sdk/engine.js';
import { openProject, type OpenProject } from '../core/project/open-project.js';
import { tempProject } from './temp-project.js';

/** Every seeded file gets this modification time: the records of all of them share one cursor value. */
export const SEEDED_AT = new Date('2026-03-01T10:00:00Z');

/** NDJSON files of orders for file stores; the first is longer than a decoded chunk (1,000 records), so a checkpoint falls inside it. */
export function seedOrderFiles(dir: string): void {
  const files = { 'orders-1.ndjson': 1_200, 'orders-2.ndjson': 3, 'orders-3.ndjson': 2 };
  let id = 0;
  mkdirSync(dir, { recursive: true });
  for (const [name, count] of Object.entries(files)) {
    const lines = Array.from({ length: count }, () => JSON.stringify({ id: `O-${(id += 1)}`, modified: SEEDED_AT.toISOString() }));
    writeFileSync(join(dir, name), `${lines.join('\n')}\n`);
    utimesSync(join(dir, name), SEEDED_AT, SEEDED_AT);
  }
}

/** Every file in `dir`, with its content: what a file target holds (nothing when the folder is not there). */
export function filesIn(dir: string): Record<string, string> {
  try {
    return Object.fromEntries(readdirSync(dir).sort().map((name) => [name, readFileSync(join(dir, name), 'utf8')]));
  } catch {
    return {};
  }
}

/**
 * A project opened as `keel run` opens it, for an engine connector's fixture: `prepare` seeds its
 * engines; the project is closed and removed on teardown, or at once when `prepare` fails.
 */
export async function openEngineProject<Extra extends object>(
  files: Record<string, string>,
  prepare: (project: OpenProject) => Promise<Extra>,
): Promise<Extra & { config: Record<string, never>; projectDir: string; engines: Engines; teardown: () => Promise<void> }> {
  const folder = tempProject(files);
  let project: OpenProject | undefined;
  try {
    project = await openProject(folder.dir);
    const extra = await prepare(project);
    const opened = project;
    return {
      ...extra,
      config: {},
      projectDir: folder.dir,
      engines: project.engines,
      teardown: async () => {
        await opened.close();
        folder.remove();
      },
    };
  } catch (error) {
    await project?.close();
    folder.remove();
    throw error;
  }
}
