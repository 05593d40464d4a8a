/**
 * Numbers of invoices, credit notes and delivery notes: gap-free and unique per series and year,
 * given once per document and kept in the state store. Asking again for a document that has a
 * number (a replay, a re-run after a crash) answers that number; a number is never skipped,
 * given twice or taken back, whatever process asks and whenever one is killed.
 *
 * The documents engine owns the series (one per document type, with its format, from keel.yaml);
 * this store only counts. A series's count starts again at 1 each year.
 */
export interface DocumentNumbers {
  /**
   * The document's number in its series: the one given before when the series holds the key
   * (`new: false`, whatever year or format is asked now: a number once issued never changes),
   * else the next of that series and year, stored with the key in one transaction (`new: true`).
   */
  assign(request: NumberRequest): Promise<AssignedNumber>;
  /** The number a document was given, if any. */
  get(series: string, documentKey: string): Promise<AssignedNumber | undefined>;
  /** A series's numbers of one year in number order, from after `afterNumber`, at most `limit` (default 1000). */
  list(series: string, year: number, page?: { afterNumber?: number; limit?: number }): Promise<AssignedNumber[]>;
}

export interface NumberRequest {
  /** The series, e.g. `invoice`; counts are kept per series and year. */
  series: string;
  /** The year the count belongs to: the document date's year in the retailer's time zone (`documentYear`). */
  year: number;
  /** What the document is, stable across replays: e.g. `invoice:shop:1001` or `credit_note:return:R-7`. */
  documentKey: string;
  /** The series's format, as `parseNumberFormat` accepts; the number is stored formatted once. */
  format: string;
  /** When it is asked (ISO 8601), kept as the moment the number was given. */
  at: string;
}

export interface AssignedNumber {
  series: string;
  year: number;
  documentKey: string;
  number: number;
  /** The number as printed on the document, formatted when it was given. */
  formatted: string;
  assignedAt: string;
  /** True only for the call that gave the number. */
  new: boolean;
}

/** One piece of a number format: text as it is, or a field. */
export type FormatPart = { text: string } | { field: 'year' } | { field: 'number'; width: number };

const FIELD = /\{([^{}]*)\}/g;
const NUMBER_FIELD = /^number(?::0([1-9]|1[0-9]))?$/;

/**
 * Reads a series format such as `INV-{year}-{number:06}`: `{year}` is the four-digit year,
 * `{number}` the count, `{number:0N}` the count zero-padded to N digits (1-19). Both fields are
 * required, each once: without the year, numbers would repeat when the count restarts in January.
 * Answers the parts, or what is wrong as a sentence that says how to fix it.
 */
export function parseNumberFormat(format: string): { parts: FormatPart[] } | { problem: string } {
  const parts: FormatPart[] = [];
  const seen = new Set<string>();
  let at = 0;
  for (const match of format.matchAll(FIELD)) {
    if (match.index > at) parts.push({ text: format.slice(at, match.index) });
    at = match.index + match[0].length;
    const inside = match[1] ?? '';
    const numberField = NUMBER_FIELD.exec(inside);
    const field = inside === 'year' ? 'year' : numberField !== null ? 'number' : undefined;
    if (field === undefined) return { problem: `number format "${format}" has an unknown field {${inside}}: use {year}, {number} or {number:06}` };
    if (seen.has(field)) return { problem: `number format "${format}" has {${field}} twice: give it once` };
    seen.add(field);
    parts.push(field === 'year' ? { field } : { field, width: Number(numberField?.[1] ?? 1) });
  }
  if (at < format.length) parts.push({ text: format.slice(at) });
  if (parts.some((part) => 'text' in part && /[{}]/.test(part.text))) return { problem: `number format "${format}" has an unmatched { or }: fields are written {year} and {number:06}` };
  for (const field of ['year', 'number']) {
    if (!seen.has(field)) return { problem: `number format "${format}" has no {${field}}: numbers must carry the year and the count, e.g. INV-{year}-{number:06}` };
  }
  return { parts };
}

/** The number as printed: the format's fields filled in. Throws on a format `parseNumberFormat` refuses. */
export function formatDocumentNumber(format: string, year: number, number: number): string {
  const parsed = parseNumberFormat(format);
  if ('problem' in parsed) throw new Error(parsed.problem);
  return parsed.parts
    .map((part) => ('text' in part ? part.text : part.field === 'year' ? String(year).padStart(4, '0') : String(number).padStart(part.width, '0')))
    .join('');
}

/**
 * The year a document dated `date` (ISO 8601 with offset) counts in, in `timeZone` (an IANA
 * name; default UTC): an invoice dated 2026-12-31T23:30:00Z is a 2027 invoice in Europe/Berlin.
 */
export function documentYear(date: string, timeZone = 'UTC'): number {
  const instant = new Date(date);
  if (Number.isNaN(instant.getTime())) throw new Error(`document date "${date}" is not an ISO 8601 date`);
  const year = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric' }).formatToParts(instant).find((part) => part.type === 'year')?.value;
  return Number(year);
}
