import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isModuleFile } from '../module-files.js';
import { isStepDefinition, type StepDefinition } from '../sdk/step.js';

const STEPS_DIR = fileURLToPath(new URL('./', import.meta.url));

let cached: Promise<Map<string, StepDefinition>> | undefined;

/** Built-in steps: every module in this folder that default-exports a step definition. */
export function builtInSteps(): Promise<Map<string, StepDefinition>> {
  cached ??= (async () => {
    const steps = new Map<string, StepDefinition>();
    const files = readdirSync(STEPS_DIR).filter((file) => isModuleFile(file) && !file.startsWith('registry')).sort();
    for (const file of files) {
      const loaded = (await import(pathToFileURL(`${STEPS_DIR}${file}`).href)) as { default?: unknown };
      if (isStepDefinition(loaded.default)) steps.set(loaded.default.name, loaded.default);
    }
    return steps;
  })();
  return cached;
}
