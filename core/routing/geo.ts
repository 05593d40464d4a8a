/**
 * Where the customer is and how far a location is from them: great-circle distance, and a
 * postal-code centroid table the integrator provides as CSV for addresses without coordinates.
 */
import { parse } from 'csv-parse/sync';
import { readFileSync } from 'node:fs';
import type { Coordinates } from '../model/address.js';

const EARTH_RADIUS_KM = 6371.0088;

/** Haversine distance in km. */
export function haversineKm(a: Coordinates, b: Coordinates): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

export type PostalCentroids = (countryCode: string, postalCode: string) => Coordinates | undefined;

/** Postal codes are compared without spaces and in upper case ("sw1a 1aa" finds "SW1A1AA"). */
const normalize = (postalCode: string): string => postalCode.replace(/\s+/g, '').toUpperCase();

/** Reads `country_code,postal_code,lat,lon` rows; a bad row fails with its line number. */
export function parsePostalCentroids(text: string, file = 'postal centroids'): PostalCentroids {
  const rows = parse(text, { columns: true, skip_empty_lines: true, trim: true, info: true }) as {
    record: Record<string, string>;
    info: { lines: number };
  }[];
  const table = new Map<string, Coordinates>();
  for (const { record, info } of rows) {
    const lat = Number(record['lat']);
    const lon = Number(record['lon']);
    const country = record['country_code'];
    const postal = record['postal_code'];
    if (country === undefined || postal === undefined || !Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) {
      throw new Error(`${file}:${info.lines}: expected country_code, postal_code, lat (−90…90) and lon (−180…180)`);
    }
    table.set(`${country.toUpperCase()} ${normalize(postal)}`, { lat, lon });
  }
  return (countryCode, postalCode) => table.get(`${countryCode} ${normalize(postalCode)}`);
}

export function loadPostalCentroids(file: string): PostalCentroids {
  return parsePostalCentroids(readFileSync(file, 'utf8'), file);
}
