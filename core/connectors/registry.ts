import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { KeelError } from '../errors.js';
import { keelVersion } from '../package-root.js';
import { isConnectorDefinition, SDK_VERSION, type ConnectorDefinition } from '../sdk/connector.js';
import { isStepDefinition, type StepDefinition } from '../sdk/step.js';
import { checkKeelRange } from './keel-range.js';
import { explainLoadFailure } from './module-format.js';

export type ConnectorOrigin = 'built-in' | 'package' | 'path';

export interface ConnectorEntry {
  name: string;
  origin: ConnectorOrigin;
  /** Package name for npm connectors, file path for local ones, folder for built-ins. */
  location: string;
  definition: ConnectorDefinition;
}

/**
 * A step a `keel-connector-*` package publishes (`export const steps = [defineStep(…)]`). It is
 * recorded and listed, but YAML pipelines cannot use it yet: their step kinds are Keel's own.
 */
export interface PackageStepEntry {
  name: string;
  /** The package that exports it. */
  location: string;
  definition: StepDefinition;
}

const BUILT_IN_DIR = fileURLToPath(new URL('../../connectors/', import.meta.url));
const PACKAGE_PATTERN = /^keel-connector-[a-z0-9-]+$/;

/**
 * Connectors come from three places, none of them a hand-kept list: the folders under
 * `connectors/` of this package, npm packages named `keel-connector-*` or `@scope/keel-connector-*`
 * installed where the project is, and relative paths named in a pipeline.
 */
export class ConnectorRegistry {
  private constructor(
    private readonly entries: Map<string, ConnectorEntry>,
    private readonly packageSteps: readonly PackageStepEntry[],
  ) {}

  static async discover(projectDir: string): Promise<ConnectorRegistry> {
    const entries = new Map<string, ConnectorEntry>();
    const steps: PackageStepEntry[] = [];
    for (const folder of listDirs(BUILT_IN_DIR)) {
      const file = [join(BUILT_IN_DIR, folder, 'index.js'), join(BUILT_IN_DIR, folder, 'index.ts')].find((path) => existsSync(path));
      if (file === undefined) continue;
      const definition = await loadDefinition(file, `built-in connector ${folder}`);
      entries.set(definition.name, { name: definition.name, origin: 'built-in', location: folder, definition });
    }
    const version = keelVersion();
    for (const pkg of findConnectorPackages(projectDir)) {
      // Refused before it is imported: a plugin for another Keel may not even load in this one.
      const incompatible = checkKeelRange(pkg.name, pkg.peerDependencies, version);
      if (incompatible !== undefined) throw incompatible;
      const what = `package ${pkg.name}`;
      const exported = await importPlugin(pkg.entry, what);
      const published = stepsIn(exported, what);
      for (const step of published) steps.push({ name: step.name, location: pkg.name, definition: step });
      // A package may publish steps alone; one that publishes nothing is a mistake worth saying.
      if (published.length > 0 && connectorIn(exported) === undefined) continue;
      const definition = checkedDefinition(connectorIn(exported), what);
      if (entries.get(definition.name)?.origin === 'built-in') {
        throw new KeelError('config', `package ${pkg.name} declares connector "${definition.name}", which is a built-in name; rename it`, {
          code: 'connector_name_taken',
          stage: 'discover',
        });
      }
      if (!entries.has(definition.name)) {
        entries.set(definition.name, { name: definition.name, origin: 'package', location: pkg.name, definition });
      }
    }
    return new ConnectorRegistry(entries, steps);
  }

  list(): ConnectorEntry[] {
    return [...this.entries.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Steps that installed packages publish, in discovery order (nearest package first). */
  steps(): readonly PackageStepEntry[] {
    return this.packageSteps;
  }

  names(): string[] {
    return this.list().map((entry) => entry.name);
  }

  /** By connector name, package name, or a path relative to `baseDir` (`./connectors/acme.js`). */
  async resolve(reference: string, baseDir: string): Promise<ConnectorEntry | undefined> {
    if (reference.startsWith('./') || reference.startsWith('../') || reference.startsWith('/')) {
      const file = resolveLocalFile(resolve(baseDir, reference));
      if (file === undefined) return undefined;
      const definition = await loadDefinition(file, reference);
      return { name: definition.name, origin: 'path', location: file, definition };
    }
    const byName = this.entries.get(reference);
    if (byName !== undefined) return byName;
    return this.list().find((entry) => entry.origin === 'package' && entry.location === reference);
  }
}

/** Names of the connectors that come with Keel: a package may not take one. */
export function builtInConnectorNames(): string[] {
  return listDirs(BUILT_IN_DIR).filter((folder) => ['index.js', 'index.ts'].some((file) => existsSync(join(BUILT_IN_DIR, folder, file))));
}

async function loadDefinition(file: string, what: string): Promise<ConnectorDefinition> {
  return checkedDefinition(connectorIn(await importPlugin(file, what)), what);
}

async function importPlugin(file: string, what: string): Promise<Record<string, unknown>> {
  try {
    return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    throw new KeelError('config', `${what} cannot be loaded: ${explainLoadFailure(file, error)}`, { code: 'connector_load_failed', stage: 'discover', cause: error });
  }
}

/** The connector a module exports: its default export, or `connector` (a CommonJS module's exports are its default). */
function connectorIn(exported: Record<string, unknown>): unknown {
  return exported['default'] ?? exported['connector'];
}

function checkedDefinition(definition: unknown, what: string): ConnectorDefinition {
  if (!isConnectorDefinition(definition)) {
    throw new KeelError('config', `${what} does not export a connector: default-export the result of defineConnector() from 'keel'`, {
      code: 'connector_invalid',
      stage: 'discover',
    });
  }
  if (definition.sdkVersion !== SDK_VERSION) {
    throw new KeelError(
      'config',
      `${what} was built for connector SDK ${definition.sdkVersion}, this Keel speaks SDK ${SDK_VERSION}; upgrade the connector or Keel`,
      { code: 'connector_incompatible', stage: 'discover' },
    );
  }
  return definition;
}

/** The steps a package exports as `steps`: a list of defineStep() results. */
function stepsIn(exported: Record<string, unknown>, what: string): StepDefinition[] {
  const steps = exported['steps'];
  if (steps === undefined) return [];
  const list: unknown[] = Array.isArray(steps) ? steps : [steps];
  const wrong = list.findIndex((step) => !isStepDefinition(step));
  if (wrong >= 0) {
    throw new KeelError('config', `${what} exports steps, but item ${wrong + 1} is no step: export const steps = [defineStep({ … })] with defineStep from 'keel'`, {
      code: 'step_invalid',
      stage: 'discover',
    });
  }
  return list as StepDefinition[];
}

interface FoundPackage {
  name: string;
  entry: string;
  /** The package's peerDependencies as its manifest says: the `keel` range is checked before import. */
  peerDependencies: unknown;
}

/** Walks node_modules folders from the project up to the root, like Node's own resolution; nearest wins. */
function findConnectorPackages(projectDir: string): FoundPackage[] {
  const found = new Map<string, FoundPackage>();
  let dir = resolve(projectDir);
  for (;;) {
    const modules = join(dir, 'node_modules');
    for (const name of listDirs(modules)) {
      if (PACKAGE_PATTERN.test(name)) addPackage(found, name, join(modules, name));
      if (name.startsWith('@')) {
        for (const scoped of listDirs(join(modules, name))) {
          if (PACKAGE_PATTERN.test(scoped)) addPackage(found, `${name}/${scoped}`, join(modules, name, scoped));
        }
      }
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return [...found.values()];
}

interface PackageManifest {
  exports?: unknown;
  module?: string;
  main?: string;
  peerDependencies?: unknown;
}

function addPackage(found: Map<string, FoundPackage>, name: string, dir: string): void {
  if (found.has(name)) return;
  let manifest: PackageManifest;
  try {
    manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageManifest;
  } catch {
    return;
  }
  const entry = packageEntry(dir, manifest);
  if (entry !== undefined) found.set(name, { name, entry, peerDependencies: manifest.peerDependencies });
}

/** The ESM entry of an installed package: exports["."] (import/default), then module, main, index.js. */
function packageEntry(dir: string, manifest: PackageManifest): string | undefined {
  const candidates: unknown[] = [];
  const exportsField = manifest.exports;
  if (typeof exportsField === 'string') candidates.push(exportsField);
  else if (typeof exportsField === 'object' && exportsField !== null) {
    const root = (exportsField as Record<string, unknown>)['.'] ?? exportsField;
    if (typeof root === 'string') candidates.push(root);
    else if (typeof root === 'object' && root !== null) {
      const conditions = root as Record<string, unknown>;
      candidates.push(conditions['import'], conditions['default'], conditions['node']);
    }
  }
  candidates.push(manifest.module, manifest.main, 'index.js');
  for (const candidate of candidates) {
    if (typeof candidate !== 'string') continue;
    const file = resolve(dir, candidate);
    // An entry must stay inside its package folder.
    if (!file.startsWith(dir)) continue;
    if (existsSync(file) && statSync(file).isFile()) return file;
  }
  return undefined;
}

function resolveLocalFile(path: string): string | undefined {
  for (const candidate of [path, `${path}.js`, `${path}.mjs`, join(path, 'index.js')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

function listDirs(dir: string): string[] {
  try {
    return readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() || entry.isSymbolicLink())
      .map((entry) => entry.name)
      .sort();
  } catch {
    return [];
  }
}
