import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { KeelError } from '../errors.js';
import { isEngineDefinition, type AnyEngineDefinition } from '../sdk/engine.js';

const BUILT_IN_DIR = fileURLToPath(new URL('../../engines/', import.meta.url));

let discovered: Promise<readonly AnyEngineDefinition[]> | undefined;

/**
 * The engines of this build of Keel: every folder under `engines/` whose index default-exports a
 * definition, in an order where each comes after the engines it needs. Discovered once per process.
 */
export function builtInEngines(): Promise<readonly AnyEngineDefinition[]> {
  discovered ??= discover();
  return discovered;
}

async function discover(): Promise<readonly AnyEngineDefinition[]> {
  const found: AnyEngineDefinition[] = [];
  const folders = existsSync(BUILT_IN_DIR) ? readdirSync(BUILT_IN_DIR, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort() : [];
  for (const folder of folders) {
    const file = [join(BUILT_IN_DIR, folder, 'index.js'), join(BUILT_IN_DIR, folder, 'index.ts')].find((path) => existsSync(path));
    if (file === undefined) continue;
    const loaded = ((await import(pathToFileURL(file).href)) as { default?: unknown }).default;
    if (!isEngineDefinition(loaded)) {
      throw new KeelError('fatal', `engines/${folder} does not default-export an engine definition (defineEngine)`, { code: 'engine_invalid', stage: 'discover' });
    }
    found.push(loaded);
  }
  return inDependencyOrder(found);
}

/** Engines ordered so each follows the ones it needs; a need nobody provides, or a cycle, is a build fault. */
export function inDependencyOrder(engines: readonly AnyEngineDefinition[]): AnyEngineDefinition[] {
  const byName = new Map(engines.map((engine) => [engine.name, engine]));
  const ordered: AnyEngineDefinition[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (engine: AnyEngineDefinition, chain: string[]): void => {
    const seen = state.get(engine.name);
    if (seen === 'done') return;
    if (seen === 'visiting') {
      throw new KeelError('fatal', `engines need each other in a circle: ${[...chain, engine.name].join(' → ')}`, { code: 'engine_cycle', stage: 'discover' });
    }
    state.set(engine.name, 'visiting');
    for (const need of Object.keys(engine.needs ?? {})) {
      const needed = byName.get(need);
      if (needed === undefined) throw new KeelError('fatal', `engine ${engine.name} needs engine ${need}, which this build does not have`, { code: 'engine_missing', stage: 'discover' });
      visit(needed, [...chain, engine.name]);
    }
    state.set(engine.name, 'done');
    ordered.push(engine);
  };
  for (const engine of [...engines].sort((a, b) => a.name.localeCompare(b.name))) visit(engine, []);
  return ordered;
}
