import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { KeelError } from '../errors.js';
import type { Logger } from '../logger.js';
import { YamlSource } from '../config/yaml-source.js';
import { defineEngine, type AnyEngineDefinition } from '../sdk/engine.js';
import { loadEngineSections } from './load-sections.js';
import { OpenEngines } from './open-engines.js';
import { builtInEngines, inDependencyOrder } from './registry.js';

const SILENT: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => SILENT };

/** A test engine whose instance records its name, and whose close appends to `closed`. */
function engine(name: string, needs: Record<string, string> = {}, closed: string[] = []): AnyEngineDefinition {
  return defineEngine({
    name,
    description: `the ${name} engine`,
    section: Type.Object({ size: Type.Integer({ minimum: 1 }) }),
    needs,
    load: (section, ctx) => ({ config: section, problems: section.size > 10 ? [ctx.problemAt(['size'], 'at most 10')] : [] }),
    open: (config, ctx) => ({ name, config, needs: Object.keys(needs).map((need) => ctx.engine({ name: need } as AnyEngineDefinition)) }),
    close: async () => {
      closed.push(name);
      if (name === 'broken') throw new Error('close failed');
    },
  }) as AnyEngineDefinition;
}

describe('engines', () => {
  it('are discovered from engines/, each after the engines it needs', async () => {
    expect((await builtInEngines()).map((found) => found.name)).toEqual(['inventory', 'lifecycle', 'routing']);
  });

  it('refuse a need nobody provides and a circle of needs', () => {
    expect(() => inDependencyOrder([engine('a', { b: 'why' })])).toThrow('engine a needs engine b, which this build does not have');
    expect(() => inDependencyOrder([engine('a', { b: 'x' }), engine('b', { a: 'y' })])).toThrow('engines need each other in a circle: a → b → a');
  });

  it('load their sections in order, naming a missing needed section and problems at their line', () => {
    const keel = YamlSource.parse('keel.yaml', 'name: p\nlower:\n  size: 3\nupper:\n  size: 30\nlonely:\n  size: 1\n');
    const engines = inDependencyOrder([engine('lower'), engine('upper', { lower: 'it builds on it' }), engine('lonely', { inventory: 'it counts stock' })].concat(engine('inventory')));
    const { configs, problems } = loadEngineSections({ engines, keel, projectDir: '.', display: (file) => file, schemaChecked: false });
    expect(problems.map((problem) => `${problem.file}:${problem.line} ${problem.message}`)).toEqual([
      'keel.yaml:7 lonely needs an inventory: section: it counts stock',
      'keel.yaml:5 upper: at most 10',
    ]);
    expect(configs.get('lower')).toEqual({ size: 3 });
    expect(configs.has('lonely')).toBe(false);
  });

  it('check a section against its schema when the whole file was not checked', () => {
    const keel = YamlSource.parse('keel.yaml', 'lower:\n  size: zero\n');
    const { problems } = loadEngineSections({ engines: [engine('lower')], keel, projectDir: '.', display: (file) => file, schemaChecked: false });
    expect(problems).toHaveLength(1);
    expect(problems[0]?.line).toBe(2);
  });

  it('open in dependency order, hand each the engines it needs, and close the last opened first, all of them even when one fails', async () => {
    const closed: string[] = [];
    const definitions = inDependencyOrder([engine('upper', { lower: 'x' }, closed), engine('lower', {}, closed), engine('broken', {}, closed)]);
    const open = OpenEngines.open({
      definitions,
      configs: new Map([['lower', { size: 1 }], ['upper', { size: 2 }], ['broken', { size: 3 }]]),
      projectDir: '.',
      state: { driver: 'sqlite', path: ':memory:' },
      logger: SILENT,
    });
    expect(open.names()).toEqual(['broken', 'lower', 'upper']);
    expect(open.get(definitions[2] as AnyEngineDefinition)).toEqual({ name: 'upper', config: { size: 2 }, needs: [{ name: 'lower', config: { size: 1 }, needs: [] }] });
    await expect(open.close()).rejects.toThrow('close failed');
    expect(closed).toEqual(['upper', 'lower', 'broken']);
  });

  it('answer undefined for an engine keel.yaml does not configure, and require names the section and who needs it', () => {
    const none = OpenEngines.none();
    const stock = engine('inventory');
    expect(none.get(stock)).toBeUndefined();
    let error: unknown;
    try {
      none.require(stock, 'the stock connector');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(KeelError);
    expect((error as KeelError).kind).toBe('config');
    expect((error as KeelError).message).toBe('the stock connector needs an inventory: section in keel.yaml (the inventory engine)');
  });
});
