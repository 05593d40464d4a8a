import { Type } from '@sinclair/typebox';
import type { JsonObject } from '../json.js';
import { Return } from '../model/return.js';
import { principalOf, securityOf } from './guard.js';
import { AnyObject, AUTH_ERRORS, responses } from './http-schemas.js';
import { storeLocation } from './scopes.js';
import type { KeelServer, ServeContext } from './serve-context.js';

const TOUCHPOINT = { kind: 'touchpoint' } as const;
const READ_OR_STORE = { kind: 'read_or_store' } as const;

/**
 * Returns announced at any touchpoint: validated against the canonical Return, kept in the state
 * store in the order they came (each version once), and listed back for the returns flow.
 */
export function returnRoutes(app: KeelServer, ctx: ServeContext): void {
  const { returns } = ctx.project.store;

  app.post(
    '/api/returns',
    {
      schema: {
        summary: 'announce a return (the canonical Return); a store token announces returns at its own location only',
        tags: ['returns'],
        security: securityOf(TOUCHPOINT),
        body: Return,
        response: responses(
          {
            201: Type.Object({ status: Type.Literal('stored'), seq: Type.Integer() }),
            200: Type.Object({ status: Type.Literal('duplicate'), seq: Type.Integer({ description: 'the number it was stored under before' }) }),
          },
          [400, ...AUTH_ERRORS, 413],
        ),
      },
      preHandler: ctx.guard(TOUCHPOINT, (request) => (request.body as { location_id?: string } | undefined)?.location_id),
    },
    async (request, reply) => {
      const token = principalOf(request);
      const own = token.scopes.includes('ops') ? undefined : storeLocation(token.scopes);
      const body = { ...request.body, ...(own !== undefined ? { location_id: own } : {}) } as unknown as JsonObject;
      const locationId = typeof body['location_id'] === 'string' ? body['location_id'] : undefined;
      const where = request.body.channel ?? (locationId !== undefined ? `location:${locationId}` : 'unknown');
      const result = await returns.announce({ returnKey: `${where}:${request.body.return_id}`, locationId, announcedBy: token.name, receivedAt: new Date().toISOString(), body });
      if (result.stored) return reply.code(201).send({ status: 'stored' as const, seq: result.seq });
      return reply.code(200).send({ status: 'duplicate' as const, seq: result.seq });
    },
  );

  app.get(
    '/api/returns',
    {
      schema: {
        summary: 'announced returns in the order they came, a page at a time; a store token sees its own location only',
        tags: ['returns'],
        security: securityOf(READ_OR_STORE),
        querystring: Type.Object(
          { after: Type.Integer({ minimum: 0, default: 0, description: 'the next value of the previous page' }), limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }) },
          { additionalProperties: false },
        ),
        response: responses(
          {
            200: Type.Object({
              returns: Type.Array(
                Type.Object(
                  {
                    seq: Type.Integer(),
                    return_key: Type.String(),
                    location_id: Type.Optional(Type.String()),
                    announced_by: Type.String({ description: 'the name of the token that announced it' }),
                    received_at: Type.String(),
                    return: AnyObject('the canonical Return as announced'),
                  },
                  { additionalProperties: false },
                ),
              ),
              next: Type.Union([Type.Integer(), Type.Null()]),
            }),
          },
          [400, ...AUTH_ERRORS],
        ),
      },
      preHandler: ctx.guard(READ_OR_STORE),
    },
    async (request) => {
      const token = principalOf(request);
      const privileged = token.scopes.includes('ops') || token.scopes.includes('read');
      const locationId = privileged ? undefined : storeLocation(token.scopes);
      const page = await returns.list({ afterSeq: request.query.after, limit: request.query.limit + 1, locationId });
      const shown = page.slice(0, request.query.limit);
      return {
        returns: shown.map((entry) => ({
          seq: entry.seq,
          return_key: entry.returnKey,
          location_id: entry.locationId,
          announced_by: entry.announcedBy,
          received_at: entry.receivedAt,
          return: entry.body,
        })),
        next: page.length > request.query.limit ? (shown[shown.length - 1]?.seq ?? null) : null,
      };
    },
  );
}
