import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { PROJECT_FILE } from '../core/config/load-project.js';
import { createLogger, parseLogLevel, type Logger } from '../core/logger.js';
import { Redactor } from '../core/redact.js';
import type { OpenProjectOptions } from '../core/project/open-project.js';

export interface GlobalOptions {
  logLevel?: string;
  logFormat?: string;
}

export function makeLogger(redactor: Redactor, options: GlobalOptions): Logger {
  const format = options.logFormat === 'json' || options.logFormat === 'text' ? options.logFormat : process.stderr.isTTY ? 'text' : 'json';
  return createLogger({ level: parseLogLevel(options.logLevel ?? process.env['KEEL_LOG_LEVEL'], 'warn'), format, redactor });
}

/** The logger and redactor `--log-level`/`--log-format` ask for, as `openProject` takes them. */
export function cliLogging(options: GlobalOptions): Required<Pick<OpenProjectOptions, 'logger' | 'redactor'>> {
  const redactor = new Redactor();
  return { logger: makeLogger(redactor, options), redactor };
}

/**
 * The project a `--project` option means: the folder given when it holds keel.yaml, else the
 * nearest folder above it that does (as git finds its repository), so `keel runs` works from
 * any folder of a project. Without one anywhere above, the folder given.
 */
export function projectDirFor(dir: string): string {
  const start = resolve(dir);
  for (let current = start; ; current = dirname(current)) {
    if (existsSync(join(current, PROJECT_FILE))) return current;
    if (dirname(current) === current) return start;
  }
}
