import Big from 'big.js';
import { DateTime } from 'luxon';

/** Returned by conversions that cannot convert; the generated code turns it into a rejection. */
export const INVALID: unique symbol = Symbol('keel.mapping.invalid');
export type Invalid = typeof INVALID;

/** Thrown inside a compiled mapping to reject the record; caught by its wrapper. */
export class MappingFailure extends Error {}

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
const INTEGER = /^[+-]?\d+$/;
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

export function isMissing(value: unknown): boolean {
  return value === undefined || value === null || value === '';
}

/** A canonical decimal string ("19.90" stays "19.90", "1e3" is refused, 19.9 becomes "19.9"). */
export function toDecimal(value: unknown): string | Invalid {
  if (typeof value === 'number') return Number.isFinite(value) ? new Big(value).toFixed() : INVALID;
  if (typeof value !== 'string') return INVALID;
  const text = value.trim().replace(/^\+/, '');
  if (!DECIMAL.test(text)) return INVALID;
  return text.startsWith('.') ? `0${text}` : text.startsWith('-.') ? `-0${text.slice(1)}` : text;
}

export function toInteger(value: unknown): number | Invalid {
  if (typeof value === 'number') return Number.isSafeInteger(value) ? value : INVALID;
  if (typeof value !== 'string') return INVALID;
  const text = value.trim();
  if (INTEGER.test(text)) {
    const parsed = Number(text);
    return Number.isSafeInteger(parsed) ? parsed : INVALID;
  }
  // "3.0" from spreadsheets is an integer; "3.5" is not.
  if (DECIMAL.test(text) && /\.0*$/.test(text)) return toInteger(text.replace(/\.0*$/, ''));
  return INVALID;
}

/** A number where a number is wanted; an integer a double cannot hold exactly (9007199254740993) is refused, not rounded. */
export function toNumber(value: unknown): number | Invalid {
  if (typeof value === 'number') return Number.isFinite(value) && !unsafeInteger(value) ? value : INVALID;
  if (typeof value !== 'string' || !DECIMAL.test(value.trim())) return INVALID;
  const number = Number(value);
  return INTEGER.test(value.trim()) && !Number.isSafeInteger(number) ? INVALID : number;
}

function unsafeInteger(value: number): boolean {
  return Number.isInteger(value) && !Number.isSafeInteger(value);
}

const TRUE = new Set(['true', 'yes', 'y', '1', 'ja', 'x']);
const FALSE = new Set(['false', 'no', 'n', '0', 'nein', '']);

export function toBoolean(value: unknown): boolean | Invalid {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value === 1 ? true : value === 0 ? false : INVALID;
  if (typeof value !== 'string') return INVALID;
  const text = value.trim().toLowerCase();
  return TRUE.has(text) ? true : FALSE.has(text) ? false : INVALID;
}

export function toText(value: unknown): string | Invalid {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return INVALID;
}

/** Formats that read numbers as instants: seconds or milliseconds since 1970-01-01T00:00:00Z. */
export const EPOCH_FORMATS = ['epoch_s', 'epoch_ms'] as const;

function fromEpoch(value: unknown, format: string): number | Invalid {
  const number = typeof value === 'number' ? value : typeof value === 'string' && DECIMAL.test(value.trim()) ? Number(value) : Number.NaN;
  if (!Number.isFinite(number)) return INVALID;
  const ms = format === 'epoch_s' ? number * 1000 : number;
  return Math.abs(ms) <= 8.64e15 ? ms : INVALID;
}

function isoOf(ms: number): string {
  return new Date(ms).toISOString().replace('.000Z', 'Z');
}

/**
 * An instant as ISO 8601 in UTC. Values with an offset keep their instant; values without one
 * are read in `zone` (which the mapping must then name); `format` parses non-ISO text. A number
 * is read only with `format: epoch_s` or `epoch_ms`: whether 1715680278 is seconds (2024) or
 * milliseconds (1970-01-20) must be said, not guessed.
 */
export function toDateTime(value: unknown, format: string | undefined, zone: string | undefined): string | Invalid {
  if (format === 'epoch_s' || format === 'epoch_ms') {
    const ms = fromEpoch(value, format);
    return ms === INVALID ? INVALID : isoOf(ms);
  }
  if (typeof value !== 'string') return INVALID;
  const text = value.trim();
  if (format === undefined && ISO_WITH_OFFSET.test(text)) {
    const time = Date.parse(text);
    return Number.isNaN(time) ? INVALID : new Date(time).toISOString().replace('.000Z', 'Z');
  }
  if (zone === undefined && format === undefined) return INVALID;
  const parsed = format !== undefined ? DateTime.fromFormat(text, format, { zone: zone ?? 'UTC', setZone: true }) : DateTime.fromISO(text, { zone });
  if (!parsed.isValid) return INVALID;
  return parsed.toUTC().toISO({ suppressMilliseconds: true }) ?? INVALID;
}

export function toDate(value: unknown, format: string | undefined): string | Invalid {
  if (format === 'epoch_s' || format === 'epoch_ms') {
    const ms = fromEpoch(value, format);
    return ms === INVALID ? INVALID : isoOf(ms).slice(0, 10);
  }
  if (typeof value !== 'string') return INVALID;
  const text = value.trim();
  const parsed = format !== undefined ? DateTime.fromFormat(text, format, { zone: 'UTC' }) : DateTime.fromISO(text.slice(0, 10), { zone: 'UTC' });
  return parsed.isValid ? (parsed.toISODate() ?? INVALID) : INVALID;
}

/** Why a value is no date or instant, when it says more than "not valid": a bare number needs its unit. */
export function dateHint(value: unknown): string {
  const numeric = typeof value === 'number' || (typeof value === 'string' && DECIMAL.test(value.trim()));
  return numeric ? ' (a number: say which epoch it counts from with format: epoch_s or epoch_ms)' : '';
}

/**
 * Dates a commerce record can plausibly hold. An order from 1970 or 2090 is a broken source (an
 * epoch read in the wrong unit, a zero date), not a sale; such values are refused with where they are.
 */
export interface DateWindow {
  /** Earliest and latest instant allowed, in ms. */
  from: number;
  to: number;
  /** The window as the rejection names it: "2000-01-01 to 2036-12-07". */
  label: string;
}

export function outsideWindow(iso: string, window: DateWindow): boolean {
  const time = Date.parse(iso);
  return time < window.from || time > window.to;
}

/** Digits after the point, so results keep the scale of their inputs ("0.10" + "0.20" = "0.30"). */
function scaleOf(decimal: string): number {
  const point = decimal.indexOf('.');
  return point < 0 ? 0 : decimal.length - point - 1;
}

export function sumDecimals(values: readonly unknown[]): string | Invalid {
  let total = new Big(0);
  let scale = 0;
  for (const value of values) {
    if (isMissing(value)) continue;
    const decimal = toDecimal(value);
    if (decimal === INVALID) return INVALID;
    total = total.plus(decimal);
    scale = Math.max(scale, scaleOf(decimal));
  }
  return total.toFixed(scale);
}

export function multiplyDecimals(values: readonly unknown[]): string | Invalid {
  let product = new Big(1);
  let scale = 0;
  for (const value of values) {
    const decimal = toDecimal(value);
    if (decimal === INVALID) return INVALID;
    product = product.times(decimal);
    scale += scaleOf(decimal);
  }
  return product.toFixed(scale);
}

/** Minor units (cents) to a decimal amount: 1999 EUR → "19.99"; JPY has no minor unit. */
export function fromMinorUnits(value: unknown, currency: string): string | Invalid {
  const integer = toInteger(value);
  if (integer === INVALID) return INVALID;
  const digits = minorDigits(currency);
  return new Big(integer).div(10 ** digits).toFixed(digits);
}

function minorDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

export function titleCase(text: string): string {
  return text.toLowerCase().replace(/(^|[\s-])(\p{L})/gu, (_, space: string, letter: string) => space + letter.toUpperCase());
}

/** How a value is shown in a rejection message: short, typed. */
export function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
