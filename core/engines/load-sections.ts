import type { TSchema } from '@sinclair/typebox';
import type { ConfigProblem } from '../errors.js';
import { checkAgainstSchema } from '../config/schema-check.js';
import type { YamlSource } from '../config/yaml-source.js';
import type { AnyEngineDefinition, EngineDefinition } from '../sdk/engine.js';

/** Each declared engine's configuration, by engine name, as its `load` made it from keel.yaml. */
export type EngineConfigs = ReadonlyMap<string, unknown>;

/** The configuration keel.yaml gives an engine, typed by its definition; undefined without its section. */
export function engineConfig<Config>(configs: EngineConfigs, engine: EngineDefinition<TSchema, Config, unknown>): Config | undefined {
  return configs.get(engine.name) as Config | undefined;
}

export interface SectionsInput {
  engines: readonly AnyEngineDefinition[];
  /** keel.yaml as parsed. */
  keel: YamlSource;
  projectDir: string;
  display(file: string): string;
  /** Whether keel.yaml as a whole was checked against the project schema already (sections included). */
  schemaChecked: boolean;
}

/**
 * Loads the engines' sections of keel.yaml: each section checked against its engine's schema
 * (unless the whole file was), an engine whose needed sections are missing reported, then each
 * engine's own offline checks in dependency order. Every problem is returned, none thrown.
 */
export function loadEngineSections(input: SectionsInput): { configs: Map<string, unknown>; problems: ConfigProblem[] } {
  const document = (typeof input.keel.value === 'object' && input.keel.value !== null ? input.keel.value : {}) as Record<string, unknown>;
  const configs = new Map<string, unknown>();
  const problems: ConfigProblem[] = [];
  const present = new Set(input.engines.map((engine) => engine.name).filter((name) => document[name] !== undefined));
  for (const engine of input.engines) {
    const section = document[engine.name];
    if (section === undefined) continue;
    const missing = Object.entries(engine.needs ?? {}).filter(([need]) => !present.has(need));
    if (missing.length > 0) {
      for (const [need, why] of missing) {
        problems.push({ file: input.keel.file, ...input.keel.position([engine.name]), message: `${engine.name} needs ${article(need)} ${need}: section: ${why}` });
      }
      continue;
    }
    if (!input.schemaChecked) {
      const found = checkAgainstSchema(engine.section, section, input.keel, [engine.name], `keel.yaml ${engine.name}:`);
      problems.push(...found);
      if (found.length > 0) {
        present.delete(engine.name);
        continue;
      }
    }
    // An engine whose needed sections are not valid is not loaded: its problems would only repeat theirs.
    if (Object.keys(engine.needs ?? {}).some((need) => !configs.has(need))) continue;
    const loaded = engine.load(section, {
      projectDir: input.projectDir,
      projectFile: input.keel.file,
      display: input.display,
      problemAt: (path, message) => ({ file: input.keel.file, ...input.keel.position([engine.name, ...path]), message: `${engine.name}: ${message}` }),
      configOf: <Config>(needed: EngineDefinition<TSchema, Config, unknown>): Config => {
        if (!configs.has(needed.name)) throw new Error(`engine ${engine.name} asked for ${needed.name}'s configuration without needing it`);
        return configs.get(needed.name) as Config;
      },
    });
    problems.push(...loaded.problems);
    // Kept even with problems: an engine that needs this one still reports its own (the load fails either way).
    if (loaded.config !== undefined) configs.set(engine.name, loaded.config);
  }
  return { configs, problems };
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}
