import type { JsonObject, JsonValue } from '../json.js';
import type { Notification } from '../state/incident-log.js';

/** What a destination sends about one notification: a subject line, a text, and the facts as JSON. */
export interface AlertMessage {
  subject: string;
  text: string;
  /** The webhook body (and what the text is rendered from). */
  payload: JsonObject;
}

const text = (value: JsonValue | undefined): string => (value === undefined || value === null ? 'unknown' : String(value));
const seconds = (value: JsonValue | undefined): string => (typeof value === 'number' ? `${Math.round(value / 60)} min` : 'unknown');

/** One sentence per rule kind and event, from the facts stored with the incident (codes and numbers, never prose). */
const SENTENCES: Record<string, { open: (facts: JsonObject) => string; resolve: (facts: JsonObject) => string }> = {
  run_failed: {
    open: (f) => `pipeline ${text(f['pipeline'])}: run ${text(f['run'])} failed${typeof f['error'] === 'string' ? `: ${f['error']}` : ''}`,
    resolve: (f) => `pipeline ${text(f['pipeline'])}: run ${text(f['run'])} completed (${text(f['status'])})`,
  },
  dead_letters_above: {
    open: (f) => `pipeline ${text(f['pipeline'])}: ${text(f['open'])} dead letters open, more than ${text(f['limit'])}`,
    resolve: (f) => `pipeline ${text(f['pipeline'])}: ${text(f['open'])} dead letters open, no more than ${text(f['limit'])}`,
  },
  no_success_for: {
    open: (f) => `pipeline ${text(f['pipeline'])}: no run completed for more than ${seconds(f['limit_seconds'])} (last: ${text(f['last_success_at'] ?? 'never')})`,
    resolve: (f) => `pipeline ${text(f['pipeline'])}: a run completed at ${text(f['last_success_at'])}`,
  },
  order_held_for: {
    open: (f) => `order ${text(f['order'])} held since ${text(f['held_since'])} (${text(f['hold'])}), longer than ${seconds(f['limit_seconds'])}`,
    resolve: (f) => `order ${text(f['order'])} is no longer held`,
  },
  drift_skus_above: {
    open: (f) => `channel ${text(f['channel'])} shows ${text(f['skus'])} SKUs with another quantity than it should (${text(f['units'])} units apart), more than ${text(f['limit'])}`,
    resolve: (f) => `channel ${text(f['channel'])}: ${text(f['skus'])} SKUs drifting, no more than ${text(f['limit'])}`,
  },
  rule_removed: {
    open: () => 'the rule was removed',
    resolve: () => 'the rule was removed from keel.yaml',
  },
};

export function renderAlert(project: string, note: Notification): AlertMessage {
  const { incident, event } = note;
  const kind = typeof incident.facts['kind'] === 'string' ? incident.facts['kind'] : '';
  const facts = event === 'resolve' ? (incident.resolvedFacts ?? {}) : incident.facts;
  const sentences = SENTENCES[typeof facts['kind'] === 'string' ? facts['kind'] : kind];
  const sentence = sentences === undefined ? `${incident.rule}: ${incident.subject}` : sentences[event](facts);
  const state = event === 'open' ? 'FIRING' : 'RESOLVED';
  const subject = `[keel ${project}] ${state} ${incident.rule}: ${sentence}`.slice(0, 200);
  const when = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());
  const payload: JsonObject = {
    event,
    project,
    rule: incident.rule,
    incident: { id: incident.id, key: incident.key, subject: incident.subject, opened_at: when(incident.openedAt), resolved_at: when(incident.resolvedAt) },
    facts: incident.facts,
    resolved_facts: incident.resolvedFacts ?? null,
    message: sentence,
  };
  const lines = [
    `${state}: ${sentence}`,
    '',
    `rule: ${incident.rule}`,
    `subject: ${incident.subject}`,
    `incident: ${incident.id} (opened ${when(incident.openedAt)}${incident.resolvedAt !== undefined ? `, resolved ${when(incident.resolvedAt)}` : ''})`,
    `project: ${project}`,
  ];
  return { subject: oneLine(subject), text: `${lines.join('\n')}\n`, payload };
}

/** Subjects are one line: whatever a fact holds, no line break reaches a mail header. */
function oneLine(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f]+/g, ' ');
}
