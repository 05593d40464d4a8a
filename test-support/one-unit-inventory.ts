import type { InventoryConfig } from '../core/inventory/inventory-config.js';

/** One warehouse that both the web shop and the call centre sell from: the setting of the oversell tests. */
export const ONE_UNIT_INVENTORY: InventoryConfig = {
  locations: [{ location_id: 'wh-a', name: 'A', type: 'warehouse', channels: ['web', 'callcenter'], coordinates: { lat: 52.5, lon: 13.4 } }],
  channels: { web: {}, callcenter: {} },
};
