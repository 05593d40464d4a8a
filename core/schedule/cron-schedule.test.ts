import { describe, expect, it } from 'vitest';
import { CronSchedule, scheduleProblem } from './cron-schedule.js';

const fires = (expression: string, timezone: string, from: string, count: number): string[] =>
  new CronSchedule(expression, timezone).nextFires(new Date(from), count).map((fire) => fire.toISOString());

describe('CronSchedule', () => {
  // Berlin: 2027-03-28 02:00 CET jumps to 03:00 CEST (01:00Z); 2026-10-25 03:00 CEST falls back to 02:00 CET (01:00Z).
  it('runs a daily job whose time falls in the spring-forward gap just after the gap, not a day later', () => {
    expect(fires('30 2 * * *', 'Europe/Berlin', '2027-03-28T00:00:00Z', 2)).toEqual(['2027-03-28T01:00:00.000Z', '2027-03-29T00:30:00.000Z']);
  });

  it('skips the hour that does not exist for an interval job', () => {
    expect(fires('*/30 * * * *', 'Europe/Berlin', '2027-03-28T00:00:00Z', 3)).toEqual(['2027-03-28T00:30:00.000Z', '2027-03-28T01:00:00.000Z', '2027-03-28T01:30:00.000Z']);
  });

  it('runs a daily job in the repeated hour once, on the first pass', () => {
    expect(fires('30 2 * * *', 'Europe/Berlin', '2026-10-25T00:00:00Z', 2)).toEqual(['2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z']);
  });

  it('runs an interval job on both passes of the repeated hour (six fields: seconds first)', () => {
    expect(fires('0 */30 * * * *', 'Europe/Berlin', '2026-10-25T00:00:00Z', 4)).toEqual([
      '2026-10-25T00:30:00.000Z',
      '2026-10-25T01:00:00.000Z',
      '2026-10-25T01:30:00.000Z',
      '2026-10-25T02:00:00.000Z',
    ]);
  });

  it('reads day of month and day of week as cron does: either matches', () => {
    // From Tuesday 2026-12-08: Friday the 11th, Sunday the 13th, Friday the 18th.
    expect(fires('0 0 13 * 5', 'UTC', '2026-12-08T00:00:05Z', 3)).toEqual(['2026-12-11T00:00:00.000Z', '2026-12-13T00:00:00.000Z', '2026-12-18T00:00:00.000Z']);
  });

  it('lists the fires in a window, bounded', () => {
    const schedule = new CronSchedule('*/5 * * * * *', 'UTC');
    const between = schedule.firesBetween(new Date('2026-12-08T00:00:05Z'), new Date('2026-12-08T00:00:30Z'), 100);
    expect(between.map((fire) => fire.toISOString().slice(17, 19))).toEqual(['10', '15', '20', '25', '30']);
    expect(schedule.firesBetween(new Date('2026-12-08T00:00:00Z'), new Date('2026-12-09T00:00:00Z'), 3)).toHaveLength(3);
  });
});

describe('scheduleProblem', () => {
  it('accepts five and six fields', () => {
    expect(scheduleProblem('0 2 * * 2', 'Europe/Berlin')).toBeUndefined();
    expect(scheduleProblem('*/5 * * * * *', 'UTC')).toBeUndefined();
  });

  it.each([
    ['every tuesday-ish', 'UTC', /not a cron expression.*five fields/],
    ['61 * * * *', 'UTC', /not a cron expression/],
    ['* * * * *', 'Mars/Base', /time zone "Mars\/Base" is not an IANA time zone name/],
    ['0 0 30 2 *', 'UTC', /never fires again|not a cron expression/],
  ])('names what is wrong with %s in %s', (expression, timezone, message) => {
    expect(scheduleProblem(expression, timezone)).toMatch(message);
  });
});
