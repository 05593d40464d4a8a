/**
 * Reads a `Retry-After` header, which servers send in two forms: a number of seconds
 * (`Retry-After: 3`) or an HTTP date (`Retry-After: Wed, 21 Oct 2026 07:28:00 GMT`).
 * Returns milliseconds to wait from `now`, or undefined when the header is absent or unreadable.
 */
export function retryAfterMs(header: string | undefined, now: number = Date.now()): number | undefined {
  if (header === undefined) return undefined;
  const text = header.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
