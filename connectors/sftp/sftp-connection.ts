import SftpClient from 'ssh2-sftp-client';
import type { Logger } from '../../core/logger.js';
import type { SftpSettings } from './config.js';
import { INSECURE_ACCEPT_ANY, pinnedHostKey } from './host-key.js';
import { connectError, hostKeyMismatch, where } from './sftp-errors.js';

/** An open SFTP session and what the server said it supports. */
export interface SftpConnection {
  client: SftpClient;
  /** posix-rename@openssh.com: a rename that replaces the target atomically. */
  posixRename: boolean;
  /** False once the SSH connection has closed, for whatever reason. */
  open: boolean;
}

/**
 * Connects and authenticates, checking the server's host key against the pinned fingerprint
 * (ssh2's hostVerifier) before any credential is sent. Failures name host:port and what to
 * check; they never contain the password, key or passphrase.
 */
export async function connectSftp(settings: SftpSettings, logger: Logger): Promise<SftpConnection> {
  if (settings.hostKey === INSECURE_ACCEPT_ANY) {
    logger.warn(
      `${where(settings)}: the host key is NOT checked (host_key: ${INSECURE_ACCEPT_ANY}); anyone on the network path can pose as this server and read or change the files. Pin it: host_key: "SHA256:…" from "ssh-keygen -lf" on the server's host key`,
    );
  }
  const hostKey = pinnedHostKey(settings.hostKey);
  // Without callbacks of its own, ssh2-sftp-client prints every connection event to the console.
  const quiet = { error: () => undefined, end: () => undefined, close: () => undefined };
  const client = new SftpClient(`keel ${settings.host}:${settings.port}`, quiet);
  const connection: SftpConnection = { client, posixRename: false, open: false };
  // ssh2's own error keeps its `level` (authentication, timeout), which the client's wrapper drops.
  let firstError: unknown;
  client.on('error', (error: unknown) => {
    firstError ??= error;
  });
  // 'end' comes first when the server goes away: operations failing because of it are transient.
  const closed = (): void => {
    connection.open = false;
  };
  client.on('end', closed);
  client.on('close', closed);
  noDelay(client);
  let rejectedKey = false;
  try {
    const sftp = await client.connect({
      host: settings.host,
      port: settings.port,
      username: settings.username,
      password: settings.password,
      privateKey: settings.privateKey,
      passphrase: settings.passphrase,
      readyTimeout: settings.connectTimeoutMs,
      keepaliveInterval: settings.keepaliveIntervalMs,
      keepaliveCountMax: 3,
      hostVerifier: (key: Buffer) => {
        const ok = hostKey.verify(key);
        rejectedKey = !ok;
        return ok;
      },
    });
    connection.open = true;
    // The SFTP channel can close while the SSH connection lives on (the server's sftp process died).
    sftp.on('close', closed);
    sftp.on('end', closed);
    // ssh2 keeps the server's extension list private; it is the only way to know before trying.
    const extensions = (sftp as unknown as { _extensions?: Record<string, string> })._extensions;
    connection.posixRename = extensions?.['posix-rename@openssh.com'] === '1';
    return connection;
  } catch (error) {
    await client.end().catch(() => undefined);
    if (rejectedKey) throw hostKeyMismatch(settings, hostKey.presented());
    throw connectError(firstError ?? error, settings);
  }
}

/**
 * SFTP is request and reply, one small packet each way: with Nagle's algorithm on, a request
 * can wait for the server's delayed ACK (40 to 200 ms on Linux) before it leaves. ssh2 leaves it
 * on, and on loopback every put, rename and list took some 180 ms; with it off, 2 to 6 ms.
 * ssh2-sftp-client keeps its ssh2 client as `client`, which its types do not declare.
 */
function noDelay(client: SftpClient): void {
  const ssh = (client as unknown as { client?: { on(event: 'connect', listener: () => void): unknown; setNoDelay(noDelay: boolean): unknown } }).client;
  ssh?.on('connect', () => ssh.setNoDelay(true));
}
