import { Type, type Static } from '@sinclair/typebox';
import { CountryCode, Extensions, OptionalText, withDescription, entity } from './fields.js';

export const Coordinates = Type.Object(
  {
    lat: Type.Number({ minimum: -90, maximum: 90, description: 'Latitude in decimal degrees (WGS 84).' }),
    lon: Type.Number({ minimum: -180, maximum: 180, description: 'Longitude in decimal degrees (WGS 84).' }),
  },
  { additionalProperties: false, description: 'A geo position, used for distance-based routing.' },
);
export type Coordinates = Static<typeof Coordinates>;

/**
 * Only the country is required: marketplaces hide names and streets without a data-access role
 * (Amazon returns city, region, postal code and country), but tax, routing and carriers all need
 * the country. Absent values are left out, not null: mappings drop a vendor's nulls.
 */
export const Address = Type.Object(
  {
    name: OptionalText('Full name of the addressee as one string, when the source does not split it.'),
    first_name: OptionalText('Given name.'),
    last_name: OptionalText('Family name.'),
    company: OptionalText('Company or organisation.'),
    line1: OptionalText('First address line, usually street and house number.'),
    line2: OptionalText('Second address line: apartment, floor, c/o.'),
    street: OptionalText('Street name alone, when the source splits it (carriers in DE/NL/AT need it).'),
    house_number: OptionalText('House number alone, when the source splits it.'),
    postal_code: OptionalText('Postal or ZIP code.'),
    city: OptionalText('City or town.'),
    region: OptionalText('State, province or county, as code or name as the source gives it (e.g. "KY", "Bavaria").'),
    country_code: CountryCode('ISO 3166-1 alpha-2 country code, upper case, e.g. "DE".'),
    phone: OptionalText('Phone number as given; not normalised.'),
    email: OptionalText('Email of the addressee as given; not checked, so a typo from a shop never rejects an order.'),
    coordinates: Type.Optional(withDescription(Coordinates, 'Geo position of the address, when the source geocoded it.')),
    extensions: Extensions(),
  },
  { additionalProperties: false, description: 'A postal address.' },
);

export const AddressSchema = entity('address', 'Address', Address);
export type Address = Static<typeof AddressSchema>;
