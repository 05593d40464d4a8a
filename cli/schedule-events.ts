import type { ScheduleEvent } from '../core/schedule/scheduler.js';
import { outcomesText, printLine } from './output.js';

/** How `keel schedule` and `keel serve` print what the scheduler did: a line per event, or a JSON line with --json. */
export function scheduleEventPrinter(json: boolean): (event: ScheduleEvent) => void {
  return json ? (event) => printLine(JSON.stringify({ at: new Date().toISOString(), ...event })) : printEvent;
}

function printEvent(event: ScheduleEvent): void {
  const at = new Date().toISOString();
  switch (event.type) {
    case 'started':
      printLine(`${at} keel schedule: started; next: ${event.pipelines.map(({ pipeline, next }) => `${pipeline} ${next ?? 'never'}`).join(', ')}`);
      return;
    case 'missed':
      printLine(`${at} ${event.pipeline}: missed ${event.count} fire${event.count === 1 ? '' : 's'} since ${event.since} while no scheduler ran; ${event.policy === 'skip' ? 'skipped (misfire: skip)' : 'running once now (misfire: run_once)'}`);
      return;
    case 'run': {
      const { summary } = event;
      printLine(
        `${at} ${event.pipeline} (fire ${event.fireAt}): ${summary.status} — read ${summary.read}, written ${summary.written}, ` +
          `dead-lettered ${summary.deadLettered}${outcomesText(summary.outcomes)}, ${(summary.durationMs / 1000).toFixed(2)}s (run ${summary.runId})`,
      );
      if (summary.error !== undefined) printLine(`  error: ${summary.error}`);
      return;
    }
    case 'not_run':
      process.stderr.write(`${at} ${event.pipeline} (fire ${event.fireAt}): not run (${event.outcome}): ${event.reason}\n`);
      return;
    case 'stopping':
      printLine(`${at} keel schedule: stopping${event.running.length > 0 ? `; waiting for ${event.running.join(', ')}` : ''}`);
      return;
    case 'stopped':
      printLine(`${at} keel schedule: stopped`);
      return;
  }
}
