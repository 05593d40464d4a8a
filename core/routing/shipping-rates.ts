/**
 * Shipping cost of one part from the profile's rate tables: the customer's country gives the
 * zone, the location and zone give the table, the part's weight gives the bracket.
 */
import type { ShippingRates } from './profile-schema.js';

export interface RateLookup {
  zoneOf(countryCode: string): string | undefined;
  /** Cost in currency units, or undefined when the location has no table for the zone. */
  cost(locationId: string, zone: string, weightGrams: number): number | undefined;
  /** Whether the location has a table for the zone. */
  hasRate(locationId: string, zone: string): boolean;
}

interface Bracket {
  max: number;
  cost: number;
}

export function compileShippingRates(rates: ShippingRates | undefined): RateLookup {
  const zones = new Map<string, string>();
  for (const [zone, countries] of Object.entries(rates?.zones ?? {})) for (const country of countries) if (!zones.has(country)) zones.set(country, zone);
  const tables = new Map<string, Bracket[]>();
  for (const table of rates?.tables ?? []) {
    // A rating, not an invoice: costs become numbers here, the decimal strings stay in the profile.
    const brackets = table.brackets.map((bracket) => ({ max: bracket.max_weight_grams ?? Number.POSITIVE_INFINITY, cost: Number(bracket.cost) }));
    for (const location of table.locations) tables.set(`${location}\u0000${table.zone}`, brackets);
  }
  return {
    zoneOf: (countryCode) => zones.get(countryCode),
    hasRate: (locationId, zone) => tables.has(`${locationId}\u0000${zone}`),
    cost(locationId, zone, weightGrams) {
      const brackets = tables.get(`${locationId}\u0000${zone}`);
      if (brackets === undefined) return undefined;
      const bracket = brackets.find((entry) => weightGrams <= entry.max) ?? brackets[brackets.length - 1];
      return bracket?.cost;
    },
  };
}
