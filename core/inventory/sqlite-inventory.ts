import type Database from 'better-sqlite3';
import { openStateDatabase } from '../state/open-database.js';
import { unpackSnapshots, type SnapshotColumns } from './snapshot-columns.js';
import type { Incoming, LocationStock, SkuStock } from './availability.js';
import { claimsOnStock, incomingUnits, type ReservationTotal } from './promises-on-stock.js';
import type {
  ApplyOutcome,
  AssignRequest,
  DriftTotal,
  AssignResult,
  IncomingInput,
  InventoryStore,
  MovementInput,
  PublishedValue,
  PublishState,
  ReservationKind,
  ReservationRow,
  ReservationTotalsRow,
  ReserveDecision,
  ReserveRequest,
  ReserveResult,
  SkuSelection,
  SnapshotInput,
  StockImageRange,
} from './inventory-store.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS inv_levels (
  sku TEXT NOT NULL, location_id TEXT NOT NULL,
  snapshot_qty INTEGER NOT NULL, snapshot_at INTEGER NOT NULL, source TEXT NOT NULL, on_hand INTEGER NOT NULL,
  PRIMARY KEY (sku, location_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS inv_movements (
  movement_id TEXT PRIMARY KEY, sku TEXT NOT NULL, location_id TEXT NOT NULL, delta INTEGER NOT NULL,
  at INTEGER NOT NULL, source TEXT NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS inv_movements_at ON inv_movements (sku, location_id, at);
CREATE TABLE IF NOT EXISTS inv_incoming (
  sku TEXT NOT NULL, location_id TEXT NOT NULL, expected_at TEXT NOT NULL, quantity INTEGER NOT NULL, source TEXT NOT NULL,
  PRIMARY KEY (sku, location_id, expected_at)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS inv_reservations (
  reservation_id TEXT PRIMARY KEY, order_key TEXT NOT NULL, channel TEXT NOT NULL, sku TEXT NOT NULL,
  quantity INTEGER NOT NULL, status TEXT NOT NULL, location_id TEXT, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS inv_reservations_sku ON inv_reservations (sku, status);
CREATE INDEX IF NOT EXISTS inv_reservations_order ON inv_reservations (order_key);
CREATE TABLE IF NOT EXISTS inv_changes (sku TEXT PRIMARY KEY, seq INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS inv_changes_seq ON inv_changes (seq);
CREATE TABLE IF NOT EXISTS inv_meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS inv_published (
  channel TEXT NOT NULL, sku TEXT NOT NULL, quantity INTEGER NOT NULL, revision INTEGER NOT NULL, published_at INTEGER NOT NULL,
  PRIMARY KEY (channel, sku)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS inv_orders (
  order_key TEXT PRIMARY KEY, channel TEXT NOT NULL, version_at INTEGER, content TEXT NOT NULL, updated_at INTEGER NOT NULL) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS inv_reservations_active ON inv_reservations (channel) WHERE status = 'active';
CREATE TABLE IF NOT EXISTS inv_drift (
  channel TEXT NOT NULL, sku TEXT NOT NULL, shown INTEGER NOT NULL, expected INTEGER NOT NULL, at INTEGER NOT NULL,
  PRIMARY KEY (channel, sku)) WITHOUT ROWID;
`;

/** Columns added after the first release: state files made before get them when opened. */
const ADDED_COLUMNS: readonly [table: string, column: string, definition: string][] = [
  ['inv_reservations', 'kind', "TEXT NOT NULL DEFAULT 'stock'"],
  ['inv_published', 'status', 'TEXT'],
  ['inv_published', 'available_from', 'TEXT'],
];

function addMissingColumns(db: Database.Database): void {
  for (const [table, column, definition] of ADDED_COLUMNS) {
    const columns = db.prepare<[], { name: string }>(`PRAGMA table_info(${table})`).all();
    if (columns.some((existing) => existing.name === column)) continue;
    try {
      db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
    } catch (error) {
      // Another process opening the same file added it first.
      if (!/duplicate column/i.test((error as Error).message)) throw error;
    }
  }
}

/** Rows per multi-row statement (6 parameters each, well under SQLite's limit). */
const BULK_ROWS = 100;

/** Joins location ids in one string (stockImage); a unit separator, not expected in an id, and checked for. */
const GROUP_SEPARATOR = '\u001f';

/** The SQL predicate for each kind of SkuSelection, and its parameters. */
const BY_RANGE = 'sku BETWEEN ? AND ?';
const BY_LIST = 'sku IN (SELECT value FROM json_each(?))';

function selectionParams(selection: SkuSelection): string[] {
  return 'skus' in selection ? [JSON.stringify(selection.skus)] : [selection.first, selection.last];
}

/** The reads behind stockImage and published, for SKUs matching `where` (BY_RANGE or BY_LIST). */
function selectionStatements(db: Database.Database, where: string) {
  return {
    // Rows as arrays and a row per SKU with its locations and counts joined by SQLite: a million
    // levels as 50,000 rows is a third of the time of a row per level. The counts come as a JSON
    // array, which JSON.parse turns into numbers without a string per count.
    levelsGrouped: db
      .prepare<string[], [string, string, string]>(
        `SELECT sku, group_concat(location_id, '${GROUP_SEPARATOR}'), json_group_array(on_hand) FROM inv_levels WHERE ${where} GROUP BY sku ORDER BY sku`,
      )
      .raw(),
    held: db.prepare<(string | number)[], { sku: string; location_id: string; total: number }>(
      `SELECT sku, location_id, SUM(quantity) AS total FROM inv_reservations
       WHERE ${where} AND status = 'active' AND expires_at > ? AND location_id IS NOT NULL GROUP BY sku, location_id`,
    ),
    reserved: db.prepare<(string | number)[], { sku: string; channel: string; kind: ReservationKind; total: number }>(
      `SELECT sku, channel, kind, SUM(quantity) AS total FROM inv_reservations
       WHERE ${where} AND status = 'active' AND expires_at > ? AND location_id IS NULL GROUP BY sku, channel, kind`,
    ),
    incoming: db.prepare<string[], Incoming & { sku: string }>(
      `SELECT sku, location_id, quantity, expected_at FROM inv_incoming WHERE ${where} ORDER BY sku, expected_at`,
    ),
    published: db.prepare<string[], PublishedRow>(`SELECT sku, quantity, revision, status, available_from FROM inv_published WHERE channel = ? AND ${where}`),
  };
}

interface PublishedRow {
  sku: string;
  quantity: number;
  revision: number;
  status: string | null;
  available_from: string | null;
}

function publishedValue(row: PublishedRow): PublishedValue {
  const value: PublishedValue = { sku: row.sku, quantity: row.quantity, revision: row.revision };
  if (row.status !== null) value.status = row.status;
  if (row.available_from !== null) value.available_from = row.available_from;
  return value;
}

interface OrderRow {
  order_key: string;
  channel: string;
  version_at: number | null;
  content: string;
}

interface LevelRow {
  snapshot_qty: number;
  snapshot_at: number;
  on_hand: number;
}

/**
 * The stock ledger in the project's SQLite state file (next to cursors and the effect ledger).
 * Every change bumps a per-SKU change sequence, which is what delta publishing reads; writes that
 * must not interleave (reservations) run in IMMEDIATE transactions, so two processes on one file
 * queue up instead of both reading the same last unit.
 */
export class SqliteInventoryStore implements InventoryStore {
  private readonly db: Database.Database;
  private readonly sql;
  private readonly byRange;
  private readonly byList;

  constructor(readonly path: string) {
    this.db = openStateDatabase(path);
    // Publishing reads the whole stock table in ranges: a bigger page cache keeps its B-tree in memory.
    this.db.pragma('cache_size = -8192');
    this.db.exec(SCHEMA);
    addMissingColumns(this.db);
    const db = this.db;
    this.byRange = selectionStatements(db, BY_RANGE);
    this.byList = selectionStatements(db, BY_LIST);
    this.sql = {
      level: db.prepare<[string, string], LevelRow>('SELECT snapshot_qty, snapshot_at, on_hand FROM inv_levels WHERE sku = ? AND location_id = ?'),
      movementsAfter: db.prepare<[string, string, number], { total: number | null }>(
        'SELECT SUM(delta) AS total FROM inv_movements WHERE sku = ? AND location_id = ? AND at > ?',
      ),
      anyMovement: db.prepare<[], { one: number }>('SELECT 1 AS one FROM inv_movements LIMIT 1'),
      upsertLevel: db.prepare(
        `INSERT INTO inv_levels (sku, location_id, snapshot_qty, snapshot_at, source, on_hand) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (sku, location_id) DO UPDATE SET snapshot_qty = excluded.snapshot_qty, snapshot_at = excluded.snapshot_at,
           source = excluded.source, on_hand = excluded.on_hand`,
      ),
      insertMovement: db.prepare('INSERT OR IGNORE INTO inv_movements (movement_id, sku, location_id, delta, at, source) VALUES (?, ?, ?, ?, ?, ?)'),
      addOnHand: db.prepare('UPDATE inv_levels SET on_hand = on_hand + ? WHERE sku = ? AND location_id = ?'),
      levels: db.prepare<[string], LocationStock>('SELECT location_id, on_hand FROM inv_levels WHERE sku = ? ORDER BY location_id'),
      reserved: db.prepare<[string, number, string], { channel: string; kind: ReservationKind; total: number }>(
        `SELECT channel, kind, SUM(quantity) AS total FROM inv_reservations
         WHERE sku = ? AND status = 'active' AND expires_at > ? AND location_id IS NULL AND order_key != ? GROUP BY channel, kind`,
      ),
      incoming: db.prepare<[string], Incoming>('SELECT location_id, quantity, expected_at FROM inv_incoming WHERE sku = ? ORDER BY expected_at'),
      upsertIncoming: db.prepare(
        `INSERT INTO inv_incoming (sku, location_id, expected_at, quantity, source) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (sku, location_id, expected_at) DO UPDATE SET quantity = excluded.quantity, source = excluded.source`,
      ),
      deleteIncoming: db.prepare('DELETE FROM inv_incoming WHERE sku = ? AND location_id = ? AND expected_at = ?'),
      getMeta: db.prepare<[string], { value: number }>('SELECT value FROM inv_meta WHERE key = ?'),
      setMeta: db.prepare('INSERT INTO inv_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
      touch: db.prepare('INSERT INTO inv_changes (sku, seq) VALUES (?, ?) ON CONFLICT (sku) DO UPDATE SET seq = excluded.seq'),
      changedSince: db.prepare<[number], string>('SELECT sku FROM inv_changes WHERE seq > ? ORDER BY sku').pluck(),
      allSkus: db.prepare<[], { sku: string }>('SELECT sku FROM inv_changes ORDER BY sku'),
      skuCount: db.prepare<[], { count: number }>('SELECT count(*) AS count FROM inv_changes'),
      hasSku: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM inv_changes WHERE sku = ?'),
      orderReservations: db.prepare<[string], ReservationRow>('SELECT * FROM inv_reservations WHERE order_key = ? ORDER BY reservation_id'),
      upsertReservation: db.prepare(
        `INSERT INTO inv_reservations (reservation_id, order_key, channel, sku, quantity, status, kind, location_id, created_at, expires_at, updated_at)
         VALUES (?, ?, ?, ?, ?, 'active', ?, NULL, ?, ?, ?)
         ON CONFLICT (reservation_id) DO UPDATE SET sku = excluded.sku, quantity = excluded.quantity, status = 'active', kind = excluded.kind,
           location_id = NULL, expires_at = excluded.expires_at, updated_at = excluded.updated_at`,
      ),
      orderRow: db.prepare<[string], OrderRow>('SELECT order_key, channel, version_at, content FROM inv_orders WHERE order_key = ?'),
      upsertOrder: db.prepare(
        `INSERT INTO inv_orders (order_key, channel, version_at, content, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (order_key) DO UPDATE SET version_at = excluded.version_at, content = excluded.content, updated_at = excluded.updated_at`,
      ),
      incomingDue: db.prepare<[], { sku: string; expected_at: string }>('SELECT DISTINCT sku, expected_at FROM inv_incoming'),
      setReservation: db.prepare('UPDATE inv_reservations SET status = ?, location_id = coalesce(?, location_id), updated_at = ? WHERE reservation_id = ?'),
      upsertHeld: db.prepare(
        `INSERT INTO inv_reservations (reservation_id, order_key, channel, sku, quantity, status, kind, location_id, created_at, expires_at, updated_at)
         VALUES (?, ?, ?, ?, ?, 'active', 'stock', ?, ?, ?, ?)
         ON CONFLICT (reservation_id) DO UPDATE SET quantity = excluded.quantity, status = 'active', kind = 'stock', expires_at = excluded.expires_at, updated_at = excluded.updated_at`,
      ),
      heldAt: db.prepare<[string, number, string], { location_id: string; total: number }>(
        `SELECT location_id, SUM(quantity) AS total FROM inv_reservations
         WHERE sku = ? AND status = 'active' AND expires_at > ? AND location_id IS NOT NULL AND order_key != ? GROUP BY location_id`,
      ),
      expiring: db.prepare<[number], { reservation_id: string; sku: string }>(
        "SELECT reservation_id, sku FROM inv_reservations WHERE status = 'active' AND expires_at <= ?",
      ),
      published: db.prepare<[string, string], PublishedRow>('SELECT sku, quantity, revision, status, available_from FROM inv_published WHERE channel = ? AND sku = ?'),
      // Rows as arrays: publishing reads a million of them, and objects per row cost twice the time.
      levelsRange: db
        .prepare<[string, string], [string, string, number]>('SELECT sku, location_id, on_hand FROM inv_levels WHERE sku BETWEEN ? AND ? ORDER BY sku, location_id')
        .raw(),
      snapshotTimesRange: db
        .prepare<[string, string, number], [string, string, number]>('SELECT sku, location_id, snapshot_at FROM inv_levels WHERE sku BETWEEN ? AND ? LIMIT ?')
        .raw(),
      snapshotTimesOf: db
        .prepare<[string], [string, string, number]>(
          `SELECT l.sku, l.location_id, l.snapshot_at FROM json_each(?) AS j
           JOIN inv_levels AS l ON l.sku = json_extract(j.value, '$[0]') AND l.location_id = json_extract(j.value, '$[1]')`,
        )
        .raw(),
      replaceLevels: db.prepare(
        `INSERT OR REPLACE INTO inv_levels (sku, location_id, snapshot_qty, snapshot_at, source, on_hand) VALUES ${Array(BULK_ROWS).fill('(?, ?, ?, ?, ?, ?)').join(', ')}`,
      ),
      upsertPublished: db.prepare(
        `INSERT INTO inv_published (channel, sku, quantity, revision, published_at, status, available_from) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (channel, sku) DO UPDATE SET quantity = excluded.quantity, revision = max(revision, excluded.revision), published_at = excluded.published_at,
           status = excluded.status, available_from = excluded.available_from`,
      ),
      upsertDrift: db.prepare(
        `INSERT INTO inv_drift (channel, sku, shown, expected, at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (channel, sku) DO UPDATE SET shown = excluded.shown, expected = excluded.expected, at = excluded.at`,
      ),
      clearDrift: db.prepare('DELETE FROM inv_drift WHERE channel = ? AND sku = ?'),
      upsertPublishedBulk: db.prepare(upsertPublishedSql(BULK_ROWS)),
      anyDrift: db.prepare<[string], { one: number }>('SELECT 1 AS one FROM inv_drift WHERE channel = ? LIMIT 1'),
      drift: db.prepare<[string], { sku: string; shown: number; expected: number; at: number }>(
        'SELECT sku, shown, expected, at FROM inv_drift WHERE channel = ? ORDER BY sku',
      ),
    };
  }

  /** Runs `work` in an IMMEDIATE transaction with a change counter it may bump. */
  private write<T>(work: (touch: (sku: string) => void) => T): T {
    return this.db
      .transaction(() => {
        let seq = this.sql.getMeta.get('seq')?.value ?? 0;
        const start = seq;
        const touched = new Set<string>();
        const touch = (sku: string): void => {
          if (touched.has(sku)) return;
          touched.add(sku);
          seq += 1;
          this.sql.touch.run(sku, seq);
        };
        const result = work(touch);
        if (seq !== start) this.sql.setMeta.run('seq', seq);
        return result;
      })
      .immediate();
  }

  async applySnapshotColumns(columns: SnapshotColumns): Promise<ApplyOutcome[]> {
    return this.applySnapshots(unpackSnapshots(columns));
  }

  async applySnapshots(inputs: readonly SnapshotInput[]): Promise<ApplyOutcome[]> {
    const movements = this.sql.anyMovement.get() !== undefined;
    return this.write((touch) => (movements ? inputs.map((input) => this.applySnapshotWithMovements(input, touch)) : this.applySnapshotsBulk(inputs, touch)));
  }

  /**
   * No movements in the ledger (a plain stock feed): each count either replaces an older one or
   * is ignored. Exports come sorted by SKU, so the batch's current levels are one range read, and
   * the new ones go in with multi-row statements.
   */
  private applySnapshotsBulk(inputs: readonly SnapshotInput[], touch: (sku: string) => void): ApplyOutcome[] {
    if (inputs.length === 0) return [];
    let first = (inputs[0] as SnapshotInput).sku;
    let last = first;
    for (const input of inputs) {
      if (input.sku < first) first = input.sku;
      if (input.sku > last) last = input.sku;
    }
    const known = new Map<string, number>();
    const limit = inputs.length * 4;
    // A full export names each SKU at many locations, in order: its current levels are one range
    // read. A delta file names a few rows scattered over the catalogue: look up just those.
    let skus = 0;
    for (let index = 0; index < inputs.length; index += 1) if (index === 0 || (inputs[index] as SnapshotInput).sku !== (inputs[index - 1] as SnapshotInput).sku) skus += 1;
    let times = skus * 4 > inputs.length ? undefined : this.sql.snapshotTimesRange.all(first, last, limit + 1);
    if (times === undefined || times.length > limit) times = this.sql.snapshotTimesOf.all(JSON.stringify(inputs.map((input) => [input.sku, input.location_id])));
    for (const [sku, location, at] of times) known.set(`${sku}\u0000${location}`, at);
    const outcomes: ApplyOutcome[] = [];
    const fresh: SnapshotInput[] = [];
    // The last count of a (SKU, location) in the batch wins if it is the newest.
    for (const input of inputs) {
      const key = `${input.sku}\u0000${input.location_id}`;
      const current = known.get(key);
      if (current !== undefined && input.at <= current) {
        outcomes.push(input.at === current ? 'duplicate' : 'stale');
        continue;
      }
      known.set(key, input.at);
      fresh.push(input);
      outcomes.push('applied');
      touch(input.sku);
    }
    for (let start = 0; start < fresh.length; start += BULK_ROWS) {
      const rows = fresh.slice(start, start + BULK_ROWS);
      const statement = rows.length === BULK_ROWS ? this.sql.replaceLevels : this.replaceLevelsStatement(rows.length);
      const values: (string | number)[] = [];
      for (const row of rows) values.push(row.sku, row.location_id, row.on_hand, row.at, row.source, row.on_hand);
      statement.run(values);
    }
    return outcomes;
  }

  private replaceLevelsStatement(rows: number): Database.Statement {
    return this.db.prepare(`INSERT OR REPLACE INTO inv_levels (sku, location_id, snapshot_qty, snapshot_at, source, on_hand) VALUES ${Array(rows).fill('(?, ?, ?, ?, ?, ?)').join(', ')}`);
  }

  private applySnapshotWithMovements(input: SnapshotInput, touch: (sku: string) => void): ApplyOutcome {
    const current = this.sql.level.get(input.sku, input.location_id);
    if (current !== undefined) {
      if (input.at < current.snapshot_at) return 'stale';
      if (input.at === current.snapshot_at) return 'duplicate';
    }
    // Movements after the count are not in it: they still apply on top.
    const later = this.sql.movementsAfter.get(input.sku, input.location_id, input.at)?.total ?? 0;
    const onHand = input.on_hand + later;
    this.sql.upsertLevel.run(input.sku, input.location_id, input.on_hand, input.at, input.source, onHand);
    if (current === undefined || current.on_hand !== onHand) touch(input.sku);
    return 'applied';
  }

  async applyMovements(inputs: readonly MovementInput[]): Promise<ApplyOutcome[]> {
    return this.write((touch) => inputs.map((input) => this.applyMovement(input, touch)));
  }

  private applyMovement(input: MovementInput, touch: (sku: string) => void): ApplyOutcome {
    const inserted = this.sql.insertMovement.run(input.movement_id, input.sku, input.location_id, input.delta, input.at, input.source);
    if (inserted.changes === 0) return 'duplicate';
    const current = this.sql.level.get(input.sku, input.location_id);
    if (current === undefined) {
      // No count yet: the movement starts the level from zero (and the first snapshot will include it).
      this.sql.upsertLevel.run(input.sku, input.location_id, 0, 0, input.source, input.delta);
    } else if (input.at > current.snapshot_at) {
      this.sql.addOnHand.run(input.delta, input.sku, input.location_id);
    } else {
      return 'stale'; // already counted by a later snapshot; kept for the record
    }
    touch(input.sku);
    return 'applied';
  }

  async setIncoming(inputs: readonly IncomingInput[]): Promise<void> {
    this.write((touch) => {
      for (const input of inputs) {
        if (input.quantity > 0) this.sql.upsertIncoming.run(input.sku, input.location_id, input.expected_at, input.quantity, input.source);
        else this.sql.deleteIncoming.run(input.sku, input.location_id, input.expected_at);
        touch(input.sku);
      }
    });
  }

  async stock(sku: string, now: number, exceptOrder = ''): Promise<SkuStock> {
    return this.stockNow(sku, now, exceptOrder);
  }

  private stockNow(sku: string, now: number, exceptOrder = ''): SkuStock {
    const levels: LocationStock[] = this.sql.levels.all(sku);
    const held = this.sql.heldAt.all(sku, now, exceptOrder);
    for (const row of held) {
      const level = levels.find((candidate) => candidate.location_id === row.location_id);
      if (level !== undefined) level.held = row.total;
      else levels.push({ location_id: row.location_id, on_hand: 0, held: row.total });
    }
    const stock: SkuStock = { sku, levels, reserved: 0, incoming: this.sql.incoming.all(sku) };
    addReservations(stock, this.sql.reserved.all(sku, now, exceptOrder));
    return stock;
  }

  async stockRange(first: string, last: string, now: number): Promise<Map<string, SkuStock>> {
    const out = new Map<string, SkuStock & { levels: LocationStock[]; incoming: Incoming[] }>();
    const entry = (sku: string): SkuStock & { levels: LocationStock[]; incoming: Incoming[] } => {
      let stock = out.get(sku);
      if (stock === undefined) {
        stock = { sku, levels: [], reserved: 0, incoming: [] };
        out.set(sku, stock);
      }
      return stock;
    };
    this.db
      .transaction(() => {
        let current: (SkuStock & { levels: LocationStock[] }) | undefined;
        for (const [sku, location_id, on_hand] of this.sql.levelsRange.all(first, last)) {
          if (current?.sku !== sku) current = entry(sku);
          current.levels.push({ location_id, on_hand });
        }
        for (const row of this.byRange.held.iterate(first, last, now)) {
          const stock = entry(row.sku);
          const level = stock.levels.find((candidate) => candidate.location_id === row.location_id);
          if (level !== undefined) level.held = row.total;
          else stock.levels.push({ location_id: row.location_id, on_hand: 0, held: row.total });
        }
        for (const row of this.byRange.incoming.iterate(first, last)) {
          entry(row.sku).incoming.push({ location_id: row.location_id, quantity: row.quantity, expected_at: row.expected_at });
        }
        // After the incoming stock: what it still covers of the pre-orders is not charged on hand.
        const reservations = new Map<string, ReservationTotal[]>();
        for (const row of this.byRange.reserved.iterate(first, last, now)) {
          const list = reservations.get(row.sku) ?? [];
          list.push(row);
          reservations.set(row.sku, list);
        }
        for (const [sku, rows] of reservations) addReservations(entry(sku), rows);
      })
      .deferred();
    return out;
  }

  async stockImage(selection: SkuSelection, locations: readonly string[], now: number): Promise<StockImageRange> {
    const width = locations.length;
    const slotOf = new Map(locations.map((location, slot) => [location, slot]));
    const sql = 'skus' in selection ? this.byList : this.byRange;
    const params = selectionParams(selection);
    return this.db
      .transaction((): StockImageRange => {
        const rows = sql.levelsGrouped.all(...params);
        const skus = new Array<string>(rows.length);
        const onHand = new Int32Array(rows.length * width);
        let joined: string | undefined;
        let slots: number[] = [];
        for (let row = 0; row < rows.length; row += 1) {
          const [sku, locationIds, counts] = rows[row] as [string, string, string];
          skus[row] = sku;
          // Most SKUs are stocked at the same locations, so the list is split once per change.
          if (locationIds !== joined) {
            joined = locationIds;
            slots = locationIds.split(GROUP_SEPARATOR).map((location) => slotOf.get(location) ?? -1);
          }
          const values = JSON.parse(counts) as number[];
          if (values.length !== slots.length) {
            // A location id holding the separator: this SKU row by row.
            for (const level of this.sql.levels.all(sku)) {
              const slot = slotOf.get(level.location_id);
              if (slot !== undefined) onHand[row * width + slot] = level.on_hand;
            }
            joined = undefined;
            continue;
          }
          for (let index = 0; index < values.length; index += 1) {
            const slot = slots[index] as number;
            if (slot >= 0) onHand[row * width + slot] = values[index] as number;
          }
        }
        // Units held for routed orders are gone from their location for every channel counting it.
        let rowOf: Map<string, number> | undefined;
        for (const held of sql.held.iterate(...params, now)) {
          rowOf ??= new Map(skus.map((sku, row) => [sku, row]));
          const row = rowOf.get(held.sku);
          const slot = slotOf.get(held.location_id);
          if (row !== undefined && slot !== undefined) onHand[row * width + slot] = (onHand[row * width + slot] as number) - held.total;
        }
        const incoming = new Map<string, Incoming[]>();
        for (const row of sql.incoming.iterate(...params)) {
          let list = incoming.get(row.sku);
          if (list === undefined) incoming.set(row.sku, (list = []));
          list.push({ location_id: row.location_id, quantity: row.quantity, expected_at: row.expected_at });
        }
        const rowsBySku = new Map<string, ReservationTotal[]>();
        for (const row of sql.reserved.iterate(...params, now)) {
          let list = rowsBySku.get(row.sku);
          if (list === undefined) rowsBySku.set(row.sku, (list = []));
          list.push(row);
        }
        const reserved = new Map<string, Map<string, number>>();
        const backordered = new Map<string, Map<string, number>>();
        const preordered = new Map<string, number>();
        for (const [sku, rows] of rowsBySku) {
          const claims = claimsOnStock(rows, incomingUnits(incoming.get(sku)));
          if (claims.reservedByChannel !== undefined) reserved.set(sku, claims.reservedByChannel);
          if (claims.backordered !== undefined) backordered.set(sku, claims.backordered);
          if (claims.preordered !== undefined) preordered.set(sku, claims.preordered);
        }
        return { skus, onHand, reserved, backordered, preordered, incoming };
      })
      .deferred();
  }

  async changedSince(since: number): Promise<{ skus: string[]; through: number }> {
    return this.db
      .transaction(() => ({
        skus: this.sql.changedSince.all(since),
        through: this.sql.getMeta.get('seq')?.value ?? 0,
      }))
      .deferred();
  }

  async skuCount(): Promise<number> {
    return this.sql.skuCount.get()?.count ?? 0;
  }

  async allSkus(): Promise<string[]> {
    return this.sql.allSkus.all().map((row) => row.sku);
  }

  async hasSku(sku: string): Promise<boolean> {
    return this.sql.hasSku.get(sku) !== undefined;
  }

  async reserve(request: ReserveRequest, decide: (sku: string, wanted: number, stock: SkuStock) => ReserveDecision): Promise<ReserveResult> {
    return this.write((touch): ReserveResult => {
      const { order_key: orderKey, version } = request;
      const rows = this.sql.orderReservations.all(orderKey);
      const known = this.sql.orderRow.get(orderKey);
      const active = rows.filter((row) => row.status === 'active');
      if (known !== undefined) {
        if (version.at !== undefined && known.version_at !== null && version.at < known.version_at) return { status: 'stale' };
        if (version.content === known.content) {
          if (version.at !== undefined && (known.version_at === null || version.at > known.version_at)) this.sql.upsertOrder.run(orderKey, request.channel, version.at, version.content, request.now);
          return { status: 'duplicate' };
        }
      } else if (rows.length > 0 && sameLines(active, request.lines)) {
        // Reserved before orders kept their versions: the same lines are the same order.
        this.sql.upsertOrder.run(orderKey, request.channel, version.at ?? null, version.content, request.now);
        return { status: 'duplicate' };
      }
      if (rows.length > 0) {
        const shipped = rows.find((row) => row.status === 'fulfilled');
        if (shipped !== undefined) return { status: 'refused', reason: `it has shipped from ${shipped.location_id ?? 'a location'} already, so a changed version no longer changes stock` };
        const held = active.find((row) => row.location_id !== null);
        if (held !== undefined) {
          return { status: 'refused', reason: `it is routed already (units held at ${held.location_id}); a change of a routed order is not applied by itself: cancel it and send the new version, or settle it with the location` };
        }
      }
      // One SKU may appear on several lines: the sum is judged, without what this order holds now.
      const wanted = new Map<string, number>();
      for (const line of request.lines) if (line.quantity > 0) wanted.set(line.sku, (wanted.get(line.sku) ?? 0) + line.quantity);
      const kinds = new Map<string, ReservationKind>();
      for (const [sku, quantity] of wanted) {
        const decision = decide(sku, quantity, this.stockNow(sku, request.now, orderKey));
        if ('status' in decision) return { status: 'insufficient', sku, wanted: quantity, available: decision.available, detail: decision.detail };
        kinds.set(sku, decision.kind);
      }
      const ids = new Set<string>();
      for (const [index, line] of request.lines.entries()) {
        if (line.quantity <= 0) continue;
        const id = `${orderKey}#${line.line_id ?? index + 1}`;
        ids.add(id);
        this.sql.upsertReservation.run(id, orderKey, request.channel, line.sku, line.quantity, kinds.get(line.sku) ?? 'stock', request.now, request.now + request.ttlMs, request.now);
        touch(line.sku);
      }
      // What the earlier version held and this one does not: given back.
      for (const row of active) {
        if (ids.has(row.reservation_id)) continue;
        this.sql.setReservation.run('replaced', null, request.now, row.reservation_id);
        touch(row.sku);
      }
      this.sql.upsertOrder.run(orderKey, request.channel, version.at ?? known?.version_at ?? null, version.content, request.now);
      return { status: active.length > 0 ? 'adjusted' : 'reserved' };
    });
  }

  async assign(request: AssignRequest): Promise<AssignResult> {
    return this.write((touch): AssignResult => {
      const wanted = new Map<string, { sku: string; location_id: string; quantity: number; line: string }>();
      for (const item of request.assignments) {
        if (item.quantity <= 0) continue;
        const id = `${request.order_key}#${item.line_id ?? item.sku}@${item.location_id}`;
        const entry = wanted.get(id);
        if (entry !== undefined) entry.quantity += item.quantity;
        else wanted.set(id, { sku: item.sku, location_id: item.location_id, quantity: item.quantity, line: item.line_id ?? item.sku });
      }
      // What the location can still give: its count, less safety stock and what other orders hold there.
      const perPlace = new Map<string, { sku: string; location_id: string; quantity: number }>();
      for (const item of wanted.values()) {
        const key = `${item.sku}\u0000${item.location_id}`;
        const entry = perPlace.get(key);
        if (entry !== undefined) entry.quantity += item.quantity;
        else perPlace.set(key, { sku: item.sku, location_id: item.location_id, quantity: item.quantity });
      }
      for (const { sku, location_id, quantity } of perPlace.values()) {
        const onHand = this.sql.level.get(sku, location_id)?.on_hand ?? 0;
        let heldByOthers = 0;
        for (const row of this.sql.heldAt.all(sku, request.now, request.order_key)) if (row.location_id === location_id) heldByOthers = row.total;
        const available = Math.max(0, onHand - request.floor(location_id) - heldByOthers);
        if (available < quantity) return { status: 'insufficient', sku, location_id, wanted: quantity, available };
      }
      // Units reserved by orders not yet routed stay where their channels can serve them.
      const bySku = new Map<string, Map<string, number>>();
      for (const { sku, location_id, quantity } of perPlace.values()) {
        const places = bySku.get(sku) ?? new Map<string, number>();
        places.set(location_id, (places.get(location_id) ?? 0) + quantity);
        bySku.set(sku, places);
      }
      for (const [sku, places] of bySku) {
        const stock = this.stockNow(sku, request.now, request.order_key);
        if (stock.reservedByChannel === undefined || stock.reserved === 0) continue;
        const free = new Map<string, number>();
        for (const level of stock.levels) free.set(level.location_id, level.on_hand - request.floor(level.location_id) - (level.held ?? 0));
        const after = new Map(free);
        for (const [location, quantity] of places) after.set(location, (after.get(location) ?? 0) - quantity);
        if (request.cover.shortfall(after, stock.reservedByChannel) > request.cover.shortfall(free, stock.reservedByChannel)) {
          for (const [location, quantity] of places) {
            const spare = request.cover.spareAt(location, free, stock.reservedByChannel);
            if (spare < quantity) return { status: 'insufficient', sku, location_id: location, wanted: quantity, available: spare };
          }
          const [location, quantity] = [...places][0] as [string, number];
          return { status: 'insufficient', sku, location_id: location, wanted: quantity, available: 0 };
        }
      }
      const replacing = request.replacing;
      const skus = new Set([...wanted.values()].map((item) => item.sku));
      for (const row of this.sql.orderReservations.all(request.order_key)) {
        // Lines not assigned here (allocated against incoming stock) keep what they hold.
        if (row.status !== 'active' || wanted.has(row.reservation_id) || !skus.has(row.sku)) continue;
        if (replacing !== 'order' && row.location_id !== null && row.location_id !== replacing.location_id) continue;
        this.sql.setReservation.run('replaced', null, request.now, row.reservation_id);
        touch(row.sku);
      }
      for (const [id, item] of wanted) {
        this.sql.upsertHeld.run(id, request.order_key, request.channel, item.sku, item.quantity, item.location_id, request.now, request.now + request.ttlMs, request.now);
        touch(item.sku);
      }
      return { status: 'assigned' };
    });
  }

  async heldAt(sku: string, now: number, exceptOrder = ''): Promise<Map<string, number>> {
    return new Map(this.sql.heldAt.all(sku, now, exceptOrder).map((row) => [row.location_id, row.total]));
  }

  async release(orderKey: string, now: number, locationId?: string): Promise<number> {
    return this.settle(orderKey, 'released', locationId ?? null, now);
  }

  async fulfil(orderKey: string, locationId: string, now: number): Promise<number> {
    return this.settle(orderKey, 'fulfilled', locationId, now);
  }

  /**
   * Settles the order's active reservations: all of them, or with a location, those held there
   * and those not held anywhere yet (a split order ships part by part).
   */
  private settle(orderKey: string, status: 'released' | 'fulfilled', locationId: string | null, now: number): number {
    return this.write((touch) => {
      let count = 0;
      for (const row of this.sql.orderReservations.all(orderKey)) {
        if (row.status !== 'active') continue;
        if (locationId !== null && row.location_id !== null && row.location_id !== locationId) continue;
        this.sql.setReservation.run(status, locationId, now, row.reservation_id);
        if (status === 'fulfilled' && locationId !== null) {
          // The units leave the location: a movement, applied once even if fulfilment is reported twice.
          this.applyMovement({ movement_id: `fulfilment:${row.reservation_id}`, sku: row.sku, location_id: locationId, delta: -row.quantity, at: now, source: 'keel' }, touch);
        }
        touch(row.sku);
        count += 1;
      }
      return count;
    });
  }

  async expire(now: number): Promise<number> {
    return this.write((touch) => {
      const rows = this.sql.expiring.all(now);
      for (const row of rows) {
        this.sql.setReservation.run('expired', null, now, row.reservation_id);
        touch(row.sku);
      }
      return rows.length;
    });
  }

  async incomingDue(after: number, until: number): Promise<string[]> {
    const skus = new Set<string>();
    for (const row of this.sql.incomingDue.iterate()) {
      const at = Date.parse(row.expected_at);
      if (at > after && at <= until) skus.add(row.sku);
    }
    return [...skus].sort();
  }

  async reservations(orderKey: string): Promise<ReservationRow[]> {
    return this.sql.orderReservations.all(orderKey);
  }

  async published(channel: string, selection: SkuSelection): Promise<Map<string, PublishedValue>> {
    const out = new Map<string, PublishedValue>();
    const sql = 'skus' in selection ? this.byList : this.byRange;
    for (const row of sql.published.iterate(channel, ...selectionParams(selection))) out.set(row.sku, publishedValue(row));
    return out;
  }

  async markPublished(channel: string, values: readonly PublishedValue[], now: number): Promise<void> {
    this.db.transaction(() => {
      // Drift is the exception: a channel without any needs no delete per value.
      const drifting = this.sql.anyDrift.get(channel) !== undefined;
      for (let start = 0; start < values.length; start += BULK_ROWS) {
        const rows = values.slice(start, start + BULK_ROWS);
        const params: (string | number | null)[] = [];
        for (const value of rows) params.push(channel, value.sku, value.quantity, value.revision, now, value.status ?? null, value.available_from ?? null);
        (rows.length === BULK_ROWS ? this.sql.upsertPublishedBulk : this.upsertPublishedStatement(rows.length)).run(params);
        if (drifting) for (const value of rows) this.sql.clearDrift.run(channel, value.sku);
      }
      // IMMEDIATE: it reads before it writes, and a deferred transaction that another connection
      // wrote past in between cannot take the write lock (SQLITE_BUSY without waiting).
    }).immediate();
  }

  private upsertPublishedStatement(rows: number): Database.Statement {
    return this.db.prepare(upsertPublishedSql(rows));
  }

  async publishState(channel: string): Promise<PublishState> {
    return {
      through: this.sql.getMeta.get(`watermark:${channel}`)?.value ?? 0,
      at: this.sql.getMeta.get(`published_at:${channel}`)?.value ?? 0,
      rules: this.sql.getMeta.get(`rules:${channel}`)?.value ?? 0,
    };
  }

  async setPublishState(channel: string, state: PublishState): Promise<void> {
    this.db
      .transaction(() => {
        this.sql.setMeta.run(`watermark:${channel}`, state.through);
        this.sql.setMeta.run(`published_at:${channel}`, state.at);
        this.sql.setMeta.run(`rules:${channel}`, state.rules);
      })
      .immediate();
  }

  async recordDrift(channel: string, drift: readonly { sku: string; shown: number; expected: number }[], now: number): Promise<void> {
    this.write((touch) => {
      for (const item of drift) {
        this.sql.upsertDrift.run(channel, item.sku, item.shown, item.expected, now);
        // What the channel shows is what it was last told, as far as delta publishing is concerned,
        // and the SKU counts as changed: the next delta publish corrects it.
        const previous = this.sql.published.get(channel, item.sku);
        this.sql.upsertPublished.run(channel, item.sku, item.shown, previous?.revision ?? 0, now, previous?.status ?? null, previous?.available_from ?? null);
        touch(item.sku);
      }
    });
  }

  async drift(channel: string): Promise<{ sku: string; shown: number; expected: number; at: number }[]> {
    return this.sql.drift.all(channel);
  }

  async driftTotals(): Promise<DriftTotal[]> {
    return this.db
      .prepare<[], DriftTotal>('SELECT channel, COUNT(*) AS skus, SUM(abs(shown - expected)) AS units FROM inv_drift GROUP BY channel ORDER BY channel')
      .all();
  }

  async reservationTotals(now: number): Promise<ReservationTotalsRow[]> {
    const rows = this.db
      .prepare<[number], { channel: string; kind: ReservationKind; at_location: number; reservations: number; units: number }>(
        `SELECT channel, kind, location_id IS NOT NULL AS at_location, COUNT(*) AS reservations, SUM(quantity) AS units
         FROM inv_reservations WHERE status = 'active' AND expires_at > ? GROUP BY channel, kind, at_location ORDER BY channel, kind, at_location`,
      )
      .all(now);
    return rows.map(({ at_location, ...row }) => ({ ...row, atLocation: at_location === 1 }));
  }

  async close(): Promise<void> {
    this.db.close();
  }
}

function upsertPublishedSql(rows: number): string {
  return `INSERT INTO inv_published (channel, sku, quantity, revision, published_at, status, available_from) VALUES ${Array(rows).fill('(?, ?, ?, ?, ?, ?, ?)').join(', ')}
    ON CONFLICT (channel, sku) DO UPDATE SET quantity = excluded.quantity, revision = max(revision, excluded.revision), published_at = excluded.published_at,
      status = excluded.status, available_from = excluded.available_from`;
}

/** A SKU's reservations without a location, by channel and kind, into its stock. */
function addReservations(stock: SkuStock, rows: readonly ReservationTotal[]): void {
  if (rows.length === 0) return;
  const claims = claimsOnStock(rows, incomingUnits(stock.incoming));
  stock.reserved = claims.reserved;
  if (claims.reservedByChannel !== undefined) stock.reservedByChannel = claims.reservedByChannel;
  if (claims.backordered !== undefined) stock.backordered = claims.backordered;
  if (claims.preordered !== undefined) stock.preordered = claims.preordered;
}

/** Whether an order's active reservations hold exactly these lines (by line id, SKU and units). */
function sameLines(active: readonly ReservationRow[], lines: readonly { sku: string; quantity: number; line_id?: string }[]): boolean {
  const wanted = lines.filter((line) => line.quantity > 0);
  if (active.length !== wanted.length) return false;
  const held = new Map(active.map((row) => [`${row.sku}\u0000${row.quantity}`, 0]));
  for (const row of active) held.set(`${row.sku}\u0000${row.quantity}`, (held.get(`${row.sku}\u0000${row.quantity}`) ?? 0) + 1);
  for (const line of wanted) {
    const key = `${line.sku}\u0000${line.quantity}`;
    const left = held.get(key) ?? 0;
    if (left === 0) return false;
    held.set(key, left - 1);
  }
  return true;
}
