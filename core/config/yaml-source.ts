import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { ConfigError, type ConfigProblem } from '../errors.js';

/** Aliases are rarely needed in pipelines; a handful is plenty, and more is how alias bombs start. */
const MAX_ALIASES = 50;

export type YamlPath = readonly (string | number)[];

/** A parsed YAML file that still knows where every value came from. */
export class YamlSource {
  private constructor(
    readonly file: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
    readonly value: unknown,
  ) {}

  /**
   * Parses untrusted YAML: core schema only (no custom tags, no `!!js/*`), unique keys, and a
   * small alias budget so a "billion laughs" document is refused instead of expanded.
   */
  static parse(file: string, text: string): YamlSource {
    const lines = new LineCounter();
    const doc = parseDocument(text, {
      lineCounter: lines,
      prettyErrors: false,
      uniqueKeys: true,
      schema: 'core',
      customTags: [],
      strict: true,
    });
    const at = (offset: number): { line: number; col: number } => lines.linePos(offset);
    const problems: ConfigProblem[] = [];
    for (const error of doc.errors) {
      const pos = at(error.pos[0]);
      problems.push({ file, ...pos, message: `YAML syntax: ${firstLine(error.message)}` });
    }
    for (const warning of doc.warnings) {
      const pos = at(warning.pos[0]);
      const tag = /Unresolved tag: (\S+)/.exec(warning.message)?.[1];
      const message =
        tag !== undefined
          ? `custom YAML tag ${tag} is not allowed; write the value as a plain string, number, list or map`
          : `YAML: ${firstLine(warning.message)}`;
      problems.push({ file, ...pos, message });
    }
    if (problems.length > 0) throw new ConfigError(problems);
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIASES });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (/alias/i.test(message)) {
        throw new ConfigError([
          {
            file,
            line: 1,
            col: 1,
            message: `too many YAML aliases (more than ${MAX_ALIASES} expansions): refused as a possible alias bomb; write the values out instead`,
          },
        ]);
      }
      throw new ConfigError([{ file, line: 1, col: 1, message: `YAML: ${message}` }]);
    }
    return new YamlSource(file, doc, lines, value);
  }

  /** Position of the value at `path`, or of its key when `key` is set; falls back to the nearest ancestor. */
  position(path: YamlPath, options: { key?: boolean } = {}): { line: number; col: number } {
    for (let depth = path.length; depth >= 0; depth -= 1) {
      const prefix = path.slice(0, depth);
      const wantKey = options.key === true || depth < path.length;
      const offset = this.offsetOf(prefix, wantKey && depth > 0);
      if (offset !== undefined) return this.lines.linePos(offset);
    }
    return { line: 1, col: 1 };
  }

  private offsetOf(path: YamlPath, key: boolean): number | undefined {
    if (path.length === 0) return this.doc.contents?.range?.[0];
    const parentPath = path.slice(0, -1);
    const last = path[path.length - 1];
    const parent = parentPath.length === 0 ? this.doc.contents : this.doc.getIn(parentPath, true);
    if (isMap(parent)) {
      const pair = parent.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(last));
      if (pair === undefined) return undefined;
      const node = (key ? pair.key : (pair.value ?? pair.key)) as Node | null;
      return node?.range?.[0];
    }
    if (isSeq(parent) && typeof last === 'number') {
      const item = parent.items[last] as Node | undefined;
      return item?.range?.[0];
    }
    return undefined;
  }
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
