import type { Readable } from 'node:stream';

/** What a listing says about one directory entry. Symlinks are reported as such, never followed. */
export interface FileEntry {
  /** The entry's own name (no slashes), as the directory lists it. */
  name: string;
  type: 'file' | 'directory' | 'symlink' | 'other';
  size: number;
  /** Last modification, in ms since the epoch (SFTP servers report whole seconds). */
  mtimeMs: number;
}

/**
 * A folder of files somewhere (local disk, an SFTP server) as the file sources and targets need
 * it. Every path is relative to the store's root, uses `/`, and has been checked with
 * `storePath` by the caller; implementations check again that it cannot leave the root.
 * Errors worth retrying (a dropped connection, a timeout) are thrown as transient KeelErrors.
 */
export interface FileStore {
  /** Where the root is, for messages: a folder, or `sftp://host:port/path`. */
  readonly label: string;
  /** Entries of a folder ('' is the root); a folder that does not exist lists as empty. */
  list(dir: string): Promise<FileEntry[]>;
  /** A stream of the file's bytes; transport failures surface as the stream's error. */
  openRead(path: string): Promise<Readable>;
  /** Writes the whole body under a hidden temporary name, then renames it: readers never see half a file. */
  writeAtomic(path: string, body: string): Promise<void>;
  /** Renames, replacing `to` if it exists; creates the folders of `to`. */
  move(from: string, to: string): Promise<void>;
  /** Deletes a file; a file that is already gone is not an error. */
  remove(path: string): Promise<void>;
  /** Lets go of connections and handles. */
  close(): Promise<void>;
}

/** The hidden name a file is written under before it is renamed into place. */
export function temporaryName(path: string): string {
  const slash = path.lastIndexOf('/');
  return `${path.slice(0, slash + 1)}.${path.slice(slash + 1)}.${process.pid}.tmp`;
}
