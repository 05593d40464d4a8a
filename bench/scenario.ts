/** What every scenario gets from the command line. */
export interface ScenarioOptions {
  rows: number;
  /** Whether --rows was given: scenarios with another natural size keep their own default otherwise. */
  rowsGiven: boolean;
  /** Measure this many times and keep the fastest of each side: one run on a shared VM can be off by ±20%. */
  repeat: number;
  /** Profile the runner's child with `node --cpu-prof`; profiles land in this folder. */
  cpuProfDir: string | undefined;
}

/** The one JSON line a scenario ends with (snake_case: it is read by scripts, not TypeScript). */
export interface ScenarioResult {
  scenario: string;
  records: number;
  records_per_s: number;
  baseline_per_s: number;
  ratio: number;
  peak_rss_mb: number;
  /** What the per-second figures count when it is not records (points of an API's rate, say). */
  unit?: string;
  /** Figures a scenario adds, named in snake_case. */
  [detail: string]: string | number | undefined;
}

export interface Scenario {
  name: string;
  description: string;
  run(options: ScenarioOptions): Promise<ScenarioResult>;
}

/** A failed correctness check: the figures of a run that lost or changed records mean nothing. */
export class BenchFailure extends Error {
  override readonly name = 'BenchFailure';
}

export const toMb = (bytes: number): number => Math.round((bytes / (1024 * 1024)) * 10) / 10;
export const perSecond = (records: number, elapsedMs: number): number => (elapsedMs > 0 ? Math.round((records * 1000) / elapsedMs) : 0);

/** Progress and explanations go to stderr; stdout carries only the result lines. */
export function say(line: string): void {
  process.stderr.write(`${line}\n`);
}
