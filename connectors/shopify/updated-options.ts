import { Type } from '@sinclair/typebox';
import { checkWalkStart, walkReadOptions } from '../../core/http/walk-read-options.js';
import type { OptionProblem } from '../../core/sdk/connector.js';

/** Options shared by the streams read by updatedAt (orders, products); every one described, as `keel connectors` and the README show them. */
export const updatedReadOptions = (defaults: { pageSize: number; maxPageSize: number }) => ({
  page_size: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: defaults.maxPageSize,
      default: defaults.pageSize,
      description: 'records per request; a page of large records costs many points, and one query may not cost more than 1000',
    }),
  ),
  filter: Type.Optional(
    Type.String({
      description: "extra Shopify search filter ANDed to every request, e.g. \"status:open\" or \"tag:wholesale\" (search syntax, dates in quotes)",
    }),
  ),
  ...walkReadOptions('records'),
  bulk: Type.Optional(
    Type.Boolean({
      default: false,
      description: 'export with a bulk operation (one JSONL file) instead of pages, on a full sync and on the first incremental sync; later incremental runs read pages from where the export began',
    }),
  ),
  bulk_poll_ms: Type.Optional(Type.Integer({ minimum: 10, maximum: 600_000, default: 2000, description: 'bulk: how often the running export is asked whether it is done' })),
  bulk_timeout_minutes: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 14_400, default: 360, description: 'bulk: give up waiting after this long (the next run joins the same export)' }),
  ),
});

export function checkUpdatedOptions(options: { start?: string; filter?: string }): OptionProblem[] {
  const problems = checkWalkStart(options);
  if (options.filter !== undefined && /updated_at/i.test(options.filter)) {
    problems.push({ path: ['filter'], message: 'filter may not restrict updated_at: incremental sync sets it itself; use start for the first boundary' });
  }
  return problems;
}
