import axios from 'axios';
import LinkHeader from 'http-link-header';
import { performance } from 'node:perf_hooks';
import type { Measured } from './child-tasks.js';

interface EmulatedOrder {
  id: number;
  currency: string;
  created_at: string;
  updated_at: string;
  line_items: { sku: string; quantity: number; price: string }[];
}

/**
 * What a developer would write without Keel: follow the Link header page by page and post every
 * order, mapped by hand to the same canonical shape, `concurrency` at a time with an
 * Idempotency-Key. No retries, no state, no validation: the ceiling of the http-orders scenario.
 */
export async function httpBaseline(url: string, pageSize: number, concurrency: number): Promise<Measured> {
  // No redirects, as Keel's client: axios then uses Node's http directly instead of follow-redirects.
  const http = axios.create({ maxRedirects: 0 });
  const started = performance.now();
  let next: string | undefined = `${url}/orders.json?limit=${pageSize}`;
  let records = 0;
  while (next !== undefined) {
    const page: { data: { orders: EmulatedOrder[] }; headers: Record<string, unknown> } = await http.get(next);
    const orders = page.data.orders;
    let index = 0;
    const post = async (): Promise<void> => {
      while (index < orders.length) {
        const order = orders[index] as EmulatedOrder;
        index += 1;
        const canonical = {
          channel: 'web-shop',
          external_id: String(order.id),
          status: 'received',
          currency: order.currency,
          lines: order.line_items.map((line) => ({ sku: line.sku, quantity: line.quantity, total: { amount: line.price, currency: order.currency } })),
          created_at: order.created_at,
          updated_at: order.updated_at,
        };
        await http.post(`${url}/target/orders.json`, { order: canonical }, { headers: { 'idempotency-key': `${order.id}@${order.updated_at}` } });
        records += 1;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, post));
    const link = page.headers['link'];
    next = typeof link === 'string' ? LinkHeader.parse(link).rel('next')[0]?.uri : undefined;
  }
  return { records, elapsedMs: performance.now() - started };
}
