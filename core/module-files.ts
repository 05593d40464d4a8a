/**
 * Registries scan folders for modules. Built, they hold `.js`; under the test runner, which runs
 * the TypeScript sources directly, they hold `.ts`. Declarations and tests are never modules to load.
 */
export function isModuleFile(file: string): boolean {
  if (file.endsWith('.d.ts') || /\.(test|spec)\.[jt]s$/.test(file)) return false;
  return /\.(js|ts)$/.test(file);
}
