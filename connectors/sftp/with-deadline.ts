/**
 * Settles like `work`, unless `ms` pass first: then `onTimeout` runs (to tear the connection
 * down, so the late answer goes nowhere) and the result rejects with its error.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, onTimeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(onTimeout()), ms);
  });
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}
