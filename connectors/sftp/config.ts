import { Type, type Static } from '@sinclair/typebox';
import type { RetryPolicy } from '../../core/config/plan.js';
import { KeelError } from '../../core/errors.js';
import { INSECURE_ACCEPT_ANY } from './host-key.js';

export const SftpConfig = Type.Object(
  {
    host: Type.String({ minLength: 1, description: 'SFTP server name or address' }),
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535, default: 22, description: 'SSH port of the server' })),
    username: Type.String({ minLength: 1, description: 'user to log in as' }),
    password: Type.Optional(Type.String({ secret: true, description: 'password, from ${env:…} or ${file:…}' })),
    private_key: Type.Optional(Type.String({ secret: true, description: 'private key (OpenSSH or PEM), usually ${file:keys/id_ed25519}' })),
    passphrase: Type.Optional(Type.String({ secret: true, description: 'passphrase of an encrypted private_key' })),
    host_key: Type.String({
      pattern: `^(SHA256:[A-Za-z0-9+/]{43}=?|${INSECURE_ACCEPT_ANY})$`,
      description: `the server's host key fingerprint as "ssh-keygen -lf <key>.pub" prints it (SHA256:…), or ${INSECURE_ACCEPT_ANY} to skip the check (never in production)`,
    }),
    root: Type.Optional(
      Type.String({ minLength: 1, default: '.', description: 'remote folder every path is relative to: absolute, or relative to the login folder' }),
    ),
    connect_timeout_ms: Type.Optional(Type.Integer({ minimum: 100, default: 20_000, description: 'longest wait for the connection and SSH handshake' })),
    timeout_ms: Type.Optional(
      Type.Integer({ minimum: 100, default: 60_000, description: 'longest wait for one operation: a listing, an upload, a rename' }),
    ),
    keepalive_interval_ms: Type.Optional(
      Type.Integer({ minimum: 100, default: 10_000, description: 'SSH keepalive period; 3 unanswered keepalives drop the connection (downloads rely on it)' }),
    ),
    reconnect_attempts: Type.Optional(
      Type.Integer({ minimum: 1, default: 5, description: 'attempts of a listing, download or move when the connection drops (writes are retried by the runner)' }),
    ),
    reconnect_delay_ms: Type.Optional(Type.Integer({ minimum: 0, default: 500, description: 'first delay before a reconnect; doubles per attempt' })),
  },
  { additionalProperties: false },
);
export type SftpConfig = Static<typeof SftpConfig>;

/** The connection's config with every default applied, parsed once. */
export interface SftpSettings {
  host: string;
  port: number;
  username: string;
  password: string | undefined;
  privateKey: string | undefined;
  passphrase: string | undefined;
  hostKey: string;
  root: string;
  connectTimeoutMs: number;
  timeoutMs: number;
  keepaliveIntervalMs: number;
  retry: RetryPolicy;
}

export function sftpSettings(config: SftpConfig): SftpSettings {
  if (config.password === undefined && config.private_key === undefined) {
    throw new KeelError('config', `sftp ${config.host}: set password or private_key (from \${env:…} or \${file:…}) in the connection config`, {
      code: 'sftp_no_credentials',
      stage: 'sftp',
    });
  }
  const root = (config.root ?? '.').replace(/(.)\/+$/, '$1');
  return {
    host: config.host,
    port: config.port ?? 22,
    username: config.username,
    password: config.password,
    privateKey: config.private_key,
    passphrase: config.passphrase,
    hostKey: config.host_key,
    root,
    connectTimeoutMs: config.connect_timeout_ms ?? 20_000,
    timeoutMs: config.timeout_ms ?? 60_000,
    keepaliveIntervalMs: config.keepalive_interval_ms ?? 10_000,
    retry: { maxAttempts: config.reconnect_attempts ?? 5, initialDelayMs: config.reconnect_delay_ms ?? 500, maxDelayMs: 30_000 },
  };
}
