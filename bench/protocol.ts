/**
 * What the parent asks a child to measure, and what the child answers. Both travel as JSON
 * (task in argv, result as the child's last stdout line), so each side validates what it reads.
 */
export type ChildTask =
  /** The ceiling: csv-parse alone, reading the file and building one object per row. */
  | { kind: 'csv-parse'; file: string }
  /** The real thing: load a Keel project and run its only pipeline. */
  | { kind: 'keel-run'; projectDir: string; statePath: string };

export interface RunOutcome {
  status: string;
  read: number;
  written: number;
  deadLettered: number;
  error?: string;
}

export interface ChildResult {
  records: number;
  /** Time of the measured work only: process start-up and module loading are left out. */
  elapsedMs: number;
  peakRssBytes: number;
  /** keel-run only: the runner's own summary, for correctness checks in the parent. */
  outcome?: RunOutcome;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isString = (value: unknown): value is string => typeof value === 'string';
const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;

export function parseChildTask(text: string): ChildTask {
  const value: unknown = JSON.parse(text);
  if (isRecord(value)) {
    if (value['kind'] === 'csv-parse' && isString(value['file'])) return { kind: 'csv-parse', file: value['file'] };
    if (value['kind'] === 'keel-run' && isString(value['projectDir']) && isString(value['statePath'])) {
      return { kind: 'keel-run', projectDir: value['projectDir'], statePath: value['statePath'] };
    }
  }
  throw new Error(`not a bench task: ${text}`);
}

export function parseChildResult(text: string): ChildResult {
  const value: unknown = JSON.parse(text);
  if (!isRecord(value) || !isCount(value['records']) || !isCount(value['elapsedMs']) || !isCount(value['peakRssBytes'])) {
    throw new Error(`not a bench result: ${text}`);
  }
  const result: ChildResult = { records: value['records'], elapsedMs: value['elapsedMs'], peakRssBytes: value['peakRssBytes'] };
  const outcome = value['outcome'];
  if (isRecord(outcome)) {
    const { status, read, written, deadLettered, error } = outcome;
    if (!isString(status) || !isCount(read) || !isCount(written) || !isCount(deadLettered)) throw new Error(`not a run outcome: ${text}`);
    result.outcome = { status, read, written, deadLettered, ...(isString(error) ? { error } : {}) };
  }
  return result;
}
