import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { smtpReceiver, webhookReceiver } from '../../test-support/alert-receivers.js';
import { opsProject } from '../../test-support/ops-project.js';
import { runProject } from '../../test-support/run-project.js';
import type { TempProject } from '../../test-support/temp-project.js';
import inventory from '../../engines/inventory/index.js';
import type { EvaluationReport } from './alert-monitor.js';
import { createLogger } from '../logger.js';
import { openProject, type OpenProject } from '../project/open-project.js';
import { Redactor } from '../redact.js';
import { AlertMonitor } from './alert-monitor.js';
import { signWebhook } from './alert-senders.js';

const HOOK_SECRET = 'whsec-4f1c9a0b7e2d';
const SMTP_PASSWORD = 'smtp-pass-83e1d0c6';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The ops project with an alerts: section (rules given as YAML lines) pointing at the receivers. */
function alertingProject(hookUrl: string, smtpPort: number, rules: string): TempProject {
  const project = opsProject();
  cleanups.push(() => project.remove());
  const keel = readFileSync(project.path('keel.yaml'), 'utf8');
  writeFileSync(
    project.path('keel.yaml'),
    `${keel}alerts:
  destinations:
    ops-hook:
      webhook: { url: "${hookUrl}", secret: "\${env:HOOK_SECRET}" }
    ops-mail:
      email: { host: 127.0.0.1, port: ${smtpPort}, user: alerts, password: "\${env:SMTP_PASSWORD}", from: keel@example.com, to: [ops@example.com, oncall@example.com], timeout_ms: 5000 }
  rules:
${rules}`,
  );
  mkdirSync(project.path('out'));
  return project;
}

const ENV = { HOOK_SECRET, SMTP_PASSWORD };

/** A project opened as `keel serve` would, with its log kept, and a monitor on it. */
async function monitorOn(dir: string, now: () => number, more: { firstRetryMs?: number } = {}): Promise<{ project: OpenProject; monitor: AlertMonitor; log: () => string }> {
  let log = '';
  const redactor = new Redactor();
  const project = await openProject(dir, { redactor, logger: createLogger({ level: 'debug', format: 'json', redactor, write: (line) => (log += line) }) });
  cleanups.push(() => project.close());
  return { project, monitor: AlertMonitor.create(project, { now, env: ENV, ...more }), log: () => log };
}

function verified(hook: { headers: Record<string, string | string[] | undefined>; body: string }): Record<string, unknown> {
  const timestamp = String(hook.headers['keel-timestamp']);
  expect(hook.headers['keel-signature']).toBe(`sha256=${signWebhook(HOOK_SECRET, timestamp, hook.body)}`);
  expect(hook.headers['keel-signature']).not.toBe(`sha256=${signWebhook('another-secret', timestamp, hook.body)}`);
  return JSON.parse(hook.body) as Record<string, unknown>;
}

describe('alerts', () => {
  it('tells a signed webhook and an email once when a run fails, never again (not after a restart), and once when it clears', async () => {
    const hook = await webhookReceiver();
    const smtp = await smtpReceiver('alerts', SMTP_PASSWORD);
    cleanups.push(hook.close, smtp.close);
    const project = alertingProject(hook.url, smtp.port, '    - { name: export-failed, run_failed: true, pipelines: [export] }\n');
    const failed = await runProject(project.dir, { pipeline: 'export', env: {} });
    expect(failed.summary.status).toBe('failed');

    let clock = Date.parse('2026-11-23T08:00:00Z');
    const first = await monitorOn(project.dir, () => clock);
    expect(await first.monitor.evaluate()).toEqual({ opened: ['export-failed/export'], resolved: [], sent: 2, failed: 0 });
    expect(hook.received).toHaveLength(1);
    const opened = verified(hook.received[0] ?? { headers: {}, body: '' });
    expect(opened).toMatchObject({ event: 'open', project: 'watched', rule: 'export-failed', incident: { key: 'export-failed/export', subject: 'export' }, facts: { kind: 'run_failed', pipeline: 'export', run: failed.summary.runId } });
    expect(String(opened['message'])).toMatch(/^pipeline export: run \d+ failed: .*OUT_ROOT is not set/);
    expect(hook.received[0]?.headers['keel-delivery']).toMatch(/^incident-\d+-open$/);
    expect(smtp.received).toHaveLength(1);
    const mail = smtp.received[0];
    expect(mail).toMatchObject({ from: 'keel@example.com', to: ['ops@example.com', 'oncall@example.com'], user: 'alerts' });
    expect(mail?.headers.get('subject')).toMatch(/^\[keel watched\] FIRING export-failed: pipeline export: run \d+ failed/);
    expect(mail?.headers.get('x-keel-event')).toBe('open');
    expect(mail?.headers.get('message-id')).toMatch(/^<incident-\d+-open\.watched@keel>$/);
    expect(mail?.body).toContain('rule: export-failed');

    clock += 60_000;
    expect(await first.monitor.evaluate()).toEqual({ opened: [], resolved: [], sent: 0, failed: 0 });
    // A restart: another monitor on the same state file sends nothing again.
    const restarted = await monitorOn(project.dir, () => clock);
    expect(await restarted.monitor.evaluate()).toEqual({ opened: [], resolved: [], sent: 0, failed: 0 });

    const fixed = await runProject(project.dir, { pipeline: 'export', env: { OUT_ROOT: project.path('out') } });
    expect(fixed.summary.status).toBe('dead_letters');
    clock += 60_000;
    expect(await restarted.monitor.evaluate()).toEqual({ opened: [], resolved: ['export-failed/export'], sent: 2, failed: 0 });
    expect(await first.monitor.evaluate()).toEqual({ opened: [], resolved: [], sent: 0, failed: 0 });
    expect(hook.received).toHaveLength(2);
    expect(verified(hook.received[1] ?? { headers: {}, body: '' })).toMatchObject({ event: 'resolve', resolved_facts: { pipeline: 'export', run: fixed.summary.runId, status: 'dead_letters' } });
    expect(smtp.received[1]?.headers.get('subject')).toMatch(/^\[keel watched\] RESOLVED export-failed: pipeline export: run \d+ completed \(dead_letters\)/);
    for (const text of [...hook.received.map((one) => JSON.stringify(one)), ...smtp.received.map((one) => JSON.stringify([...one.headers, one.body])), first.log(), restarted.log()]) {
      expect(text).not.toContain(HOOK_SECRET);
      expect(text).not.toContain(SMTP_PASSWORD);
    }
  });

  it('opens an incident per pipeline over its dead-letter limit and per order held too long, each sent once by two monitors on one state file', async () => {
    const hook = await webhookReceiver();
    const smtp = await smtpReceiver('alerts', SMTP_PASSWORD);
    cleanups.push(hook.close, smtp.close);
    const project = alertingProject(
      hook.url,
      smtp.port,
      ['    - { name: letters, dead_letters_above: 1, notify: [ops-hook] }', '    - { name: held, order_held_for_seconds: 600, notify: [ops-hook] }', ''].join('\n'),
    );
    const env = { OUT_ROOT: project.path('out') };
    await runProject(project.dir, { pipeline: 'stock', env });
    await runProject(project.dir, { pipeline: 'route', env });
    await runProject(project.dir, { pipeline: 'export', env });
    const later = Date.now() + 3_600_000;
    const one = await monitorOn(project.dir, () => later);
    const two = await monitorOn(project.dir, () => later);
    const reports = await Promise.all([one.monitor.evaluate(), two.monitor.evaluate(), one.monitor.evaluate()]);
    expect(reports.flatMap((report) => report.opened).sort()).toEqual(['held/shop:3', 'letters/export']);
    expect(reports.reduce((sum, report) => sum + report.sent, 0)).toBe(2);
    expect(hook.received.map((one) => verified(one)['incident']).map((incident) => (incident as { key: string }).key).sort()).toEqual(['held/shop:3', 'letters/export']);
    expect(smtp.received).toEqual([]);

    // Replaying fixes nothing (the rows are still bad), discarding one brings the pipeline to its limit.
    const [letter] = await one.project.store.listDeadLetters({ pipeline: 'export' });
    await one.project.store.setDeadLetterStatus([letter?.id ?? 0], 'discarded');
    expect(await two.monitor.evaluate(later + 1000)).toMatchObject({ resolved: ['letters/export'], sent: 1 });
    expect(verified(hook.received[2] ?? { headers: {}, body: '' })).toMatchObject({ event: 'resolve', resolved_facts: { kind: 'dead_letters_above', open: 1, limit: 1 } });
  });

  it('retries a failed send with a growing wait on later rounds, keeps no secret in what it stores or logs, and never stops', async () => {
    const hook = await webhookReceiver((index) => (index < 2 ? 503 : 200));
    cleanups.push(hook.close);
    // Nothing listens on the mail port: every send fails.
    const closed = await smtpReceiver('alerts', SMTP_PASSWORD);
    await closed.close();
    const project = alertingProject(hook.url, closed.port, '    - { name: export-failed, run_failed: true }\n');
    await runProject(project.dir, { pipeline: 'export', env: {} });
    let clock = Date.parse('2026-11-23T08:00:00Z');
    const { project: open, monitor, log } = await monitorOn(project.dir, () => clock, { firstRetryMs: 1000 });
    expect(await monitor.evaluate()).toMatchObject({ opened: ['export-failed/export'], sent: 0, failed: 2 });
    clock += 999;
    expect(await monitor.evaluate()).toMatchObject({ sent: 0, failed: 0 });
    clock += 1;
    expect(await monitor.evaluate()).toMatchObject({ sent: 0, failed: 2 });
    // Second failure: twice the wait.
    clock += 1999;
    expect(await monitor.evaluate()).toMatchObject({ sent: 0, failed: 0 });
    clock += 1;
    expect(await monitor.evaluate()).toMatchObject({ sent: 1, failed: 1 });
    expect(hook.received).toHaveLength(3);
    const [incident] = await open.store.incidents.listOpen();
    const notes = await open.store.incidents.notifications(incident?.id ?? 0);
    expect(notes.map((note) => `${note.destination} ${note.status} ${note.attempts}`)).toEqual(['ops-hook sent 2', 'ops-mail pending 3']);
    expect(notes[1]?.lastError).toMatch(/^the mail server did not take the message \(ESOCKET: connect ECONNREFUSED 127\.0\.0\.1:\d+\)$/);
    expect(log()).toContain('notification of export-failed/export to ops-mail failed');
    for (const text of [JSON.stringify(notes), log()]) {
      expect(text).not.toContain(SMTP_PASSWORD);
      expect(text).not.toContain(HOOK_SECRET);
      expect(text).not.toContain(hook.url);
    }
    // Started on its own, the monitor goes on after failures and stops cleanly.
    monitor.start(10);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await monitor.stop();
  });

  it('sends each notification once when two processes evaluate the same state at the same moment', async () => {
    const hook = await webhookReceiver();
    const smtp = await smtpReceiver('alerts', SMTP_PASSWORD);
    cleanups.push(hook.close, smtp.close);
    const project = alertingProject(hook.url, smtp.port, '    - { name: export-failed, run_failed: true }\n');
    await runProject(project.dir, { pipeline: 'export', env: {} });
    const script = fileURLToPath(new URL('../../dist/test-support/alert-once.js', import.meta.url));
    const evaluateInChild = (start: number, now: number): Promise<EvaluationReport> =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [script, project.dir, String(start), String(now)], { env: { ...process.env, ...ENV }, stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
        child.on('error', reject);
        child.on('close', () => resolve(JSON.parse(out) as EvaluationReport));
      });
    const round = async (now: number): Promise<EvaluationReport[]> => {
      const start = Date.now() + 1500;
      return Promise.all([evaluateInChild(start, now), evaluateInChild(start, now)]);
    };
    const T = Date.now();
    const opened = await round(T);
    expect(opened.flatMap((report) => report.opened)).toEqual(['export-failed/export']);
    expect(opened.reduce((sum, report) => sum + report.sent, 0)).toBe(2);
    await runProject(project.dir, { pipeline: 'export', env: { OUT_ROOT: project.path('out') } });
    const resolved = await round(T + 60_000);
    expect(resolved.flatMap((report) => report.resolved)).toEqual(['export-failed/export']);
    expect(resolved.reduce((sum, report) => sum + report.sent, 0)).toBe(2);
    expect(hook.received.map((one) => verified(one)['event'])).toEqual(['open', 'resolve']);
    expect(smtp.received.map((mail) => mail.headers.get('x-keel-event'))).toEqual(['open', 'resolve']);
  }, 60_000);

  it("opens an incident for a channel's drift and for a pipeline with no completed run for too long, and resolves the latter when one completes", async () => {
    const hook = await webhookReceiver();
    cleanups.push(hook.close);
    const project = alertingProject(hook.url, 1, ['    - { name: drift, drift_skus_above: 0, notify: [ops-hook] }', '    - { name: stale, no_success_for_seconds: 600, pipelines: [stock], notify: [ops-hook] }', ''].join('\n'));
    const T = Date.parse('2026-11-23T08:00:00Z');
    let clock = T;
    const { project: open, monitor } = await monitorOn(project.dir, () => clock);
    expect(await monitor.evaluate()).toMatchObject({ opened: [], sent: 0 });
    await open.engines.get(inventory)?.reconcile('shop', [{ sku: 'TEE', quantity: 4 }, { sku: 'MUG', quantity: 0 }], new Date(T));
    clock = T + 601_000;
    expect(await monitor.evaluate()).toMatchObject({ opened: ['drift/shop', 'stale/stock'], sent: 2 });
    expect(hook.received.map((one) => verified(one)['message'])).toEqual([
      'channel shop shows 1 SKUs with another quantity than it should (4 units apart), more than 0',
      'pipeline stock: no run completed for more than 10 min (last: never)',
    ]);
    await runProject(project.dir, { pipeline: 'stock', env: {} });
    clock = Date.now();
    expect(await monitor.evaluate()).toMatchObject({ opened: [], resolved: ['stale/stock'], sent: 1 });
    expect(verified(hook.received[2] ?? { headers: {}, body: '' })).toMatchObject({ event: 'resolve', rule: 'stale', resolved_facts: { pipeline: 'stock', last_success_at: expect.any(String) } });
  });
});
