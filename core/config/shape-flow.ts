import type { Logger } from '../logger.js';
import { missingField, shapeOfSchema, unionShapes, type RecordShape } from '../sdk/record-shape.js';
import type { SourcePlan, StepPlan } from './plan.js';
import type { YamlPath } from './yaml-source.js';

const SILENT: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined, child: () => SILENT };

/**
 * Follows the shape of the records through a pipeline's steps, offline: from what the sources
 * declare, through each step's `shape`, and collects the fields steps name that the records
 * there cannot have. Where a shape is unknown (a CSV file, a custom step) nothing is claimed.
 */
export async function checkRecordShapes(
  sources: readonly SourcePlan[],
  steps: readonly StepPlan[],
  context: { projectDir: string; file: string },
  /** Key templates of the targets: a field the records reaching them cannot have would refuse every record. */
  targetKeys: readonly { at: YamlPath; template: string }[] = [],
): Promise<{ at: YamlPath; message: string }[]> {
  let shape: RecordShape | undefined =
    sources.length > 0 && sources.every((source) => source.read.recordSchema !== undefined)
      ? sources.map((source) => shapeOfSchema(source.read.recordSchema)).reduce((a, b) => unionShapes(a, b))
      : undefined;
  const problems: { at: YamlPath; message: string }[] = [];
  for (const step of steps) {
    const shapeOf = step.definition.shape;
    if (shapeOf === undefined) {
      shape = undefined;
      continue;
    }
    try {
      const result = await shapeOf(step.config as never, shape, { projectDir: context.projectDir, file: context.file, logger: SILENT });
      for (const problem of result.problems) problems.push({ at: ['steps', step.index, step.type, ...problem.path], message: problem.message });
      shape = result.output;
    } catch {
      // The step's own create() reported what is wrong with its config.
      shape = undefined;
    }
  }
  for (const { at, template } of targetKeys) {
    for (const match of template.matchAll(/\{\{\s*([^{}\s]+)\s*\}\}/g)) {
      const missing = missingField(shape, match[1] as string);
      if (missing !== undefined) problems.push({ at, message: `key field "${match[1]}": ${missing}` });
    }
  }
  return problems;
}
