import { describe, expect, it } from 'vitest';
import { ConfigError, KeelError, RecordRejection, type ErrorKind } from '../errors.js';
import type { WriteRecord, WriteResult } from './connector.js';
import { WRITE_RESULT_BY_KIND, writeInOrder, writeResultFor } from './error-outcome.js';

const STOPS = 'stops the run';

describe('one mapping from errors to write results', () => {
  it.each<[string, unknown, WriteResult | typeof STOPS]>([
    ['a record rejection is permanent, with its code', new RecordRejection('unknown SKU "X"', 'sku_unknown'), { status: 'permanent', error: 'unknown SKU "X"', code: 'sku_unknown' }],
    [
      'a rejection with a hint says it after the reason',
      new RecordRejection('order 9 was never routed here', 'order_unknown', { hint: 'give channel:id' }),
      { status: 'permanent', error: 'order 9 was never routed here; give channel:id', code: 'order_unknown' },
    ],
    ['a record KeelError (a partner connector) is permanent too', new KeelError('record', 'HTTP 422', { code: 'http_422' }), { status: 'permanent', error: 'HTTP 422', code: 'http_422' }],
    ['a transient error is retryable', new KeelError('transient', 'HTTP 503', { code: 'http_503' }), { status: 'retryable', error: 'HTTP 503' }],
    [
      'a rate limit is retryable after what the server said',
      new KeelError('rate_limited', 'HTTP 429', { code: 'http_429', retryAfterMs: 3000 }),
      { status: 'retryable', error: 'HTTP 429', retryAfterMs: 3000 },
    ],
    ['a config error stops the run', new KeelError('config', 'no routing: section', { code: 'routing_missing' }), STOPS],
    ['a whole invalid config stops the run', new ConfigError([{ file: 'keel.yaml', line: 1, col: 1, message: 'bad' }]), STOPS],
    ['refused credentials stop the run', new KeelError('auth', 'HTTP 401', { code: 'http_401' }), STOPS],
    ['a fatal error stops the run', new KeelError('fatal', 'refusing to call another host', { code: 'foreign_url' }), STOPS],
    ['an error nobody classified stops the run', new Error('cannot read properties of undefined'), STOPS],
    ['something thrown that is no error stops the run', 'boom', STOPS],
  ])('%s', (_rule, error, expected) => {
    if (expected === STOPS) expect(() => writeResultFor(error)).toThrow(error instanceof Error ? error : String(error));
    else expect(writeResultFor(error)).toStrictEqual(expected);
  });

  it('says what to do for every kind of the taxonomy', () => {
    const kinds: ErrorKind[] = ['config', 'auth', 'transient', 'rate_limited', 'record', 'fatal'];
    expect(Object.keys(WRITE_RESULT_BY_KIND).sort()).toEqual([...kinds].sort());
  });
});

describe('RecordRejection, the one record error', () => {
  it('carries a stable code, the reason with its hint, the field at fault, and is a KeelError of kind record', () => {
    const rejection = new RecordRejection('unknown SKU "X": it is not in the catalog', 'sku_unknown', { field: 'sku', hint: 'add it there', stage: 'inventory' });
    expect(rejection).toBeInstanceOf(KeelError);
    expect(rejection).toMatchObject({ kind: 'record', code: 'sku_unknown', field: 'sku', hint: 'add it there', stage: 'inventory', retryable: false });
    expect(rejection.message).toBe('unknown SKU "X": it is not in the catalog; add it there');
    expect(rejection.reason).toBe(rejection.message);
  });

  it('keeps the constructor steps have always called', () => {
    expect(new RecordRejection('not a valid order')).toMatchObject({ reason: 'not a valid order', code: 'record_rejected' });
  });
});

describe('writeInOrder', () => {
  const batch: WriteRecord[] = ['a', 'b', 'c', 'd'].map((key) => ({ key, data: { id: key } }));

  it('gives each record its result, and after one that failed for now leaves the rest untried and retryable', async () => {
    const tried: string[] = [];
    const results = await writeInOrder(batch, async (record) => {
      tried.push(record.key);
      if (record.key === 'b') throw new RecordRejection('b is bad', 'bad');
      if (record.key === 'c') throw new KeelError('transient', 'down for a moment', { code: 'down', retryAfterMs: 500 });
      return { status: 'ok' };
    });
    expect(tried).toEqual(['a', 'b', 'c']);
    expect(results).toEqual([
      { status: 'ok' },
      { status: 'permanent', error: 'b is bad', code: 'bad' },
      { status: 'retryable', error: 'down for a moment', retryAfterMs: 500 },
      { status: 'retryable', error: 'down for a moment', retryAfterMs: 500 },
    ]);
  });

  it('treats a retryable result returned like one thrown', async () => {
    const results = await writeInOrder(batch, async (record) => (record.key === 'a' ? { status: 'retryable', error: 'busy' } : { status: 'ok' }));
    expect(results.map((result) => result.status)).toEqual(['retryable', 'retryable', 'retryable', 'retryable']);
  });

  it('throws what stops the run', async () => {
    const refused = new KeelError('auth', 'credentials refused', { code: 'http_401' });
    await expect(
      writeInOrder(batch, async () => {
        throw refused;
      }),
    ).rejects.toBe(refused);
  });
});
