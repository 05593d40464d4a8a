import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** The data rows of one or more CSV files, header lines excluded. */
export interface CsvRows {
  rows: number;
  /** SHA-256 of every data row in order, each ending with '\n': equal hashes mean equal content. */
  sha256: string;
  /** The header line of each file. */
  headers: string[];
}

const NEWLINE = 0x0a;

/**
 * Counts data rows (lines minus each file's header) by scanning bytes, and hashes them, so the
 * bench checks the runner wrote every row exactly once and unchanged, not just the right count.
 * Valid for files without quoted newlines, which the stock generator guarantees.
 */
export async function scanCsvRows(files: readonly string[]): Promise<CsvRows> {
  const hash = createHash('sha256');
  const headers: string[] = [];
  let rows = 0;
  for (const file of files) {
    let header: Buffer[] | undefined = [];
    let lastByte = NEWLINE;
    for await (const piece of createReadStream(file, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
      let chunk = piece;
      if (header !== undefined) {
        const end = chunk.indexOf(NEWLINE);
        if (end < 0) {
          header.push(chunk);
          continue;
        }
        header.push(chunk.subarray(0, end));
        headers.push(Buffer.concat(header).toString('utf8'));
        header = undefined;
        chunk = chunk.subarray(end + 1);
        if (chunk.length === 0) continue;
      }
      hash.update(chunk);
      for (let at = chunk.indexOf(NEWLINE); at >= 0; at = chunk.indexOf(NEWLINE, at + 1)) rows += 1;
      lastByte = chunk[chunk.length - 1] ?? lastByte;
    }
    if (header !== undefined) headers.push(Buffer.concat(header).toString('utf8'));
    // A last row without a line end still counts; hash it as if it had one.
    if (lastByte !== NEWLINE) {
      rows += 1;
      hash.update('\n');
    }
  }
  return { rows, sha256: hash.digest('hex'), headers };
}
