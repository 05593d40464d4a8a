#!/usr/bin/env -S node --max-semi-space-size=16 --heap-growing-percent=100
// Thin launcher: the CLI is compiled to dist/ by `npm run build` (run by `npm install` through `prepare`).
// The node flags: a stock feed keeps each batch's records alive until the batch is committed, so
// young-generation collections copy a lot; a 16 MB nursery makes them a quarter as frequent, and
// letting the old generation grow only to twice its live size between full collections (cheap
// here: the live heap is small) more than pays for the larger nursery in peak memory. Measured on
// the inventory bench against the 4 MB nursery used before: full run about 14% faster, peak RSS
// about 40 MB lower (246 MB against 287 MB).
import('../dist/cli/main.js').then((cli) => cli.main(process.argv)).catch((error) => {
  process.stderr.write(`keel: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 3;
});
