import { Type, type Static, type TObject, type TSchema } from '@sinclair/typebox';
import { ServeSection } from '../serve/serve-config.js';
import { AlertsSchema } from '../ops/alerts-schema.js';

/**
 * The shape of pipeline and project files. Connector configs, stream options and step configs
 * are checked against their own schemas in a second pass, so messages can name the connector.
 * `keel schema pipeline` prints these (with the step schemas folded in) for editors.
 */
const NAME_PATTERN = '^[a-z0-9][a-z0-9_-]*$';
const Name = Type.String({ pattern: NAME_PATTERN, description: 'lower-case letters, digits, - and _' });
/** A map keyed by names: TypeBox's pattern-keyed Record would let other keys through, so say it explicitly. */
const NamedMap = <T extends TSchema>(value: T) => Type.Record(Type.String(), value, { propertyNames: { pattern: NAME_PATTERN } });

export const RetryPolicySchema = Type.Object(
  {
    max_attempts: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 5 })),
    initial_delay_ms: Type.Optional(Type.Integer({ minimum: 0, default: 200 })),
    max_delay_ms: Type.Optional(Type.Integer({ minimum: 0, default: 30_000 })),
  },
  { additionalProperties: false },
);

export const OnErrorSchema = Type.Object(
  {
    retry: Type.Optional(RetryPolicySchema),
    max_dead_letters: Type.Optional(
      Type.Integer({ minimum: 0, description: 'Fail the run once more records than this were dead-lettered.' }),
    ),
    target_down_after_ms: Type.Optional(
      Type.Integer({
        minimum: 0,
        default: 60_000,
        description: 'Stop the run when a target has written nothing for this long (it is down); the batch in hand is written by the next run.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const ConnectionSchema = Type.Object(
  {
    connector: Type.String({ description: 'Built-in name, npm package (keel-connector-*) or relative path (./my-connector.js)' }),
    config: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false },
);

export const SourceSchema = Type.Object(
  {
    name: Type.Optional(Name),
    connection: Type.String(),
    stream: Type.String(),
    sync: Type.Optional(Type.Union([Type.Literal('full'), Type.Literal('incremental')], { default: 'incremental' })),
    options: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  },
  { additionalProperties: false },
);

export const TargetSchema = Type.Object(
  {
    name: Type.Optional(Name),
    connection: Type.String(),
    stream: Type.String(),
    options: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
    key: Type.Optional(
      Type.String({
        description:
          'What identifies a record for this target, as a template of its fields, e.g. "order-{{id}}" (default: the stream\'s primary key, else a hash of the content). ' +
          'Each key is delivered once: a record whose key was delivered with the same content is skipped as a duplicate, one with other content follows on_change. ' +
          'Works on every target; file and SFTP targets also keep their batch names, so a batch written again after a crash holds the same records.',
      }),
    ),
    on_change: Type.Optional(
      Type.Union([Type.Literal('skip'), Type.Literal('send'), Type.Literal('dead_letter')], {
        // No JSON Schema default: the stream decides it (HTTP PUT and PATCH send).
        description:
          'A record whose key was delivered before with other content: dead_letter (the default) holds it in the dead-letter queue with a diff for a person to replay (send) or discard; ' +
          'send delivers it again as an update (the default for HTTP PUT and PATCH); skip drops it as a duplicate. Needs key: or a stream primary key.',
      }),
    ),
    delivery: Type.Optional(
      Type.Union([Type.Literal('effectively_once'), Type.Literal('at_least_once')], { default: 'effectively_once' }),
    ),
  },
  { additionalProperties: false },
);

export const StepSchema = Type.Record(Type.String(), Type.Unknown(), { minProperties: 1, maxProperties: 1 });

const CronSchema = Type.String({ minLength: 1, description: 'cron: five fields (minute hour day-of-month month day-of-week) or six with seconds first' });

/** What a pipeline's schedule may set and keel.yaml's `schedule:` sets for every pipeline. */
const ScheduleDefaults = {
  timezone: Type.Optional(Type.String({ minLength: 1, description: 'IANA time zone the cron fields are read in, e.g. Europe/Berlin (default UTC)' })),
  jitter_seconds: Type.Optional(
    Type.Integer({ minimum: 0, maximum: 86_400, description: 'start each fire up to this many seconds later, the same delay for a fire on every scheduler (default 0)' }),
  ),
  misfire: Type.Optional(
    Type.Union([Type.Literal('skip'), Type.Literal('run_once')], { description: 'fires missed while no scheduler ran: skip them (default) or run_once to make up for them with one run' }),
  ),
};

export const PipelineSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    name: Name,
    description: Type.Optional(Type.String()),
    schedule: Type.Optional(
      Type.Union([CronSchema, Type.Object({ cron: CronSchema, ...ScheduleDefaults }, { additionalProperties: false })], {
        description: 'when `keel schedule` and `keel serve` start this pipeline: a cron expression, or { cron, timezone, jitter_seconds, misfire }',
      }),
    ),
    after: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), {
        uniqueItems: true,
        description: 'pipelines this one runs after when they run together (e.g. stock before routing); without a schedule of its own, the scheduler runs it after each scheduled run of those',
      }),
    ),
    connections: Type.Optional(NamedMap(ConnectionSchema)),
    source: Type.Optional(SourceSchema),
    sources: Type.Optional(Type.Array(SourceSchema, { minItems: 1 })),
    steps: Type.Optional(Type.Array(StepSchema)),
    targets: Type.Array(TargetSchema, { minItems: 1 }),
    batch_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
    on_error: Type.Optional(OnErrorSchema),
  },
  { additionalProperties: false },
);

/** keel.yaml without the engines' sections; `projectSchema` adds one per engine. */
export const ProjectBaseSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    name: Name,
    description: Type.Optional(Type.String()),
    connections: Type.Optional(NamedMap(ConnectionSchema)),
    pipelines: Type.Optional(Type.String({ description: 'glob of pipeline files, default pipelines/*.yaml' })),
    state: Type.Optional(
      Type.Object(
        {
          driver: Type.Optional(Type.Literal('sqlite', { default: 'sqlite', description: 'where state is kept: sqlite (a file)' })),
          path: Type.Optional(Type.String({ minLength: 1, default: '.keel/state.db', description: 'the state file, relative to the project (KEEL_STATE overrides it)' })),
        },
        { additionalProperties: false },
      ),
    ),
    schedule: Type.Optional(Type.Object(ScheduleDefaults, { additionalProperties: false, description: 'defaults for every pipeline schedule: timezone, jitter_seconds, misfire' })),
    serve: Type.Optional(ServeSection),
    retention: Type.Optional(
      Type.Object(
        {
          runs_days: Type.Optional(
            Type.Integer({ minimum: 1, default: 90, description: 'keep run history (with per-step counts, errors and files) this many days; the newest run and newest success of each pipeline stay' }),
          ),
          dead_letters_days: Type.Optional(
            Type.Integer({ minimum: 1, default: 30, description: 'keep replayed and discarded dead letters this many days after they were handled; open ones are never pruned' }),
          ),
          ledger_days: Type.Optional(
            Type.Integer({
              minimum: 1,
              description:
                'forget delivered keys this many days after their delivery; default: kept for ever. A record a source reads again after its key is forgotten is sent again, so set it longer than any source could re-read a record (a full sync re-reads everything). Unsettled and in-doubt entries are always kept',
            }),
          ),
        },
        { additionalProperties: false, description: 'what `keel state prune` (and `keel serve`, once a day) forgets' },
      ),
    ),
    defaults: Type.Optional(
      Type.Object(
        { batch_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })), on_error: Type.Optional(OnErrorSchema) },
        { additionalProperties: false },
      ),
    ),
    alerts: Type.Optional(AlertsSchema),
  },
  { additionalProperties: false },
);

/** keel.yaml's schema: the base, plus each engine's section under its name (`inventory:`, `routing:`). */
export function projectSchema(engines: readonly { name: string; section: TSchema }[]): TObject {
  const sections = Object.fromEntries(engines.map((engine) => [engine.name, Type.Optional(engine.section)]));
  return Type.Object({ ...ProjectBaseSchema.properties, ...sections }, { additionalProperties: false });
}

export type PipelineDocument = Static<typeof PipelineSchema>;
/** keel.yaml as checked: the base fields, and engine sections by name (each checked by its engine). */
export type ProjectDocument = Static<typeof ProjectBaseSchema> & Record<string, unknown>;
export type ConnectionDocument = Static<typeof ConnectionSchema>;
export type SourceDocument = Static<typeof SourceSchema>;
export type TargetDocument = Static<typeof TargetSchema>;
