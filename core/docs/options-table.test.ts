import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { defineConnector, defineStream } from '../sdk/connector.js';
import { optionRows } from './option-rows.js';
import { generateOptionTables, renderOptionsTable } from './options-table.js';

const Options = Type.Object(
  {
    path: Type.String({ description: 'where' }),
    mode: Type.Optional(Type.Union([Type.Literal('a'), Type.Literal('b')], { default: 'a', description: 'which | how' })),
    limits: Type.Optional(
      Type.Object(
        {
          kind: Type.Union([Type.Literal('none'), Type.Literal('cap')], { description: 'kind of limit' }),
          max: Type.Optional(Type.Integer({ minimum: 1, maximum: 9, description: 'at most <n>' })),
        },
        { description: 'limits', allOf: [{ if: { properties: { kind: { const: 'cap' } } }, then: { required: ['max'] } }] },
      ),
    ),
    token: Type.Optional(Type.String({ secret: true })),
    tags: Type.Optional(Type.Array(Type.String(), { description: 'labels' })),
    headers: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'sent along' })),
  },
  { additionalProperties: false },
);

const connector = defineConnector({
  name: 'acme',
  kind: 'generic',
  configSchema: Type.Object({ url: Type.String({ description: 'the API' }) }),
  streams: { orders: defineStream({ read: { options: Options, read: async function* () {} } }) },
});

describe('option rows', () => {
  it('flatten nested objects to a.b, with type, default, required (also when another option says so) and description', () => {
    expect(optionRows(Options)).toEqual([
      { path: 'path', type: 'string', required: 'yes', description: 'where', secret: false },
      { path: 'mode', type: '`a` or `b`', default: 'a', required: 'no', description: 'which | how', secret: false },
      { path: 'limits', type: 'object', required: 'no', description: 'limits', secret: false },
      { path: 'limits.kind', type: '`none` or `cap`', required: 'yes', description: 'kind of limit', secret: false },
      { path: 'limits.max', type: 'integer 1–9', required: 'when `kind: cap`', description: 'at most <n>', secret: false },
      { path: 'token', type: 'string, secret', required: 'no', secret: true },
      { path: 'tags', type: 'list of string', required: 'no', description: 'labels', secret: false },
      { path: 'headers', type: 'map of string', required: 'no', description: 'sent along', secret: false },
    ]);
  });

  it('render as a Markdown table whose cells keep pipes and angle brackets as text', () => {
    const table = renderOptionsTable(optionRows(Options).slice(0, 5));
    expect(table.split('\n').slice(0, 2)).toEqual(['| option | type | default | required | description |', '|---|---|---|---|---|']);
    expect(table).toContain('| `mode` | `a` or `b` | `"a"` | no | which \\| how |');
    expect(table).toContain('at most &lt;n>');
  });
});

describe('generated option tables in a README', () => {
  it('replace what lies between the markers and keep the prose around them', () => {
    const readme = 'Intro.\n<!-- keel:options connection -->\nstale\n<!-- /keel:options -->\nMiddle.\n<!-- keel:options stream=orders read -->\n<!-- /keel:options -->\nEnd.\n';
    const { text, problems } = generateOptionTables(readme, connector);
    expect(problems).toEqual([]);
    expect(text).toBe(
      `Intro.\n<!-- keel:options connection -->\n${renderOptionsTable(optionRows(connector.configSchema))}<!-- /keel:options -->\nMiddle.\n` +
        `<!-- keel:options stream=orders read -->\n${renderOptionsTable(optionRows(Options))}<!-- /keel:options -->\nEnd.\n`,
    );
    expect(generateOptionTables(text, connector).text).toBe(text);
  });

  it('name a table that is missing and a marker that names nothing', () => {
    const { problems } = generateOptionTables('<!-- keel:options stream=returns read -->\n<!-- /keel:options -->\n', connector);
    expect(problems).toEqual([
      '<!-- keel:options stream=returns read --> names no options of connector acme; known: connection, stream=orders read',
      'no table of connection: add <!-- keel:options connection --> and <!-- /keel:options --> where it belongs',
      'no table of stream=orders read: add <!-- keel:options stream=orders read --> and <!-- /keel:options --> where it belongs',
    ]);
  });
});
