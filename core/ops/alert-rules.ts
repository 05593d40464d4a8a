import routing from '../../engines/routing/index.js';
import type { JsonObject } from '../json.js';
import type { OpenProject } from '../project/open-project.js';
import type { AlertCondition, AlertRulePlan } from './alerts-config.js';
import { lastFinishedRun, lastSuccessAt, type OpsState } from './ops-state.js';

/** A condition that holds at the moment: one subject of one rule, with the facts a message is rendered from. */
export interface Finding {
  subject: string;
  facts: JsonObject;
}

/**
 * What a rule finds in the state: the subjects whose condition holds, and for a subject no
 * longer among them, the facts to resolve it with (undefined: the rule cannot tell this time,
 * keep the incident open).
 */
export interface RuleVerdict {
  findings: Finding[];
  cleared(subject: string): JsonObject | undefined;
}

export interface RuleContext {
  project: OpenProject;
  state: OpsState;
  /** When the monitor started (epoch ms): a pipeline that never completed a run counts from then. */
  since: number;
}

/** Held order parts read per evaluation, oldest first: more than this and only these are judged. */
const HELD_READ = 500;
const ERROR_CHARS = 300;

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

export async function judgeRule(rule: AlertRulePlan, context: RuleContext): Promise<RuleVerdict> {
  const { state } = context;
  const condition: AlertCondition = rule.condition;
  const kind = condition.kind;
  switch (condition.kind) {
    case 'run_failed': {
      const findings: Finding[] = [];
      for (const pipeline of condition.pipelines ?? state.pipelines) {
        const last = lastFinishedRun(state, pipeline);
        if (last?.status !== 'failed') continue;
        const error = (await context.project.store.getRun(last.id))?.error;
        findings.push({ subject: pipeline, facts: { kind, pipeline, run: last.id, status: last.status, ...(error != null ? { error: error.slice(0, ERROR_CHARS) } : {}) } });
      }
      return {
        findings,
        cleared: (pipeline) => {
          const last = lastFinishedRun(state, pipeline);
          return { kind, pipeline, run: last?.id ?? null, status: last?.status ?? null };
        },
      };
    }
    case 'dead_letters_above': {
      const open = (pipeline: string): number => state.openDeadLetters.get(pipeline) ?? 0;
      const pipelines = condition.pipelines ?? state.pipelines;
      return {
        findings: pipelines.filter((pipeline) => open(pipeline) > condition.limit).map((pipeline) => ({ subject: pipeline, facts: { kind, pipeline, open: open(pipeline), limit: condition.limit } })),
        cleared: (pipeline) => ({ kind, pipeline, open: open(pipeline), limit: condition.limit }),
      };
    }
    case 'no_success_for': {
      const pipelines = condition.pipelines ?? context.project.plan.pipelines.map((pipeline) => pipeline.name);
      const findings: Finding[] = [];
      for (const pipeline of pipelines) {
        const last = lastSuccessAt(state, pipeline);
        if (state.now - (last ?? context.since) <= condition.ms) continue;
        findings.push({ subject: pipeline, facts: { kind, pipeline, last_success_at: iso(last), limit_seconds: condition.ms / 1000 } });
      }
      return { findings, cleared: (pipeline) => ({ kind, pipeline, last_success_at: iso(lastSuccessAt(state, pipeline)) }) };
    }
    case 'order_held_for': {
      const engine = context.project.engines.get(routing);
      if (engine === undefined) return { findings: [], cleared: () => undefined };
      const held = await engine.store.held(HELD_READ);
      const since = new Map<string, { at: number; hold: string | undefined }>();
      for (const request of held) if (!since.has(request.order_key)) since.set(request.order_key, { at: request.created_at, hold: request.note });
      const findings = [...since]
        .filter(([, hold]) => state.now - hold.at > condition.ms)
        .map(([order, hold]) => ({ subject: order, facts: { kind, order, held_since: iso(hold.at), hold: hold.hold ?? null, limit_seconds: condition.ms / 1000 } }));
      // A full page may leave out orders held later than its last: only a complete read can say one is no longer held.
      const complete = held.length < HELD_READ;
      return { findings, cleared: (order) => (complete || since.has(order) ? { kind, order } : undefined) };
    }
    case 'drift_skus_above': {
      if (state.drift === undefined) return { findings: [], cleared: () => undefined };
      const skus = new Map(state.drift.map((row) => [row.channel, row]));
      const channels = condition.channels ?? [...skus.keys()];
      return {
        findings: channels
          .filter((channel) => (skus.get(channel)?.skus ?? 0) > condition.limit)
          .map((channel) => ({ subject: channel, facts: { kind, channel, skus: skus.get(channel)?.skus ?? 0, units: skus.get(channel)?.units ?? 0, limit: condition.limit } })),
        cleared: (channel) => ({ kind, channel, skus: skus.get(channel)?.skus ?? 0, units: skus.get(channel)?.units ?? 0, limit: condition.limit }),
      };
    }
  }
}
