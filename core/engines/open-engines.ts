import type { TSchema } from '@sinclair/typebox';
import { KeelError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { AnyEngineDefinition, EngineDefinition, Engines, StateLocation } from '../sdk/engine.js';
import type { EngineConfigs } from './load-sections.js';

export interface OpenEnginesInput {
  /** Every engine of the build, in dependency order; those keel.yaml configures are opened. */
  definitions: readonly AnyEngineDefinition[];
  configs: EngineConfigs;
  projectDir: string;
  state: StateLocation;
  logger: Logger;
}

/** The project's engines, opened in dependency order and closed in reverse. */
export class OpenEngines implements Engines {
  private constructor(private readonly open: Map<string, { definition: AnyEngineDefinition; instance: unknown }>) {}

  /** No engine at all: a project without engine sections, or a test of the runner alone. */
  static none(): OpenEngines {
    return new OpenEngines(new Map());
  }

  static open(input: OpenEnginesInput): OpenEngines {
    const open = new Map<string, { definition: AnyEngineDefinition; instance: unknown }>();
    const engines = new OpenEngines(open);
    try {
      for (const definition of input.definitions) {
        if (!input.configs.has(definition.name)) continue;
        const instance = definition.open(input.configs.get(definition.name), {
          projectDir: input.projectDir,
          state: input.state,
          logger: input.logger,
          engine: <Instance>(needed: EngineDefinition<TSchema, unknown, Instance>): Instance => {
            const found = open.get(needed.name);
            if (found === undefined) throw new Error(`engine ${definition.name} asked for ${needed.name} before it was opened; declare it in needs`);
            return found.instance as Instance;
          },
        });
        open.set(definition.name, { definition, instance });
      }
    } catch (error) {
      void engines.close();
      throw error;
    }
    return engines;
  }

  get<Instance>(engine: EngineDefinition<TSchema, unknown, Instance>): Instance | undefined {
    return this.open.get(engine.name)?.instance as Instance | undefined;
  }

  require<Instance>(engine: EngineDefinition<TSchema, unknown, Instance>, neededBy: string): Instance {
    const found = this.open.get(engine.name);
    if (found === undefined) {
      throw new KeelError('config', `${neededBy} needs ${/^[aeiou]/.test(engine.name) ? 'an' : 'a'} ${engine.name}: section in keel.yaml (${engine.description})`, {
        code: `${engine.name}_missing`,
        stage: engine.name,
      });
    }
    return found.instance as Instance;
  }

  /** Names of the open engines, in the order they were opened. */
  names(): string[] {
    return [...this.open.keys()];
  }

  /** Closes every engine, the last opened first; the first failure is thrown once all had their turn. */
  async close(): Promise<void> {
    const opened = [...this.open.values()].reverse();
    this.open.clear();
    let failure: unknown;
    for (const { definition, instance } of opened) {
      try {
        await definition.close(instance);
      } catch (error) {
        failure ??= error;
      }
    }
    if (failure !== undefined) throw failure;
  }
}
