import { createHash, randomBytes } from 'node:crypto';
import { KeelError } from '../errors.js';
import type { ApiToken, ApiTokens } from '../state/api-tokens.js';
import type { Scope } from './scopes.js';

/** Tokens start with this, so a leaked one is recognisable (secret scanners, logs). */
const PREFIX = 'keel_';
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The hash the state keeps of a secret. Secrets are 256 random bits: a fast hash is enough, no password stretching. */
export function secretHash(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Makes a token and stores its hash; the secret is in the answer only, never stored. */
export async function issueToken(tokens: ApiTokens, name: string, scopes: readonly Scope[], now: Date = new Date()): Promise<{ token: ApiToken; secret: string }> {
  if (!NAME.test(name)) throw new KeelError('config', `token name "${name.slice(0, 70)}": use letters, digits, . _ - (at most 64), e.g. pos-berlin`, { code: 'token_name', stage: 'token' });
  if (scopes.length === 0) throw new KeelError('config', 'a token needs at least one --scope: read, ops or store:<location>', { code: 'token_scope', stage: 'token' });
  if (scopes.filter((scope) => scope.startsWith('store:')).length > 1) {
    throw new KeelError('config', 'a token is for one store at most: make one token per store', { code: 'token_scope', stage: 'token' });
  }
  const secret = `${PREFIX}${randomBytes(32).toString('base64url')}`;
  const made = await tokens.create({ name, scopes: [...new Set(scopes)], secretHash: secretHash(secret), createdAt: now.toISOString() });
  if (!made.created) throw new KeelError('config', `a token named ${name} exists already: revoke it first (keel token revoke ${name}), or choose another name`, { code: 'token_name_taken', stage: 'token' });
  return { token: made.token, secret };
}

/** The token an `Authorization: Bearer …` header carries, or undefined (none, malformed, unknown or revoked). */
export async function tokenOf(tokens: ApiTokens, authorization: string | undefined): Promise<ApiToken | undefined> {
  if (authorization === undefined) return undefined;
  const match = /^Bearer ([A-Za-z0-9_-]{1,200})$/i.exec(authorization.trim());
  if (match === null) return undefined;
  return tokens.findByHash(secretHash(match[1] as string));
}
