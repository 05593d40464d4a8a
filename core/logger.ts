import type { Redactor } from './redact.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, string | number | boolean | null | undefined>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LoggerOptions {
  level: LogLevel;
  /** `json`: one JSON object per line (for log shippers); `text`: `level message key=value`. */
  format: 'json' | 'text';
  redactor: Redactor;
  write?: (line: string) => void;
}

/**
 * Structured logs to stderr (stdout belongs to command output such as `--json`).
 * Every line passes through the redactor.
 */
export function createLogger(options: LoggerOptions, bound: LogFields = {}): Logger {
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const threshold = LEVELS[options.level];
  const emit = (level: LogLevel, message: string, fields: LogFields = {}): void => {
    if (LEVELS[level] < threshold) return;
    const all = { ...bound, ...fields };
    let line: string;
    if (options.format === 'json') {
      line = JSON.stringify({ time: new Date().toISOString(), level, msg: message, ...all });
    } else {
      const pairs = Object.entries(all)
        .filter(([, value]) => value !== undefined)
        .map(([key, value]) => `${key}=${typeof value === 'string' && /\s/.test(value) ? JSON.stringify(value) : String(value)}`);
      line = [level.padEnd(5), message, ...pairs].join(' ');
    }
    write(`${options.redactor.redact(line)}\n`);
  };
  return {
    debug: (message, fields) => emit('debug', message, fields),
    info: (message, fields) => emit('info', message, fields),
    warn: (message, fields) => emit('warn', message, fields),
    error: (message, fields) => emit('error', message, fields),
    child: (fields) => createLogger(options, { ...bound, ...fields }),
  };
}

export function parseLogLevel(value: string | undefined, fallback: LogLevel): LogLevel {
  return value === 'debug' || value === 'info' || value === 'warn' || value === 'error' ? value : fallback;
}
