import { existsSync } from 'node:fs';
import { loadProject, type LoadedProject, type LoadOptions } from '../config/load-project.js';
import { OpenEngines } from '../engines/open-engines.js';
import { builtInEngines } from '../engines/registry.js';
import { createLogger, type Logger } from '../logger.js';
import { Redactor } from '../redact.js';
import type { RunOptions } from '../runtime/run-pipeline.js';
import type { StateLocation } from '../sdk/engine.js';
import { openStateStore } from '../state/open-state-store.js';
import type { StateStore } from '../state/state-store.js';

export interface OpenProjectOptions extends LoadOptions {
  /** Where the project's logs go (default: warnings to stderr as text). */
  logger?: Logger;
  /** The redactor the logger masks secrets with, so values resolved at run time are masked too. */
  redactor?: Redactor;
  /** Keep state here instead of where keel.yaml says (a bench on a copy). */
  state?: StateLocation;
  /** Open no engine: commands that read the run history need none. */
  withoutEngines?: boolean;
}

/** An open project: its plan, its state store and its engines, and how to close them all. */
export interface OpenProject extends LoadedProject {
  store: StateStore;
  engines: OpenEngines;
  logger: Logger;
  redactor: Redactor;
  /** What `runPipeline` needs to run one of this project's pipelines here. */
  runOptions(): Pick<RunOptions, 'store' | 'logger' | 'redactor' | 'projectDir' | 'engines'>;
  /** Closes the engines (the last opened first), then the state store. */
  close(): Promise<void>;
}

/**
 * The one composition root: loads keel.yaml and the pipelines (validating everything offline),
 * opens the state store from the driver keel.yaml names and every engine keel.yaml configures, in
 * dependency order. The CLI, the test helpers and the bench open projects only through here.
 */
export async function openProject(path: string, options: OpenProjectOptions = {}): Promise<OpenProject> {
  return openLoaded(await loadProject(path, options), options);
}

/**
 * The project's run history and dead letters, for commands that only read or mark them (`keel
 * runs`, `keel dlq`): no engine is opened, and nothing is created when no run has happened yet.
 */
export async function openProjectHistory(path: string, options: OpenProjectOptions = {}): Promise<OpenProject | undefined> {
  const loaded = await loadProject(path, options);
  if (!existsSync((options.state ?? loaded.plan.state).path)) return undefined;
  return openLoaded(loaded, { ...options, withoutEngines: true });
}

async function openLoaded(loaded: LoadedProject, options: OpenProjectOptions): Promise<OpenProject> {
  const redactor = options.redactor ?? new Redactor();
  const logger = options.logger ?? createLogger({ level: 'warn', format: 'text', redactor });
  const state = options.state ?? loaded.plan.state;
  const plan = { ...loaded.plan, state, statePath: state.path };
  const store = openStateStore(state);
  let engines: OpenEngines;
  try {
    engines =
      options.withoutEngines === true
        ? OpenEngines.none()
        : OpenEngines.open({ definitions: await builtInEngines(), configs: plan.engines, projectDir: plan.dir, state, logger });
  } catch (error) {
    await store.close();
    throw error;
  }
  return {
    ...loaded,
    plan,
    store,
    engines,
    logger,
    redactor,
    runOptions: () => ({ store, logger, redactor, projectDir: plan.dir, engines }),
    close: async () => {
      try {
        await engines.close();
      } finally {
        await store.close();
      }
    },
  };
}
