import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import Fastify, { type FastifyError } from 'fastify';
import { KeelError } from '../errors.js';
import type { OpenProject } from '../project/open-project.js';
import { pruneInboxEvery } from '../webhooks/prune-inbox.js';
import { servedConnections } from '../webhooks/served-connections.js';
import { BEARER, guard } from './guard.js';
import { PipelineRuns } from './pipeline-runs.js';
import { centralRoutes } from './routes-central.js';
import { deadLetterRoutes } from './routes-dead-letters.js';
import { healthRoutes, type HealthOptions } from './routes-health.js';
import { opsPageRoutes } from './ops-page.js';
import { overviewRoutes } from './routes-overview.js';
import { returnRoutes } from './routes-returns.js';
import { runRoutes } from './routes-runs.js';
import { storeRoutes } from './routes-stores.js';
import { webhookRoutes } from './routes-webhooks.js';
import type { ServeSettings } from './serve-config.js';
import type { KeelServer, ServeContext } from './serve-context.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

export interface ServeOptions extends HealthOptions {
  /** Overrides of keel.yaml `serve:` (the CLI's flags). */
  settings?: Partial<ServeSettings>;
  /** Where webhook secrets given as `${env:…}` are read (default: process.env). */
  env?: NodeJS.ProcessEnv;
}

/**
 * `keel serve`'s HTTP app on an open project (from `openProject`, the one composition root):
 * ops endpoints, the central API, store answers, returns and webhook intake, each route with
 * TypeBox schemas that validate its requests and describe it in /openapi.json. Closing the app
 * stops the runs it started and the inbox pruning; the project is the caller's to close.
 */
export async function buildServer(project: OpenProject, options: ServeOptions = {}): Promise<KeelServer> {
  const settings: ServeSettings = { ...project.plan.serve, ...options.settings };
  const app: KeelServer = Fastify({
    logger: false,
    bodyLimit: settings.bodyLimitBytes,
    // `__proto__` and `constructor.prototype` keys in a JSON body are refused (400), not stripped.
    onProtoPoisoning: 'error',
    onConstructorPoisoning: 'error',
    requestTimeout: 30_000,
  }).withTypeProvider<TypeBoxTypeProvider>();
  useValidators(app);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: `Keel API: ${project.plan.name}`, version: '1', description: 'keel serve: ops endpoints, the central API, store answers, returns and webhook intake' },
      components: {
        securitySchemes: { [BEARER]: { type: 'http', scheme: 'bearer', description: 'a token from keel token create; the scopes each operation takes are listed with it' } },
      },
    },
  });

  const runs = new PipelineRuns(() => project.runOptions(), project.logger);
  const ctx: ServeContext = { project, settings, runs, guard: (access, locationOf) => guard(project.store.tokens, access, locationOf) };
  const { connections } = servedConnections(project.plan, { env: options.env ?? process.env, redactor: project.redactor });
  const stopPruning = connections.size > 0 ? pruneInboxEvery(project.store.webhooks, settings.webhookKeepDays, project.logger) : () => undefined;

  answerErrors(app, project);
  healthRoutes(app, ctx, options);
  runRoutes(app, ctx);
  overviewRoutes(app, ctx);
  opsPageRoutes(app);
  deadLetterRoutes(app, ctx);
  centralRoutes(app, ctx);
  storeRoutes(app, ctx);
  returnRoutes(app, ctx);
  webhookRoutes(app, ctx, connections);

  app.addHook('onResponse', async (request, reply) => {
    // The route pattern, never the URL: queries may carry an email, headers a token.
    project.logger.debug('http request', { method: request.method, route: request.routeOptions.url ?? 'unknown', status: reply.statusCode, ms: Math.round(reply.elapsedTime) });
  });
  app.addHook('onClose', async () => {
    stopPruning();
    await runs.close();
  });
  return app;
}

/**
 * Two validators: bodies strictly as sent (no type coercion, unknown fields refused where a
 * schema says so, never silently removed); query strings and path parameters, which are text,
 * coerced to the numbers and booleans their schemas ask for.
 */
function useValidators(app: KeelServer): void {
  const bodies = new Ajv({ allErrors: false, strict: false, coerceTypes: false, removeAdditional: false, useDefaults: true });
  const texts = new Ajv({ allErrors: false, strict: false, coerceTypes: 'array', removeAdditional: false, useDefaults: true });
  addFormats(bodies);
  addFormats(texts);
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? bodies : texts).compile(schema));
}

/** Every error as JSON `{ error, message }`: schema errors 400, too large 413, unknown routes 404; faults 500 without their detail. */
function answerErrors(app: KeelServer, project: OpenProject): void {
  app.setNotFoundHandler(async (request, reply) =>
    reply.code(404).send({ error: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]?.slice(0, 200) ?? ''}; see /openapi.json` }),
  );
  app.setErrorHandler(async (error: FastifyError, request, reply) => {
    if (error.validation !== undefined) {
      return reply.code(400).send({ error: 'invalid_request', message: `${error.validationContext ?? 'request'}${error.message.replace(/^(body|querystring|params|headers)/, '')}` });
    }
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.code(413).send({ error: 'too_large', message: `request bodies larger than ${app.initialConfig.bodyLimit ?? 0} bytes are refused (serve.body_limit_bytes)` });
    }
    if (error instanceof KeelError) {
      const status = statusOf(error);
      if (status < 500) return reply.code(status).send({ error: error.code, message: error.message });
    }
    if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
      return reply.code(error.statusCode).send({ error: clientErrorCode(error.statusCode), message: error.message });
    }
    // The logger masks secrets; the answer says nothing of the fault's detail.
    project.logger.error('request failed', { method: request.method, route: request.routeOptions.url ?? 'unknown', error: error.message });
    return reply.code(500).send({ error: 'internal', message: "the server could not answer this request; its log says why" });
  });
}

/** The status a Keel error answers with: a verdict on the request (4xx), or a fault (500). */
function statusOf(error: KeelError): number {
  if (error.code === 'pipeline_busy') return 409;
  if (error.code.endsWith('_unknown') || error.code.endsWith('_missing')) return 404;
  if (error.kind === 'record') return 409;
  if (error.kind === 'config') return 400;
  return 500;
}

function clientErrorCode(status: number): string {
  return { 400: 'bad_request', 404: 'not_found', 405: 'method_not_allowed', 408: 'timeout', 413: 'too_large', 415: 'unsupported_media_type' }[status] ?? 'bad_request';
}
