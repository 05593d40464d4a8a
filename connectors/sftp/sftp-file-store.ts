import { posix } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import type SftpClient from 'ssh2-sftp-client';
import { KeelError } from '../../core/errors.js';
import { temporaryName, type FileEntry, type FileStore } from '../../core/files/file-store.js';
import { parentOf } from '../../core/files/store-path.js';
import type { Logger } from '../../core/logger.js';
import type { SftpSettings } from './config.js';
import { connectSftp, type SftpConnection } from './sftp-connection.js';
import { operationError, statusOf, where } from './sftp-errors.js';
import { withDeadline } from './with-deadline.js';

const NO_SUCH_FILE = 2;
const ENTRY_TYPES: Readonly<Record<string, FileEntry['type']>> = { '-': 'file', d: 'directory', l: 'symlink' };

/**
 * A FileStore on an SFTP server (ssh2-sftp-client). It connects on first use and again after
 * the connection dropped; a failure caused by a drop or a timeout is a transient KeelError, so
 * callers retry. Every operation has a deadline (`timeout_ms`); downloads, which pause while the
 * pipeline is busy, are watched by SSH keepalives instead.
 */
export class SftpFileStore implements FileStore {
  readonly label: string;
  private connection: Promise<SftpConnection> | undefined;
  private readonly knownDirs = new Set<string>();
  private active = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private posixRenameRefused = false;
  /** The root's real path on the server, and the folders found inside it (through links or not). */
  private realRoot: string | undefined;
  private readonly checkedDirs = new Set<string>();

  /** `idleCloseMs`: close the connection after this long unused (stores shared between batches). */
  constructor(
    private readonly settings: SftpSettings,
    private logger: Logger,
    private readonly idleCloseMs?: number,
  ) {
    this.label = `sftp://${settings.host}:${settings.port}${settings.root.startsWith('/') ? '' : '/'}${settings.root}`;
  }

  /** Shared stores log to the run that uses them now. */
  useLogger(logger: Logger): void {
    this.logger = logger;
  }

  async list(dir: string): Promise<FileEntry[]> {
    try {
      await this.inside(dir, 'folder');
      const entries = await this.run('listing', dir, (client) => client.list(this.remote(dir)));
      return entries.map((entry) => ({ name: entry.name, type: ENTRY_TYPES[entry.type] ?? 'other', size: entry.size, mtimeMs: entry.modifyTime }));
    } catch (error) {
      if (statusOf((error as KeelError).cause) === NO_SUCH_FILE) return [];
      throw error;
    }
  }

  async openRead(path: string): Promise<Readable> {
    // The real-path check runs while the file is opened; no byte is passed on before it passed.
    const checked = this.inside(path, 'file');
    checked.catch(() => undefined);
    const connection = await this.connect();
    let raw: Readable;
    try {
      raw = connection.client.createReadStream(this.remote(path), { highWaterMark: 256 * 1024 });
    } catch (error) {
      throw operationError(error, 'download of', path, this.settings, !connection.open);
    }
    const out = new PassThrough({ highWaterMark: 256 * 1024 });
    this.busy();
    raw.on('error', (error: unknown) => out.destroy(operationError(error, 'download of', path, this.settings, !connection.open)));
    out.on('close', () => {
      raw.destroy();
      this.idle();
    });
    checked.then(
      () => raw.pipe(out),
      (error: unknown) => out.destroy(error as Error),
    );
    return out;
  }

  async writeAtomic(path: string, body: string): Promise<void> {
    const temp = temporaryName(path);
    try {
      await this.inside(parentOf(path), 'folder');
      await this.ensureDir(parentOf(path));
      await this.run('upload of', path, (client) => client.put(Buffer.from(body), this.remote(temp)));
      await this.replace(temp, path);
    } catch (error) {
      // A folder removed on the server meanwhile is created again on the retry.
      this.knownDirs.clear();
      throw error;
    }
  }

  async move(from: string, to: string): Promise<void> {
    await this.inside(from, 'file');
    await this.inside(parentOf(to), 'folder');
    await this.ensureDir(parentOf(to));
    try {
      await this.replace(from, to);
    } catch (error) {
      // A rename whose answer was lost to a dropped connection has happened: the retry finds it done.
      if (statusOf((error as KeelError).cause) !== NO_SUCH_FILE || !(await this.exists(to))) throw error;
    }
  }

  async remove(path: string): Promise<void> {
    await this.inside(path, 'file');
    await this.run('removal of', path, (client) => client.delete(this.remote(path), true));
  }

  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    const pending = this.connection;
    this.connection = undefined;
    if (pending === undefined) return;
    const connection = await pending.catch(() => undefined);
    if (connection?.open === true) await withDeadline(connection.client.end(), this.settings.timeoutMs, () => new Error('close timed out')).catch(() => undefined);
  }

  /**
   * Renames over an existing file. posix-rename (OpenSSH) replaces atomically; plain SFTP v3
   * rename refuses an existing target, so then the target is removed first: for a moment there
   * is no file of that name, but never a partial one.
   */
  private async replace(from: string, to: string): Promise<void> {
    const connection = await this.connect();
    if (connection.posixRename && !this.posixRenameRefused) {
      try {
        await this.run('rename to', to, (client) => client.posixRename(this.remote(from), this.remote(to)));
        return;
      } catch (error) {
        // Advertised but refused (OpenSSH's sftp-server -P posix-rename): use plain renames from now on.
        // "No such file" is no refusal: the source is gone, and no other way of renaming finds it.
        const status = statusOf((error as KeelError).cause);
        if (status === undefined || status === NO_SUCH_FILE) throw error;
        this.posixRenameRefused = true;
        this.logger.debug('the server refuses posix-rename; replacing files by remove and rename', { server: this.label });
      }
    }
    try {
      await this.run('rename to', to, (client) => client.rename(this.remote(from), this.remote(to)));
    } catch (error) {
      // Only a target that a source is there to replace is removed: with the source gone, the target may be the only copy.
      if (!(await this.exists(to)) || !(await this.exists(from))) throw error;
      this.logger.debug('the server has no posix-rename and the target exists: removing it, then renaming', { file: to });
      await this.remove(to);
      await this.run('rename to', to, (client) => client.rename(this.remote(from), this.remote(to)));
    }
  }

  /**
   * Refuses a path whose real location on the server (symbolic links resolved by the server's
   * REALPATH, for the deepest part that exists) is outside the root's: a linked folder inside
   * the root must not lead reads or writes out of it. Folders found inside are remembered.
   */
  private async inside(path: string, kind: 'file' | 'folder'): Promise<void> {
    if (kind === 'folder' && (path === '' || this.checkedDirs.has(path))) return;
    this.realRoot ??= await this.run('resolving', '', (client) => client.realPath(this.remote('')));
    const root = this.realRoot;
    let probe = path;
    for (;;) {
      let real: string | undefined;
      try {
        real = await this.run('resolving', probe, (client) => client.realPath(this.remote(probe)));
      } catch (error) {
        if (statusOf((error as KeelError).cause) !== NO_SUCH_FILE || probe === '') throw error;
      }
      // OpenSSH resolves a missing last part to itself, and answers '' when more than that is missing.
      if (real !== undefined && real !== '') {
        if (real !== root && !real.startsWith(root === '/' ? '/' : `${root}/`)) {
          throw new KeelError('config', `path "${path}" leaves the connection root ${this.label} (through a symbolic link, it is ${real}); keep paths inside it`, {
            code: 'path_outside_root',
            stage: 'sftp',
          });
        }
        if (kind === 'folder' && probe === path) this.checkedDirs.add(path);
        return;
      }
      probe = parentOf(probe);
    }
  }

  private async exists(path: string): Promise<boolean> {
    return (await this.run('lookup of', path, (client) => client.exists(this.remote(path)))) !== false;
  }

  private async ensureDir(dir: string): Promise<void> {
    if (dir === '' || this.knownDirs.has(dir)) return;
    await this.run('creating folder', dir, (client) => client.mkdir(this.remote(dir), true));
    this.knownDirs.add(dir);
  }

  /** One operation on a live connection, within the deadline; failures become KeelErrors. */
  private async run<T>(what: string, path: string, operation: (client: SftpClient) => Promise<T>): Promise<T> {
    const connection = await this.connect();
    this.busy();
    try {
      return await withDeadline(operation(connection.client), this.settings.timeoutMs, () => {
        // The connection is in an unknown state: drop it; the next operation reconnects.
        this.forget(connection);
        void connection.client.end().catch(() => undefined);
        return new KeelError('transient', `${where(this.settings)}: ${what} ${path === '' ? 'the root' : path} got no answer within ${this.settings.timeoutMs} ms (timeout_ms); check the server and the network`, {
          code: 'sftp_timeout',
          stage: 'sftp',
        });
      });
    } catch (error) {
      throw operationError(error, what, path, this.settings, !connection.open);
    } finally {
      this.idle();
    }
  }

  private async connect(): Promise<SftpConnection> {
    const current = this.connection;
    if (current !== undefined) {
      const connection = await current.catch(() => undefined);
      if (connection?.open === true) return connection;
      if (this.connection === current) this.connection = undefined;
    }
    this.connection ??= connectSftp(this.settings, this.logger);
    const pending = this.connection;
    try {
      return await pending;
    } catch (error) {
      if (this.connection === pending) this.connection = undefined;
      throw error;
    }
  }

  private forget(connection: SftpConnection): void {
    connection.open = false;
  }

  private busy(): void {
    this.active += 1;
    clearTimeout(this.idleTimer);
  }

  private idle(): void {
    this.active -= 1;
    if (this.active > 0 || this.idleCloseMs === undefined) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => void this.close(), this.idleCloseMs);
  }

  /** The remote path of a store path; a path that would climb out of the root is refused here too. */
  private remote(path: string): string {
    const normal = posix.normalize(path === '' ? '.' : path);
    if (normal === '..' || normal.startsWith('../') || posix.isAbsolute(normal) || normal.includes('\0')) {
      throw new KeelError('config', `path "${path}" leaves the connection root ${this.label}; keep paths inside it`, { code: 'path_outside_root', stage: 'sftp' });
    }
    const root = this.settings.root;
    if (normal === '.') return root;
    return root === '/' ? `/${normal}` : `${root}/${normal}`;
  }
}
