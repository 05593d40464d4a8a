import type { Static } from '@sinclair/typebox';
import { checkFileReadOptions, checkFileWriteOptions } from '../../core/files/check-file-options.js';
import { FileReadOptions, FileWriteOptions } from '../../core/files/file-options.js';
import { readFileSource } from '../../core/files/read-file-source.js';
import { writeBatchFiles } from '../../core/files/write-batch-files.js';
import { defineConnector, defineStream, type ReadContext, type SourcePage } from '../../core/sdk/connector.js';
import { SftpConfig, sftpSettings } from './config.js';
import { SFTP_FILES_EXAMPLES } from './examples.js';
import { IDLE_CLOSE_MS, sharedStore } from './shared-stores.js';
import { SftpFileStore } from './sftp-file-store.js';

type Config = Static<typeof SftpConfig>;

/**
 * One connection per read. It is not closed when the pages run out: the archive moves of the
 * last files run after the final commit, later still, so it closes itself once idle.
 */
function readSftpFiles(ctx: ReadContext<Config, FileReadOptions>): AsyncIterable<SourcePage> {
  const settings = sftpSettings(ctx.config);
  return readFileSource(ctx, new SftpFileStore(settings, ctx.logger, IDLE_CLOSE_MS), { retry: settings.retry });
}

export default defineConnector({
  name: 'sftp',
  kind: 'generic',
  description: 'SFTP servers: reads files by glob (archiving them once delivered) and writes one file per batch atomically; host keys are pinned.',
  configSchema: SftpConfig,
  streams: {
    files: defineStream<Config, typeof FileReadOptions, typeof FileWriteOptions>({
      description: 'Records of the remote files matching a glob; one remote file per batch.',
      status: 'stable',
      examples: SFTP_FILES_EXAMPLES,
      read: {
        options: FileReadOptions,
        check: checkFileReadOptions,
        // The cursor is the set of finished files plus a position in the current one: safe to resume.
        incremental: { cursor: 'file name, size and modification time', monotonic: true },
        read: readSftpFiles,
      },
      write: {
        options: FileWriteOptions,
        check: checkFileWriteOptions,
        idempotency: 'batch',
        write: (ctx, batch) => writeBatchFiles(ctx, sharedStore(ctx.connection, sftpSettings(ctx.config), ctx.logger), batch),
      },
    }),
  },
});
