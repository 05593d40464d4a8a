import type { SnapshotInput } from './inventory-store.js';

/**
 * Stock counts by column: numbers in typed arrays and each distinct string once (a batch of a
 * stock export names a few hundred SKUs, 20 locations, one source). It is how a feed's counts
 * travel from the record to the ledger: built straight from the records, with no object per
 * count on the way, and moved (not copied) to the ingest thread.
 */
export interface SnapshotColumns {
  strings: string[];
  sku: Uint32Array<ArrayBuffer>;
  location: Uint32Array<ArrayBuffer>;
  source: Uint32Array<ArrayBuffer>;
  onHand: Float64Array<ArrayBuffer>;
  at: Float64Array<ArrayBuffer>;
}

/** Fills SnapshotColumns count by count, for at most `capacity` counts. */
export class SnapshotColumnsBuilder {
  private readonly strings: string[] = [];
  private readonly ids = new Map<string, number>();
  private readonly sku: Uint32Array<ArrayBuffer>;
  private readonly location: Uint32Array<ArrayBuffer>;
  private readonly source: Uint32Array<ArrayBuffer>;
  private readonly onHand: Float64Array<ArrayBuffer>;
  private readonly at: Float64Array<ArrayBuffer>;
  private count = 0;
  private lastSku: string | undefined;
  private lastSource: string | undefined;

  constructor(capacity: number) {
    this.sku = new Uint32Array(capacity);
    this.location = new Uint32Array(capacity);
    this.source = new Uint32Array(capacity);
    this.onHand = new Float64Array(capacity);
    this.at = new Float64Array(capacity);
  }

  get length(): number {
    return this.count;
  }

  add(sku: string, locationId: string, onHand: number, at: number, source: string): void {
    const index = this.count;
    // Feeds come sorted by SKU from one source: most counts repeat the one before.
    this.sku[index] = sku === this.lastSku ? (this.sku[index - 1] as number) : this.idOf(sku);
    this.source[index] = source === this.lastSource ? (this.source[index - 1] as number) : this.idOf(source);
    this.location[index] = this.idOf(locationId);
    this.onHand[index] = onHand;
    this.at[index] = at;
    this.lastSku = sku;
    this.lastSource = source;
    this.count = index + 1;
  }

  /** The columns, trimmed to what was added (views on the same buffers). */
  finish(): SnapshotColumns {
    const count = this.count;
    return {
      strings: this.strings,
      sku: this.sku.subarray(0, count),
      location: this.location.subarray(0, count),
      source: this.source.subarray(0, count),
      onHand: this.onHand.subarray(0, count),
      at: this.at.subarray(0, count),
    };
  }

  private idOf(text: string): number {
    let id = this.ids.get(text);
    if (id === undefined) {
      id = this.strings.length;
      this.strings.push(text);
      this.ids.set(text, id);
    }
    return id;
  }
}

/** The buffers to move with a postMessage of `columns`. */
export function columnBuffers(columns: SnapshotColumns): ArrayBuffer[] {
  return [columns.sku.buffer, columns.location.buffer, columns.source.buffer, columns.onHand.buffer, columns.at.buffer];
}

export function packSnapshots(inputs: readonly SnapshotInput[]): SnapshotColumns {
  const builder = new SnapshotColumnsBuilder(inputs.length);
  for (const input of inputs) builder.add(input.sku, input.location_id, input.on_hand, input.at, input.source);
  return builder.finish();
}

export function unpackSnapshots(columns: SnapshotColumns): SnapshotInput[] {
  const { strings } = columns;
  const inputs = new Array<SnapshotInput>(columns.sku.length);
  for (let index = 0; index < inputs.length; index += 1) {
    inputs[index] = {
      sku: strings[columns.sku[index] as number] as string,
      location_id: strings[columns.location[index] as number] as string,
      on_hand: columns.onHand[index] as number,
      at: columns.at[index] as number,
      source: strings[columns.source[index] as number] as string,
    };
  }
  return inputs;
}
