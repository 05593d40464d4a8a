/**
 * The `routing:` section of keel.yaml: which profile routes the project's orders, what routing
 * knows about SKUs (weight, category, bulky or hazardous), how store offers work and how fast a
 * store's reliability recovers. Routing needs the `inventory:` section: its locations are where
 * orders can go, and its ledger is where allocations reserve.
 */
import { Type, type Static } from '@sinclair/typebox';

export const RoutingSection = Type.Object(
  {
    profile: Type.String({ minLength: 1, description: 'routing profile (YAML, relative to the project)' }),
    skus: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'CSV (relative to the project) with columns sku and any of category, weight_grams, requires (capabilities separated by |)',
      }),
    ),
    offers: Type.Optional(
      Type.Object(
        {
          timeout_minutes: Type.Optional(Type.Integer({ minimum: 1, description: 'a store that neither claims nor unclaims within this loses the offer (default 60)' })),
          broadcast: Type.Optional(
            Type.Integer({ minimum: 1, maximum: 10, description: 'offer a store part to this many stores at once, best first; the first claim wins (default 1)' }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    reliability: Type.Optional(
      Type.Object(
        {
          half_life_hours: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'what is left of the penalties halves over this time; the score never drops below 0 (default 72)' })),
          unclaim_penalty: Type.Optional(
            Type.Number({ minimum: 0, maximum: 1, description: 'subtracted from the reliability score by an unclaim or rejection: 0.2 takes a store at 0.9 to 0.7 (default 0.2)' }),
          ),
          timeout_penalty: Type.Optional(
            Type.Number({ minimum: 0, maximum: 1, description: 'subtracted from the reliability score by an offer left to time out (default 0.3)' }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type RoutingSection = Static<typeof RoutingSection>;

export const DEFAULT_OFFER_TIMEOUT_MINUTES = 60;
export const DEFAULT_HALF_LIFE_HOURS = 72;
export const DEFAULT_UNCLAIM_PENALTY = 0.2;
export const DEFAULT_TIMEOUT_PENALTY = 0.3;
