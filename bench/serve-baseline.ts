/**
 * The `serve` bench's baseline: a bare Fastify handler answering GET /stock/:sku with the rows
 * keel serve's stock lookup reads (levels, units held, reservations, incoming) straight from the
 * same SQLite file: no token, no schema, no channel arithmetic. Prints its URL, runs until killed.
 */
import Database from 'better-sqlite3';
import Fastify from 'fastify';

const [statePath] = process.argv.slice(2);
if (statePath === undefined) throw new Error('usage: serve-baseline <state.db>');
const db = new Database(statePath, { readonly: true });
const levels = db.prepare('SELECT location_id, on_hand FROM inv_levels WHERE sku = ? ORDER BY location_id');
const held = db.prepare(
  "SELECT location_id, SUM(quantity) AS total FROM inv_reservations WHERE sku = ? AND status = 'active' AND expires_at > ? AND location_id IS NOT NULL GROUP BY location_id",
);
const reserved = db.prepare(
  "SELECT channel, kind, SUM(quantity) AS total FROM inv_reservations WHERE sku = ? AND status = 'active' AND expires_at > ? AND location_id IS NULL GROUP BY channel, kind",
);
const incoming = db.prepare('SELECT location_id, quantity, expected_at FROM inv_incoming WHERE sku = ? ORDER BY expected_at');

const app = Fastify({ logger: false });
app.get<{ Params: { sku: string } }>('/stock/:sku', async (request, reply) => {
  const { sku } = request.params;
  const onHand = levels.all(sku);
  if (onHand.length === 0) return reply.code(404).send({ error: 'sku_unknown' });
  const now = Date.now();
  return { sku, on_hand: onHand, held: held.all(sku, now), reserved: reserved.all(sku, now), incoming: incoming.all(sku) };
});
const url = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`listening on ${url}\n`);
