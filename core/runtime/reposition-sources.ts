import type { PipelinePlan, ProjectPlan, SourcePlan } from '../config/plan.js';
import { suggest } from '../config/schema-check.js';
import { KeelError } from '../errors.js';
import type { JsonValue } from '../json.js';
import type { Logger } from '../logger.js';
import type { StateStore } from '../state/state-store.js';
import { describePosition } from './describe-position.js';
import { takeLease } from './lease.js';

/** A source's position before a reset or backfill changed it. */
export interface Repositioned {
  pipeline: string;
  source: string;
  /** What it was, as `keel state cursors` says it, and as stored (null: it had none). */
  was: string;
  wasCheckpoint: JsonValue | null;
}

/**
 * Forgets where one source (or every source) of a pipeline stands, so the next run reads it from
 * the start. Records delivered before are still in the effect ledger: they come again as
 * duplicates and are not sent twice. Holds the pipeline's lease meanwhile, so a run cannot
 * commit a position over the reset; a pipeline that is running is refused (`pipeline_busy`).
 */
export async function resetSources(store: StateStore, plan: ProjectPlan, pipeline: string, source: string | undefined, logger: Logger): Promise<Repositioned[]> {
  const known = await knownPipeline(store, plan, pipeline);
  if (source !== undefined) await knownSource(store, known, pipeline, source);
  return withLease(store, pipeline, logger, async () => {
    const before = await store.positions.list({ pipeline });
    const forgotten = await store.positions.reset(pipeline, source);
    return before.filter((position) => forgotten.includes(position.source)).map((position) => ({
      pipeline,
      source: position.source,
      was: describePosition(position.checkpoint, position.skip),
      wasCheckpoint: position.checkpoint,
    }));
  });
}

/** A source's new position after a backfill. */
export interface Backfilled extends Repositioned {
  now: string;
  checkpoint: JsonValue;
}

/**
 * Puts an incremental source at the position its connector makes of `value` (an ISO time for a
 * stream read by updated-at), so the next run reads from there. The stream must say how
 * (`read.backfill`); one that cannot is refused, naming the pipeline and source.
 */
export async function backfillSource(store: StateStore, plan: ProjectPlan, pipeline: string, sourceName: string | undefined, value: string, logger: Logger): Promise<Backfilled> {
  const known = plan.pipelines.find((candidate) => candidate.name === pipeline);
  if (known === undefined) throw unknownPipeline(plan, pipeline);
  const source = sourceToBackfill(known, sourceName);
  const where = `source ${source.name} of pipeline ${pipeline} (connector ${source.connection.entry.definition.name}, stream ${source.stream})`;
  if (source.sync !== 'incremental') {
    throw new KeelError('config', `${where} syncs in full: every run reads it from the start, so there is nothing to backfill; set sync: incremental to read from a position`, { code: 'backfill_full_sync', stage: 'state' });
  }
  const backfill = source.read.backfill;
  if (backfill === undefined) {
    throw new KeelError('config', `${where} cannot backfill: its stream cannot start from a value; use keel state reset ${pipeline} --stream ${source.name} to read it from the start`, {
      code: 'backfill_unsupported',
      stage: 'state',
    });
  }
  const made = backfill.checkpointFrom(value, source.options);
  if ('problem' in made) throw new KeelError('config', `cannot backfill ${where}: ${made.problem}; give ${backfill.accepts}`, { code: 'backfill_value', stage: 'state' });
  return withLease(store, pipeline, logger, async () => {
    const before = (await store.positions.list({ pipeline })).find((position) => position.source === source.name);
    await store.positions.set(pipeline, source.name, { checkpoint: made.checkpoint, skip: 0 });
    return {
      pipeline,
      source: source.name,
      was: before === undefined ? 'start' : describePosition(before.checkpoint, before.skip),
      wasCheckpoint: before?.checkpoint ?? null,
      now: describePosition(made.checkpoint, 0),
      checkpoint: made.checkpoint,
    };
  });
}

/** Runs `change` holding the pipeline's lease (so no run is under way), and releases it after. */
async function withLease<T>(store: StateStore, pipeline: string, logger: Logger, change: () => Promise<T>): Promise<T> {
  const lease = await takeLease(store, pipeline, false, logger);
  try {
    return await change();
  } finally {
    await lease.release();
  }
}

/** A pipeline of the project, or one whose positions the state still holds (a pipeline since removed). */
async function knownPipeline(store: StateStore, plan: ProjectPlan, pipeline: string): Promise<PipelinePlan | undefined> {
  const known = plan.pipelines.find((candidate) => candidate.name === pipeline);
  if (known !== undefined) return known;
  if ((await store.positions.list({ pipeline })).length > 0) return undefined;
  throw unknownPipeline(plan, pipeline);
}

async function knownSource(store: StateStore, pipeline: PipelinePlan | undefined, name: string, source: string): Promise<void> {
  const names = new Set([...(pipeline?.sources.map((candidate) => candidate.name) ?? []), ...(await store.positions.list({ pipeline: name })).map((position) => position.source)]);
  if (!names.has(source)) throw unknownSource(name, source, [...names]);
}

function sourceToBackfill(pipeline: PipelinePlan, name: string | undefined): SourcePlan {
  const names = pipeline.sources.map((source) => source.name);
  if (name === undefined) {
    if (pipeline.sources.length === 1) return pipeline.sources[0] as SourcePlan;
    throw new KeelError('config', `pipeline ${pipeline.name} has ${names.length} sources; say which with --stream (one of: ${names.join(', ')})`, { code: 'source_unnamed', stage: 'state' });
  }
  const source = pipeline.sources.find((candidate) => candidate.name === name);
  if (source === undefined) throw unknownSource(pipeline.name, name, names);
  return source;
}

export function unknownPipeline(plan: ProjectPlan, pipeline: string): KeelError {
  const names = plan.pipelines.map((candidate) => candidate.name);
  const hint = suggest(pipeline, names);
  return new KeelError('config', `no pipeline ${pipeline} in this project${hint !== undefined ? `; did you mean ${hint}?` : `; pipelines: ${names.join(', ')}`}`, {
    code: 'pipeline_unknown',
    stage: 'state',
  });
}

function unknownSource(pipeline: string, source: string, names: readonly string[]): KeelError {
  const hint = suggest(source, names);
  return new KeelError('config', `pipeline ${pipeline} has no source ${source}${hint !== undefined ? `; did you mean ${hint}?` : `; its sources: ${names.join(', ')}`}`, {
    code: 'source_unknown',
    stage: 'state',
  });
}
