import type Database from 'better-sqlite3';
import type { ApiToken, ApiTokenCreated, ApiTokenInput, ApiTokens } from './api-tokens.js';

/** One row per token; a partial unique index keeps names unique among tokens not revoked. */
export const API_TOKEN_SCHEMA = `
CREATE TABLE IF NOT EXISTS api_tokens (
  id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, scopes TEXT NOT NULL, secret_sha256 TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL, revoked_at TEXT);
CREATE UNIQUE INDEX IF NOT EXISTS api_tokens_live_name ON api_tokens (name) WHERE revoked_at IS NULL;
`;

interface TokenRow {
  id: number;
  name: string;
  scopes: string;
  created_at: string;
  revoked_at: string | null;
}

/** API tokens in the SQLite state file. */
export class SqliteApiTokens implements ApiTokens {
  private readonly insert: Database.Statement<[string, string, string, string]>;
  private readonly byHash: Database.Statement<[string], TokenRow>;
  private readonly live: Database.Statement<[], TokenRow>;
  private readonly all: Database.Statement<[], TokenRow>;
  private readonly revokeLive: Database.Statement<[string, string]>;

  constructor(db: Database.Database) {
    this.insert = db.prepare('INSERT INTO api_tokens (name, scopes, secret_sha256, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING');
    this.byHash = db.prepare('SELECT id, name, scopes, created_at, revoked_at FROM api_tokens WHERE secret_sha256 = ? AND revoked_at IS NULL');
    this.live = db.prepare('SELECT id, name, scopes, created_at, revoked_at FROM api_tokens WHERE revoked_at IS NULL ORDER BY id');
    this.all = db.prepare('SELECT id, name, scopes, created_at, revoked_at FROM api_tokens ORDER BY id');
    this.revokeLive = db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL');
  }

  async create(input: ApiTokenInput): Promise<ApiTokenCreated> {
    const result = this.insert.run(input.name, JSON.stringify(input.scopes), input.secretHash, input.createdAt);
    if (result.changes === 0) return { created: false, reason: 'name_taken' };
    return { created: true, token: { id: Number(result.lastInsertRowid), name: input.name, scopes: [...input.scopes], createdAt: input.createdAt, revokedAt: null } };
  }

  async findByHash(secretHash: string): Promise<ApiToken | undefined> {
    const row = this.byHash.get(secretHash);
    return row === undefined ? undefined : toToken(row);
  }

  async list(query: { includeRevoked?: boolean } = {}): Promise<ApiToken[]> {
    return (query.includeRevoked === true ? this.all : this.live).all().map(toToken);
  }

  async revoke(name: string, at: string): Promise<boolean> {
    return this.revokeLive.run(at, name).changes > 0;
  }
}

function toToken(row: TokenRow): ApiToken {
  return { id: row.id, name: row.name, scopes: JSON.parse(row.scopes) as string[], createdAt: row.created_at, revokedAt: row.revoked_at };
}
