import { KeelError, type ErrorKind } from '../../core/errors.js';
import type { SftpSettings } from './config.js';
import type { PresentedKey } from './host-key.js';

interface ErrorRow {
  kind: ErrorKind;
  code: string;
  /** What went wrong and what to check, after `sftp user@host:port:`. */
  hint: string;
}

/** Connection failures, by ssh2's error `level` or Node's socket error code. */
const CONNECT_ERRORS: Readonly<Record<string, ErrorRow>> = {
  'client-authentication': {
    kind: 'auth',
    code: 'sftp_auth_failed',
    hint: 'authentication failed; check username and password, or private_key and passphrase, and that the key is authorized on the server',
  },
  'client-timeout': { kind: 'transient', code: 'sftp_timeout', hint: 'no SSH handshake in time; check host, port and firewalls, or raise connect_timeout_ms' },
  ECONNREFUSED: { kind: 'transient', code: 'sftp_refused', hint: 'connection refused; check host and port and that the SFTP server is running' },
  ECONNRESET: { kind: 'transient', code: 'sftp_reset', hint: "the server closed the connection; check its logs (AllowUsers, MaxStartups)" },
  ETIMEDOUT: { kind: 'transient', code: 'sftp_timeout', hint: 'no answer; check host, port and firewalls' },
  EHOSTUNREACH: { kind: 'transient', code: 'sftp_unreachable', hint: 'host unreachable; check host and the network' },
  ENETUNREACH: { kind: 'transient', code: 'sftp_unreachable', hint: 'network unreachable; check host and the network' },
  EAI_AGAIN: { kind: 'transient', code: 'sftp_dns', hint: 'name lookup failed for now; check DNS' },
  ENOTFOUND: { kind: 'config', code: 'sftp_host_unknown', hint: 'host name not found; check host' },
  'client-dns': { kind: 'config', code: 'sftp_host_unknown', hint: 'host name not found; check host' },
  'client-socket': { kind: 'transient', code: 'sftp_socket', hint: 'the connection failed; check host, port and the network' },
  protocol: { kind: 'fatal', code: 'sftp_protocol', hint: 'SSH handshake failed; the server may offer no algorithm in common with Keel' },
};

/** SFTP status codes of failed operations (SFTP v3), and ssh2-sftp-client's own codes. */
const OPERATION_ERRORS: Readonly<Record<string, ErrorRow>> = {
  '2': { kind: 'fatal', code: 'sftp_no_such_file', hint: 'no such file or folder' },
  '3': { kind: 'fatal', code: 'sftp_permission_denied', hint: "permission denied; check the user's rights on the server" },
  '4': { kind: 'fatal', code: 'sftp_failure', hint: 'the server refused it' },
  '8': { kind: 'fatal', code: 'sftp_unsupported', hint: 'the server does not support it' },
  ENOENT: { kind: 'fatal', code: 'sftp_no_such_file', hint: 'no such file or folder' },
  EACCES: { kind: 'fatal', code: 'sftp_permission_denied', hint: "permission denied; check the user's rights on the server" },
  ERR_BAD_PATH: { kind: 'fatal', code: 'sftp_bad_path', hint: 'the path is not usable (a file where a folder should be, or no rights)' },
  ERR_NOT_CONNECTED: { kind: 'transient', code: 'sftp_connection_lost', hint: 'the connection was lost' },
};

const CONNECTION_LOST: ErrorRow = { kind: 'transient', code: 'sftp_connection_lost', hint: 'the connection was lost' };
/**
 * A failure that is no answer of the server (no SFTP status code): ssh2's "No response from
 * server" when the channel closes, the client's "Unexpected end event". The connection's end
 * event does not always come first, so these are retried (a bounded number of times).
 */
const TRANSPORT_FAILED: ErrorRow = { kind: 'transient', code: 'sftp_transport_failed', hint: 'the connection failed' };

export function where(settings: SftpSettings): string {
  return `sftp ${settings.username}@${settings.host}:${settings.port}`;
}

interface RawError {
  message?: string;
  code?: unknown;
  level?: unknown;
}

/** Why a connection could not be made, naming host:port and what to check; never a credential. */
export function connectError(error: unknown, settings: SftpSettings): KeelError {
  const raw = (typeof error === 'object' && error !== null ? error : {}) as RawError;
  const row = CONNECT_ERRORS[String(raw.level)] ?? CONNECT_ERRORS[String(raw.code)];
  const kind = row?.kind ?? 'transient';
  const hint = row?.hint ?? `could not connect (${raw.message ?? String(error)}); check host and port`;
  return new KeelError(kind, `${where(settings)}: ${hint}`, { code: row?.code ?? 'sftp_connect_failed', stage: 'sftp', cause: error });
}

export function hostKeyMismatch(settings: SftpSettings, presented: PresentedKey | undefined): KeelError {
  const shown = presented === undefined ? 'a host key' : `host key ${presented.fingerprint} (${presented.type})`;
  return new KeelError(
    'auth',
    `${where(settings)}: the server presented ${shown}, not the pinned host_key ${settings.hostKey}. ` +
      'If the server really got a new key, confirm the fingerprint with its admin ("ssh-keygen -lf" on the host key) and update host_key; otherwise someone may be intercepting the connection',
    { code: 'sftp_host_key_mismatch', stage: 'sftp' },
  );
}

/**
 * A failed operation. `connectionLost` (the session closed under it) makes it transient whatever
 * ssh2 said: the caller reconnects and retries.
 */
export function operationError(error: unknown, what: string, path: string, settings: SftpSettings, connectionLost: boolean): KeelError {
  if (error instanceof KeelError) return error;
  const raw = (typeof error === 'object' && error !== null ? error : {}) as RawError;
  const detail = raw.message ?? String(error);
  const row = connectionLost ? CONNECTION_LOST : (OPERATION_ERRORS[String(raw.code)] ?? CONNECT_ERRORS[String(raw.code)]);
  if (row === undefined) {
    const known = typeof raw.code === 'number';
    return new KeelError(known ? 'fatal' : 'transient', `${where(settings)}: ${what} ${path === '' ? 'the root' : path} failed: ${known ? detail : `${TRANSPORT_FAILED.hint} (${detail})`}`, {
      code: known ? 'sftp_failed' : TRANSPORT_FAILED.code,
      stage: 'sftp',
      detail,
      cause: error,
    });
  }
  return new KeelError(row.kind, `${where(settings)}: ${what} ${path === '' ? 'the root' : path} failed: ${row.hint}`, { code: row.code, stage: 'sftp', detail, cause: error });
}

/** The code of an SFTP status error (2 = no such file), if it is one. */
export function statusOf(error: unknown): number | undefined {
  const code = (error as RawError | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
}
