#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (run by `npm install` through `prepare`).
import('../dist/cli/main.js').then((cli) => cli.main(process.argv)).catch((error) => {
  process.stderr.write(`keel: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 3;
});
