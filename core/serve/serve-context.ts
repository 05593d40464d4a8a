import type { FastifyBaseLogger, FastifyInstance, FastifyRequest, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { OpenProject } from '../project/open-project.js';
import type { ServeSettings } from './serve-config.js';
import type { guard } from './guard.js';
import type { PipelineRuns } from './pipeline-runs.js';
import type { Access } from './scopes.js';

/** The Fastify app `buildServer` makes: TypeBox schemas type each route's request and reply. */
export type KeelServer = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

/** What the route modules share. */
export interface ServeContext {
  project: OpenProject;
  settings: ServeSettings;
  runs: PipelineRuns;
  /** A preHandler for `access` (see guard.ts). */
  guard(access: Access, locationOf?: (request: FastifyRequest) => string | undefined): ReturnType<typeof guard>;
}
