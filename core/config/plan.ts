import type { ScheduleSpec } from '../schedule/cron-schedule.js';
import type { ConnectorEntry } from '../connectors/registry.js';
import type { IdempotencyScope, OnChange, ReadCapability, StreamDefinition, SyncMode, WriteCapability } from '../sdk/connector.js';
import type { StepDefinition } from '../sdk/step.js';
import type { TSchema } from '@sinclair/typebox';
import type { YamlPath, YamlSource } from './yaml-source.js';
import type { EngineConfigs } from '../engines/load-sections.js';
import type { StateLocation } from '../sdk/engine.js';
import type { ServeSettings } from '../serve/serve-config.js';
import type { Retention } from '../state/prune-state.js';
import type { AlertsPlan } from '../ops/alerts-config.js';

/** A loaded, validated pipeline: everything the runner needs, nothing it must look up by string. */
export interface ConnectionPlan {
  name: string;
  entry: ConnectorEntry;
  /** Config as written: `${env:…}` references are resolved only when a run starts. */
  config: Record<string, unknown>;
  source: YamlSource;
  path: YamlPath;
}

export interface SourcePlan {
  name: string;
  connection: ConnectionPlan;
  stream: string;
  definition: StreamDefinition;
  read: ReadCapability<unknown, TSchema>;
  sync: SyncMode;
  options: Record<string, unknown>;
}

export interface StepPlan {
  index: number;
  type: string;
  config: Record<string, unknown>;
  definition: StepDefinition;
}

export interface TargetPlan {
  name: string;
  connection: ConnectionPlan;
  stream: string;
  definition: StreamDefinition;
  /** The stream's write capability, its idempotency decided for this target's options. */
  write: Omit<WriteCapability<unknown, TSchema>, 'idempotency' | 'onChange'> & { idempotency: IdempotencyScope };
  options: Record<string, unknown>;
  /** `order-{{id}}`: fields in double braces; undefined means primary key, else content hash. */
  keyTemplate: string | undefined;
  /**
   * What names a record for this target: its key template, the stream's primary key (both say
   * which records are versions of one, so a change can be told from a duplicate), or its content.
   */
  keyedBy: 'template' | 'primary_key' | 'content';
  /** What a changed version of a record delivered before does (decided even where keyedBy is content, then moot). */
  onChange: OnChange;
  delivery: 'effectively_once' | 'at_least_once';
}

export interface RetryPolicy {
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

export interface PipelinePlan {
  name: string;
  file: string;
  description: string | undefined;
  /** When the scheduler starts it (none: only by hand, or after the pipelines it names in `after`). */
  schedule: ScheduleSpec | undefined;
  /** Pipelines this one runs after when they run together. */
  after: string[];
  sources: SourcePlan[];
  steps: StepPlan[];
  targets: TargetPlan[];
  batchSize: number;
  retry: RetryPolicy;
  maxDeadLetters: number | undefined;
  /** A target that writes nothing for this long stops the run (the circuit breaker). */
  targetDownAfterMs: number;
}

export interface ProjectPlan {
  dir: string;
  name: string;
  /** keel.yaml, when the project has one. */
  file: string | undefined;
  /** Where state is kept (keel.yaml `state:`, or KEEL_STATE). */
  state: StateLocation;
  /** The state file's path: `state.path`. */
  statePath: string;
  pipelines: PipelinePlan[];
  /** keel.yaml `serve:` with its defaults (see core/serve/serve-config.ts). */
  serve: ServeSettings;
  /** What keel.yaml configures of each engine (`inventory:`, `routing:`), by engine name: `engineConfig(plan.engines, inventory)`. */
  engines: EngineConfigs;
  /** How long the state keeps runs, handled dead letters and delivered keys (keel.yaml `retention:`). */
  retention: Retention;
  /** keel.yaml `alerts:`, checked (core/ops/alerts-config.ts); undefined without one. */
  alerts?: AlertsPlan | undefined;
}

export const DEFAULT_BATCH_SIZE = 1000;
export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 5, initialDelayMs: 200, maxDelayMs: 30_000 };
export const DEFAULT_TARGET_DOWN_AFTER_MS = 60_000;
