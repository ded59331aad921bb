// The webhook sender on its own, against a local receiver: what it sends, the plain words it
// records when a partner cannot be reached, and that in production it never connects to this
// machine or a private network — by an address written as an IP, or by a name that resolves there.
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhookSender } from '../../src/lib/notifications/webhook-sender.ts';
import { SendError } from '../../src/lib/notifications/transports.ts';
import { freePort } from '../helpers/server.ts';

let receiver: Server;
let port: number;
const received: { headers: IncomingHttpHeaders; body: string }[] = [];

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(req.url === '/gone' ? 410 : 204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  port = (receiver.address() as AddressInfo).port;
});
afterAll(() => new Promise((resolve) => receiver.close(resolve)));

const message = (url: string) => ({ url, secret: 'shared secret', body: '{"event":1}', key: 'webhook:1:1' });

async function failure(promise: Promise<unknown>): Promise<SendError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(SendError);
  return error as SendError;
}

describe('sending to a webhook', () => {
  it('POSTs the body as it was signed, with the timestamp, delivery id and try number', async () => {
    const sender = createWebhookSender({ allowPrivateAddresses: true });
    expect(await sender.send(message(`http://127.0.0.1:${port}/hook`), 2)).toEqual({ response: 'HTTP 204' });
    const [got] = received.slice(-1);
    expect(got!.body).toBe('{"event":1}');
    expect(got!.headers['x-delivery']).toBe('webhook:1:1');
    expect(got!.headers['x-attempt']).toBe('2');
    const timestamp = String(got!.headers['x-timestamp']);
    expect(got!.headers['x-signature']).toBe(`sha256=${createHmac('sha256', 'shared secret').update(`${timestamp}.{"event":1}`).digest('hex')}`);
  });

  it('gives up at once on 410 Gone, and says why a connection failed', async () => {
    const sender = createWebhookSender({ allowPrivateAddresses: true });
    const gone = await failure(sender.send(message(`http://127.0.0.1:${port}/gone`), 1));
    expect(gone).toMatchObject({ message: 'HTTP 410', permanent: true, httpStatus: 410 });
    const closed = await failure(sender.send(message(`http://127.0.0.1:${await freePort()}/hook`), 1));
    expect(closed).toMatchObject({ message: 'the server at 127.0.0.1 refused the connection', permanent: false, httpStatus: null });
  });

  it('in production, refuses this machine by IP and by a name that resolves to it, sending nothing', async () => {
    const sender = createWebhookSender({ allowPrivateAddresses: false });
    const before = received.length;
    const byIp = await failure(sender.send(message(`http://127.0.0.1:${port}/hook`), 1));
    expect(byIp.message).toContain('private or local network');
    const byName = await failure(sender.send(message(`http://localhost:${port}/hook`), 1));
    expect(byName.message).toContain('private or local network');
    expect(received.length).toBe(before);
  });
});
