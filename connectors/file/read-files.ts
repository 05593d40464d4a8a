import { createReadStream, existsSync, readdirSync, renameSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import picomatch from 'picomatch';
import { codecFor, formatFromFileName, type FormatName } from '../../core/codecs/index.js';
import { isJsonObject, type JsonObject, type JsonValue } from '../../core/json.js';
import type { ReadContext, SourcePage } from '../../core/sdk/connector.js';
import type { FileReadOptions } from './options.js';
import { insideRoot, resolveRoot, toPosix } from './paths.js';

interface FileConfig {
  root: string;
}

/**
 * Checkpoint of the file source: the files already done (name → size:mtime fingerprint) and,
 * inside the file being read, how many records are behind us. A file whose fingerprint changes
 * is new content and is read again.
 */
interface FileCursor {
  done: Record<string, string>;
  current?: { file: string; fingerprint: string; records: number };
}

export async function* readFiles(ctx: ReadContext<FileConfig, FileReadOptions>): AsyncIterable<SourcePage> {
  const root = resolveRoot(ctx.projectDir, ctx.config.root);
  const options = ctx.options;
  const cursor = parseCursor(ctx.sync === 'incremental' ? ctx.cursor : undefined);
  const archiveDir = options.archive_dir !== undefined ? insideRoot(root, options.archive_dir) : undefined;
  const files = listFiles(root, options.path, options.min_age_ms ?? 0, archiveDir);

  const finished = (file: ListedFile): boolean => cursor.done[file.name] === file.fingerprint;
  // Files finished in an earlier run whose archive move did not happen (a crash right after the commit).
  if (archiveDir !== undefined) for (const file of files.filter(finished)) archive(root, archiveDir, file.name, ctx);
  // Forget files that are gone (or archived): the cursor stays as small as the folder.
  const done: Record<string, string> = {};
  if (archiveDir === undefined) for (const file of files.filter(finished)) done[file.name] = file.fingerprint;
  const queue = files.filter((file) => !finished(file));
  // The file we were inside of goes first, so the records skipped on resume are the right ones.
  const current = cursor.current;
  if (current !== undefined) {
    const index = queue.findIndex((file) => file.name === current.file && file.fingerprint === current.fingerprint);
    if (index > 0) queue.unshift(...queue.splice(index, 1));
  }

  for (const file of queue) {
    if (ctx.signal.aborted) return;
    const format = (options.format ?? formatFromFileName(file.name)) as FormatName | undefined;
    if (format === undefined) {
      yield {
        unit: file.name,
        records: [],
        rejects: [{ raw: '', origin: file.name, reason: `cannot tell the format of ${file.name}; set format: in the source options` }],
        checkpoint: { done: { ...done, [file.name]: file.fingerprint } },
      };
      done[file.name] = file.fingerprint;
      continue;
    }
    const resumeAt = current !== undefined && current.file === file.name && current.fingerprint === file.fingerprint ? current.records : 0;
    const decoder = codecFor(format).createDecoder((options[format] ?? {}) as Record<string, unknown>);
    let seen = 0;
    let lastSkippedAt = 0;
    const input = createReadStream(join(root, file.name), { highWaterMark: 256 * 1024 });
    for await (const chunk of decoder.decode(input, file.name)) {
      let records = chunk.records;
      let rejects = chunk.rejects;
      if (seen < resumeAt) {
        const skip = Math.min(resumeAt - seen, records.length);
        lastSkippedAt = records[skip - 1]?.at ?? lastSkippedAt;
        records = records.slice(skip);
        seen += skip;
        // Rejects before the resume point were dead-lettered with the batch that covered them.
        rejects = rejects.filter((reject) => reject.at === undefined || reject.at > lastSkippedAt);
        if (records.length === 0 && rejects.length === 0) continue;
      }
      seen += records.length;
      yield {
        unit: file.name,
        positions: decoder.positions,
        records,
        rejects,
        checkpoint: { done: { ...done }, current: { file: file.name, fingerprint: file.fingerprint, records: seen } },
      };
    }
    done[file.name] = file.fingerprint;
    yield {
      unit: file.name,
      records: [],
      checkpoint: { done: { ...done } },
      afterCommit: archiveDir !== undefined ? async () => archive(root, archiveDir, file.name, ctx) : undefined,
    };
  }
}

interface ListedFile {
  name: string;
  fingerprint: string;
}

function listFiles(root: string, glob: string, minAgeMs: number, archiveDir: string | undefined): ListedFile[] {
  const matches = picomatch(glob, { dot: false });
  const now = Date.now();
  const out: ListedFile[] = [];
  const walk = (dir: string, depth: number): void => {
    if (depth > 16 || !existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.name.startsWith('.')) continue; // temp files of atomic writers, ours included
      if (entry.isDirectory()) {
        if (full !== archiveDir) walk(full, depth + 1);
        continue;
      }
      // Symlinks are not followed: a link could point outside the root.
      if (!entry.isFile()) continue;
      const name = toPosix(relative(root, full));
      if (!matches(name)) continue;
      const stat = statSync(full);
      if (now - stat.mtimeMs < minAgeMs) continue;
      out.push({ name, fingerprint: `${stat.size}:${Math.trunc(stat.mtimeMs)}` });
    }
  };
  walk(root, 0);
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function archive(root: string, archiveDir: string, name: string, ctx: ReadContext<FileConfig, FileReadOptions>): void {
  const from = join(root, name);
  if (!existsSync(from)) return;
  const to = join(archiveDir, name);
  mkdirSync(dirname(to), { recursive: true });
  renameSync(from, to);
  ctx.logger.debug('archived input file', { file: name });
}

function parseCursor(value: JsonValue | undefined): FileCursor {
  if (!isJsonObject(value)) return { done: {} };
  const done: Record<string, string> = {};
  const rawDone = value['done'];
  if (isJsonObject(rawDone)) {
    for (const [name, fingerprint] of Object.entries(rawDone)) if (typeof fingerprint === 'string') done[name] = fingerprint;
  }
  const rawCurrent = value['current'];
  if (isJsonObject(rawCurrent)) {
    const current = rawCurrent as JsonObject;
    if (typeof current['file'] === 'string' && typeof current['fingerprint'] === 'string' && typeof current['records'] === 'number') {
      return { done, current: { file: current['file'], fingerprint: current['fingerprint'], records: current['records'] } };
    }
  }
  return { done };
}
