import { describe, expect, it } from 'vitest';
import { signatureMatches } from './signature.js';

// RFC 4231, test case 2: HMAC-SHA256 with key "Jefe"; the digest below is the RFC's, in base64.
const KEY = 'Jefe';
const DATA = Buffer.from('what do ya want for nothing?');
const DIGEST = 'W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=';

describe('a webhook signature', () => {
  it('matches the base64 HMAC-SHA256 of the body with the secret (RFC 4231 case 2)', () => {
    expect(signatureMatches(KEY, DATA, DIGEST)).toBe(true);
    expect(signatureMatches(KEY, DATA, ` ${DIGEST} `)).toBe(true);
  });

  it('does not match another secret, or a body one byte apart', () => {
    expect(signatureMatches('jefe', DATA, DIGEST)).toBe(false);
    const changed = Buffer.from(DATA);
    changed[changed.length - 1] = 0x21;
    expect(signatureMatches(KEY, changed, DIGEST)).toBe(false);
    expect(signatureMatches(KEY, Buffer.concat([DATA, Buffer.from('\n')]), DIGEST)).toBe(false);
  });

  it('is refused when it is not exactly base64 of a digest: hex, cut short, padded out, or with characters base64 decoding would skip', () => {
    expect(signatureMatches(KEY, DATA, '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843')).toBe(false);
    expect(signatureMatches(KEY, DATA, DIGEST.slice(0, 40))).toBe(false);
    expect(signatureMatches(KEY, DATA, `${DIGEST.slice(0, 43)}AAAA`)).toBe(false);
    // Node's base64 decoder drops "!" and "." silently; the same bytes with junk in them are no signature.
    expect(signatureMatches(KEY, DATA, `W9zB!Rr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=`)).toBe(false);
    expect(signatureMatches(KEY, DATA, `${DIGEST.replace('=', '')}.=`)).toBe(false);
    expect(signatureMatches(KEY, DATA, '')).toBe(false);
  });
});
