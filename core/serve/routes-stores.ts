import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { RequestStatus } from '../routing/routing-store.js';
import routingEngine from '../../engines/routing/index.js';
import { securityOf } from './guard.js';
import { AnyObject, AUTH_ERRORS, responses } from './http-schemas.js';
import { RequestSchema, requestBody } from './routes-central.js';
import type { KeelServer, ServeContext } from './serve-context.js';

const STORE = { kind: 'store' } as const;
const STATUSES = ['open', 'claimed', 'withdrawn', 'unclaimed', 'rejected', 'timed_out', 'cancelled', 'shipped', 'released'] as const;
const Location = Type.Object({ location: Type.String({ minLength: 1, maxLength: 100 }) });
const LocationOrder = Type.Object({ location: Type.String({ minLength: 1, maxLength: 100 }), order: Type.String({ minLength: 1, maxLength: 300, description: 'channel:id, or the id alone when it is unique' }) });
const ofPath = (request: FastifyRequest): string | undefined => (request.params as { location?: string }).location;

/**
 * What a store does with the parts offered to it (keel route claim | unclaim | shipped). A store
 * token reaches its own location only; an ops token acts for any.
 */
export function storeRoutes(app: KeelServer, ctx: ServeContext): void {
  const routing = () => ctx.project.engines.require(routingEngine, 'store answers');
  const known = (location: string): boolean => routing().locations.some((candidate) => candidate.location_id === location);
  const unknown = (location: string) => ({ error: 'location_unknown', message: `no location ${location} under inventory.locations` });

  app.get(
    '/api/stores/:location/requests',
    {
      schema: {
        summary: 'the parts sent to this location (offers and fulfilment requests), oldest first; open and claimed ones unless status says',
        tags: ['stores'],
        security: securityOf(STORE),
        params: Location,
        querystring: Type.Object(
          { status: Type.Array(Type.String({ enum: [...STATUSES] }), { default: ['open', 'claimed'], maxItems: STATUSES.length }), limit: Type.Integer({ minimum: 1, maximum: 1000, default: 200 }) },
          { additionalProperties: false },
        ),
        response: responses({ 200: Type.Object({ location_id: Type.String(), requests: Type.Array(RequestSchema) }) }, [400, ...AUTH_ERRORS, 404]),
      },
      preHandler: ctx.guard(STORE, ofPath),
    },
    async (request, reply) => {
      const { location } = request.params;
      if (!known(location)) return reply.code(404).send(unknown(location));
      const requests = await routing().store.requestsAtLocation(location, request.query.status as RequestStatus[], request.query.limit);
      return { location_id: location, requests: requests.map(requestBody) };
    },
  );

  app.post(
    '/api/stores/:location/orders/:order/claim',
    {
      schema: {
        summary: 'the store takes the order it was offered; other stores offered the same part lose their offer',
        tags: ['stores'],
        security: securityOf(STORE),
        params: LocationOrder,
        response: responses({ 200: Type.Object({ request: RequestSchema }) }, [400, ...AUTH_ERRORS, 404, 409]),
      },
      preHandler: ctx.guard(STORE, ofPath),
    },
    async (request, reply) => {
      const { location, order } = request.params;
      if (!known(location)) return reply.code(404).send(unknown(location));
      return { request: requestBody(await routing().claim(order, location)) };
    },
  );

  app.post(
    '/api/stores/:location/orders/:order/unclaim',
    {
      schema: {
        summary: 'the location gives its part back with a reason: its reliability drops and the part is routed again without it',
        tags: ['stores'],
        security: securityOf(STORE),
        params: LocationOrder,
        body: Type.Object(
          {
            reason: Type.String({ minLength: 1, maxLength: 500, description: 'why, kept with the order and shown by explain' }),
            reject: Type.Optional(Type.Boolean({ description: 'record it as a rejection of the offer rather than an unclaim' })),
          },
          { additionalProperties: false },
        ),
        response: responses(
          { 200: Type.Object({ order_key: Type.String(), status: Type.String({ enum: ['waiting', 'rerouted'] }), open: Type.Optional(Type.Array(Type.String())), outcome: Type.Optional(AnyObject('how the order was routed again')) }) },
          [400, ...AUTH_ERRORS, 404, 409, 413],
        ),
      },
      preHandler: ctx.guard(STORE, ofPath),
    },
    async (request, reply) => {
      const { location, order } = request.params;
      if (!known(location)) return reply.code(404).send(unknown(location));
      const outcome = await routing().unclaim(order, location, request.body.reason, new Date(), request.body.reject === true ? 'rejected' : 'unclaimed');
      return outcome.status === 'waiting' ? outcome : { order_key: outcome.order_key, status: outcome.status, outcome: outcome.outcome as unknown as Record<string, unknown> };
    },
  );

  app.post(
    '/api/stores/:location/orders/:order/shipped',
    {
      schema: {
        summary: 'the location shipped its part: the units held there leave the stock ledger',
        tags: ['stores'],
        security: securityOf(STORE),
        params: LocationOrder,
        response: responses({ 200: Type.Object({ order: Type.String(), location_id: Type.String(), reservations_taken: Type.Integer() }) }, [400, ...AUTH_ERRORS, 404, 409]),
      },
      preHandler: ctx.guard(STORE, ofPath),
    },
    async (request, reply) => {
      const { location, order } = request.params;
      if (!known(location)) return reply.code(404).send(unknown(location));
      return { order, location_id: location, reservations_taken: await routing().shipped(order, location) };
    },
  );
}
