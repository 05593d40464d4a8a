import { tempProject, type TempProject } from './temp-project.js';

/**
 * A project whose pipelines copy NDJSON files from `in/` to `out/` on a schedule: `tick` on the
 * given cron, and optionally `follow`, which has no schedule and runs after `tick`.
 */
export function scheduleProject(options: { cron: string; misfire?: 'skip' | 'run_once'; follower?: boolean; jitterSeconds?: number }): TempProject {
  const schedule = `schedule: { cron: "${options.cron}", misfire: ${options.misfire ?? 'skip'}${options.jitterSeconds !== undefined ? `, jitter_seconds: ${options.jitterSeconds}` : ''} }`;
  const pipeline = (name: string, head: string) =>
    `name: ${name}\n${head}\nsource: { connection: inbox, stream: files, options: { path: "*.ndjson" } }\ntargets:\n  - { connection: outbox, stream: files, key: "{{id}}", options: { path: "${name}-{seq}.ndjson" } }\n`;
  return tempProject({
    'keel.yaml': 'name: scheduled\nconnections:\n  inbox: { connector: file, config: { root: ./in } }\n  outbox: { connector: file, config: { root: ./out } }\n',
    'in/a.ndjson': '{"id":"1"}\n{"id":"2"}\n',
    'out/.keep': '',
    'pipelines/tick.yaml': pipeline('tick', schedule),
    ...(options.follower === true ? { 'pipelines/follow.yaml': pipeline('follow', 'after: [tick]') } : {}),
  });
}
