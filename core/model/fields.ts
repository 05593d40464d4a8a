import { CloneType, Type, type SchemaOptions, type TObject, type TSchema } from '@sinclair/typebox';

/**
 * Field builders shared by the canonical model. Each one takes the field's description, so a
 * field cannot be declared without one: editors show it, and model.test.ts checks none is missing.
 */

const MODEL_ID_BASE = 'https://keel.dev/schemas/model/';

/**
 * Publishes an embeddable object spec as an entity schema. Only the published copy gets `$id`:
 * mapping validation compiles every entity into one Ajv instance, and the same `$id` embedded in
 * several schemas (Money inside Order, Shipment, ...) would make Ajv refuse the second one.
 */
export function entity<T extends TObject>(fileName: string, title: string, schema: T): T {
  return CloneType(schema, { $id: `${MODEL_ID_BASE}${fileName}.schema.json`, title });
}

/** The same schema with the description of the place it is used in (the shared one is generic). */
export function withDescription<T extends TSchema>(schema: T, description: string): T {
  return { ...schema, description };
}

/**
 * A string enum as JSON Schema `enum`, not TypeBox's anyOf-of-consts: Ajv then reports one
 * "must be equal to one of the allowed values" instead of one error per value, and dead-letter
 * reasons keep only the first few errors.
 */
export function StringEnum<const T extends readonly string[]>(values: T, options: SchemaOptions & { description: string }) {
  return Type.Unsafe<T[number]>({ ...options, type: 'string', enum: [...values] });
}

export const DECIMAL_PATTERN = '^-?\\d+(\\.\\d+)?$';

/** Exact decimal as a string: binary floats cannot hold 0.1, and money must add up to the cent. */
export const Decimal = (description: string) => Type.String({ pattern: DECIMAL_PATTERN, description });

/** A tax rate as a fraction ("0.19" for 19 %), as openTRANS and Shopify send it. */
export const Rate = (description: string) => Type.String({ pattern: '^\\d+(\\.\\d+)?$', description });

/**
 * ISO 8601 date-time with an offset. The pattern repeats what `format: date-time` checks for the
 * offset because JSON Schema 2020-12 treats `format` as an annotation unless a validator opts in.
 */
export const Timestamp = (description: string) =>
  Type.String({ format: 'date-time', pattern: '(Z|z|[+-]\\d{2}:\\d{2})$', description });

export const DateOnly = (description: string) => Type.String({ format: 'date', description });

/** Integer count of units; `minimum` is 1 where a zero would be meaningless (a shipped line). */
export const Quantity = (description: string, minimum = 0) => Type.Integer({ minimum, description });

/** Trimmed on purpose: "ABC " and "ABC" would otherwise become two stock keys. */
export const Sku = (description = 'Stock keeping unit: the key stock, routing and documents agree on.') =>
  Type.String({ minLength: 1, pattern: '^\\S(.*\\S)?$', description });

export const Gtin = (description: string) => Type.String({ pattern: '^(\\d{8}|\\d{12,14})$', description });

/** Free text that is optional wherever it appears. */
export const OptionalText = (description: string) => Type.Optional(Type.String({ description }));

/** An id as another system gives it; opaque to Keel. */
export const ExternalId = (description: string) => Type.String({ minLength: 1, description });

/** Channel, source system or capability codes chosen by the integrator: lower-case like pipeline names. */
export const Code = (description: string) => Type.String({ pattern: '^[a-z0-9][a-z0-9_.-]*$', description });

export const CurrencyCode = (description: string) => Type.String({ pattern: '^[A-Z]{3}$', description });

export const CountryCode = (description: string) => Type.String({ pattern: '^[A-Z]{2}$', description });

const LOCALE_PATTERN = '^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$';

export const LocaleCode = (description: string) => Type.String({ pattern: LOCALE_PATTERN, description });

/** Text per BCP-47 locale ("de", "de-CH", "en-GB"); catalogues send ISO 639-2 ("deu") and mappings convert. */
export const LocalizedText = (description: string) =>
  Type.Record(Type.String(), Type.String(), { propertyNames: { pattern: LOCALE_PATTERN }, minProperties: 1, description });

/** UN/ECE Recommendation 20 unit code (C62 piece, KGM kilogram, MTR metre), as openTRANS and BMEcat use. */
export const UnitCode = (description: string) => Type.String({ pattern: '^[A-Z0-9]{2,3}$', description });

/** Free-form vendor data: mappings keep fields the model has no place for without failing validation. */
export const Extensions = () =>
  Type.Optional(
    Type.Record(Type.String(), Type.Unknown(), {
      description: 'Vendor fields the model has no place for, kept as they are; by convention keyed by source system, e.g. { "shopify": { "tags": "vip" } }.',
    }),
  );
