/**
 * The second test tier, `npm run test:real`: tests against real servers that a machine with only
 * Node 20 and npm does not have. `npm test` excludes every `*.real.test.ts`; this list is what
 * vitest.real.config.ts runs, one entry per server, saying what it needs so that a missing server
 * reads as a failure with a fix, never as a skip. test-support/test-tiers.test.ts checks that
 * every `*.real.test.ts` is listed here, every entry finds its tests, and no test in `npm test`
 * starts a real server.
 *
 * To add a server (PostgreSQL, a real shop, Chromium): name its tests `*.real.test.ts`, add an
 * entry, and install the server in .ci/run.
 */
export interface RealServerTests {
  /** What the tests run against. */
  server: string;
  /** Test files, as vitest include globs relative to the repository root. */
  include: string[];
  /** Test support that starts the server: a test file importing it belongs to this tier. */
  helpers: string[];
  /** What a machine needs for them, and how it gets it. */
  needs: string;
}

export const REAL_SERVER_TESTS: RealServerTests[] = [
  {
    server: 'OpenSSH (SFTP)',
    include: ['connectors/sftp/**/*.real.test.ts', 'pipelines/**/*.real.test.ts'],
    helpers: ['test-support/sftp-server.ts'],
    needs: "Debian's openssh-server (/usr/sbin/sshd, ssh-keygen): .ci/run installs it; test-support/sftp-server.ts installs it with apt-get when run as root, else fails saying how",
  },
  {
    server: 'Vendure 3.7.3 (a real shop, on sql.js)',
    include: ['connectors/vendure/**/*.real.test.ts'],
    helpers: ['test-support/vendure-server.ts'],
    needs:
      'the npm registry: test-support/vendure-server.ts installs @vendure/core 3.7.3 and sql.js into ${KEEL_REAL_CACHE:-~/.cache/keel-real}/vendure (outside the repository: Vendure is GPL-3.0) and imports its sample catalogue once, when missing; .ci/run does it first with node dist/test-support/install-vendure.js',
  },
  {
    server: 'two keel schedule processes for 3 minutes (no server: real processes and time)',
    include: ['cli/schedule-soak.real.test.ts'],
    // No server to start: npm test runs the same helper (test-support/schedule-soak.ts) for 20 s.
    helpers: [],
    needs: 'nothing but Node; it is here because it takes 3 minutes (npm test runs the same check for 20 s)',
  },
  {
    server: "Chromium (Debian's package, driven by playwright-core) for the ops page",
    include: ['core/serve/**/*.real.test.ts'],
    helpers: ['test-support/chromium.ts'],
    needs: "Debian's chromium (/usr/lib/chromium/chromium): .ci/run installs it; test-support/chromium.ts installs it with apt-get when run as root, else fails saying how. playwright-core is pinned to the version that drives it",
  },
];

/** The suffix that takes a test file out of `npm test` and into this tier. */
export const REAL_TEST_SUFFIX = '.real.test.ts';
