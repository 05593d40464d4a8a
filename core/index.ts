/**
 * Keel's public API: what connector packages and embedding applications import from 'keel'.
 * Everything here is a stable contract; internal modules may change.
 */
// The schema builder and the types its builders return: a partner's package declares its config
// with them and needs no TypeBox of its own, and its emitted .d.ts names them as 'keel' types.
export { Type } from '@sinclair/typebox';
export type {
  Static,
  TAny,
  TArray,
  TBoolean,
  TEnum,
  TInteger,
  TIntersect,
  TLiteral,
  TNull,
  TNumber,
  TObject,
  TOptional,
  TProperties,
  TReadonly,
  TRecord,
  TSchema,
  TString,
  TUnion,
  TUnknown,
} from '@sinclair/typebox';
export {
  CONNECTOR_KINDS,
  SDK_VERSION,
  STREAM_STATUSES,
  defineConnector,
  defineStream,
  type ConnectorDefinition,
  type ConnectorKind,
  type ConnectorState,
  type DecodeReject,
  type IdempotencyScope,
  type OnChange,
  type OptionProblem,
  type ReadCapability,
  type Backfill,
  type BackfillResult,
  type ReadContext,
  type SourcePage,
  type SourceRecord,
  type StreamDefinition,
  type StreamExample,
  type StreamStatus,
  type SyncMode,
  type WriteCapability,
  type WriteContext,
  type WriteRecord,
  type WriteOutcome,
  type WriteResult,
} from './sdk/connector.js';
export {
  DROP,
  DUPLICATE,
  RecordRejection,
  type RecordRejectionOptions,
  defineStep,
  type RememberedVersion,
  type StepContext,
  type StepDefinition,
  type StepFunction,
  type StepLedger,
  type StepOutput,
} from './sdk/step.js';
// Webhooks: a connector declares how its vendor signs deliveries, and reads them with webhookStream.
export { headerValue, type RequestHeaders, type WebhookSpec } from './sdk/webhooks.js';
export { webhookStream, WebhookReadOptions } from './webhooks/webhook-stream.js';
export { KeelError, ConfigError, type ErrorKind } from './errors.js';
// One mapping from errors to write results, for every target: record → permanent, transient and
// rate limited → retryable, the rest stop the run.
export { WRITE_RESULT_BY_KIND, writeInOrder, writeResultFor, type FailedWrite } from './sdk/error-outcome.js';
export type { JsonObject, JsonValue } from './json.js';
export type { Logger } from './logger.js';
export { CODECS, codecFor, type FormatName } from './codecs/index.js';
export { loadProject } from './config/load-project.js';
// The composition root: a project's plan, state store and engines, opened and closed together.
export { openProject, openProjectHistory, type OpenProject, type OpenProjectOptions } from './project/open-project.js';
export {
  defineEngine,
  type AnyEngineDefinition,
  type EngineDefinition,
  type EngineLoadContext,
  type EngineOpenContext,
  type Engines,
  type StateLocation,
} from './sdk/engine.js';
export { openStateStore } from './state/open-state-store.js';
export { runPipeline, type RunSummary, type RunOptions } from './runtime/run-pipeline.js';
export { SqliteStateStore } from './state/sqlite-store.js';
export type { StateStore, DeadLetter, RunRecord } from './state/state-store.js';
// Housekeeping a server runs once a day: runs, handled dead letters and settled ledger entries past keel.yaml retention:.
export { pruneState, DEFAULT_RETENTION, type Retention, type PruneReport, type PrunedPart } from './state/prune-state.js';
export type { RunDetail, StageCounts, ErrorCount, FileTouch } from './state/run-details.js';
// HTTP transport for vendor connectors: the client (auth, shared rate budgets, retries, safety),
// pagination strategies and the incremental walk by updated-at.
export { HttpClient, HttpConnectionSchema, httpClientFor, type HttpClientOptions, type HttpConnection, type HttpRequest, type HttpResponse } from './http/http-client.js';
// What each HTTP status means, as a table a vendor connector extends (Shopify's 423, a 403 that means a quota).
export { DEFAULT_STATUS_TABLE, extendStatusTable, ruleForStatus, type StatusRule, type StatusTable } from './http/status-table.js';
export { HttpAuthSchema, type HttpAuth } from './http/auth.js';
export { PaginationSchema, pagerFor, recordsIn, type Pagination, type PageRequest, type Pager } from './http/pagination.js';
export { IncrementalSchema, UpdatedAtWalk, walkBackfill, type Incremental } from './http/incremental.js';
export { walkIncrementalPages, type FetchedPage, type IncrementalPagesOptions, type IncrementalStep } from './http/incremental-pages.js';
export { RateBudget, rateBudgetFor, type Priority, type RateLimitSettings, type SharedBucket } from './http/rate-budget.js';
export type { RateBucket, RateLedger, VendorSaid } from './state/rate-ledger.js';
export { retryAfterMs } from './http/retry-after.js';
// Routing receipts: stored as compact JSON (fence codes with their facts), put into words on demand.
export { fenceReason, renderReceipt, strategyLocations, type LocationOutcome } from './routing/explain-receipt.js';
export type { FenceHit, LineFenceHit, LocationFenceHit } from './routing/fences.js';
export type {
  HoldReason,
  LineFenceGroup,
  LocationFenceGroup,
  ReceiptLine,
  RoutedPart,
  RoutedPartLine,
  RoutingDecision,
  RoutingReceipt,
  StrategyReceipt,
} from './routing/receipt.js';
// Routing with side effects, for an API or a scheduler: route, claim, unclaim, shipped, cancel,
// timeouts and retries, explain, reliability; opened on the project's state file.
export { RoutingEngine, orderKeyOf, type RoutingPlan, type RouteOutcome, type GiveBackOutcome } from './routing/routing-engine.js';
export type { RouteRequest, RequestKind, RequestStatus, StoredReceipt, OutboxMessage } from './routing/routing-store.js';
