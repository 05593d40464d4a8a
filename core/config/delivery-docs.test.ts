import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { tempProject, type TempProject } from '../../test-support/temp-project.js';
import { loadProject } from './load-project.js';

/** The READMEs that document key:, on_change: and the dedupe step: their examples must load. */
const DOCS = ['../../README.md', '../../connectors/file/README.md', '../../connectors/http/README.md'].map((path) => new URL(path, import.meta.url));

let project: TempProject | undefined;
afterEach(() => project?.remove());

/** Loads one pipeline file alone in an empty project; returns its targets' names and policies. */
async function load(yaml: string): Promise<string[]> {
  project?.remove();
  project = tempProject({ 'pipelines/example.yaml': yaml });
  const { plan } = await loadProject(project.path('pipelines/example.yaml'), { checkEnvironment: true, env: {} });
  return plan.pipelines.flatMap((pipeline) => pipeline.targets.map((target) => `${target.name}: ${target.keyedBy} ${target.onChange}`));
}

describe('the delivery examples in the READMEs', () => {
  it('load as pipelines, with the on_change each comment promises', async () => {
    const loaded: string[] = [];
    for (const doc of DOCS) {
      for (const [, block] of readFileSync(doc, 'utf8').matchAll(/```yaml\n([\s\S]*?)```/g)) {
        if (block === undefined || !/\bon_change:/.test(block)) continue;
        loaded.push(...(await load(block)));
      }
    }
    expect(loaded).toEqual(['threepl: template dead_letter', 'erp: primary_key send', 'erp-create: primary_key send']);
  });

  it('show a dedupe step that loads', async () => {
    const readme = readFileSync(DOCS[0] as URL, 'utf8');
    const step = /`(- dedupe: \{[^`]*\})`/.exec(readme)?.[1];
    expect(step).toBeDefined();
    const pipeline = `name: p\nconnections:\n  in: { connector: file, config: { root: ./in } }\nsource: { connection: in, stream: files, options: { path: "*.csv" } }\nsteps:\n  ${step}\ntargets:\n  - { connection: in, stream: files, options: { path: "out/x-{seq}.csv" } }\n`;
    expect(await load(pipeline)).toEqual(['in: content dead_letter']);
  });
});
