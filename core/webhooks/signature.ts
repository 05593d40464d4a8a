import { createHmac, timingSafeEqual } from 'node:crypto';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Whether `signature` is the base64 HMAC-SHA256 of the body's bytes with `secret`. The bytes
 * compared are the decoded digests, of equal length, in constant time: how long the comparison
 * takes says nothing about how much of a forged signature was right.
 */
export function signatureMatches(secret: string, body: Uint8Array, signature: string): boolean {
  const expected = createHmac('sha256', secret).update(body).digest();
  const text = signature.trim();
  // Buffer.from(…, 'base64') skips characters it does not know: check the alphabet first.
  if (!BASE64.test(text) || text.length % 4 !== 0) return false;
  const given = Buffer.from(text, 'base64');
  // A digest's length is public (32 bytes); only equal lengths can be compared in constant time.
  return given.length === expected.length && timingSafeEqual(given, expected);
}

