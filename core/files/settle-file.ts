import type { Logger } from '../logger.js';
import type { FileStore } from './file-store.js';
import type { ReadyFile } from './ready-files.js';

export interface SettleFolders {
  archiveDir: string | undefined;
  errorDir: string | undefined;
}

/** Where a fully processed file goes: the error folder if nothing in it could be decoded, else the archive (or nowhere). */
export function destinationOf(folders: SettleFolders, undecodable: boolean): string | undefined {
  return undecodable && folders.errorDir !== undefined ? folders.errorDir : folders.archiveDir;
}

/**
 * Puts a file whose last checkpoint is committed where it belongs, with its done-marker: both
 * moved into the archive or error folder, or, when the file stays, the marker removed (so the
 * peer can signal new content). The marker goes last: a file without one is never read again.
 */
export async function settleFile(store: FileStore, file: ReadyFile, destination: string | undefined, logger: Logger): Promise<void> {
  if (destination !== undefined) {
    await store.move(file.name, `${destination}/${file.name}`);
    if (file.marker !== undefined) await store.move(file.marker, `${destination}/${file.marker}`);
    logger.debug('moved input file', { file: file.name, to: destination });
  } else if (file.marker !== undefined) {
    await store.remove(file.marker);
  }
}
