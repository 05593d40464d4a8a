import type { JsonObject } from '../json.js';

/**
 * Returns announced at a touchpoint (a store's till, a shop's return form, a support desk) through
 * `POST /returns`, kept in the state store in the order they came until the returns flow takes
 * them up. Each version of a return is kept once: the same return announced again unchanged is a
 * duplicate, a changed one (received now, refunded) a new entry with a higher number.
 */
export interface AnnouncedReturns {
  /** Stores a version, idempotently; the answer says whether it is new and its number. */
  announce(input: AnnouncedReturnInput): Promise<{ stored: boolean; seq: number }>;
  /** Entries after `afterSeq` in number order, at most `limit`, of one location only when it is named. */
  list(query: { afterSeq: number; limit: number; locationId?: string | undefined }): Promise<AnnouncedReturn[]>;
}

export interface AnnouncedReturnInput {
  /** Which return this is a version of: its channel (or location) and return_id. */
  returnKey: string;
  /** The location that receives the goods, when the return names one. */
  locationId: string | undefined;
  /** Who announced it: the name of the API token. */
  announcedBy: string;
  receivedAt: string;
  /** The canonical Return, as validated. */
  body: JsonObject;
}

export interface AnnouncedReturn extends AnnouncedReturnInput {
  seq: number;
}
