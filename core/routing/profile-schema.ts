/**
 * A routing profile: which location ships which line. Written in YAML by the integrator, checked
 * against this schema (published for editors), then hashed into the profile version that every
 * receipt names. Ratings are penalties in their own unit (km, currency, ...); a weight turns each
 * into points, and the allocation with the fewest parts and then the fewest points wins.
 */
import { Type, type Static } from '@sinclair/typebox';
import { LOCATION_TYPES } from '../model/location.js';
import { DECIMAL_PATTERN, StringEnum } from '../model/fields.js';
import { DEFAULT_MAX_SEARCH_STEPS } from './allocate.js';

const CODE_PATTERN = '^[a-z0-9][a-z0-9_.-]*$';
const Country = Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2 country code, e.g. "DE"' });
const Amount = (description: string) => Type.String({ pattern: DECIMAL_PATTERN, description });
const Ids = (description: string) => Type.Array(Type.String({ minLength: 1 }), { uniqueItems: true, minItems: 1, description });

export const StrategyConditions = Type.Object(
  {
    channels: Type.Optional(Type.Array(Type.String({ pattern: CODE_PATTERN }), { uniqueItems: true, minItems: 1, description: 'the order was placed in one of these channels' })),
    countries: Type.Optional(Type.Array(Country, { uniqueItems: true, minItems: 1, description: 'the shipping address is in one of these countries' })),
    order_value: Type.Optional(
      Type.Object(
        {
          min: Type.Optional(Amount('lowest order value (sum of line totals), inclusive')),
          max: Type.Optional(Amount('highest order value, exclusive')),
        },
        { additionalProperties: false, minProperties: 1 },
      ),
    ),
    skus: Type.Optional(Ids('some line orders one of these SKUs')),
    categories: Type.Optional(Ids('some line orders a SKU of one of these categories (from the routing catalog)')),
    delivery: Type.Optional(StringEnum(['ship', 'pickup'] as const, { description: 'ship to an address, or click-and-collect' })),
    customer_groups: Type.Optional(Ids('the customer belongs to one of these groups')),
  },
  { additionalProperties: false, description: 'all listed conditions must hold for the strategy to apply' },
);
export type StrategyConditions = Static<typeof StrategyConditions>;

export const StrategyFences = Type.Object(
  {
    location_types: Type.Optional(
      Type.Array(StringEnum(LOCATION_TYPES, { description: 'a location type' }), { uniqueItems: true, minItems: 1, description: 'only these kinds of location may fulfil' }),
    ),
    locations: Type.Optional(Ids('only these locations may fulfil')),
    exclude_locations: Type.Optional(Ids('these locations never fulfil under this strategy')),
    serves_customer_country: Type.Optional(
      Type.Boolean({ description: 'a location with `serves` in routing.locations must list the customer country or region (default true)' }),
    ),
    max_distance_km: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'locations farther from the customer are excluded' })),
  },
  {
    additionalProperties: false,
    description:
      'fences that exclude candidates; paused or inactive locations, used-up daily capacity, missing capabilities, missing stock and locations that rejected the order are always fenced',
  },
);
export type StrategyFences = Static<typeof StrategyFences>;

export const RATING_NAMES = ['distance', 'shipping_cost', 'priority', 'stock_depth', 'reliability', 'parcels'] as const;
export type RatingName = (typeof RATING_NAMES)[number];

const Weight = (description: string) => Type.Optional(Type.Number({ minimum: 0, description }));
export const RatingWeights = Type.Object(
  {
    distance: Weight('points per km between location and customer'),
    shipping_cost: Weight('points per currency unit of shipping cost from the rate tables'),
    priority: Weight('points per step of location priority (lower priority number is preferred)'),
    stock_depth: Weight('points scaled by 1 / (1 + units left after allocation): prefers locations that are not drained'),
    reliability: Weight('points scaled by (1 − reliability score): prefers locations that rarely unclaim'),
    parcels: Weight('points per parcel'),
  },
  { additionalProperties: false, description: 'weights of the ratings; absent means 0 (not rated)' },
);
export type RatingWeights = Static<typeof RatingWeights>;

export const SplitPolicy = Type.Object(
  {
    allowed: Type.Boolean({ description: 'whether an order may ship from several locations' }),
    max_parts: Type.Optional(Type.Integer({ minimum: 1, maximum: 20, description: 'most parts (locations) an order may be split into (default 3)' })),
    min_value_per_part: Type.Optional(Amount('every part of a split order must carry at least this value of goods')),
    split_lines: Type.Optional(
      Type.Boolean({ description: "whether one line may ship from several locations when no single one has its quantity left beside the order's other lines of the SKU (default false)" }),
    ),
    ship_together: Type.Optional(
      Type.Array(Ids('SKUs that ship in the same part when they are on the same order'), { description: 'groups of SKUs that must not be separated' }),
    ),
  },
  { additionalProperties: false },
);
export type SplitPolicy = Static<typeof SplitPolicy>;

export const Strategy = Type.Object(
  {
    name: Type.String({ pattern: CODE_PATTERN, description: 'named in receipts' }),
    when: Type.Optional(StrategyConditions),
    fences: Type.Optional(StrategyFences),
    ratings: Type.Optional(RatingWeights),
    split: Type.Optional(SplitPolicy),
  },
  { additionalProperties: false },
);
export type Strategy = Static<typeof Strategy>;

export const RoutingLocationRules = Type.Object(
  {
    serves: Type.Optional(
      Type.Object(
        {
          countries: Type.Optional(Type.Array(Country, { uniqueItems: true, description: 'customer countries this location ships to' })),
          regions: Type.Optional(Ids('customer regions (address.region) this location ships to, e.g. "BY"')),
        },
        { additionalProperties: false, minProperties: 1 },
      ),
    ),
    daily_capacity: Type.Optional(Type.Integer({ minimum: 0, description: 'parts (orders or split parts) the location can take per day' })),
    paused: Type.Optional(Type.Boolean({ description: 'temporarily takes no orders (stock still counts for availability)' })),
    reliability: Type.Optional(
      Type.Number({ minimum: 0, maximum: 1, description: 'starting reliability score, 1 = never unclaims (default 1); penalties in routing.reliability are subtracted from it' }),
    ),
  },
  { additionalProperties: false },
);
export type RoutingLocationRules = Static<typeof RoutingLocationRules>;

export const RateBracket = Type.Object(
  {
    max_weight_grams: Type.Optional(Type.Integer({ minimum: 1, description: 'parts up to this weight; the last bracket may leave it out (any weight)' })),
    cost: Amount('shipping cost of one part in this bracket'),
  },
  { additionalProperties: false },
);

export const ShippingRates = Type.Object(
  {
    zones: Type.Record(Type.String({ pattern: CODE_PATTERN }), Type.Array(Country, { uniqueItems: true, minItems: 1 }), {
      description: 'zone name → customer countries in it',
    }),
    tables: Type.Array(
      Type.Object(
        {
          locations: Ids('locations this table prices'),
          zone: Type.String({ pattern: CODE_PATTERN, description: 'a zone from `zones`' }),
          brackets: Type.Array(RateBracket, { minItems: 1, description: 'by ascending max_weight_grams' }),
        },
        { additionalProperties: false },
      ),
      { description: 'a location with no table for the customer zone is fenced when shipping_cost is rated' },
    ),
  },
  { additionalProperties: false },
);
export type ShippingRates = Static<typeof ShippingRates>;

export const RoutingProfileSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    name: Type.String({ pattern: CODE_PATTERN }),
    description: Type.Optional(Type.String()),
    strategies: Type.Array(Strategy, { minItems: 1, description: 'tried in order; the first that can serve the order decides' }),
    hold: Type.Optional(
      StringEnum(['backorder', 'manual_review'] as const, { description: 'where an order goes when no strategy can serve it (default manual_review)' }),
    ),
    backorders: Type.Optional(
      Type.Object(
        {
          allowed: Type.Boolean({ description: 'lines without stock anywhere are allocated against incoming stock' }),
          horizon_days: Type.Optional(Type.Integer({ minimum: 1, description: 'only incoming stock due within this many days counts (default: any)' })),
        },
        { additionalProperties: false },
      ),
    ),
    max_search_steps: Type.Optional(
      Type.Integer({
        minimum: 1,
        description:
          `steps (nodes visited and parts scored) the exact allocation search of one strategy may take for one order; beyond them the order takes the best allocation found, marked search_exhausted in its receipt and in keel route plan, with a warning in the log (default ${DEFAULT_MAX_SEARCH_STEPS})`,
      }),
    ),
    click_and_collect: Type.Optional(
      Type.Object(
        { transfer: Type.Boolean({ description: 'when the pickup store lacks stock, ship it there from another location' }) },
        { additionalProperties: false },
      ),
    ),
    locations: Type.Optional(Type.Record(Type.String({ minLength: 1 }), RoutingLocationRules, { description: 'routing rules per location id' })),
    shipping_rates: Type.Optional(ShippingRates),
    parcel: Type.Optional(
      Type.Object({ max_weight_grams: Type.Integer({ minimum: 1, description: 'a part heavier than this ships as several parcels' }) }, { additionalProperties: false }),
    ),
    customer_position: Type.Optional(
      Type.Object(
        {
          postal_centroids: Type.String({
            minLength: 1,
            description: 'CSV (relative to the profile) with columns country_code, postal_code, lat, lon: where to place a customer whose address has no coordinates',
          }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type RoutingProfile = Static<typeof RoutingProfileSchema>;

