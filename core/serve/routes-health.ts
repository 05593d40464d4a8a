import { Type } from '@sinclair/typebox';
import { securityOf } from './guard.js';
import { AUTH_ERRORS, responses } from './http-schemas.js';
import type { KeelServer, ServeContext } from './serve-context.js';

export interface HealthOptions {
  /** A scheduler the server runs: /ready says not ready while it is not running. */
  scheduler?: { running(): boolean } | undefined;
  /** What /metrics answers (Prometheus text); without it there is no /metrics. */
  metrics?: (() => Promise<{ contentType: string; body: string }>) | undefined;
}

const Checks = Type.Object(
  {
    state: Type.Union([Type.Literal('ok'), Type.Literal('unreachable')]),
    scheduler: Type.Union([Type.Literal('running'), Type.Literal('stopped'), Type.Literal('not_configured')]),
  },
  { additionalProperties: false },
);

/** /health, /ready, /metrics and /openapi.json: what probes, scrapers and clients ask first. */
export function healthRoutes(app: KeelServer, ctx: ServeContext, options: HealthOptions): void {
  app.get(
    '/health',
    { schema: { summary: 'the process is up', tags: ['ops'], security: [], response: { 200: Type.Object({ status: Type.Literal('up') }) } } },
    async () => ({ status: 'up' as const }),
  );

  app.get(
    '/ready',
    {
      schema: {
        summary: 'the state store answers, and the scheduler runs where one is configured',
        tags: ['ops'],
        security: [],
        response: { 200: Type.Object({ status: Type.Literal('ready'), checks: Checks }), 503: Type.Object({ status: Type.Literal('not_ready'), checks: Checks }) },
      },
    },
    async (_request, reply) => {
      let state: 'ok' | 'unreachable' = 'ok';
      try {
        await ctx.project.store.getValue('serve', 'ready');
      } catch (error) {
        ctx.project.logger.warn('state store unreachable', { error: error instanceof Error ? error.message : String(error) });
        state = 'unreachable';
      }
      const scheduler = options.scheduler === undefined ? 'not_configured' : options.scheduler.running() ? 'running' : 'stopped';
      const checks = { state, scheduler } as const;
      if (state === 'ok' && scheduler !== 'stopped') return reply.code(200).send({ status: 'ready', checks });
      return reply.code(503).send({ status: 'not_ready', checks });
    },
  );

  const metrics = options.metrics;
  if (metrics !== undefined) {
    const open = ctx.settings.metricsAuth === 'none';
    app.get(
      '/metrics',
      {
        schema: {
          summary: 'Prometheus metrics (text exposition format)',
          tags: ['ops'],
          security: open ? [] : securityOf({ kind: 'read' }),
          response: responses(
            { 200: Type.Unsafe<string>({ description: 'Prometheus text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } }) },
            open ? [] : AUTH_ERRORS,
          ),
        },
        ...(open ? {} : { preHandler: ctx.guard({ kind: 'read' }) }),
      },
      async (_request, reply) => {
        const { contentType, body } = await metrics();
        return reply.type(contentType).send(body);
      },
    );
  }

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
