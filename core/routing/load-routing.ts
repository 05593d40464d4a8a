/**
 * Loads keel.yaml's `routing:` section at project load: the profile (with file:line:col errors),
 * its per-location rules checked against the inventory's locations, the SKU facts CSV and the
 * postal-code centroids. Every problem is returned, none thrown, so `keel validate` lists them
 * together with the rest of the project's.
 */
import { parse } from 'csv-parse/sync';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { checkAgainstSchema } from '../config/schema-check.js';
import { YamlSource, type YamlPath } from '../config/yaml-source.js';
import { ConfigError, type ConfigProblem } from '../errors.js';
import { LOCATION_CAPABILITIES, type LocationCapability } from '../model/location.js';
import { loadPostalCentroids, type PostalCentroids } from './geo.js';
import { checkRoutingProfile, profileVersion } from './load-profile.js';
import { RoutingProfileSchema, type RoutingProfile } from './profile-schema.js';
import type { RoutingSection } from './routing-config.js';
import type { SkuInfo } from './routing-input.js';
import type { RoutingPlan } from './routing-engine.js';

export interface RoutingLoadInput {
  projectDir: string;
  section: RoutingSection;
  /** Location ids declared under inventory.locations. */
  locationIds: ReadonlySet<string>;
  /** A problem at a path inside the `routing:` section, placed at its line in keel.yaml. */
  problemAt(path: readonly (string | number)[], message: string): ConfigProblem;
  /** How file names appear in messages (relative to the working directory). */
  display(file: string): string;
}

export function loadRoutingPlan(input: RoutingLoadInput): { plan: RoutingPlan | undefined; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const at = (path: YamlPath, message: string): void => {
    problems.push(input.problemAt(path, message));
  };
  const profileFile = resolve(input.projectDir, input.section.profile);
  if (!existsSync(profileFile)) {
    at(['profile'], `profile ${input.section.profile} does not exist (paths are relative to the project directory)`);
    return { plan: undefined, problems };
  }
  const display = input.display(profileFile);
  let source: YamlSource;
  try {
    source = YamlSource.parse(display, readFileSync(profileFile, 'utf8'));
  } catch (error) {
    if (error instanceof ConfigError) return { plan: undefined, problems: [...problems, ...error.problems] };
    throw error;
  }
  const schemaProblems = checkAgainstSchema(RoutingProfileSchema, source.value, source, [], 'routing profile');
  if (schemaProblems.length > 0) return { plan: undefined, problems: [...problems, ...schemaProblems] };
  const profile = source.value as RoutingProfile;
  const found = checkRoutingProfile(profile).map((issue) => ({ path: issue.path, message: issue.message }));
  for (const id of Object.keys(profile.locations ?? {})) {
    if (!input.locationIds.has(id)) found.push({ path: ['locations', id], message: `location "${id}" is not declared under inventory.locations in keel.yaml` });
  }
  for (const [index, table] of (profile.shipping_rates?.tables ?? []).entries()) {
    for (const [at, id] of table.locations.entries()) {
      if (!input.locationIds.has(id)) found.push({ path: ['shipping_rates', 'tables', index, 'locations', at], message: `location "${id}" is not declared under inventory.locations in keel.yaml` });
    }
  }
  for (const [index, strategy] of profile.strategies.entries()) {
    for (const key of ['locations', 'exclude_locations'] as const) {
      for (const [at, id] of (strategy.fences?.[key] ?? []).entries()) {
        if (!input.locationIds.has(id)) found.push({ path: ['strategies', index, 'fences', key, at], message: `location "${id}" is not declared under inventory.locations in keel.yaml` });
      }
    }
  }
  problems.push(...found.map((issue) => ({ file: display, ...source.position(issue.path), message: issue.message })));

  let postalCentroid: PostalCentroids | undefined;
  const centroids = profile.customer_position?.postal_centroids;
  if (centroids !== undefined) {
    const file = resolve(dirname(profileFile), centroids);
    try {
      postalCentroid = loadPostalCentroids(file);
    } catch (error) {
      problems.push({ file: display, ...source.position(['customer_position', 'postal_centroids']), message: `${relative(input.projectDir, file)}: ${(error as Error).message}` });
    }
  }

  let skus: Map<string, SkuInfo> = new Map();
  if (input.section.skus !== undefined) {
    const file = resolve(input.projectDir, input.section.skus);
    if (!existsSync(file)) at(['skus'], `${input.section.skus} does not exist (paths are relative to the project directory)`);
    else {
      const read = readSkuFacts(readFileSync(file, 'utf8'), input.display(file));
      skus = read.skus;
      problems.push(...read.problems);
    }
  }
  if (problems.length > 0) return { plan: undefined, problems };
  return { plan: { section: input.section, profile: { profile, version: profileVersion(profile) }, skus, postalCentroid }, problems };
}

const CAPABILITIES = new Set<string>(LOCATION_CAPABILITIES);

/** `sku,category,weight_grams,requires` rows; each bad cell is a problem naming its line. */
export function readSkuFacts(text: string, file: string): { skus: Map<string, SkuInfo>; problems: ConfigProblem[] } {
  const rows = parse(text, { columns: true, skip_empty_lines: true, trim: true, info: true, bom: true }) as { record: Record<string, string>; info: { lines: number } }[];
  const skus = new Map<string, SkuInfo>();
  const problems: ConfigProblem[] = [];
  for (const { record, info } of rows) {
    const problem = (message: string): void => {
      problems.push({ file, line: info.lines, col: 1, message });
    };
    const sku = record['sku'];
    if (sku === undefined || sku === '') {
      problem('a row without sku; the CSV needs a sku column');
      continue;
    }
    const fact: SkuInfo = {};
    const category = record['category'];
    if (category !== undefined && category !== '') fact.category = category;
    const weight = record['weight_grams'];
    if (weight !== undefined && weight !== '') {
      const grams = Number(weight);
      if (!Number.isInteger(grams) || grams < 0) problem(`${sku}: weight_grams "${weight}" is not a whole number of grams`);
      else fact.weight_grams = grams;
    }
    const requires = record['requires'];
    if (requires !== undefined && requires !== '') {
      const list = requires.split('|').map((item) => item.trim());
      const unknown = list.filter((item) => !CAPABILITIES.has(item));
      if (unknown.length > 0) problem(`${sku}: requires ${unknown.join(', ')}, which is not a capability (${LOCATION_CAPABILITIES.join(', ')})`);
      else fact.requires = list as LocationCapability[];
    }
    skus.set(sku, fact);
  }
  return { skus, problems };
}
