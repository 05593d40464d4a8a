import type { Static, TSchema } from '@sinclair/typebox';
import type { ConfigProblem } from '../errors.js';
import type { Logger } from '../logger.js';

/**
 * Where the project keeps its state. Engines keep their tables beside the runner's, in the same
 * place, so one backup holds everything. A second driver (PostgreSQL) adds a member here.
 */
export type StateLocation = { driver: 'sqlite'; path: string };

/** What an engine's `load` gets besides its section: where it is, and the sections it needs. */
export interface EngineLoadContext {
  projectDir: string;
  /** A problem at a path inside this engine's section (`['locations', 2, 'id']`), placed at its line in keel.yaml. */
  problemAt(path: readonly (string | number)[], message: string): ConfigProblem;
  /** How a file name appears in messages (relative to the working directory). */
  display(file: string): string;
  /** keel.yaml, to place problems in other files' terms when a section names files. */
  projectFile: string;
  /** The loaded configuration of an engine this one `needs`. */
  configOf<Config>(engine: EngineDefinition<TSchema, Config, unknown>): Config;
}

/** What an engine's `open` gets: the state location, a logger, and the engines it needs, open. */
export interface EngineOpenContext {
  projectDir: string;
  state: StateLocation;
  logger: Logger;
  /** An engine this one `needs`, opened before it. */
  engine<Instance>(engine: EngineDefinition<TSchema, unknown, Instance>): Instance;
}

/**
 * A project-wide engine (inventory, routing, and later lifecycle, documents, notifications): one
 * instance per project, configured by its own section of keel.yaml, opened once by the composition
 * root and reached by connectors through their context by this definition. The runtime and the SDK
 * know engines only through this seam; an engine is one folder under `engines/`.
 */
export interface EngineDefinition<Section extends TSchema = TSchema, Config = Static<Section>, Instance = unknown> {
  /** Its keel.yaml section's key: lower-case letters, digits, dashes. */
  readonly name: string;
  readonly description: string;
  /** The section's schema: checked at load with file:line:col, published for editors. */
  readonly section: Section;
  /**
   * Engines this one needs, each with why (said when its section is missing): their configuration
   * is handed to `load`, their instances to `open`.
   */
  readonly needs?: Readonly<Record<string, string>>;
  /** Checks beyond the schema, done offline at load (`keel validate`); turns the section into the configuration `open` takes. */
  load(section: Static<Section>, ctx: EngineLoadContext): { config?: Config; problems: ConfigProblem[] };
  open(config: Config, ctx: EngineOpenContext): Instance;
  /** Closes what `open` opened; engines close in the reverse order of opening. */
  close(instance: Instance): Promise<void>;
}

/** An engine definition with its types erased: what registries and lists hold. */
export type AnyEngineDefinition = EngineDefinition<TSchema, unknown, unknown>;

const NAME_PATTERN = /^[a-z][a-z0-9-]*$/;

/** Declares an engine; an engine's folder default-exports the result. */
export function defineEngine<Section extends TSchema, Config, Instance>(
  definition: EngineDefinition<Section, Config, Instance>,
): EngineDefinition<Section, Config, Instance> {
  if (!NAME_PATTERN.test(definition.name)) {
    throw new TypeError(`engine name "${definition.name}" must be lower-case letters, digits and dashes`);
  }
  return Object.freeze({ ...definition });
}

export function isEngineDefinition(value: unknown): value is AnyEngineDefinition {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<AnyEngineDefinition>;
  return (
    typeof candidate.name === 'string' &&
    typeof candidate.section === 'object' &&
    typeof candidate.load === 'function' &&
    typeof candidate.open === 'function' &&
    typeof candidate.close === 'function'
  );
}

/**
 * The project's open engines, as connectors and commands reach them: by definition, so the
 * instance comes back typed. `get` answers undefined when keel.yaml has no section for it;
 * `require` throws a configuration error naming the section to add and who needs it.
 */
export interface Engines {
  get<Instance>(engine: EngineDefinition<TSchema, unknown, Instance>): Instance | undefined;
  require<Instance>(engine: EngineDefinition<TSchema, unknown, Instance>, neededBy: string): Instance;
}
