import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { ensureDebianPackage } from './debian-package.js';

/**
 * A real OpenSSH server (Debian's /usr/sbin/sshd) on 127.0.0.1 for SFTP tests and the bench:
 * a fresh host key and client keys in a temporary folder, files under `root` (a plain folder on
 * this machine that the SFTP connection's `root` points at), stopped by `stop()`.
 */
export interface SftpTestServer {
  host: '127.0.0.1';
  port: number;
  username: string;
  /** The folder the tests' SFTP connections use as their root (absolute, on this machine). */
  root: string;
  /** The host key's fingerprint as `ssh-keygen -lf` prints it: `SHA256:…`. */
  fingerprint: string;
  /** Client keys: one without and one with a passphrase, both authorized. */
  privateKeyFile: string;
  encryptedKeyFile: string;
  passphrase: string;
  /** Kills the processes serving the open sessions (the listener stays): a dropped connection. */
  dropConnections(): number;
  stop(): Promise<void>;
}

const SSHD = '/usr/sbin/sshd';
const READY_TIMEOUT_MS = 15_000;

export interface SftpServerOptions {
  /** SFTP requests the server refuses (internal-sftp -P), e.g. ['posix-rename'] to act like a server without it. */
  deniedRequests?: string[];
}

export async function startSftpServer(options: SftpServerOptions = {}): Promise<SftpTestServer> {
  ensureDebianPackage(SSHD, 'openssh-server');
  const dir = mkdtempSync(join(tmpdir(), 'keel-sshd-'));
  const root = join(dir, 'root');
  mkdirSync(root);
  keygen(join(dir, 'host_key'), '');
  keygen(join(dir, 'client_key'), '');
  const passphrase = 'correct horse battery staple';
  keygen(join(dir, 'client_key_encrypted'), passphrase);
  writeFileSync(join(dir, 'authorized_keys'), `${readFileSync(join(dir, 'client_key.pub'), 'utf8')}${readFileSync(join(dir, 'client_key_encrypted.pub'), 'utf8')}`, { mode: 0o600 });
  const fingerprint = run('ssh-keygen', ['-lf', join(dir, 'host_key.pub')]).split(' ')[1] ?? '';
  if (!fingerprint.startsWith('SHA256:')) throw new Error(`ssh-keygen printed no SHA256 fingerprint for the test host key: ${fingerprint}`);
  const username = userInfo().username;

  // A port picked by the kernel can be taken between closing it and sshd binding it: try a few.
  for (let attempt = 1; attempt <= 5; attempt += 1) {
    const port = await freePort();
    const config = join(dir, 'sshd_config');
    writeFileSync(config, sshdConfig(dir, port, username, options.deniedRequests ?? []));
    const child = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-8_000);
    });
    if (await waitForBanner(port, child)) {
      let stopped: Promise<void> | undefined;
      return {
        host: '127.0.0.1',
        port,
        username,
        root,
        fingerprint,
        privateKeyFile: join(dir, 'client_key'),
        encryptedKeyFile: join(dir, 'client_key_encrypted'),
        passphrase,
        dropConnections: () => killDescendants(child.pid ?? -1),
        stop: () => {
          stopped ??= stopSshd(child).then(() => rmSync(dir, { recursive: true, force: true }));
          return stopped;
        },
      };
    }
    child.kill('SIGKILL');
    if (!/Address already in use|Cannot bind/i.test(log)) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`sshd did not start on 127.0.0.1:${port}:\n${log}`);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error('sshd could not bind a free port on 127.0.0.1 in 5 attempts');
}

function sshdConfig(dir: string, port: number, username: string, deniedRequests: string[]): string {
  // sshd refuses to start without its privilege separation folder, which only the service creates.
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const sftpCommand = deniedRequests.length > 0 ? `internal-sftp -P ${deniedRequests.join(',')}` : 'internal-sftp';
  return [
    `ListenAddress 127.0.0.1:${port}`,
    `HostKey ${join(dir, 'host_key')}`,
    `PidFile ${join(dir, 'sshd.pid')}`,
    `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
    // The temporary folder is not laid out the way StrictModes wants a home directory.
    'StrictModes no',
    'PermitRootLogin yes',
    `AllowUsers ${username}`,
    'PubkeyAuthentication yes',
    'PasswordAuthentication yes',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    `Subsystem sftp ${sftpCommand}`,
    `ForceCommand ${sftpCommand}`,
    'AllowTcpForwarding no',
    'X11Forwarding no',
    'PermitTTY no',
    'MaxStartups 100',
    'MaxSessions 100',
    'LogLevel ERROR',
    '',
  ].join('\n');
}

function keygen(file: string, passphrase: string): void {
  run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', 'keel-test', '-f', file]);
}

function run(command: string, args: string[]): string {
  const result = spawnSync(command, args, { encoding: 'utf8', timeout: 30_000 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr || result.error?.message}`);
  return result.stdout.trim();
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** True once the server greets with its SSH banner; false if sshd exits or stays silent too long. */
async function waitForBanner(port: number, child: ChildProcess): Promise<boolean> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (let attempt = 0; attempt < 300 && Date.now() < deadline; attempt += 1) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    if (await greets(port)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return false;
}

function greets(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('data', (data: Buffer) => done(data.toString('latin1').startsWith('SSH-')));
  });
}

/** The processes sshd forked for sessions, found through /proc (no procps needed). */
function killDescendants(pid: number): number {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name may hold spaces and parentheses: the fields after the last ')' are fixed.
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // The process ended while we looked.
    }
  }
  let killed = 0;
  const visit = (parent: number, depth: number): void => {
    if (depth > 8) return;
    for (const child of children.get(parent) ?? []) {
      visit(child, depth + 1);
      try {
        process.kill(child, 'SIGKILL');
        killed += 1;
      } catch {
        // Already gone.
      }
    }
  };
  visit(pid, 0);
  return killed;
}

async function stopSshd(child: ChildProcess): Promise<void> {
  if (child.pid !== undefined) killDescendants(child.pid);
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
