import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { KeelError } from '../errors.js';
import type { JsonObject } from '../json.js';
import type { OpenProject } from '../project/open-project.js';
import type { Notification } from '../state/incident-log.js';
import { renderAlert } from './alert-message.js';
import { judgeRule, type RuleVerdict } from './alert-rules.js';
import { createSender, type AlertSender } from './alert-senders.js';
import { resolveDestinations, type AlertsPlan } from './alerts-config.js';
import { readOpsState } from './ops-state.js';

export interface AlertMonitorOptions {
  /** The clock (epoch ms); a test steps it. */
  now?: () => number;
  /** Where `${env:…}` in destinations is looked up (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** How long a claimed notification is this monitor's before another may send it (default 5 min). */
  claimMs?: number;
  /** Wait after the first failed send of a notification, doubling per failure up to `maxRetryMs` (defaults 30 s, 1 h). */
  firstRetryMs?: number;
  maxRetryMs?: number;
}

/** What one evaluation did: incident keys opened and resolved here, notifications sent and failed. */
export interface EvaluationReport {
  opened: string[];
  resolved: string[];
  sent: number;
  failed: number;
}

/** Notifications sent per evaluation at most; the rest go in the next. */
const SENDS_PER_EVALUATION = 50;

/**
 * Evaluates keel.yaml `alerts:` rules against the state file and tells the destinations, once per
 * incident and once more when it resolves. The incidents and the claims on their notifications
 * are in the state store, so a restarted monitor, or a second process on the same state, sends
 * nothing twice. A failed send is retried on later evaluations with a growing wait; nothing a
 * destination does stops the monitor, and no message, log line or stored error holds a secret.
 */
export class AlertMonitor {
  private readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly senders: Map<string, AlertSender>;
  private readonly now: () => number;
  private readonly since: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = true;

  private constructor(
    private readonly project: OpenProject,
    private readonly plan: AlertsPlan,
    private readonly options: AlertMonitorOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.since = this.now();
    const destinations = resolveDestinations(plan, { projectDir: project.plan.dir, env: options.env ?? process.env, redactor: project.redactor });
    this.senders = new Map(destinations.map((destination) => [destination.name, createSender(destination, project.plan.name, this.now)]));
  }

  /** A monitor for the project's `alerts:`; a ConfigError when a destination's reference cannot be resolved. */
  static create(project: OpenProject, options: AlertMonitorOptions = {}): AlertMonitor {
    const plan = project.plan.alerts;
    if (plan === undefined) throw new KeelError('config', 'keel.yaml has no alerts: section; add destinations and rules to get alerts', { code: 'alerts_missing', stage: 'alerts' });
    return new AlertMonitor(project, plan, options);
  }

  get intervalMs(): number {
    return this.plan.intervalMs;
  }

  /** One round: open and resolve incidents from the state at `now`, then send what is due. One round at a time. */
  evaluate(now: number = this.now()): Promise<EvaluationReport> {
    const round = this.running.then(() => this.round(now));
    this.running = round.catch(() => undefined);
    return round;
  }

  /** Evaluates every `intervalMs` (default: keel.yaml interval_seconds) until stopped; a failed round is logged, never thrown. */
  start(intervalMs: number = this.plan.intervalMs): void {
    if (!this.stopped) return;
    this.stopped = false;
    const tick = (): void => {
      this.evaluate()
        .catch((error: unknown) => this.project.logger.error('alerts: evaluation failed; trying again next round', { error: this.safe(error) }))
        .finally(() => {
          if (!this.stopped) {
            this.timer = setTimeout(tick, intervalMs);
            this.timer.unref();
          }
        });
    };
    tick();
  }

  /** Stops the rounds; resolves once a round in progress has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private async round(now: number): Promise<EvaluationReport> {
    const { store } = this.project;
    const report: EvaluationReport = { opened: [], resolved: [], sent: 0, failed: 0 };
    const state = await readOpsState(this.project, now);
    const verdicts = new Map<string, { verdict: RuleVerdict; active: Set<string> }>();
    for (const rule of this.plan.rules) {
      let verdict: RuleVerdict;
      try {
        verdict = await judgeRule(rule, { project: this.project, state, since: this.since });
      } catch (error) {
        // One rule that cannot read its part of the state neither opens nor resolves anything this round.
        this.project.logger.warn(`alerts: rule ${rule.name} could not be evaluated`, { error: this.safe(error) });
        continue;
      }
      const active = new Set<string>();
      for (const finding of verdict.findings) {
        const key = `${rule.name}/${finding.subject}`;
        active.add(key);
        const { opened } = await store.incidents.open({ key, rule: rule.name, subject: finding.subject, facts: finding.facts }, rule.notify, now);
        if (opened) report.opened.push(key);
      }
      verdicts.set(rule.name, { verdict, active });
    }
    const everyone = [...this.senders.keys()];
    for (const incident of await store.incidents.listOpen()) {
      const rule = this.plan.rules.find((candidate) => candidate.name === incident.rule);
      let facts: JsonObject | undefined;
      if (rule === undefined) facts = { kind: 'rule_removed' };
      else {
        const judged = verdicts.get(rule.name);
        if (judged === undefined || judged.active.has(incident.key)) continue;
        facts = judged.verdict.cleared(incident.subject);
      }
      if (facts !== undefined && (await store.incidents.resolve(incident.key, facts, rule?.notify ?? everyone, now))) report.resolved.push(incident.key);
    }
    await this.deliver(now, report);
    return report;
  }

  private async deliver(now: number, report: EvaluationReport): Promise<void> {
    const { store, logger } = this.project;
    const due = await store.incidents.claimDue(this.owner, [...this.senders.keys()], now, this.options.claimMs ?? 300_000, SENDS_PER_EVALUATION);
    for (const note of due) {
      const send = this.senders.get(note.destination);
      if (send === undefined) continue;
      try {
        await send(renderAlert(this.project.plan.name, note), note);
        await store.incidents.markSent(note.id, this.owner, now);
        report.sent += 1;
      } catch (error) {
        const message = this.safe(error);
        const retryAt = now + this.retryDelay(note);
        await store.incidents.markFailed(note.id, this.owner, retryAt, message);
        report.failed += 1;
        logger.warn(`alerts: ${note.event} notification of ${note.incident.key} to ${note.destination} failed; retrying at ${new Date(retryAt).toISOString()}`, { error: message });
      }
    }
  }

  private retryDelay(note: Notification): number {
    const first = this.options.firstRetryMs ?? 30_000;
    return Math.min(this.options.maxRetryMs ?? 3_600_000, first * 2 ** Math.min(note.attempts, 20));
  }

  /** An error as text with every secret the project resolved masked. */
  private safe(error: unknown): string {
    return this.project.redactor.redact(error instanceof Error ? error.message : String(error));
  }
}
