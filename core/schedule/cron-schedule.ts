import { Cron } from 'croner';

/** A pipeline's schedule as the plan holds it: when it fires and how the scheduler treats it. */
export interface ScheduleSpec {
  /** Cron: five fields (minute first) or six (seconds first). */
  cron: string;
  /** IANA time zone the fields are read in (default UTC). */
  timezone: string;
  /** Each fire starts up to this much later, the same delay for the same fire on every scheduler. */
  jitterMs: number;
  /** Fires missed while no scheduler ran: `skip` them, or `run_once` to make up for all of them with one run. */
  misfire: 'skip' | 'run_once';
}

/**
 * Fire times of a cron expression in a time zone, read as cron has always read them: day of month
 * and day of week match when either does; across a daylight-saving change a fixed-time job in the
 * skipped hour runs just after the gap, and one in the repeated hour runs once, while an interval
 * job (every 5 minutes) runs on both passes of the repeated hour. croner does the calendar work;
 * node-cron 4 was measured to skip a daily 02:30 job on the spring-forward day, so it is not used.
 */
export class CronSchedule {
  private readonly cron: Cron;

  constructor(readonly expression: string, readonly timezone: string) {
    this.cron = new Cron(expression, { timezone, paused: true, mode: '5-or-6-parts' });
  }

  /** The first fire strictly after `after`, or undefined when the expression never fires again. */
  next(after: Date): Date | undefined {
    return this.cron.nextRun(after) ?? undefined;
  }

  /** The next `count` fires strictly after `after`. */
  nextFires(after: Date, count: number): Date[] {
    return this.cron.nextRuns(count, after);
  }

  /** Fires in (`from`, `to`], at most `max` of them (the earliest). */
  firesBetween(from: Date, to: Date, max: number): Date[] {
    const fires: Date[] = [];
    for (let fire = this.next(from); fire !== undefined && fire <= to && fires.length < max; fire = this.next(fire)) fires.push(fire);
    return fires;
  }
}

/** What is wrong with a schedule, in words a user can act on, or undefined when it is fine. */
export function scheduleProblem(expression: string, timezone: string): string | undefined {
  try {
    new Intl.DateTimeFormat('en', { timeZone: timezone });
  } catch {
    return `time zone "${timezone}" is not an IANA time zone name; write e.g. Europe/Berlin, America/New_York or UTC`;
  }
  try {
    const schedule = new CronSchedule(expression, timezone);
    if (schedule.next(new Date()) === undefined) return `schedule "${expression}" never fires again`;
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return (
      `schedule "${expression}" is not a cron expression (${why}): write five fields (minute hour day-of-month month day-of-week), ` +
      'e.g. "0 2 * * 2" for Tuesdays at 02:00, or six with seconds first, e.g. "*/5 * * * * *" for every 5 seconds'
    );
  }
  return undefined;
}
