import { Type } from '@sinclair/typebox';
import { walkReadOptions } from '../../core/http/walk-read-options.js';

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
      ...walkReadOptions(what),
    },
    { additionalProperties: false },
  );
