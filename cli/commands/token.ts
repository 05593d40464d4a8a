import type { Command } from 'commander';
import { KeelError } from '../../core/errors.js';
import { openProject } from '../../core/project/open-project.js';
import { parseScope, storeLocation, type Scope } from '../../core/serve/scopes.js';
import { issueToken } from '../../core/serve/tokens.js';
import type { StateStore } from '../../core/state/state-store.js';
import inventory from '../../engines/inventory/index.js';
import { projectDirFor } from '../context.js';
import { EXIT } from '../exit-codes.js';
import { printJson, printLine, reportError, table } from '../output.js';

interface TokenFlags {
  project: string;
  json?: boolean;
}

export function registerToken(program: Command): void {
  const token = program.command('token').description("keel serve's bearer tokens: scopes read, ops, store:<location>; kept hashed in the state");
  token
    .command('create')
    .description('make a token and print it once (only its hash is kept)')
    .requiredOption('--name <name>', 'what it is for, unique among live tokens (pos-berlin, erp)')
    .requiredOption('--scope <scope...>', 'read (stock, orders, receipts, returns), ops (all of read, runs, dead letters, triggers, any store), store:<location> (that store only)')
    .option('--project <dir>', 'project directory', '.')
    .option('--json', 'JSON output')
    .action(async (flags: TokenFlags & { name: string; scope: string[] }) => {
      process.exitCode = await withStore(flags, async (store, locations) => {
        const scopes = flags.scope.map((text): Scope => {
          const scope = parseScope(text);
          if (typeof scope === 'object') throw new KeelError('config', scope.problem, { code: 'token_scope', stage: 'token' });
          return scope;
        });
        const location = storeLocation(scopes);
        if (location !== undefined && locations !== undefined && !locations.includes(location)) {
          throw new KeelError('config', `scope store:${location}: no location ${location} under inventory.locations (locations: ${locations.join(', ')})`, { code: 'token_scope', stage: 'token' });
        }
        const { token: made, secret } = await issueToken(store.tokens, flags.name, scopes);
        if (flags.json === true) return printJson({ name: made.name, scopes: made.scopes, token: secret });
        printLine(`token ${made.name} (${made.scopes.join(', ')}): ${secret}`);
        process.stderr.write('keel: this is the only time the token is shown; keep it in your secret store\n');
      });
    });
  token
    .command('list')
    .description('the tokens (never their secrets)')
    .option('--all', 'revoked ones too')
    .option('--project <dir>', 'project directory', '.')
    .option('--json', 'JSON output')
    .action(async (flags: TokenFlags & { all?: boolean }) => {
      process.exitCode = await withStore(flags, async (store) => {
        const tokens = await store.tokens.list({ includeRevoked: flags.all === true });
        if (flags.json === true) return printJson({ tokens });
        if (tokens.length === 0) return printLine('no tokens');
        printLine(table([['NAME', 'SCOPES', 'CREATED', 'REVOKED'], ...tokens.map((one) => [one.name, one.scopes.join(','), one.createdAt, one.revokedAt ?? '-'])]));
      });
    });
  token
    .command('revoke')
    .description('revoke a token: requests with it are refused (401) from now on')
    .argument('<name>', 'the token name')
    .option('--project <dir>', 'project directory', '.')
    .action(async (name: string, flags: TokenFlags) => {
      process.exitCode = await withStore(flags, async (store) => {
        if (!(await store.tokens.revoke(name, new Date().toISOString()))) {
          throw new KeelError('config', `no live token named ${name} (keel token list shows them)`, { code: 'token_unknown', stage: 'token' });
        }
        printLine(`revoked token ${name}`);
      });
    });
}

/** Opens the project's state (with the inventory's locations when it has one) for `work`. */
async function withStore(flags: TokenFlags, work: (store: StateStore, locations: string[] | undefined) => Promise<void>): Promise<number> {
  try {
    const session = await openProject(projectDirFor(flags.project));
    try {
      const locations = session.engines.get(inventory)?.config.locations.map((location) => location.location_id);
      await work(session.store, locations);
      return EXIT.ok;
    } finally {
      await session.close();
    }
  } catch (error) {
    return reportError(error);
  }
}
