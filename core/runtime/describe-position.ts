import { isJsonObject, type JsonValue } from '../json.js';

const MAX_CHARS = 120;

/**
 * A source position as a person reads it: the updated-at boundary of an API walk as a time, the
 * files a file source finished and where it is inside the next, else the checkpoint's JSON
 * (shortened). The checkpoint's exact form is what `--json` gives.
 */
export function describePosition(checkpoint: JsonValue | null, skip: number): string {
  const records = skip > 0 ? `, ${skip} record${skip === 1 ? '' : 's'} in` : '';
  if (checkpoint === null) return `start${records}`;
  if (isJsonObject(checkpoint)) {
    const { since, seen, done, current, bulk, held } = checkpoint;
    if ((typeof since === 'number' || since === null) && isJsonObject(seen)) {
      const versions = Object.keys(seen).length;
      const from = since === null ? 'start' : `updated since ${new Date(since).toISOString()}`;
      const holding = isJsonObject(held) ? `, held back: records changed while it paged` : '';
      return `${from} (${versions} version${versions === 1 ? '' : 's'} remembered${holding})${records}`;
    }
    if (isJsonObject(done)) {
      const files = Object.keys(done).length;
      const inside = isJsonObject(current) ? `; in ${String(current['file'])} after ${String(current['records'])} records` : '';
      return `${files} file${files === 1 ? '' : 's'} done${inside}${records}`;
    }
    if (isJsonObject(bulk)) return `bulk export ${String(bulk['id'])}, ${String(bulk['records'])} records in${records}`;
  }
  const text = JSON.stringify(checkpoint);
  return `${text.length > MAX_CHARS ? `${text.slice(0, MAX_CHARS - 3)}...` : text}${records}`;
}
