/**
 * Ready-made pipelines: the folders under `pipelines/` in Keel's package, each a complete project
 * (keel.yaml with its connections by role, pipelines, tests, sample data, README) that
 * `keel init --from <name>` copies to start a project. Found by looking, never listed by hand.
 */
import { cpSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { parse } from 'yaml';
import { PROJECT_FILE } from '../config/load-project.js';
import { suggest } from '../config/schema-check.js';
import { packageRoot } from '../package-root.js';

export interface ReadyMadeConnection {
  /** The role the pipelines name it by (`shop`, `erp_inbox`). */
  role: string;
  /** The connector keel.yaml binds the role to as shipped. */
  connector: string;
}

export interface ReadyMade {
  name: string;
  /** keel.yaml's `description`: one line. */
  description: string;
  dir: string;
  connections: ReadyMadeConnection[];
  /** `${env:NAME}` references in keel.yaml: what must be exported before a run. */
  environment: string[];
}

/** Folders and files a copy leaves behind: state and outputs of runs made in the folder. */
const NOT_COPIED = new Set(['.keel', 'node_modules']);

export function readyMadeRoot(): string {
  return join(packageRoot(), 'pipelines');
}

/** Every ready-made pipeline, by name. */
export function listReadyMade(root = readyMadeRoot()): ReadyMade[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(root, entry.name, PROJECT_FILE)))
    .map((entry) => describeReadyMade(entry.name, join(root, entry.name)))
    .sort((a, b) => a.name.localeCompare(b.name));
}

function describeReadyMade(name: string, dir: string): ReadyMade {
  const keel = (parse(readFileSync(join(dir, PROJECT_FILE), 'utf8')) ?? {}) as { description?: unknown; connections?: Record<string, { connector?: unknown }> };
  return {
    name,
    description: typeof keel.description === 'string' ? keel.description.trim() : '',
    dir,
    connections: Object.entries(keel.connections ?? {}).map(([role, binding]) => ({ role, connector: String(binding.connector ?? '') })),
    environment: [...new Set([...JSON.stringify(keel).matchAll(/\$\{env:([^}]+)\}/g)].map((match) => (match[1] as string).trim()))],
  };
}

export type FindResult = { found: ReadyMade } | { found: undefined; suggestion: string | undefined; available: ReadyMade[] };

export function findReadyMade(name: string, root = readyMadeRoot()): FindResult {
  const available = listReadyMade(root);
  const found = available.find((candidate) => candidate.name === name);
  if (found !== undefined) return { found };
  return { found: undefined, suggestion: suggest(name, available.map((candidate) => candidate.name)), available };
}

export interface CopyResult {
  /** Files written, relative to the project folder. */
  written: string[];
  /** Files that were there already and were left as they were. */
  kept: string[];
}

/**
 * Copies a ready-made pipeline into `dir` as a new project named `projectName`: keel.yaml, the
 * pipelines and their tests, sample data and the README. Existing files are never overwritten.
 */
export function copyReadyMade(readyMade: ReadyMade, dir: string, projectName: string): CopyResult {
  const result: CopyResult = { written: [], kept: [] };
  cpSync(readyMade.dir, dir, {
    recursive: true,
    force: false,
    errorOnExist: false,
    filter: (source) => {
      const path = relative(readyMade.dir, source);
      if (path.split(sep).some((part) => NOT_COPIED.has(part))) return false;
      if (path === '' || statSync(source).isDirectory()) return true;
      (existsSync(join(dir, path)) ? result.kept : result.written).push(path.split(sep).join('/'));
      return true;
    },
  });
  const keelFile = join(dir, PROJECT_FILE);
  if (result.written.includes(PROJECT_FILE)) {
    // Only the project's name changes; comments and layout stay as shipped.
    writeFileSync(keelFile, readFileSync(keelFile, 'utf8').replace(/^name: .*$/m, `name: ${projectName}`));
  }
  const gitignore = join(dir, '.gitignore');
  if (!existsSync(gitignore)) {
    writeFileSync(gitignore, '.keel/\n');
    result.written.push('.gitignore');
  }
  return { written: result.written.sort(), kept: result.kept.sort() };
}
