import { Type, type Static } from '@sinclair/typebox';
import { Attributes, Media } from './product-parts.js';
import { ProductVariant } from './product-variant.js';
import { ExternalId, Extensions, LocalizedText, OptionalText, StringEnum, Timestamp, withDescription, entity } from './fields.js';

export const PRODUCT_STATUSES = ['active', 'draft', 'archived'] as const;

/**
 * A product with at least one variant. Sources without variant groups (a BMEcat PRODUCT, a
 * Google item without item_group_id) map to a product with one variant. Price-only feeds
 * (BMEcat T_UPDATE_PRICES) are not products: they carry no title.
 */
export const Product = Type.Object(
  {
    product_id: ExternalId('Product id in the source that owns the master data.'),
    title: LocalizedText('Product name per BCP-47 locale, e.g. { "de": "Notizbuch", "en": "Notebook" }.'),
    description: Type.Optional(LocalizedText('Long description per locale; may contain HTML as the source sends it.')),
    brand: OptionalText('Brand or manufacturer name.'),
    categories: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), { description: 'Category paths, e.g. "Apparel > Watches", or classification codes.' }),
    ),
    attributes: Type.Optional(Attributes('Attributes shared by all variants.')),
    media: Type.Optional(Type.Array(Media, { description: 'Images and documents shared by all variants.' })),
    status: Type.Optional(StringEnum(PRODUCT_STATUSES, { description: 'Whether the product is sold; absent means active.' })),
    variants: Type.Array(withDescription(ProductVariant, 'A sellable variant.'), { minItems: 1, description: 'Sellable variants; at least one.' }),
    created_at: Type.Optional(Timestamp('When the product was created in the source.')),
    updated_at: Type.Optional(Timestamp('When the product last changed in the source.')),
    extensions: Extensions(),
  },
  { additionalProperties: false, description: 'A product with its variants, texts, media and prices.' },
);

export const ProductSchema = entity('product', 'Product', Product);
export type Product = Static<typeof ProductSchema>;
