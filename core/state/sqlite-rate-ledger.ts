import type Database from 'better-sqlite3';
import { leakTo, refundTo, reportTo, takeFrom, type AccountBudget, type BucketState, type RateBucket, type RateLedger, type VendorSaid } from './rate-ledger.js';
import { addMissingColumns } from './sqlite-ledger.js';

/** One row per external account: its bucket's level at `level_at`, and the end of a pause the vendor asked for. */
export const RATE_SCHEMA = `
CREATE TABLE IF NOT EXISTS rate_buckets (
  account TEXT PRIMARY KEY, level REAL NOT NULL, level_at INTEGER NOT NULL, paused_until INTEGER NOT NULL) WITHOUT ROWID;
`;

/** The bucket's shape as the last caller gave it (NULL: infinite), so a reader without the config (metrics) can leak it. */
const RATE_ADDED_COLUMNS = [
  { table: 'rate_buckets', column: 'capacity', definition: 'REAL' },
  { table: 'rate_buckets', column: 'leak_per_ms', definition: 'REAL' },
] as const;

interface BucketRow {
  level: number;
  level_at: number;
  paused_until: number;
}

/**
 * The rate ledger in the SQLite state file. Each call is one IMMEDIATE transaction (read, decide,
 * write): it takes the write lock before reading, so two processes cannot both read a bucket with
 * room for one more request and both take it.
 */
export class SqliteRateLedger implements RateLedger {
  private readonly read: Database.Statement<[string], BucketRow>;
  private readonly write: Database.Statement<[string, number, number, number, number | null, number | null]>;
  private readonly all: Database.Statement<[], BucketRow & { account: string; capacity: number | null; leak_per_ms: number | null }>;
  private readonly takeOne: (account: string, bucket: RateBucket, now: number, cost: number) => number;
  private readonly reportOne: (account: string, bucket: RateBucket, said: VendorSaid, now: number) => void;
  private readonly refundOne: (account: string, bucket: RateBucket, amount: number, now: number) => void;

  constructor(db: Database.Database) {
    addMissingColumns(db, RATE_ADDED_COLUMNS);
    this.all = db.prepare('SELECT account, level, level_at, paused_until, capacity, leak_per_ms FROM rate_buckets ORDER BY account');
    this.read = db.prepare<[string], BucketRow>('SELECT level, level_at, paused_until FROM rate_buckets WHERE account = ?');
    this.write = db.prepare<[string, number, number, number, number | null, number | null]>(
      `INSERT INTO rate_buckets (account, level, level_at, paused_until, capacity, leak_per_ms) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (account) DO UPDATE SET level = excluded.level, level_at = excluded.level_at, paused_until = excluded.paused_until,
         capacity = excluded.capacity, leak_per_ms = excluded.leak_per_ms`,
    );
    const take = db.transaction((account: string, bucket: RateBucket, now: number, cost: number): number => {
      const { waitMs, next } = takeFrom(this.stored(account), bucket, now, cost);
      // A wait changes nothing: the leak is recomputed from the stored level next time.
      if (waitMs === 0) this.store(account, next, bucket);
      return waitMs;
    });
    const report = db.transaction((account: string, bucket: RateBucket, said: VendorSaid, now: number): void => {
      this.store(account, reportTo(this.stored(account), bucket, said, now), bucket);
    });
    const refund = db.transaction((account: string, bucket: RateBucket, amount: number, now: number): void => {
      this.store(account, refundTo(this.stored(account), bucket, amount, now), bucket);
    });
    this.takeOne = (account, bucket, now, cost) => take.immediate(account, bucket, now, cost);
    this.reportOne = (account, bucket, said, now) => report.immediate(account, bucket, said, now);
    this.refundOne = (account, bucket, amount, now) => refund.immediate(account, bucket, amount, now);
  }

  async take(account: string, bucket: RateBucket, now: number, cost = 1): Promise<number> {
    return this.takeOne(account, bucket, now, cost);
  }

  async refund(account: string, bucket: RateBucket, amount: number, now: number): Promise<void> {
    this.refundOne(account, bucket, amount, now);
  }

  async report(account: string, bucket: RateBucket, said: VendorSaid, now: number): Promise<void> {
    this.reportOne(account, bucket, said, now);
  }

  async budgets(now: number): Promise<AccountBudget[]> {
    return this.all.all().map((row) => {
      const bucket = { capacity: row.capacity ?? Number.POSITIVE_INFINITY, leakPerMs: row.leak_per_ms ?? Number.POSITIVE_INFINITY };
      // A shape not known (a row from before shapes were kept): the level as stored, not leaked.
      const state = { level: row.level, levelAt: row.level_at, pausedUntil: row.paused_until };
      const used = row.leak_per_ms === null && row.capacity === null ? row.level : leakTo(state, bucket, now).level;
      return { account: row.account, used, capacity: row.capacity ?? undefined, pausedUntil: row.paused_until };
    });
  }

  private stored(account: string): BucketState | undefined {
    const row = this.read.get(account);
    return row === undefined ? undefined : { level: row.level, levelAt: row.level_at, pausedUntil: row.paused_until };
  }

  private store(account: string, state: BucketState, bucket: RateBucket): void {
    const finite = (value: number): number | null => (Number.isFinite(value) ? value : null);
    this.write.run(account, state.level, state.levelAt, state.pausedUntil, finite(bucket.capacity), finite(bucket.leakPerMs));
  }
}
