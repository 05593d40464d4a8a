import { boundedRaw, MAX_RAW_CHARS } from './limits.js';

/**
 * Cuts an XML text stream into the source text of each record element, so every record can be
 * parsed on its own and a 100 MB file never becomes one object tree. This is not an XML parser:
 * it only finds where `<record …>` starts and where its matching `</record>` ends, stepping over
 * comments, CDATA sections and processing instructions, whose content may look like tags.
 */
export interface XmlPiece {
  kind: 'record';
  text: string;
  line: number;
  /** Where the record's text starts and ends in the whole input, in characters. */
  start: number;
  end: number;
}

export interface XmlProblem {
  kind: 'problem';
  message: string;
  line: number;
  /** What was refused, cut to MAX_RAW_CHARS. */
  raw: string;
}

export interface SplitterLimits {
  /** A record longer than this (characters) is refused. */
  maxRecordChars: number;
  /** A record whose elements nest deeper than this is refused. */
  maxDepth?: number;
}

export class XmlRecordSplitter {
  private buffer = '';
  /** Line number of buffer[0]. */
  private line = 1;
  private depth = 0;
  /** Elements open inside the current record, the record's own included. */
  private elementDepth = 0;
  /** Characters dropped from the front of the buffer so far: buffer[0] is at this offset of the input. */
  private dropped = 0;
  /** After a DOCTYPE the rest of the document is ignored. */
  private refused = false;
  private recordStart = -1;
  private recordLine = 0;
  private scanFrom = 0;
  /** Newlines are counted incrementally: `countedLine` is the line at buffer offset `countedTo`. */
  private countedTo = 0;
  private countedLine = 1;
  private readonly maxRecordChars: number;
  private readonly maxDepth: number;
  private readonly tagPattern: RegExp;

  constructor(
    private readonly recordName: string,
    options: SplitterLimits,
  ) {
    this.maxRecordChars = options.maxRecordChars;
    this.maxDepth = options.maxDepth ?? Number.POSITIVE_INFINITY;
    this.tagPattern = /<!--|<!\[CDATA\[|<!|<\?|<(\/?)((?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*))/g;
  }

  /** Feeds text; returns the records (and problems) that are complete so far. */
  push(text: string): (XmlPiece | XmlProblem)[] {
    if (this.refused) {
      this.dropped += text.length;
      return [];
    }
    this.buffer += text;
    const out: (XmlPiece | XmlProblem)[] = [];
    const pattern = this.tagPattern;
    pattern.lastIndex = this.scanFrom;
    for (;;) {
      const match = pattern.exec(this.buffer);
      if (match === null) {
        // Nothing more to recognise; a trailing '<' may start a token that is still arriving.
        const partial = this.buffer.indexOf('<', this.scanFrom);
        this.scanFrom = partial >= 0 ? partial : this.buffer.length;
        break;
      }
      const at = match.index;
      const token = match[0];
      if (token === '<!--' || token === '<![CDATA[' || token === '<?') {
        const close = token === '<!--' ? '-->' : token === '<?' ? '?>' : ']]>';
        const end = this.buffer.indexOf(close, at + token.length);
        if (end < 0) {
          this.scanFrom = at;
          break;
        }
        pattern.lastIndex = end + close.length;
        this.scanFrom = pattern.lastIndex;
        continue;
      }
      if (token === '<!') {
        // DOCTYPE, ENTITY and friends: entity expansion is how XML bombs and XXE work. Refused outright.
        const what = /^<!([A-Za-z]*)/.exec(this.buffer.slice(at, at + 12))?.[1] ?? '';
        if (this.buffer.length - at < 10 && what.length < 7) {
          this.scanFrom = at;
          break;
        }
        out.push({
          kind: 'problem',
          line: this.lineAt(at),
          message: `XML: <!${what}> declarations are not accepted (DTDs and entities are a known attack), so the rest of the document is not read; remove the DOCTYPE`,
          raw: boundedRaw(this.buffer.slice(at, at + MAX_RAW_CHARS + 1)),
        });
        this.reset();
        this.refused = true;
        return out;
      }
      // An element tag: find its end, honouring quoted attribute values.
      const tagEnd = findTagEnd(this.buffer, pattern.lastIndex);
      if (tagEnd < 0) {
        this.scanFrom = at;
        break;
      }
      pattern.lastIndex = tagEnd + 1;
      this.scanFrom = tagEnd + 1;
      const closing = match[1] === '/';
      const selfClosing = !closing && this.buffer[tagEnd - 1] === '/';
      if (this.recordStart >= 0 && !selfClosing) {
        this.elementDepth += closing ? -1 : 1;
        if (this.elementDepth > this.maxDepth) {
          out.push(this.refuse(`XML: record <${this.recordName}> nests elements deeper than ${this.maxDepth} levels; raise xml.max_depth if that is expected`));
        }
      }
      if (match[3] !== this.recordName) continue;
      if (closing) {
        this.depth = Math.max(0, this.depth - 1);
        if (this.depth === 0) {
          if (this.recordStart >= 0) out.push(this.piece(this.recordStart, tagEnd + 1, this.recordLine));
          this.recordStart = -1;
        }
      } else if (this.depth === 0 && selfClosing) {
        out.push(this.piece(at, tagEnd + 1, this.lineAt(at)));
      } else if (!selfClosing) {
        if (this.depth === 0) {
          this.recordStart = at;
          this.recordLine = this.lineAt(at);
          this.elementDepth = 1;
        }
        this.depth += 1;
      }
    }
    if (this.recordStart >= 0 && this.buffer.length - this.recordStart > this.maxRecordChars) {
      out.push(this.refuse(`XML: record <${this.recordName}> is larger than ${this.maxRecordChars} characters; raise xml.max_record_bytes if that is expected`));
    }
    this.compact();
    return out;
  }

  private piece(from: number, to: number, line: number): XmlPiece {
    return { kind: 'record', text: this.buffer.slice(from, to), line, start: this.dropped + from, end: this.dropped + to };
  }

  /** Refuses the record being read: keeps counting depth to find where it ends, but stops keeping its text. */
  private refuse(message: string): XmlProblem {
    const problem: XmlProblem = { kind: 'problem', line: this.recordLine, message, raw: boundedRaw(this.buffer.slice(this.recordStart, this.recordStart + MAX_RAW_CHARS + 1)) };
    // Depth is still counted to find where the refused record ends; its text is no longer kept.
    this.recordStart = -1;
    return problem;
  }

  /** At end of input: an unterminated record is a problem, not a silent loss. */
  end(): XmlProblem[] {
    if (this.recordStart >= 0 && !this.refused) {
      return [
        {
          kind: 'problem',
          line: this.recordLine,
          message: `XML: record <${this.recordName}> is not closed before the end of the file`,
          raw: boundedRaw(this.buffer.slice(this.recordStart, this.recordStart + MAX_RAW_CHARS + 1)),
        },
      ];
    }
    return [];
  }

  private reset(): void {
    this.dropped += this.buffer.length;
    this.buffer = '';
    this.scanFrom = 0;
    this.depth = 0;
    this.recordStart = -1;
    this.countedTo = 0;
    this.countedLine = this.line;
  }

  /** Drops text before anything still needed, keeping line numbers right. */
  private compact(): void {
    const keepFrom = this.recordStart >= 0 ? this.recordStart : this.scanFrom;
    if (keepFrom <= 0) return;
    this.line = this.lineAt(keepFrom);
    this.countedTo = 0;
    this.countedLine = this.line;
    this.dropped += keepFrom;
    this.buffer = this.buffer.slice(keepFrom);
    if (this.recordStart >= 0) this.recordStart -= keepFrom;
    this.scanFrom = Math.max(0, this.scanFrom - keepFrom);
  }

  private lineAt(offset: number): number {
    if (offset < this.countedTo) return this.line + countNewlines(this.buffer, 0, offset);
    this.countedLine += countNewlines(this.buffer, this.countedTo, offset);
    this.countedTo = offset;
    return this.countedLine;
  }
}

function findTagEnd(text: string, from: number): number {
  let quote = '';
  for (let index = from; index < text.length; index += 1) {
    const char = text[index];
    if (quote !== '') {
      if (char === quote) quote = '';
    } else if (char === '"' || char === "'") {
      quote = char;
    } else if (char === '>') {
      return index;
    }
  }
  return -1;
}

function countNewlines(text: string, from: number, to: number): number {
  let count = 0;
  let index = text.indexOf('\n', from);
  while (index >= 0 && index < to) {
    count += 1;
    index = text.indexOf('\n', index + 1);
  }
  return count;
}
