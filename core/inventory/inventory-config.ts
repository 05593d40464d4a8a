/**
 * The `inventory:` section of keel.yaml: where stock lives, what each channel may show, kits,
 * and how long reservations hold. Checked at load time, so a channel naming an unknown location
 * or a kit naming itself fails `keel validate` with file:line:col.
 */
import { Type, type Static } from '@sinclair/typebox';
import { Location } from '../model/location.js';

export const InventoryLocation = Type.Composite(
  [
    Type.Omit(Location, ['extensions']),
    Type.Object({
      sellable_online: Type.Optional(Type.Boolean({ description: 'whether online channels may sell stock held here (default true); a store can keep its stock for the till' })),
    }),
  ],
  { additionalProperties: false },
);
export type InventoryLocation = Static<typeof InventoryLocation>;

export const ChannelRules = Type.Object(
  {
    online: Type.Optional(Type.Boolean({ description: 'an online channel (default true) only counts locations with sellable_online' })),
    locations: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { uniqueItems: true, description: 'locations that count; default: active locations listing this channel' })),
    buffer: Type.Optional(
      Type.Object(
        {
          units: Type.Optional(Type.Integer({ minimum: 0, description: 'hold back this many units per SKU' })),
          percent: Type.Optional(Type.Number({ minimum: 0, maximum: 100, description: 'hold back this share, rounded so that fewer units are shown' })),
        },
        { additionalProperties: false, minProperties: 1, maxProperties: 1 },
      ),
    ),
    max_quantity: Type.Optional(Type.Integer({ minimum: 0, description: 'never show more than this' })),
    show_zero_below: Type.Optional(Type.Integer({ minimum: 1, description: 'show 0 when fewer than this many units are left' })),
    backorder: Type.Optional(
      Type.Object({ units: Type.Integer({ minimum: 1, description: 'units sellable beyond stock when none is left' }) }, { additionalProperties: false }),
    ),
    preorder: Type.Optional(
      Type.Object(
        { horizon_days: Type.Integer({ minimum: 1, description: 'incoming stock expected within this many days can be sold when none is left' }) },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type ChannelRules = Static<typeof ChannelRules>;

export const InventorySchema = Type.Object(
  {
    locations: Type.Array(InventoryLocation, { minItems: 1 }),
    channels: Type.Record(Type.String({ pattern: '^[a-z0-9][a-z0-9_.-]*$' }), ChannelRules, { description: 'availability rules per channel code' }),
    bundles: Type.Optional(
      Type.Record(Type.String({ minLength: 1 }), Type.Record(Type.String({ minLength: 1 }), Type.Integer({ minimum: 1 }), { minProperties: 1 }), {
        description: 'kits: bundle SKU → { component SKU: units per kit }',
      }),
    ),
    catalog: Type.Optional(
      Type.Object(
        {
          file: Type.String({ minLength: 1, description: 'CSV file (relative to the project) listing the known SKUs' }),
          column: Type.Optional(Type.String({ minLength: 1, description: 'column holding the SKU (default sku)' })),
        },
        { additionalProperties: false, description: 'when set, stock for SKUs not in the catalog is dead-lettered' },
      ),
    ),
    reservations: Type.Optional(
      Type.Object({ ttl_minutes: Type.Optional(Type.Integer({ minimum: 1, description: 'an unconfirmed reservation expires after this (default 4320, three days)' })) }, { additionalProperties: false }),
    ),
  },
  { additionalProperties: false },
);
export type InventoryConfig = Static<typeof InventorySchema>;

export interface ConfigIssue {
  path: (string | number)[];
  message: string;
}

/** What the schema cannot say: references between locations, channels and kits. */
export function checkInventoryConfig(config: InventoryConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const ids = new Set<string>();
  for (const [index, location] of config.locations.entries()) {
    if (ids.has(location.location_id)) issues.push({ path: ['locations', index, 'location_id'], message: `location "${location.location_id}" is declared twice` });
    ids.add(location.location_id);
  }
  const channels = new Set(Object.keys(config.channels));
  for (const [index, location] of config.locations.entries()) {
    for (const [at, channel] of (location.channels ?? []).entries()) {
      if (!channels.has(channel)) issues.push({ path: ['locations', index, 'channels', at], message: `channel "${channel}" has no rules under inventory.channels; add it there` });
    }
  }
  for (const [name, rules] of Object.entries(config.channels)) {
    for (const [at, id] of (rules.locations ?? []).entries()) {
      if (!ids.has(id)) issues.push({ path: ['channels', name, 'locations', at], message: `location "${id}" is not declared under inventory.locations` });
    }
    if (rules.backorder !== undefined && rules.preorder !== undefined) {
      issues.push({ path: ['channels', name], message: 'a channel sells either backorders or pre-orders when stock runs out, not both; remove one' });
    }
  }
  for (const [bundle, components] of Object.entries(config.bundles ?? {})) {
    for (const component of Object.keys(components)) {
      if (component === bundle) issues.push({ path: ['bundles', bundle, component], message: `bundle "${bundle}" cannot contain itself` });
      else if (config.bundles?.[component] !== undefined) issues.push({ path: ['bundles', bundle, component], message: `"${component}" is itself a bundle; list its components instead` });
    }
  }
  return issues;
}

/** The locations whose stock a channel may show, in declaration order. */
export function channelLocations(config: InventoryConfig, channel: string): InventoryLocation[] {
  const rules = config.channels[channel];
  if (rules === undefined) return [];
  if (rules.locations !== undefined) {
    const wanted = new Set(rules.locations);
    return config.locations.filter((location) => wanted.has(location.location_id) && location.active !== false);
  }
  const online = rules.online !== false;
  return config.locations.filter(
    (location) => location.active !== false && (location.channels ?? []).includes(channel) && (!online || location.sellable_online !== false),
  );
}
