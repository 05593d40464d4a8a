import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { linkDevDependencies } from '../../test-support/partner-package.js';
import { runCli } from '../../test-support/run-cli.js';
import { tempProject, type TempProject } from '../../test-support/temp-project.js';
import { connectorNameProblem } from './scaffold-connector.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const VERSION = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;

let temp: TempProject | undefined;
let project: TempProject | undefined;
afterEach(() => {
  temp?.remove();
  project?.remove();
});

describe('keel connector new', () => {
  it('takes a connector name that makes a clean package name, and says what is wrong with others', () => {
    expect(connectorNameProblem('acme-b2b')).toBeUndefined();
    expect(connectorNameProblem('Acme')).toBe('"Acme" cannot name a connector: use lower-case letters and digits, words joined by single dashes, starting with a letter (acme, acme-b2b)');
    for (const bad of ['acme_b2b', 'acme--b2b', 'acme-', '2go', 'acme.io', '']) expect(connectorNameProblem(bad), bad).toBeDefined();
    expect(connectorNameProblem('@partner/keel-connector-acme')).toBe('give the connector\'s name, "acme": the package is named keel-connector-acme');
    expect(connectorNameProblem('vendure')).toBe('"vendure" is a connector Keel ships; Keel refuses packages that declare a built-in name, so choose another');
  });

  it('refuses to write into a folder that has anything in it, and changes nothing there', async () => {
    temp = tempProject({ 'keel-connector-acme/notes.txt': 'mine' });
    const refused = await runCli(['connector', 'new', 'acme'], { cwd: temp.dir });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe('keel: keel-connector-acme exists and is not an empty folder; nothing was written: give another folder (keel connector new acme <dir>) or remove it\n');
    expect(readdirSync(temp.path('keel-connector-acme'))).toEqual(['notes.txt']);
  });

  it('scaffolds a package whose tests (tsc, then the conformance kit) pass offline, that a project discovers and runs pipelines with', async () => {
    temp = tempProject();
    const made = await runCli(['connector', 'new', 'acme', 'partner/acme'], { cwd: temp.dir });
    expect(made.stderr).toBe('');
    expect(made.stdout).toBe('created keel-connector-acme in partner/acme (11 files)\nnext: cd partner/acme && npm install && npm test\n');
    const dir = temp.path('partner/acme');
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, Record<string, string>>;
    expect(manifest['peerDependencies']).toEqual({ keel: `^${VERSION}` });
    expect(manifest['devDependencies']?.['keel']).toBe(`^${VERSION}`);

    linkDevDependencies(dir);
    const tested = spawnSync('npm', ['test'], { cwd: dir, encoding: 'utf8', env: { ...process.env, npm_config_offline: 'true', NODE_OPTIONS: '' }, timeout: 120_000 });
    expect(tested.status, `${tested.stdout}\n${tested.stderr}`).toBe(0);
    expect(tested.stdout).toContain('# pass 12');
    expect(tested.stdout).toContain('# fail 0');
    expect(tested.stdout).toContain('ok 3 - orders read: resumes from every checkpoint without loss or repeat');
    // The emitted types name keel's, not TypeBox's: the package needs no TypeBox of its own.
    expect(readFileSync(join(dir, 'dist/src/index.d.ts'), 'utf8')).not.toContain('@sinclair/typebox');

    // A project with the package installed: discovered by name, and run against the package's own API emulator.
    const { AcmeEmulator } = (await import(pathToFileURL(join(dir, 'dist/test/api-emulator.js')).href)) as {
      AcmeEmulator: new (key: string) => { start(): Promise<string>; stop(): Promise<void>; shipments: unknown[] };
    };
    const api = new AcmeEmulator('live-key-3c2b1a');
    const baseUrl = await api.start();
    try {
      project = tempProject({
        'keel.yaml': `name: partner\nconnections:\n  acme: { connector: acme, config: { base_url: "${baseUrl}", api_key: "\${env:ACME_API_KEY}" } }\n  files: { connector: file, config: { root: ./data } }\n`,
        'pipelines/orders.yaml': 'name: orders\nsource: { connection: acme, stream: orders, options: { page_size: 2 } }\ntargets: [{ connection: files, stream: files, options: { path: "out/orders-{seq}.ndjson" } }]\n',
        'pipelines/shipments.yaml': 'name: shipments\nsource: { connection: files, stream: files, options: { path: "in/*.ndjson" } }\ntargets: [{ connection: acme, stream: shipments }]\n',
        'data/in/shipments.ndjson': '{"shipment_id":"S-1","order_id":"AC-1001","tracking_number":"JJD01"}\n{"shipment_id":"S-2","order_id":"AC-1002","tracking_number":"JJD02"}\n',
      });
      mkdirSync(project.path('node_modules'));
      symlinkSync(dir, project.path('node_modules/keel-connector-acme'), 'dir');
      symlinkSync(REPO, project.path('node_modules/keel'), 'dir');

      const listing = await runCli(['connectors', '--json', '--project', project.dir]);
      const acme = (JSON.parse(listing.stdout) as { connectors: { name: string }[] }).connectors.find((connector) => connector.name === 'acme');
      expect(acme).toMatchObject({
        origin: 'package',
        location: 'keel-connector-acme',
        streams: [
          { name: 'orders', read: true, write: false, incremental: { monotonic: true }, primaryKey: ['id'] },
          { name: 'shipments', read: false, write: true, idempotency: 'record', primaryKey: ['shipment_id'] },
        ],
      });

      const run = await runCli(['run', project.dir, '--json'], { env: { ACME_API_KEY: 'live-key-3c2b1a' } });
      expect(run.stderr).toBe('');
      expect(JSON.parse(run.stdout)).toMatchObject({
        runs: [
          { pipeline: 'orders', status: 'ok', read: 7, written: 7 },
          { pipeline: 'shipments', status: 'ok', read: 2, written: 2 },
        ],
      });
      expect(api.shipments).toHaveLength(2);
    } finally {
      await api.stop();
    }
    // npm test compiles Keel's declarations: slow on a busy machine.
  }, 180_000);
});
