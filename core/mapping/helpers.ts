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

export function toNumber(value: unknown): number | Invalid {
  if (typeof value === 'number') return Number.isFinite(value) ? value : INVALID;
  if (typeof value === 'string' && DECIMAL.test(value.trim())) return Number(value);
  return INVALID;
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

/**
 * An instant as ISO 8601 in UTC. Values with an offset keep their instant; values without one
 * are read in `zone` (which the mapping must then name); `format` parses non-ISO text.
 */
export function toDateTime(value: unknown, format: string | undefined, zone: string | undefined): string | Invalid {
  if (typeof value === 'number') return Number.isFinite(value) ? new Date(value).toISOString().replace('.000Z', 'Z') : INVALID;
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
  if (typeof value !== 'string') return INVALID;
  const text = value.trim();
  const parsed = format !== undefined ? DateTime.fromFormat(text, format, { zone: 'UTC' }) : DateTime.fromISO(text.slice(0, 10), { zone: 'UTC' });
  return parsed.isValid ? (parsed.toISODate() ?? INVALID) : INVALID;
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
