import type Database from 'better-sqlite3';
import { formatDocumentNumber, parseNumberFormat, type AssignedNumber, type DocumentNumbers, type NumberRequest } from './document-numbers.js';

/**
 * One row per numbered document. The key is unique in its series (a document has one number),
 * the number in its series and year (none given twice); rows are never deleted, so the numbers
 * of a series and year are always exactly 1..max.
 */
export const DOCUMENT_NUMBERS_SCHEMA = `
CREATE TABLE IF NOT EXISTS document_numbers (
  series TEXT NOT NULL, document_key TEXT NOT NULL, year INTEGER NOT NULL, number INTEGER NOT NULL,
  formatted TEXT NOT NULL, assigned_at TEXT NOT NULL,
  PRIMARY KEY (series, document_key), UNIQUE (series, year, number), UNIQUE (series, formatted)) WITHOUT ROWID;
`;

interface NumberRow {
  series: string;
  document_key: string;
  year: number;
  number: number;
  formatted: string;
  assigned_at: string;
}

/**
 * Document numbers in the SQLite state file. `assign` is one IMMEDIATE transaction: it takes the
 * write lock before looking for the key and the highest number, so two processes cannot both see
 * the same highest number; the number and the key are written together or not at all, so a kill
 * at any moment leaves either no trace or a number that the next ask for that key gets back.
 */
export class SqliteDocumentNumbers implements DocumentNumbers {
  private readonly byKey: Database.Statement<[string, string], NumberRow>;
  private readonly highest: Database.Statement<[string, number], { highest: number | null }>;
  private readonly insert: Database.Statement<[string, string, number, number, string, string]>;
  private readonly page: Database.Statement<[string, number, number, number], NumberRow>;
  private readonly assignOne: (request: NumberRequest) => AssignedNumber;

  constructor(private readonly db: Database.Database) {
    this.byKey = db.prepare('SELECT * FROM document_numbers WHERE series = ? AND document_key = ?');
    this.highest = db.prepare('SELECT max(number) AS highest FROM document_numbers WHERE series = ? AND year = ?');
    this.insert = db.prepare('INSERT INTO document_numbers (series, document_key, year, number, formatted, assigned_at) VALUES (?, ?, ?, ?, ?, ?)');
    this.page = db.prepare('SELECT * FROM document_numbers WHERE series = ? AND year = ? AND number > ? ORDER BY number LIMIT ?');
    const assign = db.transaction((request: NumberRequest): AssignedNumber => {
      const given = this.byKey.get(request.series, request.documentKey);
      if (given !== undefined) return toAssigned(given, false);
      const number = (this.highest.get(request.series, request.year)?.highest ?? 0) + 1;
      const formatted = formatDocumentNumber(request.format, request.year, number);
      this.insert.run(request.series, request.documentKey, request.year, number, formatted, request.at);
      return { series: request.series, year: request.year, documentKey: request.documentKey, number, formatted, assignedAt: request.at, new: true };
    });
    this.assignOne = (request) => {
      const given = this.byKey.get(request.series, request.documentKey);
      if (given !== undefined) return toAssigned(given, false);
      // An issued number must survive a power cut too, not only a killed process: this commit
      // syncs the WAL (FULL) where the rest of the state file commits without a sync (NORMAL).
      this.db.pragma('synchronous = FULL');
      try {
        return assign.immediate(request);
      } finally {
        this.db.pragma('synchronous = NORMAL');
      }
    };
  }

  async assign(request: NumberRequest): Promise<AssignedNumber> {
    checkRequest(request);
    return this.assignOne(request);
  }

  async get(series: string, documentKey: string): Promise<AssignedNumber | undefined> {
    const row = this.byKey.get(series, documentKey);
    return row === undefined ? undefined : toAssigned(row, false);
  }

  async list(series: string, year: number, page: { afterNumber?: number; limit?: number } = {}): Promise<AssignedNumber[]> {
    return this.page.all(series, year, page.afterNumber ?? 0, page.limit ?? 1000).map((row) => toAssigned(row, false));
  }
}

function toAssigned(row: NumberRow, isNew: boolean): AssignedNumber {
  return { series: row.series, year: row.year, documentKey: row.document_key, number: row.number, formatted: row.formatted, assignedAt: row.assigned_at, new: isNew };
}

/** A request the store cannot count right is refused before anything is written. */
function checkRequest(request: NumberRequest): void {
  if (request.series === '' || request.documentKey === '') throw new Error('document numbers: a request needs a series and a document key');
  if (!Number.isInteger(request.year) || request.year < 1 || request.year > 9999) throw new Error(`document numbers: year ${request.year} is not a year (1-9999)`);
  const format = parseNumberFormat(request.format);
  if ('problem' in format) throw new Error(`document numbers: ${format.problem}`);
}
