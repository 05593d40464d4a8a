import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { describeConnector } from '../../core/conformance/index.js';
import { filesIn, SEEDED_AT, seedOrderFiles } from '../../test-support/conformance-fixtures.js';
import file from './index.js';



/** Every file under out/, with its content: what the target holds. */
const written = (root: string): Record<string, string> => filesIn(join(root, 'out'));

describeConnector(
  file,
  {
    setup: () => {
      const projectDir = mkdtempSync(join(tmpdir(), 'keel-file-conformance-'));
      seedOrderFiles(join(projectDir, 'in'));
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
              utimesSync(path, SEEDED_AT, SEEDED_AT);
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
