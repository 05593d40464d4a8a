import { describe, it } from 'vitest';
import { describeConnector } from '../../core/conformance/index.js';
import type { Order } from '../../core/model/order.js';
import inventoryEngine from '../../engines/inventory/index.js';
import routingEngine from '../../engines/routing/index.js';
import { openEngineProject } from '../../test-support/conformance-fixtures.js';
import routing from './index.js';
import { NEAREST_PROFILE, TWO_LOCATIONS } from '../../test-support/routing-fixtures.js';

const KEEL_YAML = `name: routing
connections:
  routing: { connector: routing }
${TWO_LOCATIONS}`;

const PROFILE = NEAREST_PROFILE;

/** A project needs a pipeline to load; this one is never run. */
const ROUTE = `name: route
source: { connection: routing, stream: requests }
targets:
  - { connection: routing, stream: responses }
`;

const AT = '2026-11-23T06:00:00Z';

/** An order of `quantity` SKU-1 shipped to Frankfurt (next to wh) or Berlin (next to store-1). */
function order(id: string, quantity: number, near: 'wh' | 'store-1' = 'wh'): Order {
  const coordinates = near === 'wh' ? { lat: 50.1, lon: 8.7 } : { lat: 52.5, lon: 13.4 };
  return {
    channel: 'shop',
    external_id: id,
    status: 'received',
    currency: 'EUR',
    created_at: AT,
    shipping_address: { country_code: 'DE', coordinates },
    lines: [{ line_id: '1', sku: 'SKU-1', quantity }],
  };
}

/** Stock at both locations, and two orders routed already: requests waiting in the outbox, answers to give. */
async function openRouting() {
  return openEngineProject({ 'keel.yaml': KEEL_YAML, 'profile.yaml': PROFILE, 'pipelines/route.yaml': ROUTE }, async (project) => {
    await project.engines.require(inventoryEngine, 'the conformance fixture').ingestRecords(
      ['wh', 'store-1'].map((location_id) => ({ sku: 'SKU-1', location_id, on_hand: 50, updated_at: AT, source: 'wms' })),
    );
    const engine = project.engines.require(routingEngine, 'the conformance fixture');
    await engine.route(order('1001', 1));
    await engine.route(order('1002', 1, 'store-1'));
    return { engine };
  });
}

type Opened = Awaited<ReturnType<typeof openRouting>>;

/** What the engine holds for each order: its receipts and requests, or null for an order it never routed. */
const explained = ({ engine }: Opened, refs: string[]) => Promise.all(refs.map((ref) => engine.explain(ref).catch(() => null)));

describeConnector(
  routing,
  {
    setup: openRouting,
    streams: {
      orders: {
        write: {
          records: [order('2001', 2) as never, order('2002', 1, 'store-1') as never],
          state: (opened) => explained(opened, ['shop:2001', 'shop:2002']),
          // No lines: not a canonical order.
          rejected: { channel: 'shop', external_id: '2003' },
        },
      },
      requests: {
        read: {
          options: {},
          invalidOptions: [{ options: { location_types: ['moon'] }, message: 'must be' }],
        },
      },
      responses: {
        write: {
          records: [{ order: 'shop:1001', location_id: 'wh', action: 'shipped' }],
          state: (opened) => explained(opened, ['shop:1001']),
          // An answer without an action.
          rejected: { order: 'shop:1001', location_id: 'wh' },
        },
      },
    },
  },
  { describe, it },
);
