import { createHash } from 'node:crypto';
import type { PipelinePlan } from '../config/plan.js';

/**
 * The pipelines one fire instant starts: those whose schedule names it, then every pipeline
 * without a schedule of its own that runs `after` one of them (and so on down the chain). Each
 * member waits for the members it names in `after`; the rest start at the instant (plus jitter).
 */
export interface FireWave {
  fireAt: Date;
  /** In the project's order, which already puts each pipeline after those it names. */
  members: PipelinePlan[];
  /** For each member, the members it waits for. */
  waitsFor: Map<string, string[]>;
}

export function fireWave(pipelines: readonly PipelinePlan[], due: ReadonlySet<string>, fireAt: Date): FireWave {
  const inWave = new Set(due);
  // The plan lists pipelines in `after` order, so one pass down the list follows every chain.
  for (const pipeline of pipelines) {
    if (pipeline.schedule === undefined && pipeline.after.some((name) => inWave.has(name))) inWave.add(pipeline.name);
  }
  const members = pipelines.filter((pipeline) => inWave.has(pipeline.name));
  const waitsFor = new Map(members.map((pipeline) => [pipeline.name, pipeline.after.filter((name) => inWave.has(name))]));
  return { fireAt, members, waitsFor };
}

/** The delay a fire of a pipeline starts with: the same on every scheduler, spread over [0, jitterMs). */
export function jitterFor(pipeline: string, fireAt: Date, jitterMs: number): number {
  if (jitterMs <= 0) return 0;
  const digest = createHash('sha256').update(`${pipeline}@${fireAt.toISOString()}`).digest();
  return digest.readUInt32BE(0) % jitterMs;
}
