import type { ConnectorState } from '../sdk/connector.js';
import type { StateStore } from '../state/state-store.js';

/** A connection's private key-value store, shared by every source and target that uses the connection. */
export function connectorState(store: StateStore, connection: string): ConnectorState {
  const scope = `connection:${connection}`;
  return { get: (key) => store.getValue(scope, key), set: (key, value) => store.setValue(scope, key, value) };
}
