// The offline demo of neighbours' feeds: the built site serves the sample feeds with today's
// times, and `npm run feeds:poll` reads them all through it, one line per feed, exit code 0.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoCouncil } from '../../db/seed.ts';
import { loadDemoSources } from '../../src/lib/neighbours/demo-content.ts';
import { parseFeed } from '../../src/lib/neighbours/parse.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let t: TestDb;
let server: TestServer;

beforeAll(async () => {
  t = await createTestDb();
  // Background polling off: this test polls by hand.
  server = await startServer(t.url, { NEIGHBOUR_POLL_MINUTES: '0' });
  // Seeded after the server starts, so the demo sources point at this server's address.
  await seedDemoCouncil(t.db, { siteUrl: server.url });
});

afterAll(async () => {
  await server?.stop();
  t?.cleanup();
});

function runFeedsPoll(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/scripts/feeds-poll.ts'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the demo neighbour feeds', () => {
  it('are served with today’s times filled in, and parse', async () => {
    const response = await server.get('/demo/neighbour-feeds/rochdale-school-closures.rss');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/rss\+xml/);
    const body = await response.text();
    expect(body).not.toContain('{{');
    const feed = parseFeed(body);
    expect(feed.ok && feed.items[0]!.title).toBe('All schools in Rochdale closed today');
    const published = feed.ok ? feed.items[0]!.publishedAt! : new Date(0);
    expect(Math.abs(Date.now() - 2 * 3_600_000 - published.getTime())).toBeLessThan(5 * 60_000);
  });

  it('answer 304 to the ETag they sent', async () => {
    const first = await server.get('/demo/neighbour-feeds/leeds-news.json');
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^".+"$/);
    const second = await server.get('/demo/neighbour-feeds/leeds-news.json', { headers: { 'If-None-Match': etag } });
    expect(second.status).toBe(304);
  });

  it('are a 404 for anything that is not a sample feed', async () => {
    for (const path of ['/demo/neighbour-feeds/nope.rss', '/demo/neighbour-feeds/..%2Fcouncil.yaml', '/demo/neighbour-feeds/README.md']) {
      expect((await server.get(path)).status, path).toBe(404);
    }
  });

  it('are all read by `npm run feeds:poll`, one line per feed, exiting 0', async () => {
    const { code, stdout, stderr } = await runFeedsPoll({ DATABASE_URL: t.url, NEIGHBOUR_FEEDS_ALLOW_PRIVATE: 'true' });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    // The neighbouring councils' feeds and the national warning feeds (Met Office, GOV.UK).
    const feeds = (await loadDemoSources()).flatMap((c) => c.feeds.map((f) => `${c.name} — ${f.title}`));
    expect(lines).toHaveLength(feeds.length);
    for (const line of lines) expect(line).toMatch(/^.+ — .+: \d+ new, \d+ unchanged/);
    expect(lines).toContain('Rochdale Council — School closures: 4 new, 0 unchanged');
    expect(lines.find((line) => line.startsWith('Met Office — Weather warnings, Yorkshire & Humber: '))).toMatch(/: [1-9]\d* new, 0 unchanged/);

    // A second run finds nothing new: the site answers 304 to the validators of the first.
    const again = await runFeedsPoll({ DATABASE_URL: t.url, NEIGHBOUR_FEEDS_ALLOW_PRIVATE: 'true' });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('Rochdale Council — School closures: 0 new, 4 unchanged (not changed since the last check)');
  });

  it('reports each feed’s error in plain words and still exits 0', async () => {
    const { code, stdout } = await runFeedsPoll({ DATABASE_URL: t.url, NEIGHBOUR_FEEDS_ALLOW_PRIVATE: 'false' });
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines.length).toBe(11);
    for (const line of lines) expect(line).toMatch(/: error: the address points to a private or local network \(127\.0\.0\.1\), which is not allowed$/);
  });

  it('exits 1 when the database cannot be opened', async () => {
    // A database "inside" a plain file: the folder for it cannot exist.
    const notAFolder = join(t.url.slice('file:'.length), '..', 'not-a-folder');
    writeFileSync(notAFolder, '');
    const { code, stderr } = await runFeedsPoll({ DATABASE_URL: `file:${notAFolder}/alerts.db` });
    expect(code).toBe(1);
    expect(stderr).toMatch(/could not be opened/);
  });
});
