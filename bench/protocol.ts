/**
 * What the parent asks a child to measure, and what the child answers. Both travel as JSON
 * (task in argv, result as the child's last stdout line), so each side validates what it reads.
 */
export type ChildTask =
  /** The ceiling: csv-parse alone, reading the file and building one object per row. */
  | { kind: 'csv-parse'; file: string }
  /** The real thing: load a Keel project and run its only pipeline. */
  | { kind: 'keel-run'; projectDir: string; statePath: string }
  /** Map (and validate) `orders` Shopify orders with one of three implementations of the same mapping. */
  | { kind: 'mapping'; variant: MappingVariant; orders: number }
  /** The HTTP ceiling: a plain axios loop fetching pages from `url` and posting each order, mapped by hand. */
  | { kind: 'http-baseline'; url: string; pageSize: number; concurrency: number }
  /** The SFTP ceiling: a plain ssh2-sftp-client loop putting or getting every file of a folder. */
  | { kind: 'sftp-loop'; direction: SftpDirection; localDir: string; remoteDir: string; server: SftpServerAddress }
  /** Route `orders` generated orders, writing every receipt out or none. */
  | { kind: 'routing'; orders: number; receipts: boolean };

export type SftpDirection = 'upload' | 'download';
export interface SftpServerAddress {
  port: number;
  username: string;
  keyFile: string;
}

export type MappingVariant = 'compiled' | 'handwritten' | 'jsonata';
export const MAPPING_VARIANTS: readonly MappingVariant[] = ['handwritten', 'compiled', 'jsonata'];

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
  /** mapping only: a hash of the outputs, so the parent can check all variants agree. */
  digest?: string;
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
    if (value['kind'] === 'http-baseline' && isString(value['url']) && isCount(value['pageSize']) && isCount(value['concurrency'])) {
      return { kind: 'http-baseline', url: value['url'], pageSize: value['pageSize'], concurrency: value['concurrency'] };
    }
    const server = value['server'];
    if (value['kind'] === 'sftp-loop' && (value['direction'] === 'upload' || value['direction'] === 'download') && isString(value['localDir']) && isString(value['remoteDir']) && isRecord(server)) {
      const { port, username, keyFile } = server;
      if (isCount(port) && isString(username) && isString(keyFile)) {
        return { kind: 'sftp-loop', direction: value['direction'], localDir: value['localDir'], remoteDir: value['remoteDir'], server: { port, username, keyFile } };
      }
    }
    if (value['kind'] === 'routing' && isCount(value['orders']) && typeof value['receipts'] === 'boolean') {
      return { kind: 'routing', orders: value['orders'], receipts: value['receipts'] };
    }
    const variant = MAPPING_VARIANTS.find((name) => name === value['variant']);
    if (value['kind'] === 'mapping' && variant !== undefined && isCount(value['orders'])) return { kind: 'mapping', variant, orders: value['orders'] };
  }
  throw new Error(`not a bench task: ${text}`);
}

export function parseChildResult(text: string): ChildResult {
  const value: unknown = JSON.parse(text);
  if (!isRecord(value) || !isCount(value['records']) || !isCount(value['elapsedMs']) || !isCount(value['peakRssBytes'])) {
    throw new Error(`not a bench result: ${text}`);
  }
  const result: ChildResult = { records: value['records'], elapsedMs: value['elapsedMs'], peakRssBytes: value['peakRssBytes'] };
  if (isString(value['digest'])) result.digest = value['digest'];
  const outcome = value['outcome'];
  if (isRecord(outcome)) {
    const { status, read, written, deadLettered, error } = outcome;
    if (!isString(status) || !isCount(read) || !isCount(written) || !isCount(deadLettered)) throw new Error(`not a run outcome: ${text}`);
    result.outcome = { status, read, written, deadLettered, ...(isString(error) ? { error } : {}) };
  }
  return result;
}
