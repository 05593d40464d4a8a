import type { Static, TObject } from '@sinclair/typebox';
import type { ConnectorDefinition } from '../sdk/connector.js';
import { listChecks, type ConformanceCheck, type SkippedCheck } from './checks.js';
import type { ConformanceSpec, OpenedFixture } from './spec.js';

/**
 * The two functions of a test framework the kit registers its checks with. Vitest's, Jest's and
 * node:test's `describe` and `it` all fit, so a partner keeps the framework they use:
 * `describeConnector(acme, spec, { describe, it })`.
 */
export interface TestFramework {
  describe(name: string, body: () => void): unknown;
  it: TestFunction;
}

export interface TestFunction {
  (name: string, body: () => Promise<void>): unknown;
  /** Where the framework has it, checks the connector's declarations make pointless are shown as skipped, with why. */
  skip?: (name: string, body: () => Promise<void>) => unknown;
}

export interface CheckResult {
  name: string;
  passed: boolean;
  /** Why it did not hold: what the connector did and what it should do. */
  message?: string;
}

export interface ConformanceReport {
  connector: string;
  passed: boolean;
  results: CheckResult[];
  skipped: SkippedCheck[];
}

/** The checks for a connector and its fixtures, each runnable on its own (a fresh `setup` per check). */
export function conformanceChecks<C extends TObject, Opened extends OpenedFixture<Static<C>>>(
  connector: ConnectorDefinition<C>,
  spec: ConformanceSpec<Static<C>, Opened>,
): { checks: ConformanceCheck[]; skipped: SkippedCheck[] } {
  // The hooks take what this spec's setup opens; the checks hand each hook exactly that.
  return listChecks(connector as unknown as ConnectorDefinition, spec as unknown as ConformanceSpec<unknown, OpenedFixture<unknown>>);
}

/** Registers every check as a test of `framework`, inside one `describe` named after the connector. */
export function describeConnector<C extends TObject, Opened extends OpenedFixture<Static<C>>>(
  connector: ConnectorDefinition<C>,
  spec: ConformanceSpec<Static<C>, Opened>,
  framework: TestFramework,
): void {
  const { checks, skipped } = conformanceChecks(connector, spec);
  framework.describe(`connector ${connector.name}: conformance`, () => {
    for (const check of checks) framework.it(check.name, () => check.run());
    for (const check of skipped) framework.it.skip?.(`${check.name} (not run: ${check.reason})`, () => Promise.resolve());
  });
}

/** Runs every check, one after another, and reports each: for a script, or a framework the kit does not know. */
export async function checkConnector<C extends TObject, Opened extends OpenedFixture<Static<C>>>(
  connector: ConnectorDefinition<C>,
  spec: ConformanceSpec<Static<C>, Opened>,
): Promise<ConformanceReport> {
  const { checks, skipped } = conformanceChecks(connector, spec);
  const results: CheckResult[] = [];
  for (const check of checks) {
    try {
      await check.run();
      results.push({ name: check.name, passed: true });
    } catch (error) {
      results.push({ name: check.name, passed: false, message: error instanceof Error ? error.message : String(error) });
    }
  }
  return { connector: connector.name, passed: results.every((result) => result.passed), results, skipped };
}
