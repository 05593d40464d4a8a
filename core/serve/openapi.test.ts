import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpenProject } from '../project/open-project.js';
import { openServeProject, SERVE_ENV, serveProject } from '../../test-support/serve-project.js';
import type { TempProject } from '../../test-support/temp-project.js';
import { buildServer } from './build-server.js';
import type { KeelServer } from './serve-context.js';

let project: TempProject;
let session: OpenProject;
let app: KeelServer;

beforeAll(async () => {
  project = serveProject();
  session = await openServeProject(project);
  app = await buildServer(session, { env: SERVE_ENV, metrics: async () => ({ contentType: 'text/plain', body: '' }) });
  await app.ready();
}, 60_000);

afterAll(async () => {
  await app?.close();
  await session?.close();
  project?.remove();
});

interface Operation {
  security?: Record<string, string[]>[];
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
  requestBody?: { content?: Record<string, { schema?: { properties?: Record<string, unknown>; required?: string[] } }> };
  parameters?: { in: string; name: string }[];
}

/** Each route, with the scopes its bearer token needs ([] where none), as the server is built. */
const ROUTES: [method: string, path: string, scopes: string[] | undefined][] = [
  ['get', '/health', undefined],
  ['get', '/ready', undefined],
  ['get', '/metrics', ['read', 'ops']],
  ['get', '/api/runs', ['ops']],
  ['get', '/api/runs/{id}', ['ops']],
  ['post', '/api/pipelines/{pipeline}/runs', ['ops']],
  ['get', '/api/dead-letters', ['ops']],
  ['get', '/api/dead-letters/{id}', ['ops']],
  ['post', '/api/dead-letters/{id}/replay', ['ops']],
  ['post', '/api/dead-letters/{id}/discard', ['ops']],
  ['put', '/api/dead-letters/{id}/payload', ['ops']],
  ['get', '/api/pipelines', ['read', 'ops']],
  ['get', '/api/orders/held', ['read', 'ops']],
  ['get', '/api/stock/{sku}', ['read', 'ops']],
  ['get', '/api/customers/orders', ['read', 'ops']],
  ['get', '/api/orders/{order}/routing', ['read', 'ops']],
  ['get', '/api/stores/{location}/requests', ['store:<location>', 'ops']],
  ['post', '/api/stores/{location}/orders/{order}/claim', ['store:<location>', 'ops']],
  ['post', '/api/stores/{location}/orders/{order}/unclaim', ['store:<location>', 'ops']],
  ['post', '/api/stores/{location}/orders/{order}/shipped', ['store:<location>', 'ops']],
  ['post', '/api/returns', ['store:<location>', 'ops']],
  ['get', '/api/returns', ['read', 'store:<location>', 'ops']],
  ['post', '/webhooks/{connection}', undefined],
];

describe('the OpenAPI document keel serve serves', () => {
  it('is an OpenAPI 3.1 document with the bearer scheme, generated from the routes', async () => {
    const response = await app.inject({ method: 'GET', url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    const doc = response.json<{ openapi: string; info: { title: string }; components: { securitySchemes: Record<string, { type: string; scheme: string }> }; paths: Record<string, Record<string, Operation>> }>();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info.title).toBe('Keel API: serve-test');
    expect(doc.components.securitySchemes['bearer']).toMatchObject({ type: 'http', scheme: 'bearer' });
    const listed = Object.entries(doc.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method} ${path}`));
    expect(listed.sort()).toEqual(ROUTES.map(([method, path]) => `${method} ${path}`).sort());
  });

  it('validates against the official OpenAPI 3.1 schema, and a broken copy does not', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json<Record<string, unknown>>();
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    // The check can fail: a path item with an operation missing its answers is refused.
    const broken = structuredClone(doc) as { paths: Record<string, Record<string, Record<string, unknown>>> };
    delete broken.paths['/health']?.['get']?.['responses'];
    (broken.paths['/health'] as Record<string, unknown>)['get'] = { responses: 'none' };
    expect((await new Validator().validate(broken)).valid).toBe(false);
  });

  it.each(ROUTES)('%s %s declares its security and its answers', async (method, path, scopes) => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json<{ paths: Record<string, Record<string, Operation>> }>();
    const operation = doc.paths[path]?.[method] as Operation;
    const statuses = Object.keys(operation.responses ?? {});
    expect(statuses.some((status) => status.startsWith('2'))).toBe(true);
    if (scopes === undefined) {
      expect(operation.security).toEqual([]);
      return;
    }
    expect(operation.security).toEqual([{ bearer: scopes }]);
    expect(statuses).toEqual(expect.arrayContaining(['401', '403']));
    for (const status of ['401', '403']) expect(operation.responses?.[status]?.content?.['application/json']?.schema).toMatchObject({ properties: { error: { type: 'string' }, message: { type: 'string' } } });
    for (const parameter of path.match(/\{(\w+)\}/g) ?? []) {
      expect(operation.parameters?.some((one) => one.in === 'path' && `{${one.name}}` === parameter)).toBe(true);
    }
  });

  it('describes the return body with the canonical Return schema', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json<{ paths: Record<string, Record<string, Operation>> }>();
    const schema = doc.paths['/api/returns']?.['post']?.requestBody?.content?.['application/json']?.schema;
    expect(schema?.required).toEqual(expect.arrayContaining(['return_id', 'status', 'lines', 'created_at']));
    expect(Object.keys(schema?.properties ?? {})).toEqual(expect.arrayContaining(['return_id', 'lines', 'location_id', 'refund']));
  });
});
