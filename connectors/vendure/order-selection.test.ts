import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ORDER_SELECTION } from './read-orders.js';

/**
 * The orders stream asks Vendure for what mappings/vendure/order.to-canonical.json reads: every
 * field name on a source path of the mapping is in the query's selection set. (A field the server
 * does not have fails the query there: vendure.real.test.ts runs it against Vendure 3.7.3.)
 */
const MAPPING = JSON.parse(readFileSync(new URL('../../mappings/vendure/order.to-canonical.json', import.meta.url), 'utf8')) as { output: unknown };

/** Keys whose values are no source paths: constants, lookup tables, comparison values, modifiers. */
const NOT_PATHS = new Set(['const', 'lookup', 'equals', 'not_equals', 'matches', 'in', 'not_in', 'gt', 'gte', 'lt', 'lte', 'as', 'case', 'format', 'timezone', 'replace', 'pad', 'split', 'join', 'trim', 'required', 'exists']);
const JSONATA_WORDS = new Set(['and', 'or', 'in', 'true', 'false', 'null', 'number', 'string']);

function fieldNames(rule: unknown, into: Set<string>): Set<string> {
  if (typeof rule === 'string') {
    for (const part of rule.split('.')) {
      const name = part.replace(/\[[^\]]*\]/g, '');
      if (name !== '' && name !== '$') into.add(name);
    }
  } else if (Array.isArray(rule)) {
    for (const item of rule) fieldNames(item, into);
  } else if (typeof rule === 'object' && rule !== null) {
    for (const [key, value] of Object.entries(rule)) {
      if (NOT_PATHS.has(key)) continue;
      if (key === 'expr' && typeof value === 'string') {
        // Field names in a JSONATA expression: words that are not functions ($type), strings or keywords.
        for (const word of value.replace(/'[^']*'/g, '').match(/(?<![$\w])[A-Za-z_]\w*/g) ?? []) if (!JSONATA_WORDS.has(word)) into.add(word);
        continue;
      }
      // `object` maps output fields to rules: its keys are output names, its values rules.
      fieldNames(value, into);
    }
  }
  return into;
}

describe('vendure orders query and the order mapping', () => {
  it('selects every field the mapping reads', () => {
    const selected = new Set(ORDER_SELECTION.match(/\w+/g));
    const read = [...fieldNames(MAPPING.output, new Set())];
    expect(read.length).toBeGreaterThan(40);
    expect(read.filter((name) => !selected.has(name))).toEqual([]);
  });
});
