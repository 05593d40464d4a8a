import { Type, type Static } from '@sinclair/typebox';

/**
 * keel.yaml `alerts:`: where alerts go (destinations) and when an incident opens (rules). Each
 * destination is one of `webhook:` or `email:`, each rule has exactly one condition; load-time
 * checks (alerts-config.ts) say so by name, with the fix.
 */
const NAME = '^[a-z0-9][a-z0-9_-]*$';
const Names = (description: string) => Type.Array(Type.String({ minLength: 1 }), { minItems: 1, uniqueItems: true, description });

export const WebhookDestinationSchema = Type.Object(
  {
    url: Type.String({ minLength: 1, description: 'where the alert is POSTed as JSON: http(s)://…, or ${env:NAME} when the URL holds a token' }),
    secret: Type.String({
      secret: true,
      minLength: 1,
      description: 'HMAC-SHA256 key: the Keel-Signature header is the hex digest of "<Keel-Timestamp>.<body>" (${env:NAME} or ${file:path})',
    }),
    timeout_ms: Type.Optional(Type.Integer({ minimum: 100, maximum: 120_000, default: 10_000 })),
  },
  { additionalProperties: false },
);

export const EmailDestinationSchema = Type.Object(
  {
    host: Type.String({ minLength: 1, description: 'SMTP server' }),
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65_535, default: 587 })),
    secure: Type.Optional(Type.Boolean({ default: false, description: 'TLS from the start (port 465); otherwise STARTTLS when the server offers it' })),
    user: Type.Optional(Type.String({ minLength: 1 })),
    password: Type.Optional(Type.String({ secret: true, minLength: 1, description: '${env:NAME} or ${file:path}' })),
    from: Type.String({ minLength: 3 }),
    to: Type.Array(Type.String({ minLength: 3 }), { minItems: 1 }),
    timeout_ms: Type.Optional(Type.Integer({ minimum: 100, maximum: 120_000, default: 10_000 })),
  },
  { additionalProperties: false },
);

export const AlertDestinationSchema = Type.Object(
  { webhook: Type.Optional(WebhookDestinationSchema), email: Type.Optional(EmailDestinationSchema) },
  { additionalProperties: false, description: 'one of webhook: or email:' },
);

export const AlertRuleSchema = Type.Object(
  {
    name: Type.String({ pattern: NAME, description: 'names the rule in messages and incidents' }),
    run_failed: Type.Optional(Type.Literal(true, { description: "the latest run of a pipeline failed (resolves when one completes)" })),
    dead_letters_above: Type.Optional(Type.Integer({ minimum: 0, description: 'more dead letters than this open in a pipeline' })),
    no_success_for_seconds: Type.Optional(
      Type.Integer({ minimum: 1, description: 'no run of a pipeline completed (ok or dead_letters) for this long; a pipeline that never did counts from when the monitor started' }),
    ),
    order_held_for_seconds: Type.Optional(Type.Integer({ minimum: 1, description: 'an order part held by routing (no location can serve it) for this long; an incident per order' })),
    drift_skus_above: Type.Optional(Type.Integer({ minimum: 0, description: "more SKUs than this that a channel shows with another quantity than it should (keel stock --drift)" })),
    pipelines: Type.Optional(Names('only these pipelines (run_failed, dead_letters_above, no_success_for_seconds); default: every pipeline')),
    channels: Type.Optional(Names('only these channels (drift_skus_above); default: every channel')),
    notify: Type.Optional(Names('destinations to tell; default: every destination')),
  },
  { additionalProperties: false },
);

export const AlertsSchema = Type.Object(
  {
    interval_seconds: Type.Optional(Type.Integer({ minimum: 5, maximum: 86_400, default: 60, description: 'how often the rules are evaluated (keel serve)' })),
    destinations: Type.Record(Type.String(), AlertDestinationSchema, { propertyNames: { pattern: NAME }, minProperties: 1 }),
    rules: Type.Array(AlertRuleSchema, { minItems: 1 }),
  },
  { additionalProperties: false },
);

export type AlertsDocument = Static<typeof AlertsSchema>;
export type WebhookDestinationDocument = Static<typeof WebhookDestinationSchema>;
export type EmailDestinationDocument = Static<typeof EmailDestinationSchema>;
export type AlertRuleDocument = Static<typeof AlertRuleSchema>;
