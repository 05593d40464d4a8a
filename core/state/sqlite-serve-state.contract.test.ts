import { tempProject } from '../../test-support/temp-project.js';
import { testServeState } from '../../test-support/contracts/serve-state-contract.js';
import { SqliteStateStore } from './sqlite-store.js';

testServeState(async () => {
  const project = tempProject();
  const path = project.path('.keel', 'state.db');
  return { store: new SqliteStateStore(path), reopen: async () => new SqliteStateStore(path), cleanup: async () => project.remove() };
});
