import { diffLines } from 'diff';
import { setOwn } from '../json.js';

/** True when every key and value of `expected` is found in `actual` (arrays: item by item, same length). */
export function isSubset(expected: unknown, actual: unknown): boolean {
  if (expected === null || typeof expected !== 'object') return Object.is(expected, actual);
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && expected.length === actual.length && expected.every((item, index) => isSubset(item, actual[index]));
  }
  if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return false;
  return Object.entries(expected).every(
    ([key, value]) => Object.prototype.hasOwnProperty.call(actual, key) && isSubset(value, (actual as Record<string, unknown>)[key]),
  );
}

export function deepEqual(expected: unknown, actual: unknown): boolean {
  return stable(expected) === stable(actual);
}

/** `actual` cut down to the keys `expected` names, so a subset diff shows only what matters. */
export function restrictTo(expected: unknown, actual: unknown): unknown {
  if (expected === null || typeof expected !== 'object' || actual === null || typeof actual !== 'object') return actual;
  if (Array.isArray(expected)) {
    return Array.isArray(actual) ? actual.map((item, index) => (index < expected.length ? restrictTo(expected[index], item) : item)) : actual;
  }
  if (Array.isArray(actual)) return actual;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(expected)) if (Object.prototype.hasOwnProperty.call(actual, key)) setOwn(out, key, restrictTo((expected as Record<string, unknown>)[key], (actual as Record<string, unknown>)[key]));
  return out;
}

const CONTEXT_LINES = 3;

/** A line diff of two values as pretty JSON, `-` expected and `+` actual, with a little context. */
export function jsonDiff(expected: unknown, actual: unknown): string {
  const parts = diffLines(`${stable(expected, 2)}\n`, `${stable(actual, 2)}\n`);
  const lines: { text: string; changed: boolean }[] = [];
  for (const part of parts) {
    const changed = part.added === true || part.removed === true;
    const mark = part.added === true ? '+ ' : part.removed === true ? '- ' : '  ';
    for (const line of part.value.replace(/\n$/, '').split('\n')) lines.push({ text: `${mark}${line}`, changed });
  }
  const keep = lines.map((_, index) => lines.slice(Math.max(0, index - CONTEXT_LINES), index + CONTEXT_LINES + 1).some((line) => line.changed));
  const out: string[] = [];
  lines.forEach((line, index) => {
    if (keep[index] === true) out.push(line.text);
    else if (keep[index - 1] === true || (index === 0 && lines.length > 0)) out.push('  ...');
  });
  return out.join('\n');
}

function stable(value: unknown, indent?: number): string {
  return JSON.stringify(sortKeys(value), null, indent) ?? 'undefined';
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) setOwn(out, key, sortKeys((value as Record<string, unknown>)[key]));
  return out;
}
