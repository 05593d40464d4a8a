import { Type, type Static } from '@sinclair/typebox';
import { Money } from './money.js';
import { Code, LocalizedText, OptionalText, Quantity, StringEnum, Timestamp, withDescription } from './fields.js';

/**
 * Descriptive attributes by code. Values are strings, never numbers, for the same reason as money
 * ("0.25" must stay "0.25"); multi-valued features (BMEcat FVALUE repeated) are arrays. A unit
 * belongs in the code ("weight_kg") so values compare as they are.
 */
export const Attributes = (description: string) =>
  Type.Record(Type.String(), Type.Union([Type.String(), Type.Array(Type.String())]), { description });

export const MEDIA_KINDS = ['image', 'video', 'document', 'other'] as const;

export const Media = Type.Object(
  {
    url: Type.String({
      minLength: 1,
      description: 'Absolute URL, or a path relative to the feed\'s media root (BMEcat MIME_SOURCE); not format-checked for that reason.',
    }),
    kind: Type.Optional(StringEnum(MEDIA_KINDS, { description: 'What the file is; absent means image.' })),
    mime_type: OptionalText('MIME type, e.g. "image/jpeg".'),
    alt: Type.Optional(LocalizedText('Alternative text per locale.')),
    position: Type.Optional(Type.Integer({ minimum: 0, description: 'Display order, lowest first.' })),
  },
  { additionalProperties: false, description: 'An image, video or document of a product.' },
);
export type Media = Static<typeof Media>;

/**
 * One price of a variant. A variant has one per channel, currency, tier and validity period;
 * without `channel` a price applies to every channel that has no price of its own.
 */
export const Price = Type.Object(
  {
    channel: Type.Optional(Code('Channel the price is for; absent means every channel.')),
    price: withDescription(Money, 'Selling price of one unit; its currency is the price\'s currency.'),
    compare_at_price: Type.Optional(withDescription(Money, 'Former or list price shown struck through.')),
    includes_tax: Type.Optional(Type.Boolean({ description: 'Whether the price includes tax (B2C usually yes, B2B catalogues no).' })),
    min_quantity: Type.Optional(Quantity('Tier: the price applies from this many units on (BMEcat LOWER_BOUND).', 1)),
    valid_from: Type.Optional(Timestamp('Start of validity.')),
    valid_to: Type.Optional(Timestamp('End of validity.')),
  },
  { additionalProperties: false, description: 'A price of a variant in one channel and currency.' },
);
export type Price = Static<typeof Price>;
