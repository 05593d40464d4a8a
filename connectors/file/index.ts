import { Type } from '@sinclair/typebox';
import { defineConnector, defineStream } from '../../core/sdk/connector.js';
import { FileReadOptions, FileWriteOptions } from './options.js';
import { readFiles } from './read-files.js';
import { writeFiles } from './write-files.js';

const FileConfig = Type.Object(
  {
    root: Type.String({ minLength: 1, description: 'folder the paths of this connection are relative to (relative to the project)' }),
  },
  { additionalProperties: false },
);

export default defineConnector({
  name: 'file',
  kind: 'generic',
  description: 'Local folders: reads files by glob and writes one file per batch, in CSV, JSON, NDJSON or XML.',
  configSchema: FileConfig,
  streams: {
    files: defineStream({
      description: 'Records of the files matching a glob; one output file per batch.',
      read: {
        options: FileReadOptions,
        // The cursor is the set of finished files plus a position in the current one: safe to resume.
        incremental: { cursor: 'file name, size and modification time', monotonic: true },
        read: readFiles,
      },
      write: {
        options: FileWriteOptions,
        idempotency: 'batch',
        write: writeFiles,
      },
    }),
  },
});
