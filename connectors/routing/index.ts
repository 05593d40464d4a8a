import { Type } from '@sinclair/typebox';
import { LOCATION_TYPES } from '../../core/model/location.js';
import { defineConnector, defineStream } from '../../core/sdk/connector.js';
import { ORDERS_EXAMPLES, REQUESTS_EXAMPLES, RESPONSES_EXAMPLES } from './examples.js';
import { readRequests } from './read-requests.js';
import { writeOrders } from './write-orders.js';
import { writeResponses } from './write-responses.js';

export default defineConnector({
  name: 'routing',
  kind: 'engine',
  description: "Keel's order routing (keel.yaml `routing:`): orders in, one fulfilment request or store offer per part out, answers from locations back in.",
  configSchema: Type.Object({}, { additionalProperties: false }),
  streams: {
    orders: defineStream({
      description: 'Canonical orders: routed over live stock with the profile; units held at the chosen locations; held orders keep their reason.',
      status: 'beta',
      examples: ORDERS_EXAMPLES,
      primaryKey: ['channel', 'external_id'],
      write: {
        // No options: an empty strict schema, so a misspelt option is refused at load instead of ignored.
        options: Type.Object({}, { additionalProperties: false }),
        // An order is routed once: writing it again, changed or not, finds the decision and changes nothing (already_routed).
        idempotency: 'record',
        onChange: 'send',
        write: writeOrders,
      },
    }),
    requests: defineStream({
      description: 'Fulfilment requests, store offers, withdrawals and cancellations for the chosen locations: canonical orders with the part\'s lines and extensions.fulfilment.',
      status: 'beta',
      examples: REQUESTS_EXAMPLES,
      read: {
        options: Type.Object(
          {
            locations: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { uniqueItems: true, description: 'only requests for these location ids' })),
            location_types: Type.Optional(
              Type.Array(Type.Union(LOCATION_TYPES.map((type) => Type.Literal(type))), { uniqueItems: true, description: 'only requests for locations of these types' }),
            ),
          },
          { additionalProperties: false },
        ),
        // A live queue: read again, it yields what is unsent now.
        replayable: false,
        read: readRequests,
      },
    }),
    responses: defineStream({
      description: 'Answers from locations: { order, location_id, action: claim | unclaim | reject | shipped, reason }.',
      status: 'beta',
      examples: RESPONSES_EXAMPLES,
      write: {
        options: Type.Object({}, { additionalProperties: false }),
        idempotency: 'record',
        write: writeResponses,
      },
    }),
  },
});
