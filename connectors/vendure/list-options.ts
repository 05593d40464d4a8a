import { Type } from '@sinclair/typebox';

/** Options of a stream that reads a Vendure list query; `what` names the records in descriptions. */
export const ListReadOptions = (what: string) =>
  Type.Object(
    {
      page_size: Type.Optional(
        Type.Integer({
          minimum: 1,
          maximum: 1000,
          default: 100,
          description: `${what} per request (Vendure's take; the server refuses more than its adminListQueryLimit, 1000 by default)`,
        }),
      ),
      lookback_seconds: Type.Optional(
        Type.Integer({
          minimum: 0,
          maximum: 7 * 86_400,
          default: 300,
          description: 'incremental sync: read this far behind the saved boundary on each run, for changes committed late; versions already passed on are dropped',
        }),
      ),
      start: Type.Optional(
        Type.String({ format: 'date-time', description: `incremental sync: the boundary of the very first run (ISO 8601); default: all ${what}` }),
      ),
      max_restarts_per_run: Type.Optional(
        Type.Integer({
          minimum: 0,
          maximum: 1000,
          default: 10,
          description: 'incremental sync: times a run reads again from the boundary when records changed while it paged; beyond it the boundary stays and the next run reads from there',
        }),
      ),
    },
    { additionalProperties: false },
  );
