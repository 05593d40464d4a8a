import { describe, expect, it } from 'vitest';
import { ConfigError } from '../errors.js';
import { haversineKm, parsePostalCentroids } from './geo.js';
import { parseRoutingProfile } from './load-profile.js';

const PROFILE = `name: default
hold: manual_review
strategies:
  - name: nearest
    when: { countries: [DE, AT] }
    fences: { location_types: [warehouse, store] }
    ratings: { distance: 1, priority: 10 }
    split: { allowed: true, max_parts: 2, ship_together: [[sofa, cushion]] }
  - name: fallback
`;

function problems(text: string): string[] {
  try {
    parseRoutingProfile('routing.yaml', text);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map((problem) => `${problem.line}:${problem.col} ${problem.message}`);
    throw error;
  }
  return [];
}

describe('routing profiles', () => {
  it('loads a valid profile and versions it by content, not by formatting', () => {
    const { profile, version } = parseRoutingProfile('routing.yaml', PROFILE);
    expect(profile.strategies.map((strategy) => strategy.name)).toEqual(['nearest', 'fallback']);
    const reformatted = parseRoutingProfile('routing.yaml', `# comment\n${PROFILE.replace('hold: manual_review\n', '')}hold: manual_review\n`);
    expect(reformatted.version).toBe(version);
    expect(parseRoutingProfile('routing.yaml', PROFILE.replace('priority: 10', 'priority: 11')).version).not.toBe(version);
  });

  it('names file positions for schema errors and broken references', () => {
    expect(problems(PROFILE.replace('warehouse, store', 'warehouse, shop'))).toEqual([
      '6:43 routing profile at strategies[0].fences.location_types[1] must be one of: warehouse, store, 3pl, drop_shipper, manufacturer (got "shop")',
    ]);
    expect(problems(PROFILE.replace('name: fallback', 'name: nearest'))).toEqual(['9:11 strategy "nearest" is declared twice']);
    expect(problems(PROFILE.replace('allowed: true', 'allowed: false'))).toEqual(['8:41 max_parts above 1 needs split.allowed: true']);
    expect(problems(PROFILE.replace('priority: 10', 'shipping_cost: 1'))).toEqual(['7:44 rating shipping_cost needs shipping_rates in the profile']);
  });
});

describe('customer position', () => {
  it('finds a postal-code centroid regardless of spacing and case, and measures great-circle km', () => {
    const lookup = parsePostalCentroids('country_code,postal_code,lat,lon\nDE,10115,52.532,13.385\nGB,SW1A 1AA,51.501,-0.142\n');
    expect(lookup('GB', 'sw1a1aa')).toEqual({ lat: 51.501, lon: -0.142 });
    expect(lookup('DE', '99999')).toBeUndefined();
    // Berlin to London is about 930 km.
    expect(haversineKm(lookup('DE', '10115')!, lookup('GB', 'SW1A 1AA')!)).toBeCloseTo(930, -1);
    expect(() => parsePostalCentroids('country_code,postal_code,lat,lon\nDE,1,95,0\n', 'c.csv')).toThrow('c.csv:2:');
  });
});
