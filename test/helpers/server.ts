// Runs the real built server (src/scripts/serve.ts in front of dist/server/entry.mjs) on a free loopback port against a given
// database, and a request helper that sends Origin the way a browser does.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export interface TestServer {
  url: string;
  get: (path: string, init?: RequestInit) => Promise<Response>;
  stop: () => Promise<void>;
  output: () => string;
  /** The server process's id (e.g. to read its memory from /proc). */
  pid?: number;
}

/** A free TCP port on the loopback address. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Starts the built server. By default waits until /healthz answers 200; with
 * `requireHealthy: false` it only waits until the server answers at all (for broken databases).
 */
export async function startServer(
  databaseUrl: string,
  env: Record<string, string> = {},
  options: { requireHealthy?: boolean } = {},
): Promise<TestServer> {
  const requireHealthy = options.requireHealthy ?? true;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let log = '';
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/scripts/serve.ts'], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), DATABASE_URL: databaseUrl, SITE_URL: url, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk) => (log += chunk));
  child.stderr?.on('data', (chunk) => (log += chunk));
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`The server exited early:\n${log}`);
    try {
      const response = await fetch(`${url}/healthz`);
      if (response.ok || !requireHealthy) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`The server did not become healthy:\n${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    get: (path, init) => fetch(`${url}${path}`, { redirect: 'manual', ...init }),
    output: () => log,
    pid: child.pid,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
