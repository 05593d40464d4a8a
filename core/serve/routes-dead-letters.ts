import { Type } from '@sinclair/typebox';
import { correctDeadLetter, deadLetterPage, withoutPayload } from '../ops/dead-letters.js';
import type { DeadLetter } from '../state/state-store.js';
import { securityOf } from './guard.js';
import { AUTH_ERRORS, responses } from './http-schemas.js';
import { RunSummarySchema } from './routes-runs.js';
import type { KeelServer, ServeContext } from './serve-context.js';

const LetterFields = {
  id: Type.Integer(),
  runId: Type.Integer(),
  pipeline: Type.String(),
  source: Type.String(),
  stage: Type.String(),
  target: Type.Optional(Type.String()),
  recordKey: Type.Optional(Type.String()),
  origin: Type.Optional(Type.String()),
  code: Type.String(),
  reason: Type.String(),
  status: Type.String({ enum: ['open', 'replayed', 'discarded'] }),
  createdAt: Type.String(),
  updatedAt: Type.String(),
};
const LetterSummary = Type.Object({ ...LetterFields, payloadBytes: Type.Integer() }, { additionalProperties: false });
const Letter = Type.Object(
  {
    ...LetterFields,
    payload: Type.String({ description: 'the record (JSON) as it will be replayed, or the raw text that failed to decode' }),
    originalPayload: Type.Optional(Type.String({ description: 'the payload as it failed, when it was corrected since' })),
  },
  { additionalProperties: false },
);
const LetterId = Type.Object({ id: Type.Integer({ minimum: 1 }) });

const OPS = { kind: 'ops' } as const;

/** The dead-letter queue, as `keel dlq list | show | replay | discard` work on it. */
export function deadLetterRoutes(app: KeelServer, ctx: ServeContext): void {
  const { store } = ctx.project;

  app.get(
    '/api/dead-letters',
    {
      schema: {
        summary: 'dead letters in id order, a page at a time (keel dlq list)',
        tags: ['ops'],
        security: securityOf(OPS),
        querystring: Type.Object(
          {
            pipeline: Type.Optional(Type.String({ minLength: 1 })),
            status: Type.String({ enum: ['open', 'replayed', 'discarded', 'all'], default: 'open' }),
            limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
            after: Type.Optional(Type.Integer({ minimum: 0, description: 'the next value of the previous page' })),
          },
          { additionalProperties: false },
        ),
        response: responses(
          { 200: Type.Object({ deadLetters: Type.Array(LetterSummary), next: Type.Union([Type.Integer(), Type.Null()], { description: 'after= for the next page, or null' }) }) },
          [400, ...AUTH_ERRORS],
        ),
      },
      preHandler: ctx.guard(OPS),
    },
    async (request) => {
      const { pipeline, status, limit, after } = request.query;
      const page = await deadLetterPage(store, { pipeline, status: status === 'all' ? undefined : (status as DeadLetter['status']), limit, afterId: after });
      return { deadLetters: page.letters.map(withoutPayload), next: page.next };
    },
  );

  app.get(
    '/api/dead-letters/:id',
    {
      schema: { summary: 'one dead letter with its payload (keel dlq show)', tags: ['ops'], security: securityOf(OPS), params: LetterId, response: responses({ 200: Letter }, [400, ...AUTH_ERRORS, 404]) },
      preHandler: ctx.guard(OPS),
    },
    async (request, reply) => {
      const letter = await store.getDeadLetter(request.params.id);
      if (letter === undefined) return reply.code(404).send({ error: 'dead_letter_unknown', message: `no dead letter ${request.params.id}` });
      return letter;
    },
  );

  app.post(
    '/api/dead-letters/:id/replay',
    {
      schema: {
        summary: 'send an open dead letter through its pipeline again (keel dlq replay), answering when the replay ended',
        tags: ['ops'],
        security: securityOf(OPS),
        params: LetterId,
        response: responses({ 200: Type.Object({ replayed: Type.Boolean({ description: 'false: it failed again (the letter is open, with the new reason)' }), run: RunSummarySchema }) }, [
          400,
          ...AUTH_ERRORS,
          404,
          409,
        ]),
      },
      preHandler: ctx.guard(OPS),
    },
    async (request, reply) => {
      const letter = await store.getDeadLetter(request.params.id);
      if (letter === undefined) return reply.code(404).send({ error: 'dead_letter_unknown', message: `no dead letter ${request.params.id}` });
      if (letter.status !== 'open') return reply.code(409).send({ error: 'dead_letter_not_open', message: `dead letter ${letter.id} is ${letter.status}, not open` });
      const plan = ctx.project.plan.pipelines.find((candidate) => candidate.name === letter.pipeline);
      if (plan === undefined) return reply.code(409).send({ error: 'pipeline_unknown', message: `dead letter ${letter.id} is of pipeline ${letter.pipeline}, which the project no longer has` });
      const run = await (await ctx.runs.start(plan, [letter])).done;
      return { replayed: run.replayed?.includes(letter.id) === true, run };
    },
  );

  app.put(
    '/api/dead-letters/:id/payload',
    {
      schema: {
        summary: 'correct an open dead letter before replaying it: its payload is replaced, the payload as it failed is kept as originalPayload',
        tags: ['ops'],
        security: securityOf(OPS),
        params: LetterId,
        body: Type.Object({ payload: Type.String({ minLength: 1, description: 'the corrected record, as JSON text (or raw text for a decode failure)' }) }, { additionalProperties: false }),
        response: responses({ 200: Letter }, [400, ...AUTH_ERRORS, 404, 409]),
      },
      preHandler: ctx.guard(OPS),
    },
    async (request, reply) => {
      const correction = await correctDeadLetter(store, request.params.id, request.body.payload);
      if ('corrected' in correction) return correction.corrected;
      const status = { dead_letter_unknown: 404, dead_letter_not_open: 409, payload_not_object: 400 }[correction.refused];
      return reply.code(status).send({ error: correction.refused === 'payload_not_object' ? 'invalid_request' : correction.refused, message: correction.message });
    },
  );

  app.post(
    '/api/dead-letters/:id/discard',
    {
      schema: {
        summary: 'mark an open dead letter handled without replaying it (keel dlq discard)',
        tags: ['ops'],
        security: securityOf(OPS),
        params: LetterId,
        response: responses({ 200: Type.Object({ id: Type.Integer(), status: Type.Literal('discarded') }) }, [400, ...AUTH_ERRORS, 404, 409]),
      },
      preHandler: ctx.guard(OPS),
    },
    async (request, reply) => {
      const letter = await store.getDeadLetter(request.params.id);
      if (letter === undefined) return reply.code(404).send({ error: 'dead_letter_unknown', message: `no dead letter ${request.params.id}` });
      if (letter.status !== 'open') return reply.code(409).send({ error: 'dead_letter_not_open', message: `dead letter ${letter.id} is ${letter.status}, not open` });
      await store.setDeadLetterStatus([letter.id], 'discarded');
      return { id: letter.id, status: 'discarded' as const };
    },
  );
}

