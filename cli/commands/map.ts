import type { Command } from 'commander';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { CODECS, FORMAT_NAMES, formatFromFileName, type FormatName } from '../../core/codecs/index.js';
import { missingFile } from '../../core/files/missing-file.js';
import { loadMapping } from '../../core/mapping/load-mapping.js';
import { resolveMappingPath } from '../../core/package-root.js';
import { canonicalValidator } from '../../core/mapping/validate-output.js';
import { RecordRejection } from '../../core/sdk/step.js';
import { EXIT } from '../exit-codes.js';
import { reportError } from '../output.js';

interface MapFlags {
  format?: string;
  path?: string;
  record?: string;
  delimiter?: string;
  validate?: boolean;
}

export function registerMap(program: Command): void {
  program
    .command('map')
    .description('apply a mapping to JSON, NDJSON, CSV or XML input and print NDJSON (rejections go to stderr)')
    .argument('<mapping>', 'mapping file (.json), or keel:<vendor>/<file> for one shipped with Keel')
    .argument('[input]', 'input file, or - for stdin', '-')
    .option('--format <format>', `input format: ${FORMAT_NAMES.join(', ')} (default: from the file name; ndjson for stdin)`)
    .option('--path <path>', 'JSON: dotted path to the records, e.g. orders')
    .option('--record <element>', 'XML: element of one record, e.g. ORDER')
    .option('--delimiter <char>', 'CSV: delimiter')
    .option('--validate', "check each output against the canonical schema of the mapping's target")
    .action(async (mappingFile: string, input: string, flags: MapFlags) => {
      process.exitCode = await mapCommand(mappingFile, input, flags);
    });
}

async function mapCommand(mappingFile: string, input: string, flags: MapFlags): Promise<number> {
  let mapping;
  try {
    mapping = loadMapping(resolveMappingPath(mappingFile, process.cwd()), mappingFile);
  } catch (error) {
    return reportError(error);
  }
  const missing = input === '-' ? undefined : missingFile(input);
  if (missing !== undefined) {
    process.stderr.write(`keel: input ${missing}\n`);
    return EXIT.invalid;
  }
  const format = (flags.format ?? (input === '-' ? 'ndjson' : formatFromFileName(input))) as FormatName | undefined;
  if (format === undefined || !FORMAT_NAMES.includes(format)) {
    process.stderr.write(`keel: cannot tell the format of ${input}; pass --format ${FORMAT_NAMES.join('|')}\n`);
    return EXIT.invalid;
  }
  if (format === 'xml' && flags.record === undefined) {
    process.stderr.write('keel: XML input needs --record <element>, the element that holds one record\n');
    return EXIT.invalid;
  }
  const codecOptions: Record<string, unknown> =
    format === 'json' ? { path: flags.path } : format === 'xml' ? { record: flags.record } : format === 'csv' && flags.delimiter !== undefined ? { delimiter: flags.delimiter } : {};
  const validate = flags.validate === true ? canonicalValidator(mapping.target) : undefined;
  if (flags.validate === true && validate === undefined) {
    process.stderr.write(`keel: mapping ${mapping.name} names no known canonical target (target: ${mapping.target ?? 'none'}); cannot --validate\n`);
    return EXIT.invalid;
  }
  const stream: Readable = input === '-' ? process.stdin : createReadStream(input);
  const unit = input === '-' ? 'stdin' : input;
  let failures = 0;
  try {
    for await (const chunk of CODECS[format].createDecoder(codecOptions).decode(stream, unit)) {
      for (const reject of chunk.rejects) {
        failures += 1;
        process.stderr.write(`${reject.origin}: ${reject.reason}\n`);
      }
      for (const record of chunk.records) {
        const origin = record.at === undefined ? unit : `${unit}${format === 'json' ? '#' : ':'}${record.at}`;
        let output = mapping.apply(record.data);
        if (output instanceof Promise) output = await output;
        if (!(output instanceof RecordRejection) && validate !== undefined) output = validate(output);
        if (output instanceof RecordRejection) {
          failures += 1;
          process.stderr.write(`${origin}: ${output.reason}\n`);
          continue;
        }
        process.stdout.write(`${JSON.stringify(output)}\n`);
      }
    }
  } catch (error) {
    return reportError(error);
  }
  return failures > 0 ? EXIT.deadLetters : EXIT.ok;
}
