import { MAX_RAW_CHARS } from '../codecs/limits.js';
import { stringifyBounded, type JsonObject } from '../json.js';

/** A source record on its way through the steps to the targets. */
export interface ItemInFlight {
  data: JsonObject;
  original: JsonObject;
  /** Where the record came from, as parts (see originOf): the text is built only for a dead letter. */
  unit: string | undefined;
  mark: string;
  at: number | undefined;
  /** A replayed dead letter's recorded origin. */
  replayOrigin: string | undefined;
  /** Set when the item is a dead letter being replayed. */
  deadLetterId?: number;
  /** The replayed dead letter's code: `changed_after_delivery` means a person chose to send this version. */
  replayCode?: string;
  /** Replays of target failures go to that target only. */
  onlyTarget?: string;
}

/** `orders.csv:17`, `availability:shop#3`, the unit alone, or undefined for a source without units. */
export function originOf(item: ItemInFlight): string | undefined {
  if (item.replayOrigin !== undefined) return item.replayOrigin;
  const { unit, mark, at } = item;
  return unit === undefined ? undefined : at === undefined ? unit : `${unit}${mark}${at}`;
}

/** Longest payload a dead letter keeps whole: a record this size was accepted by the decoders. */
const MAX_PAYLOAD_CHARS = 16 * 1024 * 1024;

/**
 * A dead letter's payload: the record as JSON, so it can be replayed; a record that JSON cannot
 * hold (nested too deep for JSON.stringify) or that is larger than any decoder lets through is
 * kept as a bounded copy instead, so storing the dead letter can never fail the commit.
 */
export function payloadOf(record: JsonObject): string {
  try {
    const text = JSON.stringify(record);
    if (text.length <= MAX_PAYLOAD_CHARS) return text;
  } catch {
    // RangeError: too deep. Fall through to the bounded copy.
  }
  return stringifyBounded(record, MAX_RAW_CHARS);
}
