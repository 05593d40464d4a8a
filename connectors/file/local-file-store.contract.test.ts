import { tempProject } from '../../test-support/temp-project.js';
import { testFileStore } from '../../test-support/contracts/file-store-contract.js';
import { LocalFileStore } from './local-file-store.js';

testFileStore(async () => {
  const project = tempProject();
  const root = project.path('files');
  return { store: new LocalFileStore(root), root, cleanup: async () => project.remove() };
});
