/**
 * The two facts about UTF-8 byte streams that strict decoding needs and the platform does not give:
 * where a chunk ends in the middle of a character (so the rest arrives with the next chunk), and
 * where the invalid sequences of a chunk start (`isUtf8` only says that there is one). Decoding
 * itself stays with TextDecoder and Buffer.
 */

/** Bytes at the end of `bytes` that begin a character whose remaining bytes have not arrived yet. */
export function incompleteTail(bytes: Uint8Array): number {
  const length = bytes.length;
  let start = length - 1;
  // Step back over continuation bytes (10xxxxxx) to the lead byte of the last character.
  while (start >= 0 && start > length - 4 && ((bytes[start] as number) & 0xc0) === 0x80) start -= 1;
  if (start < 0) return 0;
  const lead = bytes[start] as number;
  const needed = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return length - start < needed ? length - start : 0;
}

/** An ill-formed sequence: where it starts and how many bytes it spans. */
export interface InvalidSequence {
  offset: number;
  length: number;
}

/**
 * The ill-formed sequences of `bytes`, by the well-formed byte sequences of the Unicode standard
 * (table 3-7): no overlong forms, no surrogates, nothing above U+10FFFF. The continuation bytes
 * after a broken lead byte belong to the same sequence, so one wrong character is one error.
 */
export function invalidSequences(bytes: Uint8Array): InvalidSequence[] {
  const out: InvalidSequence[] = [];
  let index = 0;
  while (index < bytes.length) {
    const lead = bytes[index] as number;
    if (lead < 0x80) {
      index += 1;
      continue;
    }
    const length = sequenceLength(bytes, index);
    if (length > 0) {
      index += length;
      continue;
    }
    const start = index;
    index += 1;
    while (index < bytes.length && index - start < 4 && ((bytes[index] as number) & 0xc0) === 0x80) index += 1;
    out.push({ offset: start, length: index - start });
  }
  return out;
}

/** Length of the well-formed sequence at `index`, or 0 when it is ill-formed. */
function sequenceLength(bytes: Uint8Array, index: number): number {
  const lead = bytes[index] as number;
  const at = (offset: number): number => bytes[index + offset] ?? -1;
  const continuation = (value: number, low = 0x80, high = 0xbf): boolean => value >= low && value <= high;
  if (lead >= 0xc2 && lead <= 0xdf) return continuation(at(1)) ? 2 : 0;
  if (lead >= 0xe0 && lead <= 0xef) {
    const low = lead === 0xe0 ? 0xa0 : 0x80;
    const high = lead === 0xed ? 0x9f : 0xbf;
    return continuation(at(1), low, high) && continuation(at(2)) ? 3 : 0;
  }
  if (lead >= 0xf0 && lead <= 0xf4) {
    const low = lead === 0xf0 ? 0x90 : 0x80;
    const high = lead === 0xf4 ? 0x8f : 0xbf;
    return continuation(at(1), low, high) && continuation(at(2)) && continuation(at(3)) ? 4 : 0;
  }
  return 0;
}
