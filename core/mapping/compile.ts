import jsonata from 'jsonata';
import { isPrototypeKey, type JsonObject } from '../json.js';
import * as H from './helpers.js';
import type { Condition } from './mapping-schema.js';
import { parsePath, type PathSegment } from './paths.js';

/** A rule as written in a mapping file (validated against RuleSchema before compiling). */
export type Rule = string | RuleObject;
export interface RuleObject {
  path?: string;
  root?: string;
  const?: unknown;
  concat?: Rule[];
  first?: Rule[];
  object?: Record<string, Rule>;
  each?: string;
  sum?: string;
  count?: string;
  product?: Rule[];
  money?: { amount: Rule; currency: Rule; minor_units?: boolean };
  if?: Condition;
  expr?: string;
  map?: Rule;
  where?: Condition;
  then?: Rule;
  else?: Rule;
  trim?: boolean;
  case?: 'upper' | 'lower' | 'title';
  replace?: { pattern: string; with: string; flags?: string };
  split?: string;
  join?: string;
  pad?: { length: number; char?: string; side?: 'start' | 'end' };
  lookup?: { table?: Record<string, unknown>; file?: string; default?: unknown };
  as?: 'string' | 'integer' | 'decimal' | 'number' | 'boolean' | 'date' | 'datetime';
  format?: string;
  timezone?: string;
  date_window?: DateWindowSpec | false;
  default?: Rule;
  required?: boolean;
}

/** Plausible dates as a mapping writes them: from a date, and how many years ahead of now. */
export interface DateWindowSpec {
  from?: string;
  years_ahead?: number;
}

export const DEFAULT_DATE_WINDOW: Required<DateWindowSpec> = { from: '2000-01-01', years_ahead: 10 };

export const SOURCE_KEYS = ['path', 'root', 'const', 'concat', 'first', 'object', 'each', 'sum', 'count', 'product', 'money', 'if', 'expr'] as const;

/** A problem in a mapping document, located by the JSON pointer of the rule. */
export class MappingCompileError extends Error {
  constructor(
    readonly pointer: string,
    readonly problem: string,
  ) {
    super(`${pointer}: ${problem}`);
  }
}

export type MappingOutput = JsonObject | JsonObject[];
export type MappingFunction = (record: JsonObject) => MappingOutput | Promise<MappingOutput>;

export interface CompileOptions {
  name: string;
  /** Loads a lookup table file (key,value CSV) named in a rule. */
  loadTable: (file: string) => Map<string, unknown>;
  /** Plausible dates for every date and datetime of the mapping (a rule may say otherwise); false for none. */
  dateWindow?: DateWindowSpec | false;
  /** "Now" for the window's upper end; the clock when left out. */
  now?: Date;
}

/** Per-mapping constants the generated code refers to by index, instead of re-creating them per record. */
interface Constants {
  tables: Map<string, unknown>[];
  regexes: RegExp[];
  expressions: jsonata.Expression[];
  values: unknown[];
  windows: H.DateWindow[];
}

interface Scope {
  /** JS variable holding the current record or array item. */
  current: string;
  /** JS expression giving the current item's path in the source record, for messages. */
  where: string;
}

/**
 * Compiles a mapping into one JavaScript function, once: every rule becomes inline code, so a
 * record costs what a hand-written function would. Generated code only ever contains
 * identifiers it made itself and literals produced by JSON.stringify.
 */
export function compileMapping(
  output: Record<string, Rule>,
  options: CompileOptions & { forEach?: string; where?: Condition },
): { fn: MappingFunction; async: boolean; source: string } {
  const generator = new Generator(options);
  const top = { current: 'rec', where: '""' };
  const result =
    options.forEach !== undefined
      ? generator.fanOut(options.forEach, options.where, output)
      : generator.object(output, top, '/output');
  if (options.where !== undefined && options.forEach === undefined) {
    throw new MappingCompileError('/where', 'a top-level "where" filters the items of "for_each"; without for_each, filter records with a filter step');
  }
  const isAsync = generator.constants.expressions.length > 0;
  const body = [
    'return ' + (isAsync ? 'async ' : '') + 'function mapRecord(rec) {',
    ...generator.lines.map((line) => `  ${line}`),
    `  return ${result};`,
    '};',
  ].join('\n');
  const factory = new Function('H', 'C', 'fail', body) as (
    helpers: typeof H,
    constants: Constants,
    fail: (pointer: string, where: string, message: string) => never,
  ) => MappingFunction;
  const fail = (pointer: string, where: string, message: string): never => {
    throw new H.MappingFailure(`${pointer}: ${where === '' ? '' : `${where}: `}${message}`);
  };
  return { fn: factory(H, generator.constants, fail), async: isAsync, source: body };
}

class Generator {
  readonly lines: string[] = [];
  readonly constants: Constants = { tables: [], regexes: [], expressions: [], values: [], windows: [] };
  private counter = 0;

  constructor(private readonly options: CompileOptions) {}

  private variable(prefix = 'v'): string {
    this.counter += 1;
    return `${prefix}${this.counter}`;
  }

  private emit(line: string): void {
    this.lines.push(line);
  }

  /**
   * Builds an object; fields whose value is missing (undefined, null or "") are left out, and a nested
   * object left with no field at all is itself missing (an address of nothing is no address).
   */
  object(fields: Record<string, Rule>, scope: Scope, pointer: string, nested = false): string {
    const out = this.variable('o');
    const count = this.variable('n');
    this.emit(`const ${out} = {};`);
    if (nested) this.emit(`let ${count} = 0;`);
    for (const [field, rule] of Object.entries(fields)) {
      const at = `${pointer}/${escapePointer(field)}`;
      if (isPrototypeKey(field)) throw new MappingCompileError(at, `"${field}" cannot be an output field: it names the prototype`);
      const value = this.rule(rule, scope, at);
      // Absent, not null or empty: the canonical model leaves out what a source does not know
      // (an empty CSV cell or XML element means "not given", as a JSON null does).
      this.emit(`if (!H.isMissing(${value})) { ${out}[${JSON.stringify(field)}] = ${value};${nested ? ` ${count}++;` : ''} }`);
    }
    return nested ? `(${count} === 0 ? undefined : ${out})` : out;
  }

  /** One output record per item of the array at `path` (top-level `for_each`). */
  fanOut(path: string, where: Condition | undefined, output: Record<string, Rule>): string {
    const spec: RuleObject = { each: path, map: { object: output } };
    if (where !== undefined) spec.where = where;
    return this.each(spec, { current: 'rec', where: '""' }, '/for_each');
  }

  /** Emits the code of one rule; returns the variable that holds its value (undefined when missing). */
  rule(rule: Rule, scope: Scope, pointer: string): string {
    const spec: RuleObject = typeof rule === 'string' ? { path: rule } : rule;
    const sources = SOURCE_KEYS.filter((key) => spec[key] !== undefined);
    if (sources.length !== 1) {
      throw new MappingCompileError(
        pointer,
        sources.length === 0 ? `say where the value comes from: one of ${SOURCE_KEYS.join(', ')}` : `only one of ${sources.join(', ')} may be used in one rule`,
      );
    }
    const v = this.variable();
    const source = sources[0] as (typeof SOURCE_KEYS)[number];
    let location = '""';
    switch (source) {
      case 'path':
      case 'root': {
        const text = spec[source] as string;
        const from = source === 'root' ? { current: 'rec', where: '""' } : scope;
        this.emit(`let ${v} = ${this.read(text, from, `${pointer}/${source}`)};`);
        location = joinWhere(from.where, text);
        break;
      }
      case 'const':
        this.emit(`let ${v} = ${this.constant(spec.const)};`);
        break;
      case 'concat': {
        this.emit(`let ${v} = "";`);
        (spec.concat ?? []).forEach((part, index) => {
          const value = this.rule(part, scope, `${pointer}/concat/${index}`);
          this.emit(`if (!H.isMissing(${value})) ${v} += (typeof ${value} === "object" ? JSON.stringify(${value}) : String(${value}));`);
        });
        this.emit(`if (${v} === "") ${v} = undefined;`);
        break;
      }
      case 'first': {
        this.emit(`let ${v};`);
        // Later alternatives are only computed when the earlier ones are missing.
        let depth = 0;
        (spec.first ?? []).forEach((part, index) => {
          if (index > 0) {
            this.emit(`if (H.isMissing(${v})) {`);
            depth += 1;
          }
          const value = this.rule(part, scope, `${pointer}/first/${index}`);
          this.emit(`${v} = ${value};`);
        });
        for (; depth > 0; depth -= 1) this.emit('}');
        break;
      }
      case 'object':
        this.emit(`let ${v} = ${this.object(spec.object ?? {}, scope, `${pointer}/object`, true)};`);
        break;
      case 'each':
        this.emit(`let ${v} = ${this.each(spec, scope, pointer)};`);
        break;
      case 'sum': {
        const values = spec.map !== undefined ? this.each({ each: spec.sum, map: spec.map, where: spec.where }, scope, pointer, 'sum') : this.read(spec.sum ?? '', scope, `${pointer}/sum`, true);
        this.emit(`let ${v} = H.sumDecimals(${values} ?? []);`);
        this.emit(`if (${v} === H.INVALID) fail(${JSON.stringify(`${pointer}/sum`)}, ${joinWhere(scope.where, spec.sum ?? '')}, "a value to add up is not a decimal number");`);
        break;
      }
      case 'count': {
        const list = this.read(spec.count ?? '', scope, `${pointer}/count`);
        this.emit(`let ${v} = Array.isArray(${list}) ? ${list}.length : (${list} == null ? 0 : 1);`);
        break;
      }
      case 'product': {
        const factors = (spec.product ?? []).map((part, index) => this.rule(part, scope, `${pointer}/product/${index}`));
        this.emit(`let ${v} = (${factors.map((factor) => `H.isMissing(${factor})`).join(' || ')}) ? undefined : H.multiplyDecimals([${factors.join(', ')}]);`);
        this.emit(`if (${v} === H.INVALID) fail(${JSON.stringify(`${pointer}/product`)}, ${scope.where}, "a factor is not a decimal number: " + H.show([${factors.join(', ')}]));`);
        break;
      }
      case 'money':
        this.emit(`let ${v} = ${this.money(spec.money as NonNullable<RuleObject['money']>, scope, `${pointer}/money`)};`);
        break;
      case 'if': {
        const test = this.condition(spec.if as Condition, scope, `${pointer}/if`);
        this.emit(`let ${v};`);
        this.emit(`if (${test}) {`);
        if (spec.then !== undefined) this.emit(`${v} = ${this.rule(spec.then, scope, `${pointer}/then`)};`);
        this.emit('} else {');
        if (spec.else !== undefined) this.emit(`${v} = ${this.rule(spec.else, scope, `${pointer}/else`)};`);
        this.emit('}');
        break;
      }
      case 'expr': {
        let expression: jsonata.Expression;
        try {
          expression = jsonata(spec.expr ?? '');
        } catch (error) {
          throw new MappingCompileError(`${pointer}/expr`, `JSONata: ${(error as Error).message}`);
        }
        this.constants.expressions.push(expression);
        this.emit(`let ${v} = await C.expressions[${this.constants.expressions.length - 1}].evaluate(${scope.current});`);
        break;
      }
    }
    this.modifiers(v, spec, scope, pointer, location);
    return v;
  }

  /** default, text functions, lookup, type, required: in this order, on the value in `v`. */
  private modifiers(v: string, spec: RuleObject, scope: Scope, pointer: string, location: string): void {
    if (spec.default !== undefined) {
      this.emit(`if (H.isMissing(${v})) {`);
      this.emit(`${v} = ${this.rule(spec.default, scope, `${pointer}/default`)};`);
      this.emit('}');
    }
    if (spec.trim === true) this.emit(`if (typeof ${v} === "string") ${v} = ${v}.trim();`);
    if (spec.case !== undefined) {
      const call = spec.case === 'upper' ? `${v}.toUpperCase()` : spec.case === 'lower' ? `${v}.toLowerCase()` : `H.titleCase(${v})`;
      this.emit(`if (typeof ${v} === "string") ${v} = ${call};`);
    }
    if (spec.replace !== undefined) {
      let regex: RegExp;
      try {
        regex = new RegExp(spec.replace.pattern, spec.replace.flags ?? 'g');
      } catch (error) {
        throw new MappingCompileError(`${pointer}/replace/pattern`, (error as Error).message);
      }
      this.constants.regexes.push(regex);
      this.emit(`if (typeof ${v} === "string") ${v} = ${v}.replace(C.regexes[${this.constants.regexes.length - 1}], ${JSON.stringify(spec.replace.with)});`);
    }
    if (spec.split !== undefined) this.emit(`if (typeof ${v} === "string") ${v} = ${v} === "" ? [] : ${v}.split(${JSON.stringify(spec.split)});`);
    if (spec.join !== undefined) this.emit(`if (Array.isArray(${v})) ${v} = ${v}.join(${JSON.stringify(spec.join)});`);
    if (spec.pad !== undefined) {
      const method = spec.pad.side === 'end' ? 'padEnd' : 'padStart';
      this.emit(`if (!H.isMissing(${v})) ${v} = String(${v}).${method}(${spec.pad.length}, ${JSON.stringify(spec.pad.char ?? ' ')});`);
    }
    if (spec.lookup !== undefined) this.lookup(v, spec.lookup, pointer, location);
    if (spec.as !== undefined) this.convert(v, spec, pointer, location);
    if (spec.required === true) {
      this.emit(`if (H.isMissing(${v})) fail(${JSON.stringify(pointer)}, ${location}, "is required but missing");`);
    }
  }

  private lookup(v: string, lookup: NonNullable<RuleObject['lookup']>, pointer: string, location: string): void {
    const table = new Map<string, unknown>();
    if (lookup.file !== undefined) {
      try {
        for (const [key, value] of this.options.loadTable(lookup.file)) table.set(key, value);
      } catch (error) {
        throw new MappingCompileError(`${pointer}/lookup/file`, (error as Error).message);
      }
    }
    for (const [key, value] of Object.entries(lookup.table ?? {})) table.set(key, value);
    if (lookup.table === undefined && lookup.file === undefined) throw new MappingCompileError(`${pointer}/lookup`, 'give a table or a file');
    this.constants.tables.push(table);
    const index = this.constants.tables.length - 1;
    const fallback =
      lookup.default !== undefined
        ? this.constant(lookup.default)
        : `fail(${JSON.stringify(`${pointer}/lookup`)}, ${location}, H.show(${v}) + " is not in the lookup table; add it or give the lookup a default")`;
    this.emit(`if (!H.isMissing(${v})) ${v} = C.tables[${index}].has(String(${v})) ? C.tables[${index}].get(String(${v})) : ${fallback};`);
  }

  private convert(v: string, spec: RuleObject, pointer: string, location: string): void {
    const format = spec.format === undefined ? 'undefined' : JSON.stringify(spec.format);
    const zone = spec.timezone === undefined ? 'undefined' : JSON.stringify(spec.timezone);
    const call: Record<NonNullable<RuleObject['as']>, string> = {
      string: `H.toText(${v})`,
      integer: `H.toInteger(${v})`,
      decimal: `H.toDecimal(${v})`,
      number: `H.toNumber(${v})`,
      boolean: `H.toBoolean(${v})`,
      date: `H.toDate(${v}, ${format})`,
      datetime: `H.toDateTime(${v}, ${format}, ${zone})`,
    };
    const as = spec.as as NonNullable<RuleObject['as']>;
    const dated = as === 'date' || as === 'datetime';
    if (spec.date_window !== undefined && !dated) throw new MappingCompileError(`${pointer}/date_window`, 'date_window applies to as: date or as: datetime');
    const hint = as === 'datetime' && spec.timezone === undefined && spec.format === undefined ? ' (an ISO 8601 time with offset; for local times set timezone)' : '';
    const t = this.variable('t');
    this.emit(`if (!H.isMissing(${v})) {`);
    this.emit(`const ${t} = ${call[as]};`);
    // A bare number given as a date needs its unit; other values get the general hint.
    const why = dated ? ` + (H.dateHint(${v}) || ${JSON.stringify(hint)})` : '';
    this.emit(`if (${t} === H.INVALID) fail(${JSON.stringify(pointer)}, ${location}, H.show(${v}) + ${JSON.stringify(` is not a valid ${as}`)}${why});`);
    const window = dated ? this.window(spec.date_window ?? this.options.dateWindow ?? DEFAULT_DATE_WINDOW, pointer) : undefined;
    if (window !== undefined) {
      this.emit(
        `if (H.outsideWindow(${t}, C.windows[${window}])) fail(${JSON.stringify(pointer)}, ${location}, H.show(${v}) + " is outside the plausible dates " + C.windows[${window}].label + "; fix the source, or widen date_window in the mapping");`,
      );
    }
    this.emit(`${v} = ${t};`);
    this.emit('}');
  }

  /** The index of a rule's date window among the constants, or undefined for none. */
  private window(spec: DateWindowSpec | false, pointer: string): number | undefined {
    if (spec === false) return undefined;
    const fromText = spec.from ?? DEFAULT_DATE_WINDOW.from;
    const from = Date.parse(`${fromText.slice(0, 10)}T00:00:00Z`);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(fromText) || Number.isNaN(from)) throw new MappingCompileError(`${pointer}/date_window/from`, `"${fromText}" is not a date (YYYY-MM-DD)`);
    const now = this.options.now ?? new Date();
    const to = new Date(now.getTime());
    to.setUTCFullYear(to.getUTCFullYear() + (spec.years_ahead ?? DEFAULT_DATE_WINDOW.years_ahead));
    this.constants.windows.push({ from, to: to.getTime(), label: `${fromText} to ${to.toISOString().slice(0, 10)}` });
    return this.constants.windows.length - 1;
  }

  private money(money: NonNullable<RuleObject['money']>, scope: Scope, pointer: string): string {
    const amount = this.rule(money.amount, scope, `${pointer}/amount`);
    const currency = this.rule(money.currency, scope, `${pointer}/currency`);
    const out = this.variable('m');
    const convert = money.minor_units === true ? `H.fromMinorUnits(${amount}, String(${currency}))` : `H.toDecimal(${amount})`;
    this.emit(`let ${out};`);
    this.emit(`if (!H.isMissing(${amount})) {`);
    this.emit(`if (H.isMissing(${currency})) fail(${JSON.stringify(`${pointer}/currency`)}, ${scope.where}, "an amount needs a currency");`);
    this.emit(`const a = ${convert};`);
    this.emit(`if (a === H.INVALID) fail(${JSON.stringify(`${pointer}/amount`)}, ${scope.where}, H.show(${amount}) + " is not a valid amount");`);
    this.emit(`${out} = { amount: a, currency: String(${currency}).toUpperCase() };`);
    this.emit('}');
    return out;
  }

  /** Maps the items of an array (a single object counts as one item: XML often has one). */
  private each(spec: RuleObject, scope: Scope, pointer: string, key: 'each' | 'sum' = 'each'): string {
    const listPath = spec[key] ?? spec.each ?? '';
    const list = this.read(listPath, scope, `${pointer}/${key}`);
    const items = this.variable('items');
    const out = this.variable('list');
    const index = this.variable('i');
    const item = this.variable('item');
    const listWhere = joinWhere(scope.where, listPath);
    this.emit(`const ${items} = Array.isArray(${list}) ? ${list} : (${list} == null ? [] : [${list}]);`);
    this.emit(`const ${out} = [];`);
    this.emit(`for (let ${index} = 0; ${index} < ${items}.length; ${index}++) {`);
    this.emit(`const ${item} = ${items}[${index}];`);
    const inner: Scope = { current: item, where: `${listWhere} + "[" + ${index} + "]"` };
    if (spec.where !== undefined) this.emit(`if (!(${this.condition(spec.where, inner, `${pointer}/where`)})) continue;`);
    if (spec.map === undefined) throw new MappingCompileError(`${pointer}/map`, `"${key}" needs "map": the rule applied to each item`);
    const value = this.rule(spec.map, inner, `${pointer}/map`);
    this.emit(`if (${value} != null) ${out}.push(${value});`);
    this.emit('}');
    return out;
  }

  /** A boolean JS expression for a condition; emits whatever reads it needs. */
  condition(condition: Condition, scope: Scope, pointer: string): string {
    const parts: string[] = [];
    if (condition.all !== undefined) parts.push(`(${condition.all.map((item, index) => this.condition(item, scope, `${pointer}/all/${index}`)).join(' && ')})`);
    if (condition.any !== undefined) parts.push(`(${condition.any.map((item, index) => this.condition(item, scope, `${pointer}/any/${index}`)).join(' || ')})`);
    if (condition.not !== undefined) parts.push(`!(${this.condition(condition.not, scope, `${pointer}/not`)})`);
    const path = condition.path ?? condition.root;
    if (path !== undefined) {
      const from = condition.root !== undefined ? { current: 'rec', where: '""' } : scope;
      const value = this.variable('c');
      this.emit(`const ${value} = ${this.read(path, from, `${pointer}/${condition.root !== undefined ? 'root' : 'path'}`)};`);
      const text = `(${value} == null ? undefined : String(${value}))`;
      if (condition.equals !== undefined) parts.push(condition.equals === null ? `${value} == null` : `${text} === ${JSON.stringify(String(condition.equals))}`);
      if (condition.not_equals !== undefined) parts.push(condition.not_equals === null ? `${value} != null` : `${text} !== ${JSON.stringify(String(condition.not_equals))}`);
      if (condition.in !== undefined) parts.push(`${JSON.stringify(condition.in.map(String))}.includes(${text})`);
      if (condition.not_in !== undefined) parts.push(`!${JSON.stringify(condition.not_in.map(String))}.includes(${text})`);
      if (condition.exists !== undefined) parts.push(`${condition.exists ? '' : '!'}!H.isMissing(${value})`);
      for (const [key, op] of [['gt', '>'], ['gte', '>='], ['lt', '<'], ['lte', '<=']] as const) {
        const bound = condition[key];
        if (bound !== undefined) parts.push(`(!H.isMissing(${value}) && Number(${value}) ${op} ${JSON.stringify(bound)})`);
      }
      if (condition.matches !== undefined) {
        try {
          this.constants.regexes.push(new RegExp(condition.matches));
        } catch (error) {
          throw new MappingCompileError(`${pointer}/matches`, (error as Error).message);
        }
        parts.push(`(${value} != null && C.regexes[${this.constants.regexes.length - 1}].test(String(${value})))`);
      }
    }
    if (parts.length === 0) throw new MappingCompileError(pointer, 'the condition tests nothing: add equals, in, exists, gt, ... or all/any/not');
    return parts.join(' && ');
  }

  /** Reads a path from the scope's current value; with [*] the result is a list. */
  private read(text: string, scope: Scope, pointer: string, forceList = false): string {
    const segments = parsePath(text);
    if (typeof segments === 'string') throw new MappingCompileError(pointer, `path "${text}": ${segments}`);
    const v = this.variable('p');
    if (!segments.some((segment) => segment.kind === 'all')) {
      this.emit(`let ${v} = ${scope.current};`);
      for (const segment of segments) this.emit(`${v} = ${v} == null ? undefined : ${v}${access(segment)};`);
      if (forceList) this.emit(`${v} = ${v} === undefined ? [] : (Array.isArray(${v}) ? ${v} : [${v}]);`);
      return v;
    }
    this.emit(`const ${v} = [];`);
    this.collect(segments, scope.current, v);
    return v;
  }

  /** Emits nested loops for the [*] steps of a path, pushing what the path reaches into `into`. */
  private collect(segments: PathSegment[], from: string, into: string): void {
    const star = segments.findIndex((segment) => segment.kind === 'all');
    const cursor = this.variable('w');
    this.emit(`let ${cursor} = ${from};`);
    const before = star < 0 ? segments : segments.slice(0, star);
    for (const segment of before) this.emit(`${cursor} = ${cursor} == null ? undefined : ${cursor}${access(segment)};`);
    if (star < 0) {
      this.emit(`if (${cursor} !== undefined) ${into}.push(${cursor});`);
      return;
    }
    const item = this.variable('x');
    this.emit(`for (const ${item} of (Array.isArray(${cursor}) ? ${cursor} : (${cursor} == null ? [] : [${cursor}]))) {`);
    this.collect(segments.slice(star + 1), item, into);
    this.emit('}');
  }

  private constant(value: unknown): string {
    if (value === null || typeof value !== 'object') return value === undefined ? 'undefined' : JSON.stringify(value);
    // Objects are rebuilt per record from JSON so records never share (or mutate) one constant.
    this.constants.values.push(JSON.stringify(value));
    return `JSON.parse(C.values[${this.constants.values.length - 1}])`;
  }
}

function access(segment: PathSegment): string {
  if (segment.kind === 'key') return `[${JSON.stringify(segment.key)}]`;
  if (segment.kind === 'index') return `[${segment.index}]`;
  return '';
}

function joinWhere(where: string, path: string): string {
  return where === '""' ? JSON.stringify(path) : `${where} + ${JSON.stringify(`.${path}`)}`;
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}
