import { Type } from '@sinclair/typebox';
import { defineConnector, defineStream } from '../../core/sdk/connector.js';
import { AVAILABILITY_EXAMPLES, LEDGER_EXAMPLES, RESERVATIONS_EXAMPLES, SHOWN_EXAMPLES } from './examples.js';
import { readAvailability } from './read-availability.js';
import { writeLedger, writeReservations, writeShown } from './write-stock.js';

const Channel = Type.String({ pattern: '^[a-z0-9][a-z0-9_.-]*$', description: 'a channel under inventory.channels in keel.yaml' });

export default defineConnector({
  name: 'inventory',
  kind: 'engine',
  description: "Keel's inventory engine: the stock ledger, reservations, channel availability and delta publishing (keel.yaml `inventory:`).",
  configSchema: Type.Object({}, { additionalProperties: false }),
  streams: {
    ledger: defineStream({
      description: 'Canonical stock levels (snapshots), stock movements and incoming stock into the ledger; bad rows are dead-lettered.',
      status: 'beta',
      examples: LEDGER_EXAMPLES,
      write: {
        // No options: an empty strict schema, so a misspelt option is refused at load instead of ignored.
        options: Type.Object({}, { additionalProperties: false }),
        // Snapshots are placed by their timestamp and movements applied once per id, so writing a
        // batch again changes nothing: a ledger entry per batch is enough, none per record.
        idempotency: 'batch',
        write: writeLedger,
      },
    }),
    reservations: defineStream({
      description: 'Canonical orders: reserve their lines at once; cancelled orders release, shipped ones fulfil at options.location_field.',
      status: 'beta',
      examples: RESERVATIONS_EXAMPLES,
      // One order, one business key: its versions come to the same key and the engine judges them
      // (adjusted, stale, duplicate), so a changed version is always sent.
      primaryKey: ['channel', 'external_id'],
      write: {
        onChange: 'send',
        options: Type.Object(
          {
            location_field: Type.Optional(
              Type.String({ default: 'location_id', description: 'dotted path of the field of a shipped order naming the location it left from' }),
            ),
          },
          { additionalProperties: false },
        ),
        idempotency: 'record',
        write: writeReservations,
      },
    }),
    availability: defineStream({
      description: "What a channel may show, per SKU: only values that changed since the channel's last publish, or all (mode: full).",
      status: 'beta',
      examples: AVAILABILITY_EXAMPLES,
      read: {
        options: Type.Object(
          {
            channel: Channel,
            mode: Type.Optional(
              Type.Union([Type.Literal('delta'), Type.Literal('full')], {
                default: 'delta',
                description: "delta: the values that changed since the channel's last publish; full: every SKU's value again, for a channel that lost its data",
              }),
            ),
          },
          { additionalProperties: false },
        ),
        // Computed afresh on every read: a resumed run publishes what is due then, not a replay.
        replayable: false,
        recordSchema: Type.Object(
          {
            channel: Type.String(),
            sku: Type.String(),
            quantity: Type.Integer(),
            status: Type.String(),
            available_from: Type.Optional(Type.String()),
            revision: Type.Integer(),
            computed_at: Type.String(),
          },
          { additionalProperties: false },
        ),
        read: readAvailability,
      },
    }),
    shown: defineStream({
      description: 'Reconciliation: what a channel shows ({ sku, quantity }) is compared with what it should; the drift is recorded and the next delta publish corrects it.',
      status: 'beta',
      examples: SHOWN_EXAMPLES,
      write: {
        options: Type.Object({ channel: Channel }, { additionalProperties: false }),
        idempotency: 'record',
        write: writeShown,
      },
    }),
  },
});
