import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../test-support/run-cli.js';
import { tempProject, type TempProject } from '../../test-support/temp-project.js';
import { ConnectorRegistry } from './registry.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** An installed partner package, ESM unless `manifest` says otherwise, importing the SDK from 'keel'. */
function partnerPackage(name: string, manifest: Record<string, unknown>, index: string): Record<string, string> {
  return {
    [`node_modules/${name}/package.json`]: JSON.stringify({ name, version: '1.0.0', type: 'module', main: 'index.js', ...manifest }),
    [`node_modules/${name}/index.js`]: index,
  };
}

const CONNECTOR = (name: string): string => `
import { defineConnector, Type } from 'keel';
export default defineConnector({
  name: '${name}', kind: 'erp', configSchema: Type.Object({}, { additionalProperties: false }),
  streams: { orders: { read: { read: async function* () { yield { records: [{ data: { id: 1 } }] }; } } } },
});
`;

const STEP = (name: string, description: string): string => `
import { defineStep } from 'keel';
export const steps = [defineStep({
  name: '${name}', description: '${description}',
  configSchema: { type: 'object', properties: {}, additionalProperties: false },
  create: () => (record) => record,
})];
`;

let project: TempProject | undefined;
afterEach(() => project?.remove());

function projectWith(files: Record<string, string>): TempProject {
  project = tempProject(files);
  mkdirSync(project.path('node_modules'), { recursive: true });
  symlinkSync(REPO, project.path('node_modules/keel'), 'dir');
  return project;
}

describe('plugins for another Keel', () => {
  it('loads a package whose keel peer range includes this version', async () => {
    const dir = projectWith(partnerPackage('keel-connector-acme', { peerDependencies: { keel: `^${VERSION}` } }, CONNECTOR('acme'))).dir;
    expect((await ConnectorRegistry.discover(dir)).names()).toContain('acme');
  });

  it('refuses one whose range leaves this version out, naming the package, its range, this version and the fix', async () => {
    const dir = projectWith(partnerPackage('keel-connector-acme', { peerDependencies: { keel: '^9.2.0' } }, 'throw new Error("must not be imported");')).dir;
    await expect(ConnectorRegistry.discover(dir)).rejects.toThrow(
      `package keel-connector-acme supports keel ^9.2.0 (its peerDependencies), but this is keel ${VERSION}; install a version of keel-connector-acme made for keel ${VERSION} (npm install keel-connector-acme@latest, and see its changelog), or a keel that keel-connector-acme supports`,
    );
  });

  it('refuses a range that is no semver range', async () => {
    const dir = projectWith(partnerPackage('@partner/keel-connector-till', { peerDependencies: { keel: 'the latest one' } }, CONNECTOR('till'))).dir;
    await expect(ConnectorRegistry.discover(dir)).rejects.toThrow('package @partner/keel-connector-till declares the keel peer range "the latest one", which is no semver range');
  });
});

describe('CommonJS', () => {
  it('a CommonJS package that requires keel is told to become an ES module, not "No exports main defined"', async () => {
    const cjs = `const { defineConnector, Type } = require('keel');\nmodule.exports = defineConnector({ name: 'old', kind: 'erp', configSchema: Type.Object({}), streams: {} });\n`;
    const dir = projectWith(partnerPackage('keel-connector-old', { type: undefined }, cjs)).dir;
    const listing = await runCli(['connectors', '--project', dir]);
    expect(listing.code).toBe(2);
    expect(listing.stderr).toContain(
      `keel: package keel-connector-old cannot be loaded: ${dir}/node_modules/keel-connector-old/index.js is CommonJS: ${dir}/node_modules/keel-connector-old/package.json has no "type", but Keel plugins are ES modules: its package must say "type": "module" and import from 'keel'; ask its publisher for an ES module release`,
    );
  });

  it('a connector file using import in a CommonJS project is told how to fix it, and its pipeline gets no unrelated "unknown connection"', async () => {
    const dir = projectWith({
      'package.json': JSON.stringify({ name: 'shop-sync', type: 'commonjs' }),
      'acme.js': CONNECTOR('acme'),
      'keel.yaml': 'name: cjs\nconnections:\n  acme: { connector: ./acme.js }\n  out: { connector: file, config: { root: ./out } }\n',
      'pipelines/orders.yaml': 'name: orders\nsource: { connection: acme, stream: orders }\ntargets: [{ connection: out, stream: files, options: { path: "o-{seq}.ndjson" } }]\n',
    }).dir;
    const validate = await runCli(['validate', dir]);
    expect(validate.code).toBe(2);
    expect(validate.stderr).toContain(
      `keel.yaml:3:22: ./acme.js cannot be loaded: ${dir}/acme.js is CommonJS: ${dir}/package.json says "type": "commonjs", but Keel plugins are ES modules: add "type": "module" to ${dir}/package.json and write import { defineConnector, Type } from 'keel' instead of require('keel') (Node said: Cannot use import statement outside a module)`,
    );
    expect(validate.stderr).not.toContain('unknown connection');
  });

  it("require('keel') from a CommonJS program says keel is an ES module and how to import it", () => {
    const dir = projectWith({ 'package.json': JSON.stringify({ name: 'app' }), 'app.js': "require('keel');\n" }).dir;
    const run = spawnSync(process.execPath, ['app.js'], { cwd: dir, encoding: 'utf8' });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("Error: keel is an ES module and cannot be loaded with require(): write import { defineConnector, Type } from 'keel' in an ES module");
  });
});

describe('steps published by packages', () => {
  it('are recorded beside the connector of the same package, and listed by `keel connectors --json`', async () => {
    const dir = projectWith({
      ...partnerPackage('keel-connector-acme', {}, `${CONNECTOR('acme')}\n${STEP('vat-id-check', 'checks EU VAT ids against VIES')}`),
      ...partnerPackage('@partner/keel-connector-tax-steps', {}, STEP('tax-rate', 'sets the VAT rate of each line')),
    }).dir;
    const registry = await ConnectorRegistry.discover(dir);
    expect(registry.steps().map((step) => [step.name, step.location])).toEqual([
      ['tax-rate', '@partner/keel-connector-tax-steps'],
      ['vat-id-check', 'keel-connector-acme'],
    ]);
    expect(registry.names()).toContain('acme');
    const listing = await runCli(['connectors', '--json', '--project', dir]);
    expect((JSON.parse(listing.stdout) as { steps: unknown[] }).steps).toEqual([
      { name: 'tax-rate', package: '@partner/keel-connector-tax-steps', description: 'sets the VAT rate of each line' },
      { name: 'vat-id-check', package: 'keel-connector-acme', description: 'checks EU VAT ids against VIES' },
    ]);
  });

  it('cannot be used in YAML pipelines yet, and a pipeline naming one is told so', async () => {
    const dir = projectWith({
      ...partnerPackage('keel-connector-tax', {}, STEP('tax-rate', 'sets the VAT rate of each line')),
      'keel.yaml': 'name: tax\nconnections:\n  files: { connector: file, config: { root: ./data } }\n',
      'pipelines/orders.yaml': 'name: orders\nsource: { connection: files, stream: files, options: { path: "*.csv" } }\nsteps:\n  - tax-rate: {}\ntargets: [{ connection: files, stream: files, options: { path: "out/o-{seq}.csv" } }]\n',
    }).dir;
    const validate = await runCli(['validate', dir]);
    expect(validate.code).toBe(2);
    expect(validate.stderr).toContain(
      'pipelines/orders.yaml:4:5: step "tax-rate" comes from package keel-connector-tax, and YAML pipelines cannot use steps from packages yet; Keel\'s steps: dedupe, filter, map, set, validate',
    );
  });

  it('refuses a steps export that holds something other than steps', async () => {
    const dir = projectWith(partnerPackage('keel-connector-acme', {}, `${CONNECTOR('acme')}\nexport const steps = [{ name: 'half' }];`)).dir;
    await expect(ConnectorRegistry.discover(dir)).rejects.toThrow("package keel-connector-acme exports steps, but item 1 is no step: export const steps = [defineStep({ … })] with defineStep from 'keel'");
  });
});
