import { afterEach, describe, expect, it } from 'vitest';
import { writeResultFor } from '../sdk/error-outcome.js';
import { openProject, type OpenProject } from '../project/open-project.js';
import lifecycle from '../../engines/lifecycle/index.js';
import { lifecycleProject } from '../../test-support/lifecycle-project.js';
import type { TempProject } from '../../test-support/temp-project.js';
import type { LifecycleEngine } from './lifecycle-engine.js';

let project: TempProject | undefined;
const sessions: OpenProject[] = [];

afterEach(async () => {
  for (const session of sessions.splice(0)) await session.close();
  project?.remove();
  project = undefined;
});

async function openLifecycle(): Promise<LifecycleEngine> {
  project ??= lifecycleProject();
  const session = await openProject(project.dir);
  sessions.push(session);
  return session.engines.require(lifecycle, 'the test');
}

const event = (type: string, data: Record<string, unknown>, more: Record<string, unknown> = {}): Record<string, unknown> => ({
  order: 'shop:1001',
  type,
  at: '2026-12-01T10:00:00+01:00',
  source: { kind: 'channel', id: 'shop' },
  data,
  ...more,
});
const received = event('received', { lines: [{ line_id: 'l1', sku: 'TEE', quantity: 2 }] });

describe('the lifecycle engine', () => {
  it('takes no settings: a key in lifecycle: is a configuration error at its line', async () => {
    project = lifecycleProject();
    project.write({ 'keel.yaml': `name: shop\nconnections:\n  inbox: { connector: file, config: { root: ./in } }\n  outbox: { connector: file, config: { root: ./out } }\nlifecycle:\n  keep_days: 30\n` });
    await expect(openProject(project.dir)).rejects.toThrow(/keel\.yaml:6:3: unknown key "keep_days" in keel\.yaml at lifecycle/);
  });

  it('is opened by openProject from lifecycle: in keel.yaml, its events in the state file', async () => {
    const engine = await openLifecycle();
    const recorded = await engine.record(received);
    expect(recorded).toMatchObject({ outcome: 'recorded', event: { seq: 1, type: 'received', at: Date.parse('2026-12-01T09:00:00Z') }, state: { status: 'received' } });
    const again = await openLifecycle();
    expect((await again.timeline('shop:1001'))?.events.map((item) => item.type)).toEqual(['received']);
  });

  it('records the same event once, however often and from however many connections it comes', async () => {
    const first = await openLifecycle();
    const second = await openLifecycle();
    const shipped = event('shipped', { part_id: 'p1', lines: [{ line_id: 'l1', quantity: 2 }] }, { event_id: 'hook-7' });
    await first.record(received);
    const outcomes = await Promise.all([first.record(shipped), second.record(shipped), first.record({ ...shipped, event_id: 'poll-7' })]);
    expect(outcomes.map((outcome) => outcome.outcome).sort()).toEqual(['duplicate', 'duplicate', 'recorded']);
    const timeline = await second.timeline('1001');
    expect(timeline?.events).toHaveLength(2);
    expect(timeline?.state.lines[0]?.shipped).toBe(2);
  });

  it('refuses an impossible transition as a rejection a target dead-letters, and records nothing', async () => {
    const engine = await openLifecycle();
    await engine.record(received);
    await engine.record(event('cancelled', {}, { source: { kind: 'ops', id: 'alice' } }));
    const refused = await engine.record(event('shipped', { part_id: 'p1' }, { source: { kind: 'location', id: 'wh-a' } }));
    if (refused.outcome !== 'refused') throw new Error(`expected a refusal, got ${refused.outcome}`);
    expect(refused.state?.status).toBe('cancelled');
    expect(writeResultFor(refused.rejection)).toEqual({
      status: 'permanent',
      code: 'lifecycle_transition_refused',
      error: expect.stringMatching(/^order shop:1001 is cancelled: shipped \(part p1\) cannot follow \(the whole order was cancelled\)/) as unknown,
    });
    expect((await engine.timeline('shop:1001'))?.events.map((item) => item.type)).toEqual(['received', 'cancelled']);
  });

  it('refuses an event that is not one, naming the field', async () => {
    const engine = await openLifecycle();
    const refused = await engine.record({ ...received, source: { kind: 'robot', id: 'x' } });
    expect(refused).toMatchObject({ outcome: 'refused', state: undefined, rejection: { code: 'lifecycle_event_invalid', field: 'source.kind' } });
  });

  it('answers nothing for an order without events, and asks for the channel when two have the id', async () => {
    const engine = await openLifecycle();
    expect(await engine.timeline('shop:404')).toBeUndefined();
    expect(await engine.timeline('404')).toBeUndefined();
    await engine.record(received);
    await engine.record({ ...received, order: 'mall:1001' });
    await expect(engine.timeline('1001')).rejects.toThrow('order 1001 is known on several channels (mall:1001, shop:1001); name it as channel:external_id');
  });
});
