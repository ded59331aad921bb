// The real server's log: one JSON line per request (path without query or token, status, time,
// cache outcome) and a "listening" line at start; LOG_REQUESTS=off turns request lines off.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let t: TestDb;
let server: TestServer;

beforeAll(async () => {
  t = await createTestDb({ seed: true });
  server = await startServer(t.url, { NEIGHBOUR_POLL_MINUTES: '0' });
});
afterAll(async () => {
  await server?.stop();
  t?.cleanup();
});

type Event = Record<string, unknown>;

function events(target: TestServer): Event[] {
  return target
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Event);
}

/** Waits (briefly) until a request line matching `match` has been written. */
async function requestLine(target: TestServer, match: (e: Event) => boolean): Promise<Event> {
  const deadline = Date.now() + 3000;
  for (;;) {
    const found = events(target).find((e) => e.msg === 'request' && match(e));
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`No matching request line in:\n${target.output()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('request log lines', () => {
  it('start with a "listening" line, and every line is JSON', () => {
    const lines = server.output().split('\n').filter(Boolean);
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
    expect(events(server).find((e) => e.msg === 'listening')).toMatchObject({ level: 'info', url: server.url, pageCache: true });
  });

  it('say method, path, status, time taken, cache outcome and bytes for each request', async () => {
    const path = '/services/schools';
    await (await server.get(`${path}?q=first`)).text();
    await (await server.get(`${path}?q=first`)).text();
    const first = await requestLine(server, (e) => e.path === path && e.cache === 'MISS');
    expect(first).toMatchObject({ level: 'info', method: 'GET', path, status: 200, cache: 'MISS' });
    expect(first.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(typeof first.ms).toBe('number');
    expect(Math.round((first.ms as number) * 10) / 10).toBe(first.ms);
    const hit = await requestLine(server, (e) => e.path === path && e.cache === 'HIT');
    expect(hit).toMatchObject({ status: 200 });
    expect(hit.bytes).toBeGreaterThan(1000);
    expect(server.output()).not.toContain('q=first');
  });

  it('log staff and error responses with no cache outcome', async () => {
    await (await server.get('/staff')).text();
    await (await server.get('/no-such-page')).text();
    expect(await requestLine(server, (e) => e.path === '/staff')).toMatchObject({ status: 303, cache: null });
    expect(await requestLine(server, (e) => e.path === '/no-such-page')).toMatchObject({ status: 404 });
  });

  it('never write a suggestion tracking token', async () => {
    const token = 'k3j4h5g6f7d8s9a0q1w2e3r4t5y6u7i8';
    await (await server.get(`/suggestions/${token}?done=sent`)).text();
    const line = await requestLine(server, (e) => e.path === '/suggestions/:token');
    expect(line).toMatchObject({ method: 'GET', path: '/suggestions/:token' });
    expect(server.output()).not.toContain(token);
  });

  it('are not written with LOG_REQUESTS=off', async () => {
    const quiet = await startServer(t.url, { LOG_REQUESTS: 'off', NEIGHBOUR_POLL_MINUTES: '0' });
    try {
      await (await quiet.get('/services/schools')).text();
      await new Promise((r) => setTimeout(r, 200));
      expect(events(quiet).find((e) => e.msg === 'listening')).toMatchObject({ logRequests: false });
      expect(events(quiet).filter((e) => e.msg === 'request')).toEqual([]);
    } finally {
      await quiet.stop();
    }
  });
});
