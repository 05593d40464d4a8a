import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { builtInConnectorNames } from '../connectors/registry.js';
import { KeelError } from '../errors.js';
import { packageRoot } from '../package-root.js';
import { connectorPackageFiles } from './connector-template.js';

/** A connector name that is also a clean npm package name once prefixed: `acme`, `acme-b2b`. */
const CONNECTOR_NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;
const MAX_NAME = 200;

/** What is wrong with `name` as the name of a new connector package, or undefined when it will do. */
export function connectorNameProblem(name: string): string | undefined {
  const bare = name.replace(/^(@[a-z0-9-]+\/)?keel-connector-/, '');
  if (bare !== name) return `give the connector's name, "${bare}": the package is named keel-connector-${bare}`;
  if (!CONNECTOR_NAME.test(name) || name.length > MAX_NAME) {
    return `"${name}" cannot name a connector: use lower-case letters and digits, words joined by single dashes, starting with a letter (acme, acme-b2b)`;
  }
  if (builtInConnectorNames().includes(name)) return `"${name}" is a connector Keel ships; Keel refuses packages that declare a built-in name, so choose another`;
  return undefined;
}

export interface ScaffoldedPackage {
  name: string;
  dir: string;
  files: string[];
}

/**
 * Writes a new `keel-connector-<name>` package into `dir` (default ./keel-connector-<name>), for
 * this Keel: its peer range includes this version, its TypeScript and Node types are the ones Keel
 * is built with. Refuses a bad name, and a folder that exists with anything in it.
 */
export function scaffoldConnectorPackage(name: string, options: { dir?: string; cwd: string }): ScaffoldedPackage {
  const problem = connectorNameProblem(name);
  if (problem !== undefined) throw new KeelError('config', problem, { code: 'connector_name_invalid', stage: 'scaffold' });
  const dir = resolve(options.cwd, options.dir ?? `keel-connector-${name}`);
  const shown = relative(options.cwd, dir) || '.';
  if (existsSync(dir) && (!statSync(dir).isDirectory() || readdirSync(dir).length > 0)) {
    throw new KeelError('config', `${shown} exists and is not an empty folder; nothing was written: give another folder (keel connector new ${name} <dir>) or remove it`, {
      code: 'scaffold_target_exists',
      stage: 'scaffold',
    });
  }
  const keel = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string; devDependencies?: Record<string, string> };
  const files = connectorPackageFiles({
    name,
    keelRange: `^${keel.version}`,
    typescript: keel.devDependencies?.['typescript'] ?? '^5.9.0',
    nodeTypes: keel.devDependencies?.['@types/node'] ?? '^20.19.0',
  });
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), content);
  }
  return { name: `keel-connector-${name}`, dir: shown, files: Object.keys(files) };
}
