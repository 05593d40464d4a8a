/**
 * The locations part of a strategy's receipt: its candidates, and each distinct fence hit with the
 * locations it held for. Most locations share a handful of reasons (no stock; 0 of 2 × SKU-1), so
 * a receipt lists a reason once with its locations rather than a reason per location: receipts
 * stay small and cheap to store as the network grows.
 */
import { isPlainHit, type LineCapabilityHit, type LocationFenceHit } from './fences.js';
import type { RoutedLine } from './order-facts.js';
import type { LineFenceGroup, LocationFenceGroup } from './receipt.js';

export class FenceGroups {
  /** Locations past every fence with stock of some line, in context order. */
  readonly candidates: string[] = [];
  readonly excluded: LocationFenceGroup[] = [];
  readonly lineFences: LineFenceGroup[] = [];
  private readonly excludedByHit = new Map<LocationFenceHit, LocationFenceGroup>();
  private readonly excludedByFacts = new Map<string, LocationFenceGroup>();
  /** insufficient_stock groups per line position, by units available. */
  private readonly shortByUnits: Map<number, LineFenceGroup>[] = [];
  private readonly lineFencesByFacts = new Map<string, LineFenceGroup>();

  constructor(private readonly lines: readonly RoutedLine[]) {}

  exclude(locationId: string, hit: LocationFenceHit): void {
    // Shared hits (the plain fences) are found by identity; equal hits built per location by their facts.
    let group = this.excludedByHit.get(hit);
    if (group === undefined) {
      const key = factsKey(hit);
      group = this.excludedByFacts.get(key);
      if (group === undefined) {
        // Spreading costs about a microsecond a time; most hits are a bare code.
        group = isPlainHit(hit) ? { code: hit.code, locations: [] } : { ...hit, locations: [] };
        this.excludedByFacts.set(key, group);
        this.excluded.push(group);
      }
      this.excludedByHit.set(hit, group);
    }
    group.locations.push(locationId);
  }

  /** A candidate with its usable units per line (facts.lines order) and the lines it lacks a capability for. */
  candidate(locationId: string, stock: readonly number[], fenced: readonly LineCapabilityHit[] | undefined): void {
    this.candidates.push(locationId);
    const lines = this.lines;
    for (let at = 0; at < lines.length; at += 1) {
      const line = lines[at] as RoutedLine;
      const lacking = fenced?.find((hit) => hit.line === line.index);
      if (lacking !== undefined) {
        this.addLineFence(locationId, lacking);
        continue;
      }
      // The insufficient_stock fence (stockFence), built here in its group.
      const units = stock[at] as number;
      if (!(units < line.quantity)) continue;
      const byUnits = (this.shortByUnits[at] ??= new Map());
      let group = byUnits.get(units);
      if (group === undefined) {
        group = { code: 'insufficient_stock', line: line.index, sku: line.sku, wanted: line.quantity, available: units, locations: [] };
        byUnits.set(units, group);
        this.lineFences.push(group);
      }
      group.locations.push(locationId);
    }
  }

  private addLineFence(locationId: string, hit: LineCapabilityHit): void {
    const key = factsKey(hit);
    let group = this.lineFencesByFacts.get(key);
    if (group === undefined) {
      group = { ...hit, locations: [] };
      this.lineFencesByFacts.set(key, group);
      this.lineFences.push(group);
    }
    group.locations.push(locationId);
  }
}

/** Hits with the same code and facts group together. */
function factsKey(hit: object): string {
  let key = '';
  for (const value of Object.values(hit)) key += `${Array.isArray(value) ? value.join(',') : String(value)}\u0000`;
  return key;
}
