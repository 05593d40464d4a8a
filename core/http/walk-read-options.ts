/**
 * The options every connector stream read by an updated-at walk takes (look-back, first boundary,
 * restarts per run), described once so `keel connectors` and the READMEs say the same everywhere.
 */
import { Type } from '@sinclair/typebox';
import type { OptionProblem } from '../sdk/connector.js';

/** `what` names the records in the description of `start` ("all orders"). */
export const walkReadOptions = (what: string) => ({
  lookback_seconds: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 7 * 86_400,
      default: 300,
      description: 'incremental sync: read this far behind the saved boundary on each run, for changes committed late; versions already passed on are dropped',
    }),
  ),
  start: Type.Optional(Type.String({ format: 'date-time', description: `incremental sync: the boundary of the very first run (ISO 8601); default: all ${what}` })),
  max_restarts_per_run: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 1000,
      default: 10,
      description: 'incremental sync: times a run reads again from the boundary when records changed while it paged; beyond it the boundary stays and the next run reads from there',
    }),
  ),
});

/** `start` must be a time a walk can begin at. */
export function checkWalkStart(options: { start?: string }): OptionProblem[] {
  return options.start !== undefined && Number.isNaN(Date.parse(options.start)) ? [{ path: ['start'], message: `start "${options.start}" is not an ISO 8601 date-time` }] : [];
}
