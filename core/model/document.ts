import { Type, type Static } from '@sinclair/typebox';
import { DocumentLine, DocumentTotals, Party, TaxBreakdown } from './document-parts.js';
import { OrderRef } from './order-ref.js';
import { CurrencyCode, DateOnly, ExternalId, Extensions, StringEnum, withDescription, entity } from './fields.js';

export const DOCUMENT_TYPES = ['delivery_note', 'invoice', 'credit_note'] as const;
export type DocumentType = (typeof DOCUMENT_TYPES)[number];

/**
 * A business document, received (openTRANS INVOICE, DISPATCHNOTIFICATION) or issued by Keel.
 * Money parts are optional because a delivery note has none; an invoice without totals is a
 * mapping fault that the documents engine reports, not a schema rule.
 */
export const Document = Type.Object(
  {
    type: StringEnum(DOCUMENT_TYPES, { description: 'Kind of document.' }),
    number: Type.String({ minLength: 1, description: 'Document number; gap-free per type and issuer where the law asks for it.' }),
    issue_date: DateOnly('Date of issue (ISO 8601 date), the date tax law counts.'),
    currency: Type.Optional(CurrencyCode('ISO 4217 currency of the amounts; absent on delivery notes.')),
    order: Type.Optional(withDescription(OrderRef, 'Order the document is for.')),
    shipment_id: Type.Optional(ExternalId('Shipment a delivery note or invoice covers.')),
    original_document_number: Type.Optional(ExternalId('Invoice a credit note corrects.')),
    delivery_date: Type.Optional(DateOnly('Date of delivery or service, when it differs from the issue date.')),
    due_date: Type.Optional(DateOnly('Date payment is due.')),
    parties: Type.Array(Party, { minItems: 1, description: 'Seller, buyer, bill-to and ship-to parties.' }),
    lines: Type.Array(DocumentLine, { minItems: 1, description: 'Lines of the document.' }),
    tax_breakdown: Type.Optional(Type.Array(TaxBreakdown, { description: 'Tax per rate.' })),
    totals: Type.Optional(withDescription(DocumentTotals, 'Totals of the document.')),
    extensions: Extensions(),
  },
  { additionalProperties: false, description: 'A delivery note, invoice or credit note.' },
);

export const DocumentSchema = entity('document', 'Document', Document);
export type Document = Static<typeof DocumentSchema>;
