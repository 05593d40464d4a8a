import { engineConfig } from '../engines/load-sections.js';
import routingEngine from '../../engines/routing/index.js';
import { afterEach, describe, expect, it } from 'vitest';
import { loadProject } from '../config/load-project.js';
import { ConfigError } from '../errors.js';
import { tempProject, type TempProject } from '../../test-support/temp-project.js';

let project: TempProject | undefined;
afterEach(() => project?.remove());

const INVENTORY = `inventory:
  locations:
    - { location_id: wh, name: DC, type: warehouse, channels: [shop] }
    - { location_id: store-1, name: Store, type: store, channels: [shop], capabilities: [ship, pickup] }
  channels:
    shop: {}
`;

const PIPELINE = `name: p
source: { connection: in, stream: files, options: { path: "*.json" } }
targets:
  - { connection: routing, stream: orders }
`;

const PROFILE = `name: nearest
strategies:
  - name: nearest
    ratings: { distance: 1 }
`;

async function problems(files: Record<string, string>): Promise<string[]> {
  project = tempProject({ 'pipelines/p.yaml': PIPELINE, ...files });
  try {
    await loadProject(project.dir);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems.map((problem) => `${problem.file.replace(/^.*\/keel-test-[^/]+\//, '')}:${problem.line} ${problem.message}`);
  }
}

const keel = (routing: string, inventory = INVENTORY) => `name: r
connections:
  in: { connector: file, config: { root: ./in } }
  routing: { connector: routing }
${inventory}${routing}`;

describe('routing: section of keel.yaml', () => {
  it('loads the profile, its version and the SKU facts', async () => {
    project = tempProject({
      'pipelines/p.yaml': PIPELINE,
      'keel.yaml': keel('routing:\n  profile: routing/profile.yaml\n  skus: routing/skus.csv\n'),
      'routing/profile.yaml': PROFILE,
      'routing/skus.csv': 'sku,category,weight_grams,requires\nSOFA,furniture,40000,bulky|ship\nTEE,,200,\n',
    });
    const { plan } = await loadProject(project.dir);
    const routing = engineConfig(plan.engines, routingEngine);
    expect(routing?.profile.profile.name).toBe('nearest');
    expect(routing?.profile.version).toMatch(/^[0-9a-f]{12}$/);
    expect(Object.fromEntries(routing?.skus ?? [])).toEqual({ SOFA: { category: 'furniture', weight_grams: 40000, requires: ['bulky', 'ship'] }, TEE: { weight_grams: 200 } });
  });

  it('needs the inventory section and names a missing profile at its line', async () => {
    expect(await problems({ 'keel.yaml': keel('routing:\n  profile: routing/profile.yaml\n', '') })).toEqual([
      'keel.yaml:6 routing needs an inventory: section: its locations are where orders go, its ledger is where they reserve',
    ]);
    expect(await problems({ 'keel.yaml': keel('routing:\n  profile: routing/nope.yaml\n') })).toEqual([
      'keel.yaml:12 routing: profile routing/nope.yaml does not exist (paths are relative to the project directory)',
    ]);
  });

  it('refuses profile rules and rate tables for locations the inventory does not declare, at their line in the profile', async () => {
    const found = await problems({
      'keel.yaml': keel('routing:\n  profile: profile.yaml\n'),
      'profile.yaml': `${PROFILE}locations:\n  wh: { daily_capacity: 10 }\n  wh-2: { daily_capacity: 10 }\nshipping_rates:\n  zones: { de: [DE] }\n  tables:\n    - { locations: [wh, store-9], zone: de, brackets: [{ cost: "4.90" }] }\n`,
    });
    expect(found).toEqual([
      'profile.yaml:7 location "wh-2" is not declared under inventory.locations in keel.yaml',
      'profile.yaml:11 location "store-9" is not declared under inventory.locations in keel.yaml',
    ]);
  });

  it('names each bad row of the SKU facts with its line and the fix', async () => {
    const found = await problems({
      'keel.yaml': keel('routing:\n  profile: profile.yaml\n  skus: skus.csv\n'),
      'profile.yaml': PROFILE,
      'skus.csv': 'sku,weight_grams,requires\nA,12.5,\nB,100,bulky|flammable\n,10,\n',
    });
    expect(found).toEqual([
      'skus.csv:2 A: weight_grams "12.5" is not a whole number of grams',
      'skus.csv:3 B: requires flammable, which is not a capability (ship, pickup, returns, bulky, hazardous, cold_chain)',
      'skus.csv:4 a row without sku; the CSV needs a sku column',
    ]);
  });
});
