import { tempProject } from '../../test-support/temp-project.js';
import { testStateAdmin } from '../../test-support/contracts/state-admin-contract.js';
import { SqliteStateStore } from './sqlite-store.js';

testStateAdmin(async () => {
  const project = tempProject();
  const path = project.path('.keel', 'state.db');
  return { store: new SqliteStateStore(path), reopen: async () => new SqliteStateStore(path), cleanup: async () => project.remove() };
});
