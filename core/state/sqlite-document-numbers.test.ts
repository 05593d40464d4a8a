import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteStateStore } from './sqlite-store.js';

/** The child runs compiled code: `npm test` builds dist/ first. */
const SCRIPT = fileURLToPath(new URL('../../dist/test-support/number-documents.js', import.meta.url));

let dir: string | undefined;
afterEach(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

interface Numbering {
  /** Every `<key> <number>` line the child printed, each printed after its number was committed. */
  lines: [key: string, number: number][];
  signal: NodeJS.Signals | null;
  code: number | null;
}

/** Runs a numbering child; kills it with SIGKILL once it has printed `killAfterLines` lines (or after 30 s). */
function numberDocuments(path: string, keys: number, seed: number, start: number, killAfterLines = Number.POSITIVE_INFINITY): Promise<Numbering> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SCRIPT, path, String(keys), String(seed), String(start)], { stdio: ['ignore', 'pipe', 'inherit'] });
    const deadline = setTimeout(() => child.kill('SIGKILL'), 30_000);
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.split('\n').length - 1 >= killAfterLines) child.kill('SIGKILL');
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(deadline);
      // A line cut short by the kill is not counted: only whole lines were surely committed.
      const lines = out
        .split('\n')
        .slice(0, -1)
        .map((line): [string, number] => {
          const [key, number] = line.split(' ');
          return [key ?? '', Number(number)];
        });
      resolve({ lines, signal, code });
    });
  });
}

/** The numbers the state file holds, read back by a store of this process. */
async function storedNumbers(path: string): Promise<Map<string, number>> {
  const store = new SqliteStateStore(path);
  try {
    const listed = await store.documentNumbers.list('invoice', 2026, { limit: 100_000 });
    return new Map(listed.map((number) => [number.documentKey, number.number]));
  } finally {
    await store.close();
  }
}

/** Exactly 1..keys, each document once, and every number any child was told is the one stored. */
function expectGapFree(stored: Map<string, number>, keys: number, told: readonly Numbering[]): void {
  expect([...stored.values()].sort((a, b) => a - b)).toEqual(Array.from({ length: keys }, (_, index) => index + 1));
  expect([...stored.keys()].sort()).toEqual(Array.from({ length: keys }, (_, index) => `doc:${index + 1}`).sort());
  const contradictions = told.flatMap((run) => run.lines.filter(([key, number]) => stored.get(key) !== number));
  expect(contradictions).toEqual([]);
}

describe('document numbers on one state file shared by processes', () => {
  it('are gap-free and given once when two processes number the same documents at the same moment', async () => {
    dir = mkdtempSync(join(tmpdir(), 'keel-numbers-race-'));
    const path = join(dir, 'state.db');
    const keys = 300;
    const start = Date.now() + 500;
    const runs = await Promise.all([numberDocuments(path, keys, 1, start), numberDocuments(path, keys, 2, start)]);
    expect(runs.map((run) => [run.code, run.lines.length])).toEqual([
      [0, keys],
      [0, keys],
    ]);
    expectGapFree(await storedNumbers(path), keys, runs);
  }, 60_000);

  it('are gap-free after processes are SIGKILLed while numbering at random moments, and a re-run gives each document its first number', async () => {
    dir = mkdtempSync(join(tmpdir(), 'keel-numbers-kill-'));
    const path = join(dir, 'state.db');
    const keys = 400;
    const told: Numbering[] = [];
    const rounds = 5;
    for (let round = 0; round < rounds; round += 1) {
      const start = Date.now() + 300;
      // Two children a round, each killed after a random count of answers: mostly mid-transaction or between two.
      const kills = [1 + Math.floor(Math.random() * (keys / 4)), 1 + Math.floor(Math.random() * (keys / 4))];
      told.push(...(await Promise.all(kills.map((after, index) => numberDocuments(path, keys, round * 2 + index + 10, start, after)))));
    }
    expect(told.filter((run) => run.signal === 'SIGKILL').length).toBeGreaterThanOrEqual(rounds * 2 - 1);
    const before = await storedNumbers(path);
    expect(before.size).toBeLessThan(keys);

    const final = await numberDocuments(path, keys, 99, Date.now());
    expect([final.code, final.lines.length]).toEqual([0, keys]);
    expectGapFree(await storedNumbers(path), keys, [...told, final]);
    // Documents numbered before the kills kept their numbers when the re-run asked again.
    for (const [key, number] of before) expect(final.lines.find(([asked]) => asked === key)?.[1]).toBe(number);
  }, 120_000);
});
