import type { SourcePlan, TargetPlan } from '../config/plan.js';
import type { Logger } from '../logger.js';
import type { ConnectorState, ReadContext } from '../sdk/connector.js';
import { connectionInbox } from '../state/webhook-inbox.js';
import type { RunContext } from './run-context.js';

/** What a connector is handed for reading and for writing alike. */
export type StreamContext = Omit<ReadContext, 'cursor' | 'sync'>;

/** The context a source reads in or a target writes in, less what only a read or a write takes. */
export function streamContext(run: RunContext, stream: SourcePlan | TargetPlan, config: unknown, state: ConnectorState, logger: Logger): StreamContext {
  return {
    config,
    options: stream.options,
    connection: stream.connection.name,
    stream: stream.stream,
    logger,
    state,
    signal: run.abort ?? new AbortController().signal,
    stopping: run.stop,
    projectDir: run.projectDir,
    engines: run.engines,
    dryRun: run.dryRun,
    // A dry run's reads are real requests too: they count in the account's shared budget.
    rates: run.store.rates,
    inbox: connectionInbox(run.store.webhooks, stream.connection.name),
  };
}
