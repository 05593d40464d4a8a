import { Type, type Static } from '@sinclair/typebox';
import { Attributes, Media, Price } from './product-parts.js';
import { Extensions, Gtin, LocalizedText, OptionalText, Sku, UnitCode, entity } from './fields.js';

/** The sellable, stockable unit of a product: what orders, stock and prices refer to by SKU. */
export const ProductVariant = Type.Object(
  {
    sku: Sku(),
    gtin: Type.Optional(Gtin('GTIN/EAN/UPC, 8, 12, 13 or 14 digits.')),
    mpn: OptionalText("Manufacturer's part number."),
    title: Type.Optional(LocalizedText('Variant name per locale, when it differs from the product title.')),
    options: Type.Optional(
      Type.Record(Type.String(), Type.String(), {
        description: 'What tells this variant from its siblings, option name to value, e.g. { "size": "M", "color": "black" }.',
      }),
    ),
    attributes: Type.Optional(Attributes('Descriptive attributes of this variant.')),
    media: Type.Optional(Type.Array(Media, { description: 'Images and documents of this variant.' })),
    prices: Type.Optional(Type.Array(Price, { description: 'Prices per channel, currency, tier and period.' })),
    unit: Type.Optional(UnitCode('Unit the variant is sold and counted in (UN/ECE Rec 20); absent means pieces (C62).')),
    weight_grams: Type.Optional(Type.Integer({ minimum: 0, description: 'Shipping weight of one unit in grams.' })),
    extensions: Extensions(),
  },
  { additionalProperties: false, description: 'A sellable variant of a product.' },
);

export const ProductVariantSchema = entity('product-variant', 'Product variant', ProductVariant);
export type ProductVariant = Static<typeof ProductVariantSchema>;
