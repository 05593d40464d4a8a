import { defineEngine } from '../../core/sdk/engine.js';
import { LifecycleEngine, LifecycleSection } from '../../core/lifecycle/lifecycle-engine.js';
import { SqliteLifecycleStore } from '../../core/lifecycle/sqlite-lifecycle.js';

/**
 * Each order's lifecycle: events from any channel, location or ops (received … refunded), kept
 * append-only in the state file, and the order's state derived from them. keel.yaml `lifecycle: {}`.
 */
export default defineEngine({
  name: 'lifecycle',
  description: "each order's events from channels, locations and ops, and the state derived from them",
  section: LifecycleSection,
  load(section: LifecycleSection) {
    return { config: section, problems: [] };
  },
  open(_config: LifecycleSection, ctx) {
    return new LifecycleEngine(new SqliteLifecycleStore(ctx.state.path));
  },
  close: (engine: LifecycleEngine) => engine.store.close(),
});
