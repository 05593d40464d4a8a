import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The bench runs compiled from dist/bench/, but its data belongs next to the sources in
 * bench/.data/ (gitignored), so paths are anchored on the repository root, not the cwd.
 */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DATA_DIR = resolve(REPO_ROOT, 'bench', '.data');

/** The compiled child entry; the parent spawns it once per measurement. */
export const CHILD_SCRIPT = resolve(dirname(fileURLToPath(import.meta.url)), 'child.js');
