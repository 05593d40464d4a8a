/**
 * What a token may do. `read`: the central API's reads (stock, a customer's orders, receipts,
 * returns). `ops`: everything `read` may, plus runs, dead letters, triggering runs, and acting for
 * any store. `store:<location>`: one store's offers and answers (claim, unclaim, shipped) and its
 * returns, nothing of another location.
 */
export type Scope = 'read' | 'ops' | `store:${string}`;

/** What a route asks of the token. */
export type Access =
  | { kind: 'read' }
  | { kind: 'ops' }
  /** One location's data: its store token, or ops. */
  | { kind: 'store' }
  /** Any store token (for its own location) or ops: announcing a return. */
  | { kind: 'touchpoint' }
  /** read or ops (everything), or a store token (its own location's, filtered by the route). */
  | { kind: 'read_or_store' };

const LOCATION = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

/** A scope as `keel token create --scope` takes it, or why it is none. */
export function parseScope(text: string): Scope | { problem: string } {
  if (text === 'read' || text === 'ops') return text;
  if (text.startsWith('store:')) {
    const location = text.slice('store:'.length);
    if (LOCATION.test(location)) return `store:${location}`;
    return { problem: `scope "${text}": a store scope names one location id (letters, digits, . _ -), e.g. store:berlin-mitte` };
  }
  return { problem: `scope "${text}" is none of read, ops, store:<location>` };
}

/** The location a store token is for, when it is one. */
export function storeLocation(scopes: readonly string[]): string | undefined {
  const store = scopes.find((scope) => scope.startsWith('store:'));
  return store === undefined ? undefined : store.slice('store:'.length);
}

/**
 * Whether `scopes` may do what `access` asks; `location` is the location the request is about
 * (for store access). Answers the reason when not, for the 403.
 */
export function allows(scopes: readonly string[], access: Access, location?: string): { allowed: true } | { allowed: false; reason: string } {
  if (scopes.includes('ops')) return { allowed: true };
  switch (access.kind) {
    case 'ops':
      return { allowed: false, reason: 'this needs a token with the ops scope' };
    case 'read':
      return scopes.includes('read') ? { allowed: true } : { allowed: false, reason: 'this needs a token with the read scope' };
    case 'read_or_store':
      if (scopes.includes('read')) return { allowed: true };
      return storeLocation(scopes) !== undefined ? { allowed: true } : { allowed: false, reason: 'this needs a token with the read, ops or a store:<location> scope' };
    case 'touchpoint':
    case 'store': {
      const own = storeLocation(scopes);
      if (own === undefined) return { allowed: false, reason: `this needs a store:<location> or the ops scope` };
      if (location !== undefined && location !== own) return { allowed: false, reason: `this token is for location ${own}, not ${location}` };
      return { allowed: true };
    }
  }
}
