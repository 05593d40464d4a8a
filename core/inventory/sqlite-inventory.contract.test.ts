import { tempProject } from '../../test-support/temp-project.js';
import { testInventoryStore } from '../../test-support/contracts/inventory-store-contract.js';
import { SqliteInventoryStore } from './sqlite-inventory.js';

testInventoryStore(async () => {
  const project = tempProject();
  const path = project.path('.keel', 'state.db');
  return { store: new SqliteInventoryStore(path), reopen: async () => new SqliteInventoryStore(path), cleanup: async () => project.remove() };
});
