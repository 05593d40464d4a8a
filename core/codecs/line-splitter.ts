import { MAX_RAW_CHARS } from './limits.js';
import type { TextChunk } from './text-input.js';

/** One line of a text stream, without its line break. */
export interface SplitLine {
  /** The line, or its first MAX_RAW_CHARS characters when it is longer than the limit. */
  text: string;
  /** 1-based line number. */
  line: number;
  /** Set when the line was longer than the limit: how many characters it had (its text is cut). */
  tooLong?: number;
  /** Set when the line holds bytes that were not UTF-8: the input offset of the first. */
  invalidAt?: number;
}

/**
 * Cuts text chunks into lines (\n or \r\n), holding at most `maxChars` of one line in memory: a
 * longer line is kept only as a prefix for its dead letter and its rest is dropped as it arrives,
 * so an 80 MB line costs what a 64 KB one does. (readline keeps any line whole.)
 */
export class LineSplitter {
  private partial = '';
  private partialChars = 0;
  private invalidAt: number | undefined;
  private line = 1;

  constructor(private readonly maxChars: number) {}

  push(chunk: TextChunk<string>): SplitLine[] {
    const { data, invalid } = chunk;
    const out: SplitLine[] = [];
    let next = 0;
    let from = 0;
    for (let newline = data.indexOf('\n'); newline >= 0; newline = data.indexOf('\n', from)) {
      next = this.noteInvalid(invalid, next, newline);
      this.append(data, from, newline);
      out.push(this.finish());
      from = newline + 1;
    }
    this.noteInvalid(invalid, next, data.length);
    this.append(data, from, data.length);
    return out;
  }

  /** Characters of the current line held in memory (at most the limit, or a dead letter's prefix past it). */
  get bufferedChars(): number {
    return this.partial.length;
  }

  /** The last line, when the text does not end with a line break. */
  end(): SplitLine[] {
    return this.partialChars > 0 || this.invalidAt !== undefined ? [this.finish()] : [];
  }

  /** Records the first ill-formed sequence of the current line among those before `until`; returns the next one to look at. */
  private noteInvalid(invalid: TextChunk<string>['invalid'], next: number, until: number): number {
    let index = next;
    while (index < invalid.length && (invalid[index]?.at ?? Infinity) < until) {
      this.invalidAt ??= invalid[index]?.inputOffset;
      index += 1;
    }
    return index;
  }

  private append(data: string, from: number, to: number): void {
    if (to <= from) return;
    this.partialChars += to - from;
    // One more than the limit: a \r before the line break does not count.
    if (this.partialChars <= this.maxChars + 1) {
      this.partial += data.slice(from, to);
      return;
    }
    // Too long: only a prefix for the dead letter is kept, copied so the long text can be freed.
    if (this.partial.length > MAX_RAW_CHARS) this.partial = Buffer.from(this.partial.slice(0, MAX_RAW_CHARS)).toString('utf8');
    else if (this.partial.length < MAX_RAW_CHARS) this.partial += data.slice(from, from + (MAX_RAW_CHARS - this.partial.length));
  }

  private finish(): SplitLine {
    let text = this.partial;
    let chars = this.partialChars;
    if (chars <= this.maxChars + 1 && text.endsWith('\r')) {
      text = text.slice(0, -1);
      chars -= 1;
    }
    const result: SplitLine = { text, line: this.line };
    if (chars > this.maxChars) result.tooLong = chars;
    if (this.invalidAt !== undefined) result.invalidAt = this.invalidAt;
    this.line += 1;
    this.partial = '';
    this.partialChars = 0;
    this.invalidAt = undefined;
    return result;
  }
}
