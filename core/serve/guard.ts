import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ApiToken, ApiTokens } from '../state/api-tokens.js';
import { allows, type Access } from './scopes.js';
import { tokenOf } from './tokens.js';

/** The name the OpenAPI document gives the bearer scheme. */
export const BEARER = 'bearer';

const principals = new WeakMap<FastifyRequest, ApiToken>();

/** The token a guarded request was let in with. */
export function principalOf(request: FastifyRequest): ApiToken {
  const token = principals.get(request);
  if (token === undefined) throw new Error('principalOf: the route has no guard');
  return token;
}

/** What a route declares in the OpenAPI document: the bearer scheme with the scopes it takes. */
export function securityOf(access: Access): { [BEARER]: string[] }[] {
  const scopes = { read: ['read', 'ops'], ops: ['ops'], store: ['store:<location>', 'ops'], touchpoint: ['store:<location>', 'ops'], read_or_store: ['read', 'store:<location>', 'ops'] }[access.kind];
  return [{ [BEARER]: scopes }];
}

/**
 * A preHandler letting in requests whose bearer token allows `access`: 401 without a valid token,
 * 403 when its scopes do not allow it (for store access, when the location the request is about,
 * `locationOf`, is not the token's).
 */
export function guard(tokens: ApiTokens, access: Access, locationOf?: (request: FastifyRequest) => string | undefined) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const token = await tokenOf(tokens, request.headers.authorization);
    if (token === undefined) {
      await reply
        .code(401)
        .header('www-authenticate', 'Bearer realm="keel"')
        .send({ error: 'unauthorized', message: 'send Authorization: Bearer <token> with a token from keel token create' });
      return reply;
    }
    const verdict = allows(token.scopes, access, locationOf?.(request));
    if (!verdict.allowed) {
      await reply.code(403).send({ error: 'forbidden', message: verdict.reason });
      return reply;
    }
    principals.set(request, token);
  };
}
