import { describe, expect, it } from 'vitest';
import { OutageWatch } from './outage.js';

describe('OutageWatch', () => {
  it('calls a host down only after it answered nothing for the whole limit, then lets a probe through now and then', () => {
    const watch = new OutageWatch(10_000, 2_000);
    watch.failed('connection refused', 0);
    expect(watch.refuse(5_000)).toBeUndefined();
    watch.failed('connection refused', 9_000);
    expect(watch.refuse(10_500)).toBeUndefined(); // the first request past the limit is a probe
    watch.failed('connection refused', 10_600);
    expect(watch.refuse(11_000)).toEqual({ sinceMs: 11_000, reason: 'connection refused' });
    expect(watch.refuse(12_600)).toBeUndefined(); // the next probe
    watch.answered();
    expect(watch.refuse(12_700)).toBeUndefined();
  });

  it('gives a host nobody asked for a while its chance: the next run is not refused for an old outage', () => {
    const watch = new OutageWatch(1_000, 5_000);
    watch.failed('timed out', 0);
    watch.failed('timed out', 2_000);
    expect(watch.refuse(2_100)).toBeUndefined(); // probe
    watch.failed('timed out', 2_100);
    expect(watch.refuse(2_200)).toMatchObject({ reason: 'timed out' });
    expect(watch.refuse(7_200)).toBeUndefined();
  });
});
