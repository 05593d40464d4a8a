/**
 * Bearer tokens for `keel serve`, kept in the state store by the SHA-256 of their secret only:
 * the secret is shown once when the token is made (`keel token create`) and never stored, so a
 * copy of the state file lets nobody call the API. Tokens carry scopes (see core/serve/scopes.ts).
 */
export interface ApiTokens {
  /**
   * Stores a new token. Names are unique among tokens not revoked: a second token of a name in
   * use is refused with `name_taken` (revoke the old one first), so `revoke` by name is unambiguous.
   */
  create(input: ApiTokenInput): Promise<ApiTokenCreated>;
  /** The token, not revoked, whose secret hashes to `secretHash`. */
  findByHash(secretHash: string): Promise<ApiToken | undefined>;
  /** Tokens in the order they were made; revoked ones too when asked. */
  list(query?: { includeRevoked?: boolean }): Promise<ApiToken[]>;
  /** Revokes the token of this name that is not revoked yet; false when there is none. */
  revoke(name: string, at: string): Promise<boolean>;
}

export interface ApiTokenInput {
  name: string;
  scopes: readonly string[];
  /** Hex SHA-256 of the secret. */
  secretHash: string;
  createdAt: string;
}

export type ApiTokenCreated = { created: true; token: ApiToken } | { created: false; reason: 'name_taken' };

export interface ApiToken {
  id: number;
  name: string;
  scopes: string[];
  createdAt: string;
  revokedAt: string | null;
}
