import { spawn } from 'node:child_process';
import { CHILD_SCRIPT } from './paths.js';
import { parseChildResult, type ChildResult, type ChildTask } from './protocol.js';

/**
 * Runs one task in a fresh `node` child and returns its result. The child's stderr is passed
 * through (warnings, profiles written); its stdout is the result line.
 * `nodeFlags` go before the script, e.g. `--cpu-prof` to profile just this measurement.
 */
export function measureInChild(task: ChildTask, nodeFlags: readonly string[] = []): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeFlags, CHILD_SCRIPT, JSON.stringify(task)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text: string) => {
      stdout += text;
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code !== 0) {
        reject(new Error(`bench child (${task.kind}) exited with ${signal ?? `code ${code}`}`));
        return;
      }
      const last = stdout.trim().split('\n').pop() ?? '';
      try {
        resolve(parseChildResult(last));
      } catch (error) {
        reject(error);
      }
    });
  });
}
