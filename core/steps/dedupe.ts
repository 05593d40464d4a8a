import { Type } from '@sinclair/typebox';
import type { JsonObject } from '../json.js';
import { changedReason, CHANGED_AFTER_DELIVERY, judgeVersion, versionOf } from '../runtime/changed-version.js';
import { compileTemplate } from '../runtime/record-key.js';
import { missingField } from '../sdk/record-shape.js';
import { DUPLICATE, RecordRejection, defineStep, type RememberedVersion, type StepLedger } from '../sdk/step.js';

const FIELD = /\{\{\s*([^{}\s]+)\s*\}\}/g;

const DedupeConfig = Type.Object(
  {
    key: Type.String({
      minLength: 1,
      pattern: '\\{\\{\\s*[^{}\\s]+\\s*\\}\\}',
      description: 'what identifies a record, as a template of its fields, e.g. "order-{{id}}" or "{{channel}}:{{external_id}}"',
    }),
    on_change: Type.Optional(
      Type.Union([Type.Literal('skip'), Type.Literal('send'), Type.Literal('dead_letter')], {
        default: 'dead_letter',
        description:
          'a record whose key passed before with other content: dead_letter (default) holds it with a diff for a person to replay or discard; send lets it through; skip drops it as a duplicate',
      }),
    ),
    name: Type.Optional(
      Type.String({
        pattern: '^[a-z0-9][a-z0-9_-]*$',
        description: 'names what this step remembers (default: its key template); two dedupe steps of a pipeline with the same key share it unless named apart',
      }),
    ),
  },
  { additionalProperties: false },
);

/**
 * Lets each key through once per pipeline: a record whose key passed before with the same
 * content is dropped and counted as a duplicate; one with other content follows `on_change`.
 * What passed is kept in the effect ledger (scope `dedupe:<name>` of the pipeline) and committed
 * with the batch, so a run after a crash decides the same way. Replayed dead letters always pass
 * (a person sent them again) and become the version remembered.
 */
export default defineStep({
  name: 'dedupe',
  description: 'Let each key through once: drop records whose key passed before with the same content; a changed one follows on_change.',
  configSchema: DedupeConfig,
  create(config, ctx) {
    const keyOf = compileTemplate(config.key);
    const onChange = config.on_change ?? 'dead_letter';
    const keepContent = onChange === 'dead_letter';
    const ledger = ctx.ledger?.(`dedupe:${config.name ?? config.key}`) ?? memoryLedger();
    return async (record) => {
      const key = keyOf(record);
      if (key instanceof RecordRejection) return key;
      const version = versionOf(record, false);
      if (version instanceof RecordRejection) return version;
      const remember = (): JsonObject => {
        ledger.remember(key, { hash: version.hash, content: keepContent ? record : undefined });
        return record;
      };
      if (ledger.replaying) return remember();
      const previous = await ledger.recall(key);
      const verdict = judgeVersion(previous, version.hash);
      if (verdict === 'new') return remember();
      if (verdict === 'same' || onChange === 'skip') return DUPLICATE;
      if (onChange === 'send') return remember();
      const reason = changedReason({
        key,
        happened: 'passed this dedupe step',
        at: previous?.at,
        before: previous?.content === undefined ? undefined : JSON.stringify(previous.content),
        after: record,
        replayDoes: 'let the new version through',
      });
      return new RecordRejection(reason, CHANGED_AFTER_DELIVERY);
    };
  },
  // A key naming a field the records cannot have would reject every record: refuse it offline.
  shape(config, input) {
    const problems = [...config.key.matchAll(FIELD)].flatMap((match) => {
      const field = match[1] as string;
      const missing = missingField(input, field);
      return missing === undefined ? [] : [{ path: ['key'], message: `dedupe key field "${field}": ${missing}` }];
    });
    return { output: input, problems };
  },
});

/** Where no run hands a ledger (a config check, `keel test`): remembered for the life of the step. */
function memoryLedger(): StepLedger {
  const seen = new Map<string, RememberedVersion>();
  return {
    replaying: false,
    recall: async (key) => seen.get(key),
    remember: (key, version) => void seen.set(key, { hash: version.hash, content: version.content, at: new Date().toISOString() }),
  };
}
