import type { JsonObject } from '../json.js';
import type { RememberedVersion, StepLedger } from '../sdk/step.js';
import type { LedgerEntry, StateStore } from '../state/state-store.js';
import { stableJson } from './record-key.js';

interface Remembered {
  hash: string;
  content: string | undefined;
  at: string;
}

/**
 * The effect ledger as steps see it during a run, one scope per step (`step:dedupe:orders`).
 * What steps remember waits here until the runner takes it into the batch's commit, so it lands
 * atomically with the cursor: a batch that is not committed (a crash) leaves no trace, and the
 * run after it decides the same way for the same records.
 */
export class StepLedgers {
  /** Set by the runner while it replays dead letters. */
  replaying = false;
  private readonly pending = new Map<string, Map<string, Remembered>>();

  constructor(
    private readonly store: StateStore,
    private readonly pipeline: string,
  ) {}

  ledger(scope: string): StepLedger {
    // Prefixed so that no step's scope can be taken for a target's.
    const stored = `step:${scope}`;
    const pending = this.pending.get(stored) ?? new Map<string, Remembered>();
    this.pending.set(stored, pending);
    const isReplaying = (): boolean => this.replaying;
    return {
      get replaying() {
        return isReplaying();
      },
      recall: async (key) => {
        const waiting = pending.get(key);
        if (waiting !== undefined) return { hash: waiting.hash, content: parsed(waiting.content), at: waiting.at };
        const delivered = (await this.store.recallKeys(this.pipeline, stored, [key])).get(key)?.delivered;
        if (delivered === undefined) return undefined;
        return { hash: delivered.hash, content: parsed(delivered.content), at: delivered.at } satisfies RememberedVersion;
      },
      remember: (key, version) => {
        pending.set(key, { hash: version.hash, content: version.content === undefined ? undefined : stableJson(version.content), at: new Date().toISOString() });
      },
    };
  }

  /** What the steps remembered since the last batch, as ledger entries for its commit; forgotten here. */
  takeEntries(): LedgerEntry[] {
    const entries: LedgerEntry[] = [];
    for (const [scope, keys] of this.pending) {
      for (const [key, version] of keys) entries.push({ target: scope, key, hash: version.hash, content: version.content });
      keys.clear();
    }
    return entries;
  }
}

function parsed(content: string | undefined): JsonObject | undefined {
  if (content === undefined) return undefined;
  try {
    return JSON.parse(content) as JsonObject;
  } catch {
    return undefined;
  }
}
