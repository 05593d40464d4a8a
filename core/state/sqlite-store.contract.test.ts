import { tempProject } from '../../test-support/temp-project.js';
import { testDocumentNumbers } from '../../test-support/contracts/document-numbers-contract.js';
import { testIncidentLog } from '../../test-support/contracts/incident-log-contract.js';
import { testRunStats } from '../../test-support/contracts/run-stats-contract.js';
import { testStateStore } from '../../test-support/contracts/state-store-contract.js';
import { SqliteStateStore } from './sqlite-store.js';

const open = async () => {
  const project = tempProject();
  const path = project.path('.keel', 'state.db');
  return { store: new SqliteStateStore(path), reopen: async () => new SqliteStateStore(path), cleanup: async () => project.remove() };
};

testStateStore(open);
testRunStats(open);
testIncidentLog(open);
testDocumentNumbers(open);
