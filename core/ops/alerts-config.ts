import type { ConfigProblem } from '../errors.js';
import { suggest } from '../config/schema-check.js';
import { checkReferences, referencePaths, resolveReferences } from '../config/secrets.js';
import type { YamlPath, YamlSource } from '../config/yaml-source.js';
import { ConfigError } from '../errors.js';
import type { Redactor } from '../redact.js';
import {
  EmailDestinationSchema,
  WebhookDestinationSchema,
  type AlertRuleDocument,
  type AlertsDocument,
  type EmailDestinationDocument,
  type WebhookDestinationDocument,
} from './alerts-schema.js';

export type AlertCondition =
  | { kind: 'run_failed'; pipelines: string[] | undefined }
  | { kind: 'dead_letters_above'; limit: number; pipelines: string[] | undefined }
  | { kind: 'no_success_for'; ms: number; pipelines: string[] | undefined }
  | { kind: 'order_held_for'; ms: number }
  | { kind: 'drift_skus_above'; limit: number; channels: string[] | undefined };

export interface AlertRulePlan {
  name: string;
  condition: AlertCondition;
  /** Destination names. */
  notify: string[];
}

/** A destination as written: `${env:…}` references are resolved when the monitor is built (resolveDestinations). */
export type AlertDestinationPlan = { name: string; kind: 'webhook'; config: WebhookDestinationDocument } | { name: string; kind: 'email'; config: EmailDestinationDocument };

export interface AlertsPlan {
  intervalMs: number;
  destinations: AlertDestinationPlan[];
  rules: AlertRulePlan[];
  /** keel.yaml, for the positions of problems found when references are resolved. */
  source: YamlSource;
}

const CONDITIONS = ['run_failed', 'dead_letters_above', 'no_success_for_seconds', 'order_held_for_seconds', 'drift_skus_above'] as const;
const BY_PIPELINE = new Set(['run_failed', 'dead_letters_above', 'no_success_for_seconds']);
/** An address without line breaks or other control characters: nothing can be smuggled into mail headers. */
const ADDRESS = /^[^\u0000-\u001f\u007f]*@[^\u0000-\u001f\u007f]*$/;

/**
 * Checks keel.yaml `alerts:` beyond its schema (which the whole file passed): one kind per
 * destination, one condition per rule and filters that fit it, names that exist, secrets only
 * by reference. Every problem names keel.yaml's line and the fix.
 */
export function loadAlerts(doc: AlertsDocument, source: YamlSource, pipelines: ReadonlySet<string>): { plan: AlertsPlan | undefined; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const problem = (path: YamlPath, message: string): void => {
    problems.push({ file: source.file, ...source.position(['alerts', ...path]), message });
  };
  const destinations: AlertDestinationPlan[] = [];
  for (const [name, entry] of Object.entries(doc.destinations)) {
    const at = ['destinations', name];
    const kinds = (['webhook', 'email'] as const).filter((kind) => entry[kind] !== undefined);
    if (kinds.length !== 1) {
      problem(at, `alert destination "${name}" needs exactly one of webhook: or email: (it has ${kinds.length === 0 ? 'neither' : 'both'})`);
      continue;
    }
    if (entry.webhook !== undefined) {
      problems.push(...checkReferences(entry.webhook, WebhookDestinationSchema, source, ['alerts', ...at, 'webhook']));
      if (!referencePaths(entry.webhook).has('url') && !/^https?:\/\//.test(entry.webhook.url)) {
        problem([...at, 'webhook', 'url'], `webhook url of "${name}" must start with http:// or https://`);
      }
      destinations.push({ name, kind: 'webhook', config: entry.webhook });
    } else if (entry.email !== undefined) {
      problems.push(...checkReferences(entry.email, EmailDestinationSchema, source, ['alerts', ...at, 'email']));
      for (const [index, address] of [entry.email.from, ...entry.email.to].entries()) {
        if (!ADDRESS.test(address)) problem([...at, 'email', ...(index === 0 ? ['from'] : ['to', index - 1])], `${JSON.stringify(address)} is not an email address (one address, with @, on one line)`);
      }
      destinations.push({ name, kind: 'email', config: entry.email });
    }
  }
  const destinationNames = Object.keys(doc.destinations);
  const rules: AlertRulePlan[] = [];
  const ruleNames = new Set<string>();
  for (const [index, rule] of doc.rules.entries()) {
    const at = ['rules', index];
    if (ruleNames.has(rule.name)) problem([...at, 'name'], `two alert rules are named "${rule.name}"; give each its own name`);
    ruleNames.add(rule.name);
    const present = CONDITIONS.filter((key) => rule[key] !== undefined);
    if (present.length !== 1) {
      problem(at, `alert rule "${rule.name}" needs exactly one condition (${CONDITIONS.join(', ')}); it has ${present.length === 0 ? 'none' : present.join(' and ')}`);
      continue;
    }
    const kind = present[0] as (typeof CONDITIONS)[number];
    if (rule.pipelines !== undefined && !BY_PIPELINE.has(kind)) problem([...at, 'pipelines'], `pipelines: does not apply to ${kind}; remove it`);
    if (rule.channels !== undefined && kind !== 'drift_skus_above') problem([...at, 'channels'], `channels: applies to drift_skus_above only; remove it`);
    for (const [position, name] of (rule.pipelines ?? []).entries()) {
      if (pipelines.has(name)) continue;
      const hint = suggest(name, [...pipelines]);
      problem([...at, 'pipelines', position], `no pipeline is named "${name}"${hint !== undefined ? `; did you mean "${hint}"?` : ''}`);
    }
    for (const [position, name] of (rule.notify ?? []).entries()) {
      if (destinationNames.includes(name)) continue;
      const hint = suggest(name, destinationNames);
      problem([...at, 'notify', position], `no alert destination is named "${name}"${hint !== undefined ? `; did you mean "${hint}"?` : `; destinations: ${destinationNames.join(', ')}`}`);
    }
    rules.push({ name: rule.name, condition: condition(rule), notify: rule.notify ?? destinationNames });
  }
  if (problems.length > 0) return { plan: undefined, problems };
  return { plan: { intervalMs: (doc.interval_seconds ?? 60) * 1000, destinations, rules, source }, problems };
}

function condition(rule: AlertRuleDocument): AlertCondition {
  if (rule.dead_letters_above !== undefined) return { kind: 'dead_letters_above', limit: rule.dead_letters_above, pipelines: rule.pipelines };
  if (rule.no_success_for_seconds !== undefined) return { kind: 'no_success_for', ms: rule.no_success_for_seconds * 1000, pipelines: rule.pipelines };
  if (rule.order_held_for_seconds !== undefined) return { kind: 'order_held_for', ms: rule.order_held_for_seconds * 1000 };
  if (rule.drift_skus_above !== undefined) return { kind: 'drift_skus_above', limit: rule.drift_skus_above, channels: rule.channels };
  return { kind: 'run_failed', pipelines: rule.pipelines };
}

/**
 * The destinations with every `${env:…}`/`${file:…}` resolved, the resolved values registered
 * with the redactor (so no log line shows them). A missing variable is a ConfigError naming keel.yaml's line.
 */
export function resolveDestinations(plan: AlertsPlan, options: { projectDir: string; env: NodeJS.ProcessEnv; redactor: Redactor }): AlertDestinationPlan[] {
  const problems: ConfigProblem[] = [];
  const resolved = plan.destinations.map((destination): AlertDestinationPlan => {
    const basePath = ['alerts', 'destinations', destination.name, destination.kind];
    const found = resolveReferences(destination.config, { ...options, source: plan.source, basePath });
    problems.push(...found.problems);
    if (destination.kind === 'webhook') {
      const config = found.value as WebhookDestinationDocument;
      if (found.problems.length === 0 && !/^https?:\/\//.test(config.url)) {
        problems.push({ file: plan.source.file, ...plan.source.position([...basePath, 'url']), message: `webhook url of "${destination.name}" must resolve to an http:// or https:// address` });
      }
      return { name: destination.name, kind: 'webhook', config };
    }
    return { name: destination.name, kind: 'email', config: found.value as EmailDestinationDocument };
  });
  if (problems.length > 0) throw new ConfigError(problems);
  return resolved;
}
