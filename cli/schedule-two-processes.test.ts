import { describe, expect, it } from 'vitest';
import { twoSchedulersFor } from '../test-support/schedule-soak.js';

describe('keel schedule in two processes on one project', () => {
  it('runs each fire of a pipeline every 2 s exactly once for 20 s, never two runs at once', async () => {
    const { fires } = await twoSchedulersFor(20, 2);
    expect(fires).toBeGreaterThanOrEqual(8);
  }, 60_000);
});
