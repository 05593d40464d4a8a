import { request } from 'node:http';

/** A webhook delivery as a shop sends it: the headers and the exact bytes it signed. */
export interface SignedDelivery {
  headers: Record<string, string>;
  body: Buffer;
}

export interface DeliveryAnswer {
  status: number;
  body: string;
}

/** POSTs a delivery to `url` over real HTTP, as the shop would, and reads the answer. */
export function postDelivery(url: string, delivery: SignedDelivery): Promise<DeliveryAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { ...delivery.headers, 'content-length': String(delivery.body.length) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(delivery.body);
  });
}
