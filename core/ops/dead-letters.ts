import type { PipelinePlan } from '../config/plan.js';
import { runPipeline, type RunOptions, type RunSummary } from '../runtime/run-pipeline.js';
import type { DeadLetter, DeadLetterStatus, StateStore } from '../state/state-store.js';

/** A page of dead letters in id order, and the id the next page starts after (null: no more). */
export interface DeadLetterPage {
  letters: DeadLetter[];
  next: number | null;
}

/**
 * Dead letters as `keel dlq list` and `GET /dead-letters` page them: in id order, `limit` at a
 * time, the next page after the last id. `status` undefined lists every status.
 */
export async function deadLetterPage(
  store: StateStore,
  query: { pipeline?: string | undefined; status?: DeadLetterStatus | undefined; limit: number; afterId?: number | undefined },
): Promise<DeadLetterPage> {
  // One more than asked tells whether another page follows.
  const page = await store.listDeadLetters({
    limit: query.limit + 1,
    ...(query.pipeline !== undefined ? { pipeline: query.pipeline } : {}),
    ...(query.status !== undefined ? { status: query.status } : {}),
    ...(query.afterId !== undefined ? { afterId: query.afterId } : {}),
  });
  const letters = page.slice(0, query.limit);
  return { letters, next: page.length > query.limit ? (letters[letters.length - 1]?.id ?? null) : null };
}

/** A dead letter without its payload (which may be large): how lists show it. */
export function withoutPayload(letter: DeadLetter): Omit<DeadLetter, 'payload'> & { payloadBytes: number } {
  const { payload, ...rest } = letter;
  return { ...rest, payloadBytes: Buffer.byteLength(payload) };
}

/** The open dead letter `id`, or with no id every open one (of `pipeline`, if given). */
export async function openLetters(store: StateStore, id: number | undefined, pipeline: string | undefined): Promise<DeadLetter[]> {
  if (id === undefined) return store.listDeadLetters({ status: 'open', limit: 1_000_000, ...(pipeline !== undefined ? { pipeline } : {}) });
  const letter = await store.getDeadLetter(id);
  return letter !== undefined && letter.status === 'open' ? [letter] : [];
}

/**
 * Sends dead letters through their pipelines again, one replay run per pipeline that has some
 * (in the project's pipeline order). Letters of a pipeline the project no longer has are left.
 * A pipeline running elsewhere fails its replay with `pipeline_busy` (thrown, as runPipeline does).
 */
export async function replayDeadLetters(
  pipelines: readonly PipelinePlan[],
  letters: readonly DeadLetter[],
  options: Omit<RunOptions, 'replay'>,
): Promise<RunSummary[]> {
  const results: RunSummary[] = [];
  for (const pipeline of pipelines) {
    const mine = letters.filter((letter) => letter.pipeline === pipeline.name);
    if (mine.length === 0) continue;
    results.push(await runPipeline(pipeline, { ...options, replay: mine }));
  }
  return results;
}

/** Why a correction was refused, or the letter as corrected. */
export type Correction = { corrected: DeadLetter } | { refused: 'dead_letter_unknown' | 'dead_letter_not_open' | 'payload_not_object'; message: string };

/**
 * Replaces an open dead letter's payload with a corrected one (`keel dlq edit`, `PUT
 * /api/dead-letters/{id}/payload`); the payload that failed is kept as `originalPayload`. A letter
 * holding a JSON record takes only a JSON object, so a replay gets a record again.
 */
export async function correctDeadLetter(store: StateStore, id: number, payload: string): Promise<Correction> {
  const letter = await store.getDeadLetter(id);
  if (letter === undefined) return { refused: 'dead_letter_unknown', message: `no dead letter ${id}` };
  if (letter.payload.trimStart().startsWith('{') && !isJsonObject(payload)) {
    return { refused: 'payload_not_object', message: `dead letter ${id} holds a JSON record; the corrected payload must be a JSON object too` };
  }
  if (!(await store.editDeadLetter(id, payload))) return { refused: 'dead_letter_not_open', message: `dead letter ${id} is ${letter.status}, not open` };
  return { corrected: (await store.getDeadLetter(id)) ?? letter };
}

function isJsonObject(text: string): boolean {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value);
  } catch {
    return false;
  }
}
