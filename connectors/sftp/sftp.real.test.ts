import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadProject } from '../../core/config/load-project.js';
import { ConfigError } from '../../core/errors.js';
import { createLogger } from '../../core/logger.js';
import { Redactor } from '../../core/redact.js';
import { runPipeline, type RunOptions, type RunSummary } from '../../core/runtime/run-pipeline.js';
import { SqliteStateStore } from '../../core/state/sqlite-store.js';
import { startSftpServer, type SftpTestServer } from '../../test-support/sftp-server.js';
import { tempProject, type TempProject } from '../../test-support/temp-project.js';
import { sftpSettings } from './config.js';
import { SftpFileStore } from './sftp-file-store.js';

/**
 * The SFTP connector against a real OpenSSH server (test-support/sftp-server.ts starts Debian's
 * sshd on 127.0.0.1 per test): the real-server tier, `npm run test:real`, not `npm test`.
 */
let server: SftpTestServer;
let project: TempProject;
let outside: TempProject | undefined;

beforeEach(async () => {
  server = await startSftpServer();
  project = tempProject();
});
afterEach(async () => {
  await server.stop();
  project.remove();
  outside?.remove();
  outside = undefined;
});

/** The SFTP connection of the test projects: key auth with a passphrase, pinned host key. */
function remoteConnection(overrides: Record<string, string | number> = {}): string {
  const config: Record<string, string | number> = {
    host: '127.0.0.1',
    port: server.port,
    username: server.username,
    private_key: `\${file:${server.encryptedKeyFile}}`,
    passphrase: '${env:SFTP_PASSPHRASE}',
    host_key: server.fingerprint,
    root: `${server.root}/share`,
    reconnect_delay_ms: 50,
    connect_timeout_ms: 5_000,
    timeout_ms: 10_000,
    keepalive_interval_ms: 1_000,
    ...overrides,
  };
  return `  remote:\n    connector: sftp\n    config: ${JSON.stringify(config)}\n`;
}

function writeProject(pipeline: string, overrides: Record<string, string | number> = {}): void {
  project.write({
    'keel.yaml': `name: sftp\nconnections:\n${remoteConnection(overrides)}  local_in: { connector: file, config: { root: ./in } }\n  local_out: { connector: file, config: { root: ./out } }\n  broken: { connector: ./broken.js }\n`,
    'broken.js': `export default { name: 'broken', kind: 'generic', sdkVersion: 1,
      configSchema: { type: 'object', properties: {}, additionalProperties: false },
      streams: { sink: { write: { idempotency: 'record', write: async () => { throw new Error('ERP is down'); } } } } };\n`,
    'pipelines/p.yaml': pipeline,
  });
}

const fromRemote = (options: string, target = '{ connection: local_out, stream: files, options: { path: "out-{seq}.ndjson" } }', batch = 2): string =>
  `name: pull\nsource: { connection: remote, stream: files, options: ${options} }\ntargets:\n  - ${target}\nbatch_size: ${batch}\n`;

const toRemote = (source: string, target: string, batch = 2): string =>
  `name: push\nsource: { connection: local_in, stream: files, options: ${source} }\ntargets:\n  - { connection: remote, stream: files, options: ${target} }\nbatch_size: ${batch}\n`;

interface Run extends RunSummary {
  logs: string[];
}

async function run(extra: Partial<RunOptions> = {}): Promise<Run> {
  const { plan } = await loadProject(project.dir);
  const store = new SqliteStateStore(plan.statePath);
  const redactor = new Redactor();
  const logs: string[] = [];
  const logger = createLogger({ level: 'warn', format: 'json', redactor, write: (line) => logs.push(line) });
  try {
    const pipeline = plan.pipelines[0];
    if (pipeline === undefined) throw new Error('no pipeline');
    const summary = await runPipeline(pipeline, { store, logger, redactor, projectDir: plan.dir, env: { SFTP_PASSPHRASE: server.passphrase }, ...extra });
    return { ...summary, logs };
  } finally {
    await store.close();
  }
}

/** A store on the test server without a pipeline around it, for what only the store shows. */
function directStore(logs: string[] = []): SftpFileStore {
  const settings = sftpSettings({ host: '127.0.0.1', port: server.port, username: server.username, private_key: readFileSync(server.privateKeyFile, 'utf8'), host_key: server.fingerprint, root: share() });
  return new SftpFileStore(settings, createLogger({ level: 'debug', format: 'json', redactor: new Redactor(), write: (line) => logs.push(line) }));
}

const share = (...parts: string[]): string => join(server.root, 'share', ...parts);

function putRemote(files: Record<string, string>): void {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(share(name), '..'), { recursive: true });
    writeFileSync(share(name), content);
  }
}

function lines(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => !name.startsWith('.') && statSync(join(dir, name)).isFile())
    .sort()
    .flatMap((name) => readFileSync(join(dir, name), 'utf8').trim().split('\n'))
    .filter((line) => line !== '');
}

describe('sftp connector', () => {
  it('reads sftp → file through the runner and archives a file only after all its records were delivered', async () => {
    putRemote({ 'inbox/a.csv': 'id\n1\n2\n3\n', 'inbox/b.csv': 'id\n4\n' });
    writeProject(fromRemote('{ path: "inbox/*.csv", archive_dir: archive }', '{ connection: broken, stream: sink }'));
    const failed = await run();
    expect(failed.status).toBe('failed');
    expect(failed.error).toBe('target broken failed: ERP is down');
    expect(existsSync(share('inbox/a.csv'))).toBe(true);
    expect(existsSync(share('archive'))).toBe(false);

    writeProject(fromRemote('{ path: "inbox/*.csv", archive_dir: archive }'));
    const ok = await run();
    expect(ok).toMatchObject({ status: 'ok', read: 4, written: 4 });
    expect(lines(project.path('out'))).toEqual(['{"id":"1"}', '{"id":"2"}', '{"id":"3"}', '{"id":"4"}']);
    expect(readdirSync(share('inbox'))).toEqual([]);
    expect(readFileSync(share('archive/inbox/a.csv'), 'utf8')).toBe('id\n1\n2\n3\n');
    expect((await run()).read).toBe(0);
  });

  it('writes file → sftp atomically under deterministic names, and one file per record for documents', async () => {
    project.write({ 'in/orders.csv': 'id,sku\n1,A\n2,B\n3,C\n' });
    writeProject(toRemote('{ path: "*.csv" }', '{ path: "outbox/orders-{seq}.ndjson" }'));
    expect(await run()).toMatchObject({ status: 'ok', read: 3, written: 3 });
    expect(readdirSync(share('outbox')).sort()).toEqual(['orders-000001.ndjson', 'orders-000002.ndjson']);
    expect(lines(share('outbox'))).toEqual(['{"id":"1","sku":"A"}', '{"id":"2","sku":"B"}', '{"id":"3","sku":"C"}']);

    // From scratch (a new state file), as documents: the same batches get the same names.
    rmSync(project.path('.keel'), { recursive: true, force: true });
    writeProject(toRemote('{ path: "*.csv" }', '{ path: "erp/ORDER_{seq}.xml", format: xml, xml: { record: ORDER, document: true } }'));
    expect(await run()).toMatchObject({ status: 'ok', read: 3, written: 3 });
    const names = readdirSync(share('erp')).sort();
    expect(names).toEqual(['ORDER_000001-1.xml', 'ORDER_000001-2.xml', 'ORDER_000002-1.xml']);
    expect(readFileSync(share('erp/ORDER_000002-1.xml'), 'utf8')).toContain('<ORDER>');
  });

  // Atomic writes, moves, paths and links of the store itself: the FileStore contract, sftp-file-store.contract.real.test.ts.

  it('keeps renaming atomically (posix-rename) after a move whose source was gone', async () => {
    mkdirSync(share(), { recursive: true });
    const logs: string[] = [];
    const store = directStore(logs);
    try {
      await expect(store.move('inbox/gone.csv', 'archive/gone.csv')).rejects.toThrow('no such file');
      await store.writeAtomic('out/a.txt', 'first');
      await store.writeAtomic('out/a.txt', 'second');
    } finally {
      await store.close();
    }
    expect(readFileSync(share('out/a.txt'), 'utf8')).toBe('second');
    // A missing source is no refusal of posix-rename: replacing files must not fall back to remove and rename.
    expect(logs.join('\n')).not.toContain('posix-rename');
  });

  it('replaces an existing file by remove and rename on a server that refuses posix-rename', async () => {
    await server.stop();
    server = await startSftpServer({ deniedRequests: ['posix-rename'] });
    mkdirSync(share(), { recursive: true });
    const logs: string[] = [];
    const store = directStore(logs);
    try {
      await store.writeAtomic('out/a.txt', 'first');
      await store.writeAtomic('out/a.txt', 'second');
    } finally {
      await store.close();
    }
    expect(readdirSync(share('out'))).toEqual(['a.txt']);
    expect(readFileSync(share('out/a.txt'), 'utf8')).toBe('second');
    expect(logs.join('\n')).toContain('the server has no posix-rename and the target exists');
  });

  it('does not read a file that is still being written: stable size and time across two listings, min age', async () => {
    putRemote({ 'inbox/growing.csv': 'id\n1\n' });
    writeProject(fromRemote('{ path: "inbox/*.csv", stable_interval_ms: 1500 }'));
    // The peer keeps appending for as long as the run lasts, so any two listings differ.
    let appended = 0;
    const appending = setInterval(() => appendFileSync(share('inbox/growing.csv'), `${(appended += 1) + 1}\n`), 100);
    const during = await run().finally(() => clearInterval(appending));
    expect(appended).toBeGreaterThan(10);
    expect(during).toMatchObject({ status: 'ok', read: 0 });
    const after = await run();
    expect(after).toMatchObject({ status: 'ok', read: 1 + appended });

    putRemote({ 'inbox/fresh.csv': 'id\n3\n' });
    writeProject(fromRemote('{ path: "inbox/*.csv", min_age_ms: 600000 }'));
    expect((await run()).read).toBe(0);
    const old = new Date(Date.now() - 3_600_000);
    utimesSync(share('inbox/fresh.csv'), old, old);
    expect((await run()).read).toBe(1);
  });

  it('reads a file only once its done-marker exists, and archives the marker with it', async () => {
    putRemote({ 'inbox/orders.csv': 'id\n1\n2\n' });
    writeProject(fromRemote('{ path: "inbox/*", done_suffix: ".ok", archive_dir: archive }'));
    expect((await run()).read).toBe(0);
    putRemote({ 'inbox/orders.csv.ok': '' });
    expect(await run()).toMatchObject({ status: 'ok', read: 2, written: 2, deadLettered: 0 });
    expect(readdirSync(share('inbox'))).toEqual([]);
    expect(readdirSync(share('archive/inbox')).sort()).toEqual(['orders.csv', 'orders.csv.ok']);
  });

  it('moves a file of which nothing can be decoded to the error folder', async () => {
    putRemote({ 'inbox/bad.json': '{"orders": oops', 'inbox/good.json': '[{"id":"1"}]', 'inbox/scan.pdf': '%PDF-1.7' });
    writeProject(fromRemote('{ path: "inbox/*", archive_dir: archive, error_dir: rejected }'));
    const summary = await run();
    expect(summary).toMatchObject({ status: 'dead_letters', read: 3, written: 1, deadLettered: 2 });
    expect(readdirSync(share('rejected/inbox')).sort()).toEqual(['bad.json', 'scan.pdf']);
    expect(readdirSync(share('archive/inbox'))).toEqual(['good.json']);
  });

  it('cannot leave the remote root: .. in globs, folders and output names (refused before anything runs), hostile names, symlinks', async () => {
    outside = tempProject({ 'secret.csv': 'id\nsecret\n' });
    putRemote({ 'inbox/ok.csv': 'id\n1\n' });
    writeFileSync(join(server.root, 'escaped.csv'), 'id\nsibling\n');
    symlinkSync(outside.path('secret.csv'), share('inbox/link.csv'));
    symlinkSync(outside.dir, share('inbox/linked-dir'), 'dir');

    for (const options of ['{ path: "../*.csv" }', '{ path: "inbox/../../*.csv" }', '{ path: "/etc/*" }']) {
      writeProject(fromRemote(options));
      await expect(run()).rejects.toThrow(/p\.yaml:2:\d+: source "remote": path ".*" must stay inside the connection root: no "\.\.", "\." or leading "\/"/);
    }
    writeProject(fromRemote('{ path: "inbox/*.csv", archive_dir: "../../etc" }'));
    await expect(run()).rejects.toThrow(/source "remote": path "\.\.\/\.\.\/etc" leaves the connection root; keep paths inside it/);

    writeProject(fromRemote('{ path: "**/*.csv" }'));
    const listed = await run();
    expect(listed).toMatchObject({ status: 'ok', read: 1 });
    expect(lines(project.path('out'))).toEqual(['{"id":"1"}']);
    expect(listed.logs.join('')).toContain('inbox/link.csv is a symbolic link and is not read');

    // A folder inside the root that links out of it: neither read from nor written into.
    writeProject(fromRemote('{ path: "inbox/linked-dir/*.csv" }'));
    const linkedRead = await run();
    expect(linkedRead.status).toBe('failed');
    expect(linkedRead.error).toMatch(/^path "inbox\/linked-dir" leaves the connection root sftp:\/\/127\.0\.0\.1:\d+\/.*share \(through a symbolic link, it is .*\); keep paths inside it$/);
    project.write({ 'in/a.csv': 'id\n1\n' });
    writeProject(toRemote('{ path: "*.csv" }', '{ path: "inbox/linked-dir/out-{seq}.csv" }'));
    const linkedWrite = await run();
    expect(linkedWrite.status).toBe('failed');
    expect(linkedWrite.error).toMatch(/^target remote failed: path "inbox\/linked-dir" leaves the connection root sftp:.*\(through a symbolic link/);
    expect(readdirSync(outside.dir)).toEqual(['secret.csv']);

    writeProject(toRemote('{ path: "*.csv" }', '{ path: "../../escaped-{seq}.csv" }'));
    await expect(run()).rejects.toThrow(/target "remote": path "\.\.\/\.\.\/escaped-000001\.csv" leaves the connection root; keep paths inside it/);
    expect(existsSync(join(server.root, '..', 'escaped-000001.csv'))).toBe(false);
  });

  it('refuses a server whose host key is not the pinned one, and a wrong password, naming host:port and never the password', async () => {
    putRemote({ 'inbox/a.csv': 'id\n1\n' });
    const other = 'SHA256:' + 'A'.repeat(43);
    writeProject(fromRemote('{ path: "inbox/*.csv" }'), { host_key: other });
    const refused = await run();
    expect(refused.status).toBe('failed');
    expect(refused.error).toContain(`sftp ${server.username}@127.0.0.1:${server.port}: the server presented host key ${server.fingerprint} (ssh-ed25519), not the pinned host_key ${other}`);

    project.write({ 'password.txt': 'hunter2-not-the-password\n' });
    writeProject(fromRemote('{ path: "inbox/*.csv" }'), { private_key: '', password: '${file:password.txt}' });
    const keel = readFileSync(project.path('keel.yaml'), 'utf8').replace(/"private_key":"",/, '').replace(/"passphrase":"[^"]*",/, '');
    project.write({ 'keel.yaml': keel });
    const denied = await run();
    expect(denied.status).toBe('failed');
    expect(denied.error).toBe(
      `sftp ${server.username}@127.0.0.1:${server.port}: authentication failed; check username and password, or private_key and passphrase, and that the key is authorized on the server`,
    );
    expect(JSON.stringify(denied)).not.toContain('hunter2');
  });

  it('gives up on a server that never answers within connect_timeout_ms, naming host:port and what to check', async () => {
    // Accepts TCP connections and says nothing: no SSH banner ever comes.
    let connections = 0;
    const silent = createServer((socket) => {
      connections += 1;
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as AddressInfo).port;
    try {
      writeProject(fromRemote('{ path: "inbox/*.csv" }'), { port, connect_timeout_ms: 300, reconnect_attempts: 2 });
      const summary = await run();
      expect(summary.status).toBe('failed');
      expect(summary.error).toBe(`sftp ${server.username}@127.0.0.1:${port}: no SSH handshake in time; check host, port and firewalls, or raise connect_timeout_ms`);
      expect(summary.logs.join('\n')).toContain('failed; retrying');
      // It gave up after its attempts rather than waiting on: counted, not timed, so load cannot fail it.
      expect(connections).toBe(2);
    } finally {
      silent.close();
    }
  });

  it('refuses a connection without host_key at load time, and warns on every run when the check is turned off', async () => {
    writeProject(fromRemote('{ path: "inbox/*.csv" }'));
    project.write({ 'keel.yaml': readFileSync(project.path('keel.yaml'), 'utf8').replace(/"host_key":"[^"]*",/, '') });
    const error = await loadProject(project.dir).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain('missing required key "host_key" in config of connection "remote"');
    expect((error as ConfigError).message).toContain('ssh-keygen -lf');

    putRemote({ 'inbox/a.csv': 'id\n1\n' });
    writeProject(fromRemote('{ path: "inbox/*.csv" }'), { host_key: 'insecure-accept-any' });
    const first = await run();
    expect(first).toMatchObject({ status: 'ok', read: 1 });
    expect(first.logs.join('\n')).toContain('the host key is NOT checked (host_key: insecure-accept-any)');
    expect((await run()).logs.join('\n')).toContain('the host key is NOT checked');
  });

  it('resumes a download after the connection drops mid-file: every record exactly once', async () => {
    const rows = 150_000;
    putRemote({ 'inbox/big.csv': `id,text\n${Array.from({ length: rows }, (_, index) => `${index},row-${index}-${'x'.repeat(24)}`).join('\n')}\n` });
    writeProject(fromRemote('{ path: "inbox/*.csv", archive_dir: archive }', undefined, 5_000));
    let dropped = 0;
    const summary = await run({
      onProgress: (progress) => {
        // Once, after the first batch is committed: the download is a few hundred KB in.
        if (dropped === 0 && progress.read > 0) dropped = server.dropConnections();
      },
    });
    expect(dropped).toBeGreaterThan(0);
    expect(summary.logs.join('\n')).toContain('reading a file failed; reading it again from where it broke off');
    expect(summary, summary.logs.join('\n')).toMatchObject({ status: 'ok', read: rows, written: rows, deadLettered: 0 });
    const ids = lines(project.path('out')).map((line) => (JSON.parse(line) as { id: string }).id);
    expect(ids).toHaveLength(rows);
    expect(new Set(ids).size).toBe(rows);
    expect(ids.at(-1)).toBe(String(rows - 1));
    expect(existsSync(share('archive/inbox/big.csv'))).toBe(true);
  });

  it('retries writes after the connection drops between batches: every record exactly once', async () => {
    project.write({ 'in/orders.csv': `id\n${Array.from({ length: 40 }, (_, index) => index).join('\n')}\n` });
    // Reconnecting (an encrypted key takes about a second to unlock) can outlast the default five
    // attempts on a loaded machine; an operator would give a flaky link this much patience too.
    writeProject(`${toRemote('{ path: "*.csv" }', '{ path: "outbox/part-{seq}.ndjson" }', 5)}on_error: { retry: { max_attempts: 10, initial_delay_ms: 200, max_delay_ms: 3000 } }\n`);
    let drops = 0;
    const summary = await run({
      onProgress: (progress) => {
        // Twice: a connection that drops again after reconnecting is handled the same way.
        if ((drops === 0 && progress.written >= 5) || (drops === 1 && progress.written >= 20)) drops += server.dropConnections() > 0 ? 1 : 0;
      },
    });
    expect(drops).toBe(2);
    expect(summary, summary.logs.join('\n')).toMatchObject({ status: 'ok', read: 40, written: 40, deadLettered: 0 });
    expect(readdirSync(share('outbox'))).toHaveLength(8);
    expect(lines(share('outbox')).map((line) => Number((JSON.parse(line) as { id: string }).id))).toEqual(Array.from({ length: 40 }, (_, index) => index));
  });
});
