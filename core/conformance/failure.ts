/** A check that did not hold: the message says what the connector did, and what it should do. */
export class ConformanceFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConformanceFailure';
  }
}

export function expectThat(condition: boolean, message: () => string): asserts condition {
  if (!condition) throw new ConformanceFailure(message());
}

/** A few items of a list for a message: `1001, 1002, 1003 and 4 more`. */
export function listed(items: readonly unknown[], shown = 5): string {
  const head = items.slice(0, shown).map((item) => (typeof item === 'string' ? item : JSON.stringify(item)));
  return items.length > shown ? `${head.join(', ')} and ${items.length - shown} more` : head.join(', ');
}
