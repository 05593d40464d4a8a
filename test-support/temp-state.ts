import { afterEach } from 'vitest';
import { SqliteStateStore } from '../core/state/sqlite-store.js';
import { tempProject, type TempProject } from './temp-project.js';

/**
 * A real SQLite state store in a fresh temporary folder, one per call, closed and removed after
 * each test. Register it before other afterEach hooks that use the store: hooks run in reverse.
 */
export function tempStatePerTest(): () => SqliteStateStore {
  const opened: { project: TempProject; store: SqliteStateStore }[] = [];
  afterEach(async () => {
    for (const { project, store } of opened.splice(0)) {
      await store.close();
      project.remove();
    }
  });
  return () => {
    const project = tempProject();
    const store = new SqliteStateStore(project.path('.keel', 'state.db'));
    opened.push({ project, store });
    return store;
  };
}
