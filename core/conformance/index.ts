/**
 * `keel/testing`: the conformance kit. One call runs the checks every connector must pass, ours
 * and partners' alike, against the connector's own fixtures:
 *
 *   describeConnector(acme, { setup, streams: { … } }, { describe, it });
 *
 * See the README's section for partners.
 */
export { checkConnector, conformanceChecks, describeConnector, type CheckResult, type ConformanceReport, type TestFramework, type TestFunction } from './run.js';
export type { ConformanceCheck, SkippedCheck } from './checks.js';
export { ConformanceFailure } from './failure.js';
export type { Awaitable, ConformanceSpec, Failures, InvalidOptions, OpenedFixture, ReadFixture, StreamFixture, WriteFixture } from './spec.js';
