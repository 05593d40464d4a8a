import { KeelError } from '../errors.js';
import type { OptionProblem } from '../sdk/connector.js';
import type { FileReadOptions, FileWriteOptions } from './file-options.js';
import { checkGlob } from './list-files.js';
import { batchFileName } from './output-names.js';
import { storePath } from './store-path.js';

/** Offline the root is not known (it may come from the environment): messages name no folder. */
const ROOT = '';

/** Offline, for `keel validate`: globs and folders of a file source that would leave the root (a run would refuse them). */
export function checkFileReadOptions(options: FileReadOptions): OptionProblem[] {
  const problems: OptionProblem[] = [];
  collect(problems, ['path'], () => checkGlob(options.path, ROOT));
  for (const key of ['archive_dir', 'error_dir'] as const) {
    const dir = options[key];
    if (dir !== undefined) collect(problems, [key], () => storePath(dir, ROOT));
  }
  return problems;
}

/** Offline: an output name template that would leave the root. */
export function checkFileWriteOptions(options: FileWriteOptions): OptionProblem[] {
  const problems: OptionProblem[] = [];
  collect(problems, ['path'], () => storePath(batchFileName(options.path, 1, '0'.repeat(16)), ROOT));
  return problems;
}

function collect(problems: OptionProblem[], path: string[], check: () => unknown): void {
  try {
    check();
  } catch (error) {
    if (!(error instanceof KeelError)) throw error;
    problems.push({ path, message: error.message });
  }
}
