import type { StateLocation } from '../sdk/engine.js';
import { SqliteStateStore } from './sqlite-store.js';
import type { StateStore } from './state-store.js';

/**
 * One factory per state driver, chosen by keel.yaml `state.driver`. A driver is accepted when its
 * store passes the state store contract suite (test-support/contracts).
 */
const DRIVERS: { [Driver in StateLocation['driver']]: (location: Extract<StateLocation, { driver: Driver }>) => StateStore } = {
  sqlite: (location) => new SqliteStateStore(location.path),
};

export function openStateStore(location: StateLocation): StateStore {
  return DRIVERS[location.driver](location);
}
