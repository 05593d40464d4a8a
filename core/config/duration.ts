import { Type } from '@sinclair/typebox';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** A duration in keel.yaml: a whole number and a unit, e.g. `500ms`, `30s`, `5m`, `2h`, `90d`. The schema checks the form. */
export function DurationSchema(description: string) {
  return Type.String({ pattern: '^[0-9]{1,9}(ms|s|m|h|d)$', description: `${description} (a number and a unit: ms, s, m, h or d, e.g. 30s)` });
}

/** Milliseconds of a duration the schema accepted. */
export function durationMs(text: string): number {
  const unit = text.endsWith('ms') ? 'ms' : (text.slice(-1) as Exclude<keyof typeof UNIT_MS, 'ms'>);
  return Number(text.slice(0, text.length - unit.length)) * UNIT_MS[unit];
}
