import { AddressSchema } from './address.js';
import { CustomerSchema } from './customer.js';
import { DocumentSchema } from './document.js';
import { LocationSchema } from './location.js';
import { MoneySchema } from './money.js';
import { OrderLineSchema } from './order-line.js';
import { OrderSchema } from './order.js';
import { ProductVariantSchema } from './product-variant.js';
import { ProductSchema } from './product.js';
import { ReservationSchema } from './reservation.js';
import { ReturnSchema } from './return.js';
import { ShipmentSchema } from './shipment.js';
import { StockLevelSchema, StockMovementSchema } from './stock.js';

/**
 * The canonical commerce model: every entity's JSON Schema by snake_case name, as mappings
 * (`target: order`) and `keel schema <entity>` look them up. Schemas carry `$id` and `title`;
 * `$schema` is added by whoever publishes them, so they also compile under a draft-07 Ajv.
 */
export const MODEL_SCHEMAS = {
  money: MoneySchema,
  address: AddressSchema,
  customer: CustomerSchema,
  order: OrderSchema,
  order_line: OrderLineSchema,
  stock_level: StockLevelSchema,
  stock_movement: StockMovementSchema,
  reservation: ReservationSchema,
  product: ProductSchema,
  product_variant: ProductVariantSchema,
  location: LocationSchema,
  shipment: ShipmentSchema,
  return: ReturnSchema,
  document: DocumentSchema,
} as const;

export type ModelEntity = keyof typeof MODEL_SCHEMAS;

/*
 * `XSchema` is the published schema (with $id); the value objects are also exported under their
 * type's name without $id (`Money`, `Address`, ...) for other schemas to embed.
 */
export { Money, MoneySchema } from './money.js';
export { Address, AddressSchema, Coordinates } from './address.js';
export { CustomerSchema, type Customer } from './customer.js';
export { OrderRef } from './order-ref.js';
export { OrderLineSchema, type OrderLine } from './order-line.js';
export type { Discount, Fee, OrderTotals, ShippingCharge, TaxLine } from './order-charges.js';
export { PAYMENT_STATUSES, type Payment, type PaymentStatus } from './payment.js';
export { ORDER_STATUSES, OrderSchema, type Order, type OrderStatus } from './order.js';
export {
  STOCK_MOVEMENT_REASONS,
  StockLevelSchema,
  StockMovementSchema,
  type StockLevel,
  type StockMovement,
  type StockMovementReason,
} from './stock.js';
export { RESERVATION_STATUSES, ReservationSchema, type Reservation, type ReservationStatus } from './reservation.js';
export { MEDIA_KINDS, type Media, type Price } from './product-parts.js';
export { ProductVariantSchema, type ProductVariant } from './product-variant.js';
export { PRODUCT_STATUSES, ProductSchema, type Product } from './product.js';
export {
  LOCATION_CAPABILITIES,
  LOCATION_TYPES,
  LocationSchema,
  type Location,
  type LocationCapability,
  type LocationType,
} from './location.js';
export { SHIPMENT_STATUSES, ShipmentSchema, type Parcel, type Shipment, type ShipmentLine, type ShipmentStatus } from './shipment.js';
export {
  REFUND_STATUSES,
  RETURN_REASONS,
  RETURN_STATUSES,
  ReturnSchema,
  type Refund,
  type Return,
  type ReturnLine,
  type ReturnReason,
  type ReturnStatus,
} from './return.js';
export { DOCUMENT_TYPES, DocumentSchema, type Document, type DocumentType } from './document.js';
export type { DocumentLine, DocumentTotals, Party, PartyRole, TaxBreakdown } from './document-parts.js';
export { MODEL_EXAMPLES } from './examples.js';
