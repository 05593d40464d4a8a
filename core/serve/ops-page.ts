import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';
import type { KeelServer } from './serve-context.js';

const FILES = {
  '/ops': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/ops/ops.js': { file: 'ops.js', type: 'text/javascript; charset=utf-8' },
  '/ops/ops.css': { file: 'ops.css', type: 'text/css; charset=utf-8' },
} as const;

/** Scripts and styles only from this server, no inline code, no framing: what a page showing hostile payloads needs. */
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

/**
 * The ops page: three static files from the package's `ops-page/` folder, read once. The page
 * itself needs no token (it holds no data); every API call it makes sends the user's token.
 */
export function opsPageRoutes(app: KeelServer): void {
  for (const [url, { file, type }] of Object.entries(FILES)) {
    const body = readFileSync(join(packageRoot(), 'ops-page', file));
    app.get(url, { schema: { hide: true } }, async (_request, reply) => reply.headers({ ...SECURITY_HEADERS, 'content-type': type }).send(body));
  }
}
