import { isJsonObject, type JsonValue } from '../json.js';

/**
 * Checkpoint of a file source: the files already done (name → size:mtime fingerprint), the done
 * files of which nothing could be decoded (they go to the error folder), and, inside the file
 * being read, how many records are behind us. A file whose fingerprint changes is new content.
 */
export interface FileCursor {
  done: Record<string, string>;
  undecodable?: string[];
  current?: { file: string; fingerprint: string; records: number };
}

export function parseFileCursor(value: JsonValue | undefined): FileCursor {
  if (!isJsonObject(value)) return { done: {} };
  const done: Record<string, string> = {};
  const rawDone = value['done'];
  if (isJsonObject(rawDone)) {
    for (const [name, fingerprint] of Object.entries(rawDone)) if (typeof fingerprint === 'string') done[name] = fingerprint;
  }
  const cursor: FileCursor = { done };
  const rawUndecodable = value['undecodable'];
  if (Array.isArray(rawUndecodable)) cursor.undecodable = rawUndecodable.filter((name): name is string => typeof name === 'string');
  const current = value['current'];
  if (isJsonObject(current) && typeof current['file'] === 'string' && typeof current['fingerprint'] === 'string' && typeof current['records'] === 'number') {
    cursor.current = { file: current['file'], fingerprint: current['fingerprint'], records: current['records'] };
  }
  return cursor;
}

/** The checkpoint as JSON, leaving out what is empty so cursors of plain runs look as they always did. */
export function fileCheckpoint(cursor: FileCursor): JsonValue {
  const out: { [key: string]: JsonValue } = { done: { ...cursor.done } };
  if (cursor.undecodable !== undefined && cursor.undecodable.length > 0) out['undecodable'] = [...cursor.undecodable];
  if (cursor.current !== undefined) out['current'] = { ...cursor.current };
  return out;
}
