import { tempProject } from '../../test-support/temp-project.js';
import { testRoutingStore } from '../../test-support/contracts/routing-store-contract.js';
import { SqliteRoutingStore } from './sqlite-routing.js';

testRoutingStore(async () => {
  const project = tempProject();
  const path = project.path('.keel', 'state.db');
  return { store: new SqliteRoutingStore(path), reopen: async () => new SqliteRoutingStore(path), cleanup: async () => project.remove() };
});
