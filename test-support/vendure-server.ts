import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real Vendure shop for the real-server tier (npm run test:real): Vendure 3.7.3 on Node with
 * sql.js (SQLite compiled to WebAssembly: nothing to build), bound to 127.0.0.1 on a free port,
 * with the sample catalogue of @vendure/create (54 products, 88 variants, a `standard-payment`
 * method whose dummy handler authorizes every payment).
 *
 * Vendure is GPL-3.0-or-later and no dependency of Keel: its packages go into a cache folder
 * outside the repository, `${KEEL_REAL_CACHE:-~/.cache/keel-real}/vendure`, installed there with
 * npm when missing. The catalogue is imported once into a database file kept in that folder;
 * each server gets a copy of it, so every test starts from the same shop.
 */
export const VENDURE_PACKAGES: Readonly<Record<string, string>> = {
  '@vendure/core': '3.7.3',
  '@vendure/asset-server-plugin': '3.7.3',
  // Only for its sample data (assets/initial-data.json, products.csv, images/).
  '@vendure/create': '3.7.3',
  'sql.js': '1.17.0',
};

export const SUPERADMIN = { username: 'superadmin', password: 'keel-real-superadmin' } as const;

const INSTALL_TIMEOUT_MS = 20 * 60_000;
const POPULATE_TIMEOUT_MS = 10 * 60_000;
/** A busy 2-core machine took 38 s to start it; a quiet one 3.5 s. */
const READY_TIMEOUT_MS = 240_000;

export interface VendureTestServer {
  adminApiUrl: string;
  shopApiUrl: string;
  username: string;
  password: string;
  pid: number;
  /** The server's last output lines, for a failing test's message. */
  log(): string;
  stop(): Promise<void>;
}

export function vendureCacheDir(): string {
  return join(process.env['KEEL_REAL_CACHE'] ?? join(homedir(), '.cache', 'keel-real'), 'vendure');
}

const packagesDir = (): string => join(vendureCacheDir(), 'packages');
const MARKER = 'keel-install.json';

/** Installs the Vendure packages into the cache folder unless the same versions are there. Returns whether it installed. */
export function ensureVendureInstalled(log: (line: string) => void = () => undefined): boolean {
  const dir = packagesDir();
  const wanted = JSON.stringify(VENDURE_PACKAGES);
  if (existsSync(join(dir, MARKER)) && readFileSync(join(dir, MARKER), 'utf8') === wanted) return false;
  mkdirSync(vendureCacheDir(), { recursive: true });
  // Installed beside, then moved in place: an interrupted install never looks complete.
  const partial = mkdtempSync(join(vendureCacheDir(), 'packages.partial-'));
  writeFileSync(join(partial, 'package.json'), `${JSON.stringify({ name: 'keel-real-vendure', private: true, license: 'UNLICENSED', dependencies: VENDURE_PACKAGES }, null, 2)}\n`);
  log(`installing ${Object.entries(VENDURE_PACKAGES).map(([name, version]) => `${name}@${version}`).join(' ')} into ${dir}`);
  const result = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--omit=dev', '--loglevel=error'], {
    cwd: partial,
    encoding: 'utf8',
    timeout: INSTALL_TIMEOUT_MS,
    env: npmEnvironment(),
  });
  if (result.status !== 0) {
    rmSync(partial, { recursive: true, force: true });
    throw new Error(
      `npm install of Vendure into ${partial} failed (${result.error?.message ?? `exit ${String(result.status)}`}); it needs the npm registry. ` +
        `Install by hand: mkdir -p ${dir} && cd ${dir} && npm install ${Object.entries(VENDURE_PACKAGES).map(([name, version]) => `${name}@${version}`).join(' ')}\n${tail(result.stderr)}`,
    );
  }
  writeFileSync(join(partial, MARKER), wanted);
  rmSync(dir, { recursive: true, force: true });
  renameSync(partial, dir);
  return true;
}

/**
 * npm run sets npm_config_* variables for the script it runs (the repository as local prefix,
 * among them): an npm started from a test must not see them, or it installs into the repository.
 */
function npmEnvironment(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_/i.test(key) && !/^npm_config_(registry|cache|userconfig|globalconfig)$/i.test(key)) continue;
    env[key] = value;
  }
  return env;
}

/**
 * The plain CommonJS program that runs Vendure: `node vendure.cjs populate` imports the sample
 * catalogue into a new database, `node vendure.cjs serve` serves one. Settings come from the
 * environment. Written into the packages folder so that it finds them.
 */
const PROGRAM = `'use strict';
// Written by Keel's test-support/vendure-server.ts: a Vendure test server. Not part of Keel.
const path = require('node:path');
const core = require('@vendure/core');
const { AssetServerPlugin } = require('@vendure/asset-server-plugin');

const mode = process.argv[2];
const env = process.env;
const sample = path.join(path.dirname(require.resolve('@vendure/create/package.json')), 'assets');
const populating = mode === 'populate';

const config = {
  apiOptions: { hostname: '127.0.0.1', port: Number(env.KEEL_VENDURE_PORT), adminApiPath: 'admin-api', shopApiPath: 'shop-api' },
  authOptions: {
    tokenMethod: ['bearer', 'cookie'],
    superadminCredentials: { identifier: env.KEEL_VENDURE_USERNAME, password: env.KEEL_VENDURE_PASSWORD },
    cookieOptions: { secret: 'keel-test-server' },
  },
  // sql.js keeps the database in memory: populating writes it to the file, serving only reads it.
  dbConnectionOptions: { type: 'sqljs', location: env.KEEL_VENDURE_DB, autoSave: populating, synchronize: populating, logging: false },
  paymentOptions: { paymentMethodHandlers: [core.dummyPaymentHandler] },
  importExportOptions: { importAssetsDir: path.join(sample, 'images') },
  logger: new core.DefaultLogger({ level: populating ? core.LogLevel.Info : core.LogLevel.Warn }),
  plugins: [
    AssetServerPlugin.init({ route: 'assets', assetUploadDir: env.KEEL_VENDURE_ASSETS }),
    core.DefaultJobQueuePlugin.init({}),
    core.DefaultSearchPlugin.init({ bufferUpdates: false, indexStockStatus: true }),
  ],
};

async function main() {
  if (populating) {
    const { populate } = require('@vendure/core/cli');
    const app = await populate(() => core.bootstrap(config), path.join(sample, 'initial-data.json'), path.join(sample, 'products.csv'));
    // The search index is built by jobs: run them before closing, or the index is incomplete.
    await app.get(core.JobQueueService).start();
    await new Promise((resolve) => setTimeout(resolve, 5000));
    await app.close();
    process.exit(0);
  }
  const app = await core.bootstrap(config);
  const stop = () => app.close().then(() => process.exit(0), () => process.exit(1));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
`;

function programFile(): string {
  const file = join(packagesDir(), 'vendure.cjs');
  if (!existsSync(file) || readFileSync(file, 'utf8') !== PROGRAM) writeFileSync(file, PROGRAM);
  return file;
}

/** The populated database and its assets, named by what made them: another program or version populates anew. */
function populatedPaths(): { db: string; assets: string } {
  const hash = createHash('sha256').update(PROGRAM).update(JSON.stringify(VENDURE_PACKAGES)).update(SUPERADMIN.password).digest('hex').slice(0, 12);
  return { db: join(vendureCacheDir(), `populated-${hash}.sqlite`), assets: join(vendureCacheDir(), `assets-${hash}`) };
}

/** Imports the sample catalogue once into the cache folder. Returns whether it populated. */
export async function ensureVendurePopulated(log: (line: string) => void = () => undefined): Promise<boolean> {
  ensureVendureInstalled(log);
  const { db, assets } = populatedPaths();
  if (existsSync(db) && existsSync(assets)) return false;
  const work = mkdtempSync(join(vendureCacheDir(), 'populate.partial-'));
  log(`importing the sample catalogue into ${db}`);
  const port = await freePort();
  const child = spawn(process.execPath, [programFile(), 'populate'], {
    cwd: packagesDir(),
    env: serverEnvironment(port, join(work, 'vendure.sqlite'), join(work, 'assets')),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = collect(child);
  const code = await exited(child, POPULATE_TIMEOUT_MS);
  if (code !== 0 || !existsSync(join(work, 'vendure.sqlite'))) {
    rmSync(work, { recursive: true, force: true });
    throw new Error(`populating the Vendure test database failed (exit ${String(code)}):\n${output()}`);
  }
  rmSync(assets, { recursive: true, force: true });
  renameSync(join(work, 'assets'), assets);
  renameSync(join(work, 'vendure.sqlite'), db);
  rmSync(work, { recursive: true, force: true });
  return true;
}

/** Starts a Vendure server on a copy of the populated database; installs and populates first if needed. */
export async function startVendureServer(): Promise<VendureTestServer> {
  await ensureVendurePopulated();
  const { db, assets } = populatedPaths();
  const dir = mkdtempSync(join(tmpdir(), 'keel-vendure-'));
  const copy = join(dir, 'vendure.sqlite');
  copyFileSync(db, copy);
  // A port picked by the kernel can be taken before Vendure binds it: try a few.
  for (let attempt = 1; attempt <= 3; attempt += 1) {
    const port = await freePort();
    const child = spawn(process.execPath, [programFile(), 'serve'], { cwd: packagesDir(), env: serverEnvironment(port, copy, assets), stdio: ['ignore', 'pipe', 'pipe'] });
    const output = collect(child);
    const base = `http://127.0.0.1:${port}`;
    const ready = await waitUntilServing(`${base}/admin-api`, child);
    if (ready) {
      let stopped: Promise<void> | undefined;
      return {
        adminApiUrl: `${base}/admin-api`,
        shopApiUrl: `${base}/shop-api`,
        username: SUPERADMIN.username,
        password: SUPERADMIN.password,
        pid: child.pid ?? -1,
        log: output,
        stop: () => {
          stopped ??= stopProcess(child).then(() => rmSync(dir, { recursive: true, force: true }));
          return stopped;
        },
      };
    }
    await stopProcess(child);
    if (!/EADDRINUSE/.test(output())) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`Vendure did not start on ${base} within ${READY_TIMEOUT_MS / 1000} s:\n${output()}`);
    }
  }
  rmSync(dir, { recursive: true, force: true });
  throw new Error('Vendure could not bind a free port on 127.0.0.1 in 3 attempts');
}

function serverEnvironment(port: number, db: string, assets: string): NodeJS.ProcessEnv {
  return {
    ...npmEnvironment(),
    KEEL_VENDURE_PORT: String(port),
    KEEL_VENDURE_DB: db,
    KEEL_VENDURE_ASSETS: assets,
    KEEL_VENDURE_USERNAME: SUPERADMIN.username,
    KEEL_VENDURE_PASSWORD: SUPERADMIN.password,
  };
}

/** True once the Admin API answers a query; false if the process ends or the time is up. */
async function waitUntilServing(adminApiUrl: string, child: ChildProcess): Promise<boolean> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) return false;
    try {
      const response = await fetch(adminApiUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
        signal: AbortSignal.timeout(5_000),
      });
      if (response.status === 200) return true;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return false;
}

function collect(child: ChildProcess): () => string {
  let text = '';
  const keep = (chunk: Buffer): void => {
    text = (text + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => text;
}

function exited(child: ChildProcess, timeoutMs: number): Promise<number | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/** Stops the server by the process we started: SIGTERM, then SIGKILL after 10 s. */
async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const done = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await done;
  clearTimeout(timer);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function tail(text: string | undefined): string {
  return (text ?? '').split('\n').slice(-30).join('\n');
}
