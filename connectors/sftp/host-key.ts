import { createHash } from 'node:crypto';

/** The one value of `host_key` that turns the check off; every connect then logs a warning. */
export const INSECURE_ACCEPT_ANY = 'insecure-accept-any';

/** A host key's fingerprint the way `ssh-keygen -lf` prints it: SHA-256, base64 without padding. */
export function fingerprintOf(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

/** The key's algorithm (`ssh-ed25519`, `ssh-rsa`, …), the first string of its wire form. */
export function keyTypeOf(key: Buffer): string {
  if (key.length < 4) return 'unknown';
  const length = key.readUInt32BE(0);
  return length > 0 && length < 64 && key.length >= 4 + length ? key.subarray(4, 4 + length).toString('latin1') : 'unknown';
}

export interface PresentedKey {
  fingerprint: string;
  type: string;
}

/**
 * An ssh2 `hostVerifier` that accepts only the pinned fingerprint, remembering what the server
 * presented so a refusal can say which key it was.
 */
export function pinnedHostKey(pinned: string): { verify: (key: Buffer) => boolean; presented: () => PresentedKey | undefined } {
  let presented: PresentedKey | undefined;
  const expected = pinned.replace(/=+$/, '');
  return {
    verify: (key) => {
      presented = { fingerprint: fingerprintOf(key), type: keyTypeOf(key) };
      return pinned === INSECURE_ACCEPT_ANY || presented.fingerprint === expected;
    },
    presented: () => presented,
  };
}
