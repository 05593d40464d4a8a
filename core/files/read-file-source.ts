import type { RetryPolicy } from '../config/plan.js';
import { codecFor, formatFromFileName, type FormatName } from '../codecs/index.js';
import { KeelError, toKeelError } from '../errors.js';
import { backoffDelayMs, sleep } from '../runtime/backoff.js';
import type { DecodeReject, ReadContext, SourcePage, SourceRecord } from '../sdk/connector.js';
import { fileCheckpoint, parseFileCursor, type FileCursor } from './file-cursor.js';
import type { FileReadOptions } from './file-options.js';
import type { FileStore } from './file-store.js';
import { findReadyFiles, type ReadyFile } from './ready-files.js';
import { destinationOf, settleFile, type SettleFolders } from './settle-file.js';
import { parentOf, storePath } from './store-path.js';
import { NO_RETRY, withRetries } from './with-retries.js';
import { readAhead } from '../codecs/read-ahead.js';

/** Decoded chunks (of up to CHUNK_RECORDS records) read ahead of the pipeline. */
const READ_AHEAD_CHUNKS = 4;

export interface FileSourceSettings {
  /** How transient store failures (a dropped connection) are retried; local folders need none. */
  retry?: RetryPolicy;
}

/**
 * The records of the files matching a glob, file by file in name order, for any FileStore.
 * Each page's checkpoint is the set of finished files plus the position inside the current one,
 * so a run resumes mid-file; a file is moved to the archive (or error) folder only after its
 * last checkpoint is committed. A transport failure mid-file re-opens the file and skips what
 * was already read, so every record is read once.
 */
export async function* readFileSource(
  ctx: ReadContext<unknown, FileReadOptions>,
  store: FileStore,
  settings: FileSourceSettings = {},
): AsyncIterable<SourcePage> {
  const { options, logger, signal } = ctx;
  const policy = settings.retry ?? NO_RETRY;
  const retrying = <T>(what: string, operation: () => Promise<T>): Promise<T> => withRetries(what, operation, policy, signal, logger);
  const cursor = parseFileCursor(ctx.sync === 'incremental' ? ctx.cursor : undefined);
  const folders: SettleFolders = {
    archiveDir: options.archive_dir !== undefined ? storePath(options.archive_dir, store.label) : undefined,
    errorDir: options.error_dir !== undefined ? storePath(options.error_dir, store.label) : undefined,
  };
  const skipDirs = [folders.archiveDir, folders.errorDir].filter((dir): dir is string => dir !== undefined);
  const links: string[] = [];
  const files = await retrying(`listing ${options.path}`, () => findReadyFiles(store, options, skipDirs, signal, Date.now, links));
  for (const link of new Set(links)) {
    logger.warn(`${link} is a symbolic link and is not read: links are not followed, as they could lead out of the connection root; move or copy the file itself into ${store.label}`, { file: link });
  }

  const finished = (file: ReadyFile): boolean => cursor.done[file.name] === file.fingerprint;
  const wasUndecodable = new Set(cursor.undecodable ?? []);
  // Forget files that are gone or moved away: the cursor stays as small as the folder.
  const state: FileCursor = { done: {}, undecodable: [] };
  for (const file of files.filter(finished)) {
    const undecodable = wasUndecodable.has(file.name);
    const destination = destinationOf(folders, undecodable);
    // Finished in an earlier run, but the move did not happen (a crash right after the commit).
    if (destination !== undefined || file.marker !== undefined) {
      try {
        await retrying(`moving ${file.name}`, () => settleFile(store, file, destination, logger));
        if (destination !== undefined) continue;
      } catch (error) {
        logger.warn('could not move a finished input file; it is tried again on the next run', { file: file.name, error: toKeelError(error, 'files').message });
      }
    }
    state.done[file.name] = file.fingerprint;
    if (undecodable) state.undecodable?.push(file.name);
  }
  const queue = files.filter((file) => !finished(file));
  logger.debug('listed files', { path: options.path, root: store.label, matching: files.length, new: queue.length });
  // The file we were inside of goes first, so the records skipped on resume are the right ones.
  const current = cursor.current;
  if (current !== undefined) {
    const index = queue.findIndex((file) => file.name === current.file && file.fingerprint === current.fingerprint);
    if (index > 0) queue.unshift(...queue.splice(index, 1));
  }

  for (const file of queue) {
    if (signal.aborted) return;
    const format = (options.format ?? formatFromFileName(file.name)) as FormatName | undefined;
    let undecodable = true;
    // A file of unknown format is one reject, committed together with the file being done.
    const rejects: DecodeReject[] = [];
    if (format === undefined) {
      rejects.push({ raw: '', origin: file.name, reason: `cannot tell the format of ${file.name}; set format: in the source options` });
    } else {
      const resumeAt = current !== undefined && current.file === file.name && current.fingerprint === file.fingerprint ? current.records : 0;
      logger.debug('reading file', { file: file.name, format, bytes: file.size, ...(resumeAt > 0 ? { resume_after_records: resumeAt } : {}) });
      const read = new FileReading(ctx, store, file, format, resumeAt, policy, state);
      yield* read.pages();
      undecodable = read.undecodable;
    }
    state.done[file.name] = file.fingerprint;
    if (undecodable) state.undecodable?.push(file.name);
    const destination = destinationOf(folders, undecodable);
    yield {
      unit: file.name,
      unitIsFile: true,
      records: [],
      rejects,
      checkpoint: fileCheckpoint(state),
      afterCommit: destination !== undefined || file.marker !== undefined ? () => retrying(`moving ${file.name}`, () => settleFile(store, file, destination, logger)) : undefined,
    };
  }
}

/** Reading one file, surviving transport failures: what is behind us is known by count and position. */
class FileReading {
  /** Records of this file behind us: yielded, or committed in an earlier run. */
  private seen = 0;
  /** Highest line/item position behind us: rejects up to here are not yielded again. */
  private behindAt = 0;
  /** Rejects without a position (about the whole file) yielded so far. */
  private wholeFileRejects = 0;
  private decoded = 0;
  private rejected = 0;

  constructor(
    private readonly ctx: ReadContext<unknown, FileReadOptions>,
    private readonly store: FileStore,
    private readonly file: ReadyFile,
    private readonly format: FormatName,
    private readonly resumeAt: number,
    private readonly policy: RetryPolicy,
    private readonly state: FileCursor,
  ) {}

  /** Not one record could be decoded, but something was rejected: the file goes to the error folder. */
  get undecodable(): boolean {
    return this.decoded === 0 && this.rejected > 0;
  }

  async *pages(): AsyncGenerator<SourcePage> {
    const { file, ctx } = this;
    let skipTo = this.resumeAt;
    for (let attempt = 1; ; attempt += 1) {
      const input = await withRetries(`opening ${file.name}`, () => this.store.openRead(file.name), this.policy, ctx.signal, ctx.logger);
      let transportError: unknown;
      input.on('error', (error) => {
        transportError ??= error;
      });
      const decoder = codecFor(this.format).createDecoder((this.ctx.options[this.format] ?? {}) as Record<string, unknown>);
      let position = 0;
      let wholeFile = 0;
      try {
        // Decoding runs ahead of the pipeline while it waits on its targets (a few chunks, bounded).
        for await (const chunk of readAhead(decoder.decode(input, file.name), READ_AHEAD_CHUNKS)) {
          const skip = Math.min(Math.max(skipTo - position, 0), chunk.records.length);
          position += chunk.records.length;
          this.decoded = Math.max(this.decoded, position);
          for (const record of chunk.records.slice(0, skip)) this.behindAt = Math.max(this.behindAt, record.at ?? 0);
          const records = chunk.records.slice(skip);
          // Rejects before the resume point were dead-lettered with the batch that covered them.
          const rejects = chunk.rejects.filter((reject) => (reject.at === undefined ? (wholeFile += 1) > this.wholeFileRejects : reject.at > this.behindAt));
          this.seen = Math.max(this.seen, position);
          if (records.length === 0 && rejects.length === 0) continue;
          yield this.page(records, rejects, decoder.positions);
        }
        return;
      } catch (error) {
        if (transportError === undefined) {
          // The decoder gave up: the rest of the file cannot be read as this format.
          yield this.page([], [{ raw: '', origin: file.name, reason: `${file.name} cannot be decoded as ${this.format} after record ${position}: ${toKeelError(error, 'decode').message}` }], decoder.positions);
          return;
        }
        const failure = toKeelError(transportError, `source:${file.name}`);
        if (!failure.retryable || attempt >= this.policy.maxAttempts || ctx.signal.aborted) throw failure;
        const delayMs = backoffDelayMs(this.policy, attempt);
        ctx.logger.warn('reading a file failed; reading it again from where it broke off', { file: file.name, records: this.seen, attempt, delay_ms: delayMs, error: failure.message });
        await sleep(delayMs, ctx.signal);
        await this.checkUnchanged();
        skipTo = this.seen;
      } finally {
        input.destroy();
      }
    }
  }

  private page(records: SourceRecord[], rejects: DecodeReject[], positions: 'line' | 'item'): SourcePage {
    for (const item of [...records, ...rejects]) this.behindAt = Math.max(this.behindAt, item.at ?? 0);
    this.wholeFileRejects += rejects.filter((reject) => reject.at === undefined).length;
    this.rejected += rejects.length;
    const { file } = this;
    return {
      unit: file.name,
      unitIsFile: true,
      positions,
      records,
      rejects,
      checkpoint: fileCheckpoint({ ...this.state, current: { file: file.name, fingerprint: file.fingerprint, records: this.seen } }),
    };
  }

  /** Skipping by count is right only for the same bytes: a file rewritten meanwhile is read again next run. */
  private async checkUnchanged(): Promise<void> {
    const { file, ctx } = this;
    const dir = parentOf(file.name);
    const entries = await withRetries(`listing ${dir === '' ? 'the root' : dir}`, () => this.store.list(dir), this.policy, ctx.signal, ctx.logger);
    const entry = entries.find((candidate) => (dir === '' ? candidate.name : `${dir}/${candidate.name}`) === file.name);
    if (entry === undefined || `${entry.size}:${Math.trunc(entry.mtimeMs)}` !== file.fingerprint) {
      throw new KeelError('transient', `${file.name} changed while it was being read; it is read again on the next run`, { code: 'file_changed', stage: 'source' });
    }
  }
}
