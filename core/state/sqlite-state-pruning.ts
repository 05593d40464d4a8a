import type Database from 'better-sqlite3';
import { RUN_DETAIL_TABLES } from './sqlite-run-details.js';
import type { PrunablePart, StatePruning } from './state-pruning.js';

type Key = (string | number)[];

/**
 * Per part: its table, its primary key, and what is prunable as a condition with the cutoff as
 * its one parameter (state-pruning.ts says why each rule keeps what it keeps).
 */
const PRUNABLE: Record<PrunablePart, { table: string; key: readonly string[]; where: string }> = {
  runs: {
    table: 'runs',
    key: ['id'],
    where: `started_at < ? AND status <> 'running'
      AND id NOT IN (SELECT max(id) FROM runs GROUP BY pipeline)
      AND id NOT IN (SELECT max(id) FROM runs WHERE status IN ('ok', 'dead_letters') GROUP BY pipeline)`,
  },
  deadLetters: { table: 'dead_letters', key: ['id'], where: `updated_at < ? AND status IN ('replayed', 'discarded')` },
  ledger: {
    table: 'ledger',
    key: ['pipeline', 'target', 'key'],
    where: `coalesce(delivered_at, created_at) < ? AND settled = 1
      AND NOT EXISTS (SELECT 1 FROM in_flight f WHERE f.pipeline = ledger.pipeline AND f.scope = ledger.target AND f.key = ledger.key)`,
  },
};

/**
 * Pruning in the SQLite state file. A window is a range of the primary key, so each transaction
 * reads and deletes a bounded number of rows, and a whole pass reads each row once (no index on
 * the times is needed, which would cost every ledger write).
 */
export class SqliteStatePruning implements StatePruning {
  constructor(private readonly db: Database.Database) {}

  async count(part: PrunablePart, before: string): Promise<number> {
    const { table, where } = PRUNABLE[part];
    return this.db.prepare<[string], { rows: number }>(`SELECT count(*) AS rows FROM ${table} WHERE ${where}`).get(before)?.rows ?? 0;
  }

  async prune(part: PrunablePart, before: string, window: number, after?: string): Promise<{ pruned: number; next: string | undefined }> {
    const { table, key, where } = PRUNABLE[part];
    const columns = key.join(', ');
    const start = after === undefined ? undefined : (JSON.parse(after) as Key);
    return this.db
      .transaction(() => {
        const from = start === undefined ? '' : `WHERE (${columns}) > (${key.map(() => '?').join(', ')})`;
        const keys = this.db
          .prepare<Key, Record<string, string | number>>(`SELECT ${columns} FROM ${table} ${from} ORDER BY ${columns} LIMIT ${Math.max(1, Math.trunc(window))}`)
          .all(...(start ?? []));
        const last = keys[keys.length - 1];
        if (last === undefined) return { pruned: 0, next: undefined };
        const end: Key = key.map((column) => last[column] as string | number);
        const range = `(${columns}) <= (${key.map(() => '?').join(', ')})${start === undefined ? '' : ` AND (${columns}) > (${key.map(() => '?').join(', ')})`}`;
        const params = [...end, ...(start ?? []), before];
        let pruned: number;
        if (part === 'runs') {
          const ids = this.db.prepare<Key, { id: number }>(`SELECT id FROM runs WHERE ${range} AND ${where}`).all(...params);
          for (const detail of RUN_DETAIL_TABLES) {
            const forget = this.db.prepare(`DELETE FROM ${detail} WHERE run_id = ?`);
            for (const { id } of ids) forget.run(id);
          }
          const forgetRun = this.db.prepare('DELETE FROM runs WHERE id = ?');
          for (const { id } of ids) forgetRun.run(id);
          pruned = ids.length;
        } else {
          pruned = this.db.prepare(`DELETE FROM ${table} WHERE ${range} AND ${where}`).run(...params).changes;
        }
        return { pruned, next: keys.length < window ? undefined : JSON.stringify(end) };
      })
      .immediate();
  }
}
