/**
 * Installs the real-server tier's Vendure into its cache folder and imports the sample
 * catalogue, unless both are there: `node dist/test-support/install-vendure.js` (.ci/run does).
 * Prints how long each step took.
 */
import { ensureVendureInstalled, ensureVendurePopulated, vendureCacheDir } from './vendure-server.js';

const log = (line: string): void => console.log(`vendure: ${line}`);
const started = Date.now();
const installed = ensureVendureInstalled(log);
const afterInstall = Date.now();
log(installed ? `installed in ${((afterInstall - started) / 1000).toFixed(1)} s` : `already installed in ${vendureCacheDir()}`);
const populated = await ensureVendurePopulated(log);
log(populated ? `sample catalogue imported in ${((Date.now() - afterInstall) / 1000).toFixed(1)} s` : 'sample catalogue already imported');
