import { afterEach, describe, expect, it } from 'vitest';
import { openProject } from '../core/project/open-project.js';
import lifecycle from '../engines/lifecycle/index.js';
import { lifecycleProject } from '../test-support/lifecycle-project.js';
import { runCli } from '../test-support/run-cli.js';
import { tempProject, type TempProject } from '../test-support/temp-project.js';

let project: TempProject | undefined;
afterEach(() => {
  project?.remove();
  project = undefined;
});

const at = (minute: number): string => `2026-12-01T09:${String(minute).padStart(2, '0')}:00Z`;

async function recordOrder(dir: string): Promise<void> {
  const session = await openProject(dir);
  try {
    const engine = session.engines.require(lifecycle, 'the test');
    const events = [
      { type: 'received', at: at(0), source: { kind: 'channel', id: 'shop' }, data: { lines: [{ line_id: 'l1', sku: 'TEE', quantity: 2 }, { line_id: 'l2', sku: 'CAP', quantity: 1 }] } },
      { type: 'routed', at: at(1), source: { kind: 'ops', id: 'keel' }, data: { parts: [{ part_id: 'p1', location_id: 'store-b', lines: [{ line_id: 'l1', quantity: 2 }] }] } },
      { type: 'offered', at: at(2), source: { kind: 'ops', id: 'keel' }, data: { part_id: 'p1', location_id: 'store-b' } },
      { type: 'cancelled', at: at(3), source: { kind: 'channel', id: 'shop' }, data: { lines: [{ line_id: 'l2', quantity: 1 }], reason: 'out of stock' } },
      { type: 'shipped', at: at(5), source: { kind: 'location', id: 'store-b' }, data: { part_id: 'p1', tracking: { carrier: 'dhl', number: 'JD0001' } } },
      { type: 'claimed', at: at(4), source: { kind: 'location', id: 'store-b' }, data: { part_id: 'p1' } },
    ];
    for (const event of events) {
      const outcome = await engine.record({ order: 'shop:1001', ...event });
      if (outcome.outcome !== 'recorded') throw new Error(`${event.type} was ${outcome.outcome}`);
    }
  } finally {
    await session.close();
  }
}

describe('keel order show', () => {
  it('prints the timeline in the order events came, flags and all, then the state', async () => {
    project = lifecycleProject();
    await recordOrder(project.dir);
    const shown = await runCli(['order', 'show', 'shop:1001', '--project', project.dir]);
    expect(shown.stderr).toBe('');
    expect(shown.code).toBe(0);
    const lines = shown.stdout.split('\n');
    expect(lines[0]).toBe('order shop:1001: shipped (partly cancelled), 6 events, 2 out_of_order');
    expect(lines[2]).toMatch(/^time\s+event\s+source\s+details\s+flags$/);
    expect(lines.slice(3, 9).map((line) => line.split(/\s{2,}/))).toEqual([
      [at(0).replace('Z', '.000Z'), 'received', 'channel:shop', 'lines l1 TEE×2, l2 CAP×1'],
      [at(1).replace('Z', '.000Z'), 'routed', 'ops:keel', 'p1 → store-b'],
      [at(2).replace('Z', '.000Z'), 'offered', 'ops:keel', 'part p1; at store-b'],
      [at(3).replace('Z', '.000Z'), 'cancelled', 'channel:shop', 'lines l2×1; reason: out of stock'],
      [at(5).replace('Z', '.000Z'), 'shipped', 'location:store-b', 'part p1; tracking dhl JD0001', 'out_of_order: shipped before claimed'],
      [at(4).replace('Z', '.000Z'), 'claimed', 'location:store-b', 'part p1', 'out_of_order: claimed after shipped'],
    ]);
    expect(shown.stdout).toMatch(/\nl1\s+TEE\s+2\s+0\s+2\s+0\s+0\nl2\s+CAP\s+1\s+1\s+0\s+0\s+0\n/);
    expect(shown.stdout).toMatch(/\np1\s+store-b\s+shipped\s+dhl JD0001\n/);
  });

  it('--json gives the same words, by the order id alone when one channel has it', async () => {
    project = lifecycleProject();
    await recordOrder(project.dir);
    const shown = await runCli(['order', 'show', '1001', '--project', project.dir, '--json']);
    expect(shown.code).toBe(0);
    const view = JSON.parse(shown.stdout) as { order: string; state: { status: string; cancelled: string }; timeline: { event: string; source: string; flags: string[]; note: string | null }[] };
    expect(view.order).toBe('shop:1001');
    expect(view.state).toMatchObject({ status: 'shipped', cancelled: 'partly' });
    expect(view.timeline.map((entry) => [entry.event, entry.source, entry.flags, entry.note])).toContainEqual(['shipped', 'location:store-b', ['out_of_order'], 'shipped before claimed']);
  });

  it('an order without events is exit 2, naming it', async () => {
    project = lifecycleProject();
    const shown = await runCli(['order', 'show', 'shop:9999', '--project', project.dir]);
    expect(shown.code).toBe(2);
    expect(shown.stdout).toBe('');
    expect(shown.stderr).toMatch(/^keel: no events of order shop:9999 are recorded/);
  });

  it('a project without lifecycle: in keel.yaml is exit 2, naming the section', async () => {
    project = tempProject({
      'keel.yaml': 'name: shop\nconnections:\n  inbox: { connector: file, config: { root: ./in } }\n',
      'pipelines/orders.yaml': 'name: orders\nsource: { connection: inbox, stream: files, options: { path: "*.csv" } }\ntargets:\n  - { connection: inbox, stream: files, options: { path: "out-{seq}.ndjson" } }\n',
    });
    const shown = await runCli(['order', 'show', 'shop:1001', '--project', project.dir]);
    expect(shown.code).toBe(2);
    expect(shown.stderr).toMatch(/keel order show needs a lifecycle: section in keel.yaml/);
  });
});
