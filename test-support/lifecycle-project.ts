import { tempProject, type TempProject } from './temp-project.js';

/** A project whose keel.yaml turns the lifecycle on, beside one plain file pipeline (a project needs one). */
export function lifecycleProject(): TempProject {
  return tempProject({
    'keel.yaml': `name: shop
connections:
  inbox: { connector: file, config: { root: ./in } }
  outbox: { connector: file, config: { root: ./out } }
lifecycle: {}
`,
    'pipelines/orders.yaml': 'name: orders\nsource: { connection: inbox, stream: files, options: { path: "*.csv" } }\ntargets:\n  - { connection: outbox, stream: files, options: { path: "out-{seq}.ndjson" } }\n',
  });
}
