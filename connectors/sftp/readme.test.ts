import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { compileSchema } from '../../core/config/schema-check.js';
import { FileReadOptions, FileWriteOptions } from '../../core/files/file-options.js';
import { SftpConfig } from './config.js';

const README = readFileSync(new URL('./README.md', import.meta.url), 'utf8');

describe('sftp README', () => {
  it('shows a connection, source and target that the schemas accept', () => {
    const block = /```yaml\n([\s\S]*?)```/.exec(README)?.[1];
    expect(block).toBeDefined();
    const example = parse(block ?? '') as {
      connections: Record<string, { connector: string; config: unknown }>;
      source: { options: unknown };
      targets: { options: unknown }[];
    };
    const connection = Object.values(example.connections)[0];
    expect(connection?.connector).toBe('sftp');
    for (const [schema, value] of [
      [SftpConfig, connection?.config],
      [FileReadOptions, example.source.options],
      [FileWriteOptions, example.targets[0]?.options],
    ] as const) {
      const validate = compileSchema(schema);
      expect(validate(value), JSON.stringify(validate.errors)).toBe(true);
    }
  });
});
