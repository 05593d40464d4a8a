/**
 * Reads a routing profile from YAML: schema errors and broken references come back together as a
 * ConfigError naming file:line:col, and a valid profile gets its version (a content hash), which
 * receipts and backtests use to say which rules decided.
 */
import { readFileSync } from 'node:fs';
import { ConfigError, type ConfigProblem } from '../errors.js';
import type { JsonObject } from '../json.js';
import { checkAgainstSchema } from '../config/schema-check.js';
import { YamlSource } from '../config/yaml-source.js';
import { contentHash } from '../runtime/record-key.js';
import type { ConfigIssue } from '../inventory/inventory-config.js';
import { RoutingProfileSchema, type RoutingProfile } from './profile-schema.js';

export interface LoadedProfile {
  profile: RoutingProfile;
  /** First 12 hex digits of the content hash: key order and comments do not change it. */
  version: string;
}

export function profileVersion(profile: RoutingProfile): string {
  return contentHash(profile as unknown as JsonObject).slice(0, 12);
}

export function loadRoutingProfile(file: string, display = file): LoadedProfile {
  return parseRoutingProfile(display, readFileSync(file, 'utf8'));
}

export function parseRoutingProfile(file: string, text: string): LoadedProfile {
  const source = YamlSource.parse(file, text);
  const problems: ConfigProblem[] = checkAgainstSchema(RoutingProfileSchema, source.value, source, [], 'routing profile');
  if (problems.length > 0) throw new ConfigError(problems);
  const profile = source.value as RoutingProfile;
  const issues = checkRoutingProfile(profile);
  if (issues.length > 0) throw new ConfigError(issues.map((issue) => ({ file, ...source.position(issue.path), message: issue.message })));
  return { profile, version: profileVersion(profile) };
}

/** What the schema cannot say: unique strategy names, zones that exist, sensible ranges. */
export function checkRoutingProfile(profile: RoutingProfile): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const names = new Set<string>();
  for (const [index, strategy] of profile.strategies.entries()) {
    if (names.has(strategy.name)) issues.push({ path: ['strategies', index, 'name'], message: `strategy "${strategy.name}" is declared twice` });
    names.add(strategy.name);
    const value = strategy.when?.order_value;
    if (value?.min !== undefined && value.max !== undefined && Number(value.min) >= Number(value.max)) {
      issues.push({ path: ['strategies', index, 'when', 'order_value'], message: 'order_value.min must be below order_value.max' });
    }
    if (strategy.split?.allowed === false && strategy.split.max_parts !== undefined && strategy.split.max_parts > 1) {
      issues.push({ path: ['strategies', index, 'split', 'max_parts'], message: 'max_parts above 1 needs split.allowed: true' });
    }
    if ((strategy.ratings?.shipping_cost ?? 0) > 0 && profile.shipping_rates === undefined) {
      issues.push({ path: ['strategies', index, 'ratings', 'shipping_cost'], message: 'rating shipping_cost needs shipping_rates in the profile' });
    }
  }
  const zones = new Set(Object.keys(profile.shipping_rates?.zones ?? {}));
  for (const [index, table] of (profile.shipping_rates?.tables ?? []).entries()) {
    if (!zones.has(table.zone)) issues.push({ path: ['shipping_rates', 'tables', index, 'zone'], message: `zone "${table.zone}" is not declared under shipping_rates.zones` });
    for (const [at, bracket] of table.brackets.entries()) {
      const last = at === table.brackets.length - 1;
      const previous = table.brackets[at - 1]?.max_weight_grams;
      if (!last && bracket.max_weight_grams === undefined) {
        issues.push({ path: ['shipping_rates', 'tables', index, 'brackets', at], message: 'only the last bracket may leave out max_weight_grams' });
      } else if (previous !== undefined && bracket.max_weight_grams !== undefined && bracket.max_weight_grams <= previous) {
        issues.push({ path: ['shipping_rates', 'tables', index, 'brackets', at, 'max_weight_grams'], message: 'brackets must be in ascending max_weight_grams' });
      }
      // The allocation's bound needs a part's cost never to drop as it gets heavier.
      const previousCost = table.brackets[at - 1]?.cost;
      if (previousCost !== undefined && Number(bracket.cost) < Number(previousCost)) {
        issues.push({ path: ['shipping_rates', 'tables', index, 'brackets', at, 'cost'], message: 'a heavier bracket cannot cost less than a lighter one' });
      }
    }
  }
  return issues;
}
