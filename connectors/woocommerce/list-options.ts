import { Type } from '@sinclair/typebox';
import type { OptionProblem } from '../../core/sdk/connector.js';

/** Options of the streams read page by page (orders, products); every one described, as `keel connectors` and the README show them. */
export const listReadOptions = (what: string) => ({
  page_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50, description: `${what} per request (per_page; WooCommerce takes at most 100)` })),
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

export function checkListOptions(options: { start?: string }): OptionProblem[] {
  return options.start !== undefined && Number.isNaN(Date.parse(options.start)) ? [{ path: ['start'], message: `start "${options.start}" is not an ISO 8601 date-time` }] : [];
}
