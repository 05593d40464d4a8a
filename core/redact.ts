/**
 * Replaces every known secret value with `***` in text that leaves the process: log lines,
 * error messages, run history and dead letters. Secrets are registered when `${env:…}` and
 * `${file:…}` references are resolved, so connectors need not remember to redact.
 */
export class Redactor {
  private readonly secrets = new Set<string>();
  private pattern: RegExp | undefined;

  add(secret: string): void {
    // Very short values would redact half of every message; they are weak secrets anyway.
    if (secret.length < 4 || this.secrets.has(secret)) return;
    this.secrets.add(secret);
    const alternatives = [...this.secrets]
      .sort((a, b) => b.length - a.length)
      .map((value) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    this.pattern = new RegExp(alternatives.join('|'), 'g');
  }

  get size(): number {
    return this.secrets.size;
  }

  redact(text: string): string {
    if (this.pattern === undefined) return text;
    return text.replace(this.pattern, '***');
  }
}
