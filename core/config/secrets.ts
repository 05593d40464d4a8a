import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { ConfigProblem } from '../errors.js';
import { setOwn } from '../json.js';
import type { Redactor } from '../redact.js';
import { formatPath } from './schema-check.js';
import type { YamlPath, YamlSource } from './yaml-source.js';

const REFERENCE = /\$\{([A-Za-z_]+):([^}]*)\}/g;
const SCHEMES = new Set(['env', 'file']);

/**
 * Config problems of references, found offline: unknown schemes, and fields that the connector
 * marks `secret: true` holding a literal value (secrets never live inline in a pipeline file).
 */
export function checkReferences(value: unknown, schema: object, source: YamlSource, basePath: YamlPath): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  walkStrings(value, [], (text, path) => {
    for (const match of text.matchAll(REFERENCE)) {
      const scheme = match[1] ?? '';
      if (!SCHEMES.has(scheme)) {
        problems.push({
          file: source.file,
          ...source.position([...basePath, ...path]),
          message: `unknown reference \${${scheme}:…} at ${formatPath([...basePath, ...path])}; use \${env:NAME} or \${file:path}`,
        });
      } else if ((match[2] ?? '').trim() === '') {
        problems.push({
          file: source.file,
          ...source.position([...basePath, ...path]),
          message: `empty reference \${${scheme}:} at ${formatPath([...basePath, ...path])}; name the ${scheme === 'env' ? 'variable' : 'file'}`,
        });
      }
    }
  });
  for (const path of secretPaths(schema)) {
    const literal = stringAt(value, path);
    if (literal !== undefined && !/^\$\{(env|file):[^}]+\}$/.test(literal.trim())) {
      problems.push({
        file: source.file,
        ...source.position([...basePath, ...path]),
        message: `${formatPath([...basePath, ...path])} is a secret and must not be written inline; use \${env:NAME} or \${file:path/to/secret}`,
      });
    }
  }
  return problems;
}

export interface ResolveOptions {
  projectDir: string;
  env: NodeJS.ProcessEnv;
  redactor: Redactor;
  source: YamlSource;
  basePath: YamlPath;
}

/** Returns a copy of `value` with every reference replaced; resolved values are registered as secrets. */
export function resolveReferences(value: unknown, options: ResolveOptions): { value: unknown; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const resolveText = (text: string, path: YamlPath): string =>
    text.replace(REFERENCE, (whole, scheme: string, name: string) => {
      const where = { file: options.source.file, ...options.source.position([...options.basePath, ...path]) };
      if (scheme === 'env') {
        const found = options.env[name.trim()];
        if (found === undefined) {
          problems.push({ ...where, message: `environment variable ${name.trim()} is not set; export it before running` });
          return whole;
        }
        options.redactor.add(found);
        return found;
      }
      if (scheme === 'file') {
        const file = isAbsolute(name.trim()) ? name.trim() : resolve(options.projectDir, name.trim());
        try {
          const content = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
          options.redactor.add(content);
          return content;
        } catch {
          problems.push({ ...where, message: `secret file ${name.trim()} cannot be read; create it or fix the path` });
          return whole;
        }
      }
      return whole;
    });
  const copy = (node: unknown, path: (string | number)[]): unknown => {
    if (typeof node === 'string') return resolveText(node, path);
    if (Array.isArray(node)) return node.map((item, index) => copy(item, [...path, index]));
    if (typeof node === 'object' && node !== null) {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(node)) setOwn(out, key, copy(item, [...path, key]));
      return out;
    }
    return node;
  };
  return { value: copy(value, []), problems };
}

/** Where in a config value strings hold `${…}` references, as dotted paths ("auth.value", "hosts[0]"). */
export function referencePaths(value: unknown): Set<string> {
  const out = new Set<string>();
  walkStrings(value, [], (text, path) => {
    if (/\$\{[A-Za-z_]+:[^}]*\}/.test(text)) out.add(formatPath(path));
  });
  return out;
}

function walkStrings(node: unknown, path: (string | number)[], visit: (text: string, path: (string | number)[]) => void): void {
  if (typeof node === 'string') visit(node, path);
  else if (Array.isArray(node)) node.forEach((item, index) => walkStrings(item, [...path, index], visit));
  else if (typeof node === 'object' && node !== null) {
    for (const [key, item] of Object.entries(node)) walkStrings(item, [...path, key], visit);
  }
}

/** Paths of the properties a schema marks with `secret: true`, following nested objects. */
export function secretPaths(schema: object, prefix: string[] = []): string[][] {
  const properties = (schema as { properties?: Record<string, object> }).properties ?? {};
  const out: string[][] = [];
  for (const [key, child] of Object.entries(properties)) {
    if ((child as { secret?: boolean }).secret === true) out.push([...prefix, key]);
    else if ((child as { type?: string }).type === 'object') out.push(...secretPaths(child, [...prefix, key]));
  }
  return out;
}

function stringAt(value: unknown, path: readonly string[]): string | undefined {
  let current = value;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[segment];
  }
  return typeof current === 'string' ? current : undefined;
}
