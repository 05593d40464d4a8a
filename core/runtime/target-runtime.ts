import type { TargetPlan } from '../config/plan.js';
import type { ConnectorState } from '../sdk/connector.js';
import { connectorState } from './connector-state.js';
import { compileRecordKey, type KeyFunction } from './record-key.js';
import type { RunContext } from './run-context.js';

/** One target during a run: its plan, resolved config, key function and batch counter, and whether it is failing. */
export interface TargetRuntime {
  plan: TargetPlan;
  config: unknown;
  keyOf: KeyFunction;
  /** Where the effect ledger remembers its records by key, or undefined: nowhere (see ledgerScopeOf). */
  ledgerScope: string | undefined;
  /**
   * Accepted records enter the ledger as their answers arrive, not with the batch commit: only
   * where the ledger is per record and not tied to the batch's file.
   */
  recordsAnswers: boolean;
  /** Sends are marked in flight per record (the connector reports each, an API), else the batch as a whole. */
  marksEachSend: boolean;
  sequence: number;
  state: ConnectorState;
  /** The circuit breaker: since when no write to this target succeeded, and its last error. */
  failingSince?: number;
  lastError?: string;
}

export async function openTargets(run: RunContext, connections: ReadonlyMap<string, unknown>): Promise<TargetRuntime[]> {
  const targets: TargetRuntime[] = [];
  for (const target of run.plan.targets) {
    const ledgerScope = ledgerScopeOf(target);
    const recordsAnswers = target.write.idempotency !== 'batch' && ledgerScope !== undefined;
    targets.push({
      plan: target,
      config: connections.get(target.connection.name),
      keyOf: compileRecordKey(target.keyTemplate, target.definition.primaryKey),
      ledgerScope,
      recordsAnswers,
      marksEachSend: recordsAnswers && target.write.perRecordProgress === true,
      sequence: await run.store.lastSequence(run.plan.name, target.name),
      state: connectorState(run.store, target.connection.name),
    });
  }
  return targets;
}

/**
 * Where a target's records are remembered in the effect ledger, per key:
 * - record-scoped targets (and at-least-once ones with a key): under the target's name, each
 *   entry recorded as the target's answer arrives;
 * - batch-scoped targets (files) with a key: under `<target>/records`, only with the batch's
 *   commit, so that a batch written again after a crash drops the same records and its file is
 *   rewritten with the same content under its deterministic name;
 * - otherwise nowhere: the batch ledger (files) is the only record.
 */
function ledgerScopeOf(target: TargetPlan): string | undefined {
  const scope = target.write.idempotency;
  if (scope === 'batch') return target.keyedBy === 'content' ? undefined : `${target.name}/records`;
  if (scope === 'none' && target.keyedBy === 'content') return undefined;
  return target.name;
}
