import { Type } from '@sinclair/typebox';
import routingEngine from '../../engines/routing/index.js';
import { CronSchedule } from '../schedule/cron-schedule.js';
import { securityOf } from './guard.js';
import { AUTH_ERRORS, responses } from './http-schemas.js';
import type { KeelServer, ServeContext } from './serve-context.js';

const READ = { kind: 'read' } as const;

const RunRef = Type.Union([Type.Object({ id: Type.Integer(), status: Type.String(), startedAt: Type.String(), finishedAt: Type.Union([Type.String(), Type.Null()]) }), Type.Null()]);

/** What the ops page's first view and a monitoring script want at a glance: each pipeline's schedule and how it last went; held orders. */
export function overviewRoutes(app: KeelServer, ctx: ServeContext): void {
  const { project } = ctx;

  app.get(
    '/api/pipelines',
    {
      schema: {
        summary: 'every pipeline with its schedule, next fire, last run and last success',
        tags: ['ops'],
        security: securityOf(READ),
        response: responses(
          {
            200: Type.Object({
              project: Type.String(),
              pipelines: Type.Array(
                Type.Object(
                  {
                    name: Type.String(),
                    schedule: Type.Union([Type.String(), Type.Null()], { description: 'cron, or null when it runs by hand or after others' }),
                    timezone: Type.Union([Type.String(), Type.Null()]),
                    after: Type.Array(Type.String()),
                    next: Type.Union([Type.String(), Type.Null()], { description: 'the next fire (ISO 8601)' }),
                    lastRun: RunRef,
                    lastSuccessAt: Type.Union([Type.String(), Type.Null()], { description: 'when its last run that ended ok (or with dead letters) finished' }),
                  },
                  { additionalProperties: false },
                ),
              ),
            }),
          },
          AUTH_ERRORS,
        ),
      },
      preHandler: ctx.guard(READ),
    },
    async () => {
      const now = new Date();
      const pipelines = await Promise.all(
        project.plan.pipelines.map(async (pipeline) => {
          const [last] = await project.store.listRuns({ pipeline: pipeline.name, limit: 1 });
          const successes = await Promise.all(['ok', 'dead_letters'].map((status) => project.store.listRuns({ pipeline: pipeline.name, status: status as 'ok', limit: 1 })));
          const lastSuccessAt = successes.flat().map((run) => run.finishedAt ?? run.startedAt).sort().at(-1) ?? null;
          const spec = pipeline.schedule;
          return {
            name: pipeline.name,
            schedule: spec?.cron ?? null,
            timezone: spec?.timezone ?? null,
            after: pipeline.after,
            next: spec === undefined ? null : (new CronSchedule(spec.cron, spec.timezone).next(now)?.toISOString() ?? null),
            lastRun: last === undefined ? null : { id: last.id, status: last.status, startedAt: last.startedAt, finishedAt: last.finishedAt },
            lastSuccessAt,
          };
        }),
      );
      return { project: project.plan.name, pipelines };
    },
  );

  app.get(
    '/api/orders/held',
    {
      schema: {
        summary: 'orders routing holds: no location can serve them now (keel route retry routes them again)',
        tags: ['central'],
        security: securityOf(READ),
        querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 1000, default: 200 }) }, { additionalProperties: false }),
        response: responses(
          {
            200: Type.Object({
              orders: Type.Array(Type.Object({ order_key: Type.String(), held_since: Type.String(), reason: Type.Union([Type.String(), Type.Null()]) }, { additionalProperties: false })),
            }),
          },
          [400, ...AUTH_ERRORS, 404],
        ),
      },
      preHandler: ctx.guard(READ),
    },
    async (request) => {
      const held = await project.engines.require(routingEngine, 'held orders').store.held(request.query.limit);
      return { orders: held.map((request) => ({ order_key: request.order_key, held_since: new Date(request.created_at).toISOString(), reason: request.note ?? null })) };
    },
  );
}
