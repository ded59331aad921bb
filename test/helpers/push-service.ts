// A real mock push service for tests: web-push-testing (its server, on a free port) behind a
// small HTTPS proxy with the test certificate in test/fixtures/tls — the `web-push` package only
// ever speaks HTTPS to a push service, and web-push-testing only serves plain HTTP. A server
// under test trusts the certificate when started with `NODE_EXTRA_CA_CERTS: TEST_CA_CERT`.
// Subscriptions it hands out point at the HTTPS proxy, as a browser's point at its push service.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer as createHttpsServer, type Server } from 'node:https';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './server.ts';

const TLS_DIR = fileURLToPath(new URL('../fixtures/tls/', import.meta.url));
/** The certificate the mock push service's HTTPS proxy uses: pass it as NODE_EXTRA_CA_CERTS. */
export const TEST_CA_CERT = join(TLS_DIR, 'localhost-cert.pem');

export interface BrowserSubscription {
  endpoint: string;
  keys: { p256dh: string; auth: string };
  /** web-push-testing's name for this subscription (to read its messages or expire it). */
  clientHash: string;
}

export interface PushService {
  /** A new subscription, as a browser's pushManager.subscribe would give it. */
  subscribe: (applicationServerKey: string) => Promise<BrowserSubscription>;
  /** The decrypted payloads the service has received for a subscription, oldest first. */
  messages: (clientHash: string) => Promise<string[]>;
  /** Ends a subscription: from now on the service answers 410 Gone for it. */
  expire: (clientHash: string) => Promise<void>;
  stop: () => Promise<void>;
}

async function call(base: string, path: string, body: unknown): Promise<unknown> {
  const response = await fetch(`${base}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) throw new Error(`web-push-testing ${path} answered ${response.status}: ${text}`);
  return response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text;
}

export async function startPushService(): Promise<PushService> {
  const port = await freePort();
  const script = join(createRequire(import.meta.url).resolve('web-push-testing/package.json'), '..', 'src/bin/server.js');
  const child: ChildProcess = spawn(process.execPath, [script, String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`web-push-testing did not start:\n${log}`)), 10_000);
    child.stdout!.on('data', (chunk) => {
      log += chunk;
      if (log.includes('Server running')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr!.on('data', (chunk) => (log += chunk));
    child.once('exit', (code) => reject(new Error(`web-push-testing exited (${code}):\n${log}`)));
  });
  const plain = `http://127.0.0.1:${port}`;

  const proxy: Server = createHttpsServer({ key: readFileSync(join(TLS_DIR, 'localhost-key.pem')), cert: readFileSync(TEST_CA_CERT) }, (req, res) => {
    const upstream = httpRequest({ host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  const proxyPort = await new Promise<number>((resolve) => proxy.listen(0, '127.0.0.1', () => resolve((proxy.address() as { port: number }).port)));

  return {
    async subscribe(applicationServerKey) {
      const { data } = (await call(plain, '/subscribe', { userVisibleOnly: 'true', applicationServerKey })) as { data: BrowserSubscription };
      // web-push-testing names its own plain-HTTP address; a browser's endpoint is the HTTPS one.
      const endpoint = new URL(data.endpoint);
      return { ...data, endpoint: `https://127.0.0.1:${proxyPort}${endpoint.pathname}` };
    },
    async messages(clientHash) {
      const { data } = (await call(plain, '/get-notifications', { clientHash })) as { data: { messages: string[] } };
      return data.messages;
    },
    async expire(clientHash) {
      await call(plain, `/expire-subscription/${clientHash}`, {});
    },
    stop: () =>
      new Promise((resolve) => {
        proxy.close();
        proxy.closeAllConnections();
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
