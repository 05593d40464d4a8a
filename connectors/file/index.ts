import { resolve } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { checkFileReadOptions, checkFileWriteOptions } from '../../core/files/check-file-options.js';
import { FileReadOptions, FileWriteOptions } from '../../core/files/file-options.js';
import { readFileSource } from '../../core/files/read-file-source.js';
import { writeBatchFiles } from '../../core/files/write-batch-files.js';
import { defineConnector, defineStream } from '../../core/sdk/connector.js';
import { FILES_EXAMPLES } from './examples.js';
import { LocalFileStore } from './local-file-store.js';

const FileConfig = Type.Object(
  {
    root: Type.String({ minLength: 1, description: 'folder the paths of this connection are relative to (relative to the project)' }),
  },
  { additionalProperties: false },
);

/** The connection's root folder, absolute; relative roots resolve against the project. */
const storeOf = (projectDir: string, config: { root: string }): LocalFileStore => new LocalFileStore(resolve(projectDir, config.root));

export default defineConnector({
  name: 'file',
  kind: 'generic',
  description: 'Local folders: reads files by glob and writes one file per batch, in CSV, JSON, NDJSON or XML.',
  configSchema: FileConfig,
  streams: {
    files: defineStream<Static<typeof FileConfig>, typeof FileReadOptions, typeof FileWriteOptions>({
      description: 'Records of the files matching a glob; one output file per batch.',
      status: 'stable',
      examples: FILES_EXAMPLES,
      read: {
        options: FileReadOptions,
        check: checkFileReadOptions,
        // The cursor is the set of finished files plus a position in the current one: safe to resume.
        incremental: { cursor: 'file name, size and modification time', monotonic: true },
        read: (ctx) => readFileSource(ctx, storeOf(ctx.projectDir, ctx.config)),
      },
      write: {
        options: FileWriteOptions,
        check: checkFileWriteOptions,
        idempotency: 'batch',
        write: (ctx, batch) => writeBatchFiles(ctx, storeOf(ctx.projectDir, ctx.config), batch),
      },
    }),
  },
});
