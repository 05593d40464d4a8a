import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { describeConnector } from '../../core/conformance/index.js';
import file from './index.js';

/** Every file gets this modification time: the records of all of them share one cursor value. */
const MODIFIED = new Date('2026-03-01T10:00:00Z');

/** NDJSON files of orders; the first one is longer than a decoded chunk (1,000 records), so a checkpoint falls inside it. */
function seed(root: string): void {
  const files = { 'orders-1.ndjson': 1_200, 'orders-2.ndjson': 3, 'orders-3.ndjson': 2 };
  let id = 0;
  mkdirSync(root, { recursive: true });
  for (const [name, count] of Object.entries(files)) {
    const lines = Array.from({ length: count }, () => JSON.stringify({ id: `O-${(id += 1)}`, modified: MODIFIED.toISOString() }));
    writeFileSync(join(root, name), `${lines.join('\n')}\n`);
    utimesSync(join(root, name), MODIFIED, MODIFIED);
  }
}

/** Every file under out/, with its content: what a file target holds. */
function written(root: string): Record<string, string> {
  const dir = join(root, 'out');
  try {
    return Object.fromEntries(readdirSync(dir).sort().map((name) => [name, readFileSync(join(dir, name), 'utf8')]));
  } catch {
    return {};
  }
}

describeConnector(
  file,
  {
    setup: () => {
      const projectDir = mkdtempSync(join(tmpdir(), 'keel-file-conformance-'));
      seed(join(projectDir, 'in'));
      return { config: { root: './in' }, projectDir, teardown: () => rmSync(projectDir, { recursive: true, force: true }) };
    },
    streams: {
      files: {
        read: {
          options: { path: '*.ndjson' },
          invalidOptions: [{ options: { path: 'x.csv', format: 'xlsx' }, message: 'must be one of' }],
          incremental: {
            cursorOf: (record) => record['modified'] ?? null,
            // Another export lands with the same modification time as the files already read.
            addAt: ({ projectDir }, cursor) => {
              const path = join(projectDir, 'in', 'orders-4.ndjson');
              writeFileSync(path, `${JSON.stringify({ id: 'O-late', modified: cursor })}\n`);
              utimesSync(path, MODIFIED, MODIFIED);
            },
          },
        },
        write: {
          options: { path: 'out/orders-{seq}.csv' },
          invalidOptions: [{ options: { path: 'orders.csv' }, message: 'must match pattern' }],
          records: [
            { id: 'W-1', total: '9.90' },
            { id: 'W-2', total: '5.00' },
          ],
          state: ({ projectDir }) => written(join(projectDir, 'in')),
        },
      },
    },
  },
  { describe, it },
);
