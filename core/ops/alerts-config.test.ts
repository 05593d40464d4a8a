import { afterEach, describe, expect, it } from 'vitest';
import { tempProject, type TempProject } from '../../test-support/temp-project.js';
import { loadProject } from '../config/load-project.js';
import { ConfigError } from '../errors.js';
import { openProject } from '../project/open-project.js';
import { AlertMonitor } from './alert-monitor.js';

let project: TempProject | undefined;
afterEach(() => project?.remove());

const PIPELINE = `name: orders
source: { connection: inbox, stream: files, options: { path: "*.csv" } }
targets:
  - { connection: outbox, stream: files, options: { path: "o-{seq}.ndjson" } }
`;

function withAlerts(alerts: string): TempProject {
  project = tempProject({
    'keel.yaml': `name: shop
connections:
  inbox: { connector: file, config: { root: ./in } }
  outbox: { connector: file, config: { root: ./out } }
alerts:
${alerts}`,
    'pipelines/orders.yaml': PIPELINE,
  });
  return project;
}

/** `line message` of each problem loading the project reports. */
async function problems(alerts: string): Promise<string[]> {
  const dir = withAlerts(alerts).dir;
  try {
    await loadProject(dir);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((problem) => `${problem.file.replace(/^.*\//, '')}:${problem.line} ${problem.message}`);
    throw error;
  }
  return [];
}

const HOOK = `  destinations:
    hook: { webhook: { url: "https://alerts.example.com/keel", secret: "\${env:HOOK_SECRET}" } }
`;

describe('keel.yaml alerts:', () => {
  it('loads destinations and rules into a typed plan, every destination notified by default', async () => {
    const dir = withAlerts(`  interval_seconds: 30
${HOOK}    mail: { email: { host: smtp.example.com, from: keel@example.com, to: [ops@example.com] } }
  rules:
    - { name: failed, run_failed: true, pipelines: [orders] }
    - { name: stale, no_success_for_seconds: 7200, notify: [mail] }
    - { name: drift, drift_skus_above: 10, channels: [shop] }
`).dir;
    const { plan } = await loadProject(dir);
    expect(plan.alerts).toMatchObject({
      intervalMs: 30_000,
      destinations: [{ name: 'hook', kind: 'webhook' }, { name: 'mail', kind: 'email' }],
      rules: [
        { name: 'failed', condition: { kind: 'run_failed', pipelines: ['orders'] }, notify: ['hook', 'mail'] },
        { name: 'stale', condition: { kind: 'no_success_for', ms: 7_200_000 }, notify: ['mail'] },
        { name: 'drift', condition: { kind: 'drift_skus_above', limit: 10, channels: ['shop'] }, notify: ['hook', 'mail'] },
      ],
    });
  });

  it('refuses secrets written inline, saying how to reference them', async () => {
    expect(
      await problems(`  destinations:
    hook: { webhook: { url: "https://alerts.example.com", secret: "hunter2-inline" } }
    mail: { email: { host: smtp.example.com, user: u, password: "pa55-inline", from: a@example.com, to: [b@example.com] } }
  rules:
    - { name: failed, run_failed: true }
`),
    ).toEqual([
      'keel.yaml:7 alerts.destinations.hook.webhook.secret is a secret and must not be written inline; use ${env:NAME} or ${file:path/to/secret}',
      'keel.yaml:8 alerts.destinations.mail.email.password is a secret and must not be written inline; use ${env:NAME} or ${file:path/to/secret}',
    ]);
  });

  it('names each mistake in destinations and rules with its line and the fix', async () => {
    expect(
      await problems(`  destinations:
    both: { webhook: { url: "https://a.example.com", secret: "\${env:S}" }, email: { host: h, from: a@example.com, to: [b@example.com] } }
    none: {}
    local: { webhook: { url: "file:///etc/passwd", secret: "\${env:S}" } }
    smuggler: { email: { host: h, from: "a@example.com\\r\\nBcc: all@example.com", to: [b@example.com] } }
  rules:
    - { name: two, run_failed: true, dead_letters_above: 3 }
    - { name: nothing }
    - { name: typo, run_failed: true, pipelines: [ordrs] }
    - { name: wrong-filter, order_held_for_seconds: 60, pipelines: [orders] }
    - { name: who, drift_skus_above: 1, notify: [loca] }
    - { name: who, run_failed: true }
`),
    ).toEqual([
      'keel.yaml:7 alert destination "both" needs exactly one of webhook: or email: (it has both)',
      'keel.yaml:8 alert destination "none" needs exactly one of webhook: or email: (it has neither)',
      'keel.yaml:9 webhook url of "local" must start with http:// or https://',
      'keel.yaml:10 "a@example.com\\r\\nBcc: all@example.com" is not an email address (one address, with @, on one line)',
      'keel.yaml:12 alert rule "two" needs exactly one condition (run_failed, dead_letters_above, no_success_for_seconds, order_held_for_seconds, drift_skus_above); it has run_failed and dead_letters_above',
      'keel.yaml:13 alert rule "nothing" needs exactly one condition (run_failed, dead_letters_above, no_success_for_seconds, order_held_for_seconds, drift_skus_above); it has none',
      'keel.yaml:14 no pipeline is named "ordrs"; did you mean "orders"?',
      'keel.yaml:15 pipelines: does not apply to order_held_for_seconds; remove it',
      'keel.yaml:16 no alert destination is named "loca"; did you mean "local"?',
      'keel.yaml:17 two alert rules are named "who"; give each its own name',
    ]);
  });

  it('checks the shape against the schema: unknown keys, __proto__ names, bad numbers', async () => {
    const found = await problems(`  destinations:
    __proto__: { webhook: { url: "https://a.example.com", secret: "\${env:S}" } }
  rules:
    - { name: a, dead_letters_above: -1, escalate: true }
`);
    expect(found.length).toBeGreaterThanOrEqual(3);
    expect(found.join('\n')).toMatch(/keel\.yaml:7 .*__proto__/);
    expect(found.join('\n')).toMatch(/keel\.yaml:9 .*escalate/);
    expect(found.join('\n')).toMatch(/keel\.yaml:9 .*dead_letters_above must be >= 0/);
  });

  it('resolves destination secrets when a monitor is made: an unset variable names the line, never a value', async () => {
    const dir = withAlerts(`${HOOK}  rules:
    - { name: failed, run_failed: true }
`).dir;
    const open = await openProject(dir);
    try {
      expect(() => AlertMonitor.create(open, { env: {} })).toThrow(/keel\.yaml:7:\d+: environment variable HOOK_SECRET is not set; export it before running/);
      expect(() => AlertMonitor.create(open, { env: { HOOK_SECRET: 'resolved-secret-value' } })).not.toThrow();
      expect(open.redactor.redact('x resolved-secret-value y')).not.toContain('resolved-secret-value');
    } finally {
      await open.close();
    }
  });
});
