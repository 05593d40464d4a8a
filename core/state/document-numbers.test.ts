import { describe, expect, it } from 'vitest';
import { documentYear, formatDocumentNumber, parseNumberFormat } from './document-numbers.js';

describe('document number formats', () => {
  it('fill in the year and the count, zero-padded to the width asked', () => {
    expect(formatDocumentNumber('INV-{year}-{number:06}', 2026, 42)).toBe('INV-2026-000042');
    expect(formatDocumentNumber('{number}/{year}', 2027, 1234)).toBe('1234/2027');
    expect(formatDocumentNumber('DN{year}{number:03}', 2026, 12345)).toBe('DN202612345');
  });

  it('refuse a format without the year or the count, with an unknown or repeated field, or a stray brace', () => {
    const problem = (format: string): string => {
      const parsed = parseNumberFormat(format);
      return 'problem' in parsed ? parsed.problem : 'accepted';
    };
    expect(problem('INV-{number:06}')).toBe('number format "INV-{number:06}" has no {year}: numbers must carry the year and the count, e.g. INV-{year}-{number:06}');
    expect(problem('INV-{year}')).toMatch(/has no \{number\}/);
    expect(problem('INV-{year}-{nummer}')).toBe('number format "INV-{year}-{nummer}" has an unknown field {nummer}: use {year}, {number} or {number:06}');
    expect(problem('{year}-{number}-{number}')).toMatch(/has \{number\} twice/);
    expect(problem('{year}-{number:6}')).toMatch(/unknown field \{number:6\}/);
    expect(problem('{year}-{number}}')).toMatch(/unmatched/);
    expect(problem('{__proto__}{year}{number}')).toMatch(/unknown field \{__proto__\}/);
    expect(problem('INV-{year}-{number:06}')).toBe('accepted');
  });
});

describe('documentYear', () => {
  it('is the year of the document date in the time zone given, UTC unless one is', () => {
    expect(documentYear('2026-12-31T23:30:00Z')).toBe(2026);
    expect(documentYear('2026-12-31T23:30:00Z', 'Europe/Berlin')).toBe(2027);
    expect(documentYear('2027-01-01T00:30:00+01:00')).toBe(2026);
    expect(documentYear('2027-01-01T03:00:00Z', 'America/New_York')).toBe(2026);
  });

  it('refuses a date that is not one and a time zone that does not exist', () => {
    expect(() => documentYear('31.12.2026')).toThrow('document date "31.12.2026" is not an ISO 8601 date');
    expect(() => documentYear('2026-12-31T10:00:00Z', 'Mars/Olympus')).toThrow(RangeError);
  });
});
