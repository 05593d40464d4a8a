import { tempProject } from '../../test-support/temp-project.js';
import { testLifecycleStore } from '../../test-support/contracts/lifecycle-store-contract.js';
import { SqliteLifecycleStore } from './sqlite-lifecycle.js';

testLifecycleStore(async () => {
  const project = tempProject();
  const path = project.path('.keel', 'state.db');
  return { store: new SqliteLifecycleStore(path), reopen: async () => new SqliteLifecycleStore(path), cleanup: async () => project.remove() };
});
