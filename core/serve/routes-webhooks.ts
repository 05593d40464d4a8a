import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { logIntake, takeDelivery, type WebhookConnection } from '../webhooks/intake.js';
import { ErrorBody } from './http-schemas.js';
import type { KeelServer, ServeContext } from './serve-context.js';

/**
 * Webhook intake, as `keel webhooks listen` takes it: POST /webhooks/{connection}, the body kept
 * as the bytes that came (the signature is over them), verified and stored before the 200. Its own
 * scope: its parser takes any content type as raw bytes, while the API's routes parse JSON.
 */
export function webhookRoutes(app: KeelServer, ctx: ServeContext, connections: ReadonlyMap<string, WebhookConnection>): void {
  const { logger } = ctx.project;
  void app.register(async (plugin) => {
    const scope = plugin.withTypeProvider<TypeBoxTypeProvider>();
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    scope.post(
      '/webhooks/:connection',
      {
        bodyLimit: ctx.settings.bodyLimitBytes,
        schema: {
          summary: "a vendor's webhook delivery, signed with the connection's webhook_secret (HMAC over the raw body); no bearer token",
          tags: ['webhooks'],
          security: [],
          params: Type.Object({ connection: Type.String({ minLength: 1, maxLength: 200 }) }),
          response: {
            200: Type.Object({ status: Type.String({ enum: ['stored', 'duplicate', 'ping'] }), seq: Type.Optional(Type.Integer()) }),
            400: ErrorBody,
            401: ErrorBody,
            404: ErrorBody,
            413: ErrorBody,
          },
        },
      },
      async (request, reply) => {
        const connection = connections.get(request.params.connection);
        if (connection === undefined) {
          return reply.code(404).send({ error: 'unknown_connection', message: 'no connection takes webhooks at this path; deliveries go to /webhooks/<connection>' });
        }
        const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const result = await takeDelivery(connection, { headers: request.headers, body, receivedAt: new Date() }, ctx.project.store.webhooks);
        logIntake(logger, connection.name, result);
        if (result.kind === 'accepted') return reply.code(200).send({ status: result.outcome, seq: result.seq });
        if (result.kind === 'ping') return reply.code(200).send({ status: 'ping' });
        return reply.code(result.status).send({ error: result.outcome, message: result.message });
      },
    );
  });
}
