import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A throw-away project folder; files are given as relative path → content. */
export interface TempProject {
  dir: string;
  write(files: Record<string, string>): void;
  path(...parts: string[]): string;
  remove(): void;
}

export function tempProject(files: Record<string, string> = {}): TempProject {
  const dir = mkdtempSync(join(tmpdir(), 'keel-test-'));
  const project: TempProject = {
    dir,
    write(more) {
      for (const [file, content] of Object.entries(more)) {
        const full = join(dir, file);
        mkdirSync(dirname(full), { recursive: true });
        writeFileSync(full, content);
      }
    },
    path: (...parts) => join(dir, ...parts),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
  project.write(files);
  return project;
}
