import { builtInSteps } from '../steps/registry.js';
import { builtInEngines } from '../engines/registry.js';
import { PipelineSchema, projectSchema } from './pipeline-schema.js';

/**
 * The JSON Schemas editors use for autocompletion: the loader's schemas, with every built-in
 * step's config folded into `steps` so an editor can complete `filter:` and its keys.
 */
export async function publishedSchema(which: 'pipeline' | 'project'): Promise<Record<string, unknown>> {
  const base = JSON.parse(JSON.stringify(which === 'pipeline' ? PipelineSchema : projectSchema(await builtInEngines()))) as Record<string, unknown>;
  const out: Record<string, unknown> = {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: `https://keel.dev/schemas/${which}.schema.json`,
    title: which === 'pipeline' ? 'Keel pipeline' : 'Keel project (keel.yaml)',
    ...base,
  };
  if (which === 'pipeline') {
    const steps = await builtInSteps();
    const properties = out['properties'] as Record<string, Record<string, unknown>>;
    properties['steps'] = {
      type: 'array',
      items: {
        anyOf: [...steps.values()].map((step) => ({
          type: 'object',
          description: step.description,
          properties: { [step.name]: JSON.parse(JSON.stringify(step.configSchema)) as unknown },
          required: [step.name],
          additionalProperties: false,
        })),
      },
    };
  }
  return out;
}
