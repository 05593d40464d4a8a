import { sleep } from '../runtime/backoff.js';
import type { FileEntry, FileStore } from './file-store.js';
import type { FileReadOptions } from './file-options.js';
import { listMatchingFiles, type ListedFile } from './list-files.js';

/** A file that is complete by the source's rules, with its done-marker when markers are in use. */
export interface ReadyFile extends ListedFile {
  marker?: string;
}

/**
 * The matching files a peer has finished writing. Three checks, each optional and combinable:
 * a minimum age, a stable size and modification time across two listings `stable_interval_ms`
 * apart, and a done-marker (`orders.csv.done`) next to the file. Markers are never read as data.
 */
export async function findReadyFiles(
  store: FileStore,
  options: FileReadOptions,
  skipDirs: readonly string[],
  signal: AbortSignal,
  now: () => number = Date.now,
  links?: string[],
): Promise<ReadyFile[]> {
  const seen = new Map<string, FileEntry>();
  let files: ReadyFile[] = await listMatchingFiles(store, options.path, { skipDirs, seen, ...(links !== undefined ? { links } : {}) });
  const suffix = options.done_suffix;
  if (suffix !== undefined) {
    files = files
      .filter((file) => !file.name.endsWith(suffix) && seen.get(`${file.name}${suffix}`)?.type === 'file')
      .map((file) => ({ ...file, marker: `${file.name}${suffix}` }));
  }
  const minAgeMs = options.min_age_ms ?? 0;
  if (minAgeMs > 0) {
    const time = now();
    files = files.filter((file) => time - file.mtimeMs >= minAgeMs);
  }
  const intervalMs = options.stable_interval_ms ?? 0;
  if (intervalMs > 0 && files.length > 0) {
    await sleep(intervalMs, signal);
    const again = new Map((await listMatchingFiles(store, options.path, { skipDirs })).map((file) => [file.name, file.fingerprint]));
    files = files.filter((file) => again.get(file.name) === file.fingerprint);
  }
  return files;
}
