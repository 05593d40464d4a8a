/**
 * How an API hands out pages: by page number, by offset, by a cursor or next token in the body,
 * or by a `Link: <…>; rel="next"` header. A page request is plain data (path and query), so the
 * request for the next page can be saved as a checkpoint and resumed after a crash.
 */
import { Type, type Static } from '@sinclair/typebox';
import LinkHeader from 'http-link-header';
import { readPath, type JsonValue } from '../json.js';
import type { HttpResponse, QueryValue } from './http-client.js';

export const PaginationSchema = Type.Object(
  {
    type: Type.Union([Type.Literal('none'), Type.Literal('page'), Type.Literal('offset'), Type.Literal('cursor'), Type.Literal('next_token'), Type.Literal('link')], {
      description: 'none: one request; page: ?page=N; offset: ?offset=N; cursor / next_token: a value in the body sent back as a parameter; link: the Link header',
    }),
    param: Type.Optional(Type.String({ minLength: 1, description: 'page: "page"; offset: "offset"; cursor: the parameter the cursor goes in; next_token: "NextToken"' })),
    size_param: Type.Optional(Type.String({ minLength: 1, description: 'page / offset: the page size parameter, e.g. per_page (offset: default limit; page: none unless set)' })),
    size: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, description: 'page / offset: records per page (offset: default 100); a shorter page is the last' })),
    start: Type.Optional(Type.Integer({ minimum: 0, default: 1, description: 'page: the first page number' })),
    path: Type.Optional(Type.String({ minLength: 1, description: 'cursor / next_token: dotted path of the next value in the body, e.g. meta.next_cursor or payload.NextToken (default NextToken)' })),
    keep_query: Type.Optional(Type.Boolean({ default: true, description: 'cursor / next_token: send the original query along with the cursor' })),
  },
  {
    additionalProperties: false,
    allOf: [{ if: { properties: { type: { const: 'cursor' } } }, then: { required: ['param', 'path'] } }],
  },
);
export type Pagination = Static<typeof PaginationSchema>;

export interface PageRequest {
  path: string;
  query: Record<string, QueryValue>;
}

/**
 * Follows one API's pages. Whether pages shift when records change while they are fetched is not
 * declared here: an incremental read treats every style as if they might (incremental-pages.ts),
 * since a Link header or a cursor can carry a page number as well as a keyset position.
 */
export interface Pager {
  readonly size: number | undefined;
  first(request: PageRequest): PageRequest;
  /** The request for the page after `request`, or undefined when it was the last. */
  next(request: PageRequest, response: HttpResponse, recordCount: number): PageRequest | undefined;
}

export function pagerFor(pagination: Pagination | undefined): Pager {
  const type = pagination?.type ?? 'none';
  switch (type) {
    case 'none':
      return { size: undefined, first: (request) => request, next: () => undefined };
    case 'page': {
      const param = pagination?.param ?? 'page';
      const start = pagination?.start ?? 1;
      const size = pagination?.size;
      const sized = (query: PageRequest['query']): PageRequest['query'] =>
        pagination?.size_param !== undefined && size !== undefined ? { ...query, [pagination.size_param]: size } : query;
      return {
        size,
        first: (request) => ({ path: request.path, query: sized({ ...request.query, [param]: start }) }),
        next: (request, _response, count) => {
          if (count === 0 || (size !== undefined && count < size)) return undefined;
          return { path: request.path, query: { ...request.query, [param]: Number(request.query[param] ?? start) + 1 } };
        },
      };
    }
    case 'offset': {
      const param = pagination?.param ?? 'offset';
      const size = pagination?.size ?? 100;
      const sizeParam = pagination?.size_param ?? 'limit';
      return {
        size,
        first: (request) => ({ path: request.path, query: { ...request.query, [param]: 0, [sizeParam]: size } }),
        next: (request, _response, count) =>
          count < size ? undefined : { path: request.path, query: { ...request.query, [param]: Number(request.query[param] ?? 0) + count } },
      };
    }
    case 'cursor':
    case 'next_token': {
      const param = pagination?.param ?? 'NextToken';
      const path = (pagination?.path ?? 'NextToken').split('.');
      const keep = pagination?.keep_query ?? true;
      return {
        size: undefined,
        first: (request) => request,
        next: (request, response) => {
          const token = readPath(response.data as JsonValue, path);
          if (typeof token !== 'string' && typeof token !== 'number') return undefined;
          if (token === '') return undefined;
          // The query of a follow-up request still holds the original filters, plus the previous token.
          return { path: request.path, query: { ...(keep ? request.query : {}), [param]: token } };
        },
      };
    }
    case 'link':
      return {
        size: undefined,
        first: (request) => request,
        next: (_request, response) => {
          const header = response.header('link');
          if (header === undefined) return undefined;
          const next = LinkHeader.parse(header).rel('next')[0];
          // The next URL carries its own query (Shopify's page_info refuses other filters).
          return next === undefined ? undefined : { path: next.uri, query: {} };
        },
      };
  }
}

/** The array of records in a response body: at a dotted path, or the body itself when it is an array. */
export function recordsIn(data: unknown, path: string | undefined): unknown[] | undefined {
  const value = path === undefined ? data : readPath(data as JsonValue, path.split('.'));
  return Array.isArray(value) ? value : undefined;
}
