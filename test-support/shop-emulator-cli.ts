/**
 * Runs the shop emulator on its own, e.g. to try a pipeline against it by hand:
 *   node dist/test-support/shop-emulator-cli.js --port 8080 --orders 1000 --bucket 40/2 --errors 0.02
 */
import { parseArgs } from 'node:util';
import { ShopEmulator } from './shop-emulator.js';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8080' },
    orders: { type: 'string', default: '1000' },
    bucket: { type: 'string' },
    errors: { type: 'string' },
    slow: { type: 'string' },
    mutate: { type: 'string' },
    'ignore-idempotency-key': { type: 'boolean', default: false },
    seed: { type: 'string', default: '1' },
  },
});
const bucket = values.bucket !== undefined ? /^(\d+)\/(\d+(?:\.\d+)?)$/.exec(values.bucket) : null;
const emulator = new ShopEmulator({
  orders: Number(values.orders),
  seed: Number(values.seed),
  bucket: bucket !== null ? { capacity: Number(bucket[1]), perSecond: Number(bucket[2]) } : undefined,
  errorRate: values.errors !== undefined ? Number(values.errors) : undefined,
  slowRate: values.slow !== undefined ? Number(values.slow) : undefined,
  mutateEvery: values.mutate !== undefined ? Number(values.mutate) : undefined,
  ignoreIdempotencyKey: values['ignore-idempotency-key'],
});
const url = await emulator.start(Number(values.port));
process.stdout.write(`shop emulator on ${url} (orders: GET ${url}/orders.json, target: POST ${url}/target/orders.json)\n`);
const stop = (): void => {
  process.stdout.write(`stopping; ${JSON.stringify(emulator.stats)}\n`);
  void emulator.stop().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
