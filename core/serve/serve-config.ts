import { Type, type Static } from '@sinclair/typebox';

/** keel.yaml `serve:`: where `keel serve` listens and what it takes. Flags override it. */
export const ServeSection = Type.Object(
  {
    host: Type.Optional(Type.String({ minLength: 1, default: '127.0.0.1', description: 'address to bind; anything but loopback needs a TLS proxy in front' })),
    port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535, default: 8080, description: 'port to listen on (0: any free one)' })),
    body_limit_bytes: Type.Optional(
      Type.Integer({ minimum: 1024, maximum: 64 * 1024 * 1024, default: 1024 * 1024, description: 'larger request bodies are refused with 413 (webhook deliveries too)' }),
    ),
    metrics_auth: Type.Optional(
      Type.Union([Type.Literal('read'), Type.Literal('none')], {
        default: 'read',
        description: '/metrics needs a token with the read scope (read), or answers anyone who can reach it (none: a scraper on a private network)',
      }),
    ),
    webhook_keep_days: Type.Optional(
      Type.Integer({ minimum: 1, default: 7, description: 'webhook events received longer ago are forgotten (replays are recognised while kept)' }),
    ),
  },
  { additionalProperties: false, description: 'keel serve: the HTTP API, webhook intake and ops endpoints' },
);
export type ServeSection = Static<typeof ServeSection>;

/** `serve:` with every default filled in. */
export interface ServeSettings {
  host: string;
  port: number;
  bodyLimitBytes: number;
  metricsAuth: 'read' | 'none';
  webhookKeepDays: number;
}

export function serveSettings(section: ServeSection | undefined): ServeSettings {
  return {
    host: section?.host ?? '127.0.0.1',
    port: section?.port ?? 8080,
    bodyLimitBytes: section?.body_limit_bytes ?? 1024 * 1024,
    metricsAuth: section?.metrics_auth ?? 'read',
    webhookKeepDays: section?.webhook_keep_days ?? 7,
  };
}
