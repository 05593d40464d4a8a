import { afterEach } from 'vitest';

export interface Closable {
  close(): Promise<void>;
}

/** What an implementation's `open()` gives a contract suite: a fresh, empty store per test. */
export interface OpenedStore<S extends Closable> {
  store: S;
  /** Removes what `open()` made (a temporary folder, a database); runs once the test's stores are closed. */
  cleanup(): Promise<void>;
}

/** A store whose data outlives it. */
export interface ReopenableStore<S extends Closable> extends OpenedStore<S> {
  /** Another store on the same data: a second connection, or the process after a restart. */
  reopen(): Promise<S>;
}

/**
 * Call inside a suite's `describe`: returns the `open()` its tests call, and closes every store
 * a test opened (reopened ones too) and cleans up after it. Stores are closed even when the test
 * closed them itself, which the suites check is harmless.
 */
export function openPerTest<S extends Closable, F extends OpenedStore<S>>(open: () => Promise<F>): () => Promise<F> {
  const stores: Closable[] = [];
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    try {
      for (const store of stores.splice(0).reverse()) await store.close();
    } finally {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    }
  });
  return async () => {
    const fixture = await open();
    stores.push(fixture.store);
    cleanups.push(() => fixture.cleanup());
    if (!('reopen' in fixture) || typeof fixture.reopen !== 'function') return fixture;
    const reopen = fixture.reopen as () => Promise<S>;
    return {
      ...fixture,
      reopen: async () => {
        const again = await reopen();
        stores.push(again);
        return again;
      },
    };
  };
}
