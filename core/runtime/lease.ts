import { hostname } from 'node:os';
import { KeelError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { StateStore } from '../state/state-store.js';

const LEASE_TTL_MS = 10 * 60_000;

/** A pipeline's lease, held for one run so that no other process runs the pipeline at the same time. */
export interface Lease {
  /** Called before the run's last writes, so that no renewal can land after `release`. */
  stopRenewing(): void;
  release(): Promise<void>;
}

const NO_LEASE: Lease = { stopRenewing: () => undefined, release: async () => undefined };

/**
 * Takes the pipeline's lease, or fails with `pipeline_busy` when another live process holds it.
 * A dry run changes no state and takes none. Long runs keep the lease fresh; a crashed process
 * stops renewing and its lease lapses, and one that died on this machine loses it at once.
 */
export async function takeLease(store: StateStore, pipeline: string, dryRun: boolean, logger: Logger): Promise<Lease> {
  if (dryRun) return NO_LEASE;
  const name = `pipeline:${pipeline}`;
  const owner = `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 10)}`;
  if (!(await store.acquireLease(name, owner, LEASE_TTL_MS, holderIsGone))) {
    throw new KeelError('fatal', `pipeline ${pipeline} is already running in another process; wait for it or stop it`, {
      code: 'pipeline_busy',
      stage: 'start',
    });
  }
  // A renewal that fails (the state file busy a moment) is tried again at the next tick: the lease
  // lasts four ticks, so only a store that stays unreachable lets it lapse.
  const renewOnce = (): void => {
    store.acquireLease(name, owner, LEASE_TTL_MS).catch((error: unknown) => {
      logger.warn('could not renew the pipeline lease; trying again', { pipeline, error: error instanceof Error ? error.message : String(error) });
    });
  };
  const renew = setInterval(renewOnce, LEASE_TTL_MS / 4);
  renew.unref();
  return {
    stopRenewing: () => clearInterval(renew),
    release: async () => {
      clearInterval(renew);
      await store.releaseLease(name, owner);
    },
  };
}

/** A lease holder on this machine whose process no longer exists was killed: its lease is void. */
function holderIsGone(holder: string): boolean {
  const [host, pid] = holder.split(':');
  if (host !== hostname() || pid === undefined) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}
