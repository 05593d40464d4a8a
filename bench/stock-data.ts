import { once } from 'node:events';
import { createWriteStream, existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { mulberry32 } from '../test-support/random.js';

export const STOCK_HEADER = 'sku,location,on_hand,reserved,updated_at';

/** Bump when the rows change, so a cached file from an older generator is never reused. */
const GENERATOR_VERSION = 1;
const LOCATIONS = ['WH-NORTH', 'WH-SOUTH', 'WH-EAST', 'WH-WEST', ...Array.from({ length: 16 }, (_, index) => `STORE-${String(index + 1).padStart(4, '0')}`)];
const ROWS_PER_WRITE = 5000;
const EPOCH = Date.UTC(2024, 0, 1);
const NINETY_DAYS_S = 90 * 24 * 3600;


/**
 * Row i is SKU i/20 at location i%20, so (sku, location) is unique like a real stock export.
 * Values never start with = + - @ (the CSV encoder would escape them as formulas) and never need
 * quoting, so a faithful runner writes data rows byte for byte as they were read.
 */
function stockRow(index: number, random: () => number): string {
  const sku = `SKU-${String(Math.floor(index / LOCATIONS.length)).padStart(8, '0')}`;
  const location = LOCATIONS[index % LOCATIONS.length] as string;
  const onHand = Math.floor(random() * 1000);
  const reserved = Math.floor(random() * Math.min(onHand + 1, 50));
  const updatedAt = new Date(EPOCH + Math.floor(random() * NINETY_DAYS_S) * 1000).toISOString().slice(0, 19) + 'Z';
  return `${sku},${location},${onHand},${reserved},${updatedAt}\n`;
}

/**
 * The input file for `rows` stock rows, generated on first use and cached under `dir`. Rows are
 * written a few thousand at a time (honouring backpressure), never all held in memory, into a
 * hidden temp file renamed at the end, so an interrupted generation is never mistaken for data.
 */
export async function stockCsv(dir: string, rows: number): Promise<{ file: string; generated: boolean }> {
  const file = join(dir, `v${GENERATOR_VERSION}-${rows}`, 'stock.csv');
  if (existsSync(file)) return { file, generated: false };
  mkdirSync(dirname(file), { recursive: true });
  const temp = join(dirname(file), `.stock.csv.${process.pid}.tmp`);
  const out = createWriteStream(temp);
  const random = mulberry32(0x5eed + rows);
  out.write(`${STOCK_HEADER}\n`);
  for (let start = 0; start < rows; start += ROWS_PER_WRITE) {
    let chunk = '';
    const end = Math.min(rows, start + ROWS_PER_WRITE);
    for (let index = start; index < end; index += 1) chunk += stockRow(index, random);
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  renameSync(temp, file);
  return { file, generated: true };
}
