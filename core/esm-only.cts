// What `require('keel')` loads (package.json "exports", condition "require"): Keel is an ES module,
// and a clear message here beats Node's "No exports main defined" or a syntax error further on.
const error: Error & { code?: string } = new Error(
  "keel is an ES module and cannot be loaded with require(): write import { defineConnector, Type } from 'keel' in an ES module " +
    '(a .mjs file, or a package whose package.json says "type": "module"); `npx keel connector new <name>` scaffolds such a package',
);
error.code = 'ERR_KEEL_ESM_ONLY';
throw error;
