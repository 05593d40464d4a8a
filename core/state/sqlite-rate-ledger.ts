import type Database from 'better-sqlite3';
import { refundTo, reportTo, takeFrom, type BucketState, type RateBucket, type RateLedger, type VendorSaid } from './rate-ledger.js';

/** One row per external account: its bucket's level at `level_at`, and the end of a pause the vendor asked for. */
export const RATE_SCHEMA = `
CREATE TABLE IF NOT EXISTS rate_buckets (
  account TEXT PRIMARY KEY, level REAL NOT NULL, level_at INTEGER NOT NULL, paused_until INTEGER NOT NULL) WITHOUT ROWID;
`;

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
  private readonly write: Database.Statement<[string, number, number, number]>;
  private readonly takeOne: (account: string, bucket: RateBucket, now: number, cost: number) => number;
  private readonly reportOne: (account: string, bucket: RateBucket, said: VendorSaid, now: number) => void;
  private readonly refundOne: (account: string, bucket: RateBucket, amount: number, now: number) => void;

  constructor(db: Database.Database) {
    this.read = db.prepare<[string], BucketRow>('SELECT level, level_at, paused_until FROM rate_buckets WHERE account = ?');
    this.write = db.prepare<[string, number, number, number]>(
      `INSERT INTO rate_buckets (account, level, level_at, paused_until) VALUES (?, ?, ?, ?)
       ON CONFLICT (account) DO UPDATE SET level = excluded.level, level_at = excluded.level_at, paused_until = excluded.paused_until`,
    );
    const take = db.transaction((account: string, bucket: RateBucket, now: number, cost: number): number => {
      const { waitMs, next } = takeFrom(this.stored(account), bucket, now, cost);
      // A wait changes nothing: the leak is recomputed from the stored level next time.
      if (waitMs === 0) this.store(account, next);
      return waitMs;
    });
    const report = db.transaction((account: string, bucket: RateBucket, said: VendorSaid, now: number): void => {
      this.store(account, reportTo(this.stored(account), bucket, said, now));
    });
    const refund = db.transaction((account: string, bucket: RateBucket, amount: number, now: number): void => {
      this.store(account, refundTo(this.stored(account), bucket, amount, now));
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

  private stored(account: string): BucketState | undefined {
    const row = this.read.get(account);
    return row === undefined ? undefined : { level: row.level, levelAt: row.level_at, pausedUntil: row.paused_until };
  }

  private store(account: string, state: BucketState): void {
    this.write.run(account, state.level, state.levelAt, state.pausedUntil);
  }
}
