import { Type } from '@sinclair/typebox';
import { securityOf } from './guard.js';
import { AUTH_ERRORS, responses } from './http-schemas.js';
import type { KeelServer, ServeContext } from './serve-context.js';

const RUN_STATUSES = ['running', 'ok', 'dead_letters', 'failed', 'interrupted'] as const;

/** A run as `keel runs --json` prints it; fields added later pass through. */
export const RunRecordSchema = Type.Object(
  {
    id: Type.Integer(),
    pipeline: Type.String(),
    kind: Type.String(),
    dryRun: Type.Boolean(),
    status: Type.String({ enum: [...RUN_STATUSES] }),
    startedAt: Type.String(),
    finishedAt: Type.Union([Type.String(), Type.Null()]),
    durationMs: Type.Union([Type.Number(), Type.Null()]),
    error: Type.Union([Type.String(), Type.Null()]),
    read: Type.Integer(),
    written: Type.Integer(),
    duplicates: Type.Integer(),
    deadLettered: Type.Integer(),
    skipped: Type.Integer(),
    resent: Type.Integer(),
    outcomes: Type.Record(Type.String(), Type.Integer()),
  },
  { additionalProperties: true },
);

/** A run's summary as `keel run --json` prints it. */
export const RunSummarySchema = Type.Object(
  {
    pipeline: Type.String(),
    runId: Type.Integer(),
    status: Type.String(),
    dryRun: Type.Boolean(),
    durationMs: Type.Number(),
    error: Type.Optional(Type.String()),
    read: Type.Integer(),
    written: Type.Integer(),
    duplicates: Type.Integer(),
    deadLettered: Type.Integer(),
    skipped: Type.Integer(),
    resent: Type.Integer(),
    outcomes: Type.Record(Type.String(), Type.Integer()),
    replayed: Type.Optional(Type.Array(Type.Integer())),
  },
  { additionalProperties: true },
);

const OPS = { kind: 'ops' } as const;

/** Run history, and running a pipeline now. */
export function runRoutes(app: KeelServer, ctx: ServeContext): void {
  app.get(
    '/api/runs',
    {
      schema: {
        summary: 'run history, newest first (keel runs)',
        tags: ['ops'],
        security: securityOf(OPS),
        querystring: Type.Object(
          {
            pipeline: Type.Optional(Type.String({ minLength: 1 })),
            status: Type.Optional(Type.String({ enum: [...RUN_STATUSES] })),
            limit: Type.Integer({ minimum: 1, maximum: 1000, default: 20 }),
          },
          { additionalProperties: false },
        ),
        response: responses({ 200: Type.Object({ runs: Type.Array(RunRecordSchema) }) }, [400, ...AUTH_ERRORS]),
      },
      preHandler: ctx.guard(OPS),
    },
    async (request) => {
      const { pipeline, status, limit } = request.query;
      const runs = await ctx.project.store.listRuns({ limit, ...(pipeline !== undefined ? { pipeline } : {}), ...(status !== undefined ? { status: status as (typeof RUN_STATUSES)[number] } : {}) });
      return { runs };
    },
  );

  app.get(
    '/api/runs/:id',
    {
      schema: {
        summary: 'one run',
        tags: ['ops'],
        security: securityOf(OPS),
        params: Type.Object({ id: Type.Integer({ minimum: 1 }) }),
        response: responses({ 200: RunRecordSchema }, [400, ...AUTH_ERRORS, 404]),
      },
      preHandler: ctx.guard(OPS),
    },
    async (request, reply) => {
      const run = await ctx.project.store.getRun(request.params.id);
      if (run === undefined) return reply.code(404).send({ error: 'run_unknown', message: `no run ${request.params.id}` });
      return run;
    },
  );

  app.post(
    '/api/pipelines/:pipeline/runs',
    {
      schema: {
        summary: 'run a pipeline now, under its lease: 202 once it started (follow it at /api/runs/{id}), or with wait=true 200 when it ended',
        tags: ['ops'],
        security: securityOf(OPS),
        params: Type.Object({ pipeline: Type.String({ minLength: 1, maxLength: 200 }) }),
        querystring: Type.Object({ wait: Type.Boolean({ default: false }) }, { additionalProperties: false }),
        response: responses(
          {
            200: Type.Object({ run: RunSummarySchema }),
            202: Type.Object({ runId: Type.Integer(), pipeline: Type.String(), status: Type.Literal('running'), follow: Type.String() }),
          },
          [400, ...AUTH_ERRORS, 404, 409],
        ),
      },
      preHandler: ctx.guard(OPS),
    },
    async (request, reply) => {
      const plan = ctx.project.plan.pipelines.find((candidate) => candidate.name === request.params.pipeline);
      if (plan === undefined) {
        return reply.code(404).send({ error: 'pipeline_unknown', message: `no pipeline ${request.params.pipeline}; pipelines: ${ctx.project.plan.pipelines.map((p) => p.name).join(', ')}` });
      }
      const started = await ctx.runs.start(plan);
      if (request.query.wait) return reply.code(200).send({ run: await started.done });
      return reply.code(202).send({ runId: started.runId, pipeline: plan.name, status: 'running' as const, follow: `/api/runs/${started.runId}` });
    },
  );
}
