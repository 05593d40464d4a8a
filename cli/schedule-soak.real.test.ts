import { describe, expect, it } from 'vitest';
import { twoSchedulersFor } from '../test-support/schedule-soak.js';

describe('keel schedule in two processes on one project, for 3 minutes', () => {
  it('runs each fire of a pipeline every 5 s exactly once, never two runs at once', async () => {
    const { fires, byHolder } = await twoSchedulersFor(180, 5);
    expect(fires).toBeGreaterThanOrEqual(34);
    process.stdout.write(`two schedulers, 3 minutes: ${fires} fires, by process ${JSON.stringify(byHolder)}\n`);
  }, 240_000);
});
