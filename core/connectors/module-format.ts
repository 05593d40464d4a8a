import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Codes Node (and keel's own require() entry) give when CommonJS meets an ES module. */
const MIXED_FORMATS = new Set(['ERR_KEEL_ESM_ONLY', 'ERR_REQUIRE_ESM', 'ERR_PACKAGE_PATH_NOT_EXPORTED', 'ERR_REQUIRE_ASYNC_MODULE']);

/**
 * Why Node loads `file` as CommonJS, or undefined when it loads it as an ES module: `.cjs`, or
 * `.js` whose nearest package.json does not say `"type": "module"`.
 */
export function commonJsReason(file: string): { reason: string; manifest: string | undefined } | undefined {
  if (file.endsWith('.mjs')) return undefined;
  if (file.endsWith('.cjs')) return { reason: `${file} is CommonJS (.cjs)`, manifest: undefined };
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      let type: unknown;
      try {
        type = (JSON.parse(readFileSync(manifest, 'utf8')) as { type?: unknown }).type;
      } catch {
        return undefined;
      }
      if (type === 'module') return undefined;
      return { reason: `${file} is CommonJS: ${manifest} ${type === undefined ? 'has no "type"' : `says "type": ${JSON.stringify(type)}`}`, manifest };
    }
    if (dirname(dir) === dir) return { reason: `${file} is CommonJS: no package.json above it says "type": "module"`, manifest: undefined };
  }
}

/**
 * What to tell a user whose plugin failed to load: Node's message, and when the plugin is CommonJS
 * (it require()s keel, or uses `import` where Node expects CommonJS) how to make it an ES module,
 * instead of a bare syntax error.
 */
export function explainLoadFailure(file: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  const commonJs = commonJsReason(file);
  const mixed = (typeof code === 'string' && MIXED_FORMATS.has(code)) || (error instanceof SyntaxError && /\b(import|export)\b/.test(message));
  if (commonJs === undefined || !mixed) return message;
  const installed = /[/\\]node_modules[/\\]/.test(file);
  const fix = installed
    ? `its package must say "type": "module" and import from 'keel'; ask its publisher for an ES module release (npx keel connector new <name> scaffolds one)`
    : `${commonJs.manifest !== undefined ? `add "type": "module" to ${commonJs.manifest}` : 'name it .mjs'} and write import { defineConnector, Type } from 'keel' instead of require('keel')`;
  // keel's own require() entry said it already; Node's messages are kept for what they name.
  return `${commonJs.reason}, but Keel plugins are ES modules: ${fix}${code === 'ERR_KEEL_ESM_ONLY' ? '' : ` (Node said: ${message})`}`;
}
