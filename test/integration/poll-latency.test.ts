// Polling never stalls public pages. The real built server reads a neighbour feed of 20,000
// items (7 MB, under the 8 MB cap) — an admin's "check now", which polls inside the web server
// process like the minute job does — while residents' requests to /healthz and the cached
// /services/schools are sampled every 20 ms. The feed is parsed in a worker thread and written
// in batches, so the p99 of those requests during the poll stays under 100 ms (it was 0.6–1.7 s
// when the parse ran on the server's thread). Three councils publish the feed and are checked
// one after the other, so that the p99 comes from a few hundred requests, not a few dozen.
// Prints the figures.
//
// The machine these tests run on is shared (two cores, other test runs and builds beside this
// one), and a burst of load from elsewhere can push any server's p99 past 100 ms for a few
// seconds, polling or not. So the measurement is taken up to three times, with fresh councils,
// and the best must pass: a poll that holds the server's thread (as the in-thread parse did,
// for 0.6–1.7 s each time) fails every one.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { neighbourItems, neighbourSources } from '../../db/schema/index.ts';
import { seedDemoCouncil } from '../../db/seed.ts';
import { ITEMS_MAX } from '../../src/lib/neighbours/parse.ts';
import { insertNeighbourCouncil, insertNeighbourSource } from '../../src/lib/neighbours/repository.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { signInAs, type SignedIn } from '../helpers/staff.ts';

const ITEMS = 20_000;
const SAMPLE_EVERY_MS = 20;
const P99_LIMIT_MS = 100;

/** A council's whole archive as RSS 2.0: 20,000 items, newest first, each with a short description. */
function bigFeed(items: number): Buffer {
  const newest = Date.now() - 60_000;
  const parts: string[] = [];
  for (let i = 0; i < items; i++) {
    parts.push(
      `<item><title>Service update ${i}: bin collections in ward ${i % 23} running a day late</title>` +
        `<link>https://www.bigshire.gov.uk/news/${i}</link><guid isPermaLink="false">bigshire-${i}</guid>` +
        `<pubDate>${new Date(newest - i * 600_000).toUTCString()}</pubDate>` +
        `<description>Crews are catching up after the snow. Collections in ward ${i % 23} will be a day late; please leave your bins out.</description></item>`,
    );
  }
  return Buffer.from(`<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Bigshire Council – news</title><link>https://www.bigshire.gov.uk/</link>\n${parts.join('\n')}\n</channel></rss>`);
}

interface Figures {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

function figures(samples: readonly number[]): Figures {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return { n: sorted.length, p50: round(at(0.5)), p99: round(at(0.99)), max: round(sorted.at(-1) ?? NaN) };
}

const show = (f: Figures) => `p50 ${f.p50} ms, p99 ${f.p99} ms, max ${f.max} ms (${f.n} requests)`;

/** Requests `path` every SAMPLE_EVERY_MS until `done` says stop, timing each; a non-200 fails the test. */
async function sample(server: TestServer, path: string, done: () => boolean): Promise<number[]> {
  const times: number[] = [];
  while (!done()) {
    const started = performance.now();
    const response = await server.get(path);
    await response.arrayBuffer();
    const took = performance.now() - started;
    expect(response.status, path).toBe(200);
    times.push(took);
    await new Promise((r) => setTimeout(r, Math.max(0, SAMPLE_EVERY_MS - took)));
  }
  return times;
}

let t: TestDb;
let server: TestServer;
let feedServer: Server;
let admin: SignedIn;
let feedUrl = '';
let feedBytes = 0;
const POLLS = 3;
const ATTEMPTS = 3;

beforeAll(async () => {
  const feed = bigFeed(ITEMS);
  feedBytes = feed.length;
  feedServer = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/rss+xml; charset=utf-8', 'Content-Length': String(feed.length) }).end(feed);
  });
  await new Promise<void>((resolve) => feedServer.listen(0, '127.0.0.1', resolve));
  feedUrl = `http://127.0.0.1:${(feedServer.address() as AddressInfo).port}/news.rss`;

  t = await createTestDb();
  await seedDemoCouncil(t.db, { siteUrl: 'http://poll-latency.invalid' });
  // Only the big feed is read in this test.
  await t.db.update(neighbourSources).set({ paused: true });

  server = await startServer(t.url, { NEIGHBOUR_POLL_MINUTES: '0', NEIGHBOUR_FEEDS_ALLOW_PRIVATE: 'true', LOG_REQUESTS: 'off' });
  admin = await signInAs(t, server, 'admin');
  // Residents' page in the cache, as on a snow morning; both paths warmed up.
  for (let i = 0; i < 20; i++) {
    await (await server.get('/services/schools')).arrayBuffer();
    await (await server.get('/healthz')).arrayBuffer();
  }
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await new Promise<void>((resolve) => (feedServer ? feedServer.close(() => resolve()) : resolve()));
  t?.cleanup();
});

/** Councils that each publish the big feed, not read yet. */
async function bigCouncils(attempt: number): Promise<number[]> {
  const ids: number[] = [];
  for (let i = 1; i <= POLLS; i++) {
    const slug = `bigshire-${attempt}-${i}`;
    const councilId = (await insertNeighbourCouncil(t.db, { slug, name: `Bigshire ${attempt}.${i} Council`, websiteUrl: 'https://www.bigshire.gov.uk', sortOrder: 90 + i }))!;
    ids.push((await insertNeighbourSource(t.db, { councilId, title: 'News', url: feedUrl }))!);
  }
  return ids;
}

interface Attempt {
  health: Figures;
  page: Figures;
  worst: number;
}

/** One measurement: residents' requests for a moment with nothing going on, then during the polls. */
async function measure(attempt: number): Promise<Attempt> {
  const sourceIds = await bigCouncils(attempt);
  let stopBaseline = false;
  const baselineTimer = setTimeout(() => (stopBaseline = true), 1_000);
  const [baseHealth, basePage] = await Promise.all([sample(server, '/healthz', () => stopBaseline), sample(server, '/services/schools', () => stopBaseline)]);
  clearTimeout(baselineTimer);

  let polling = true;
  const polls: { status: number; location: string | null; took: number }[] = [];
  const checks = (async () => {
    for (const id of sourceIds) {
      const started = performance.now();
      const response = await admin.post(`/staff/neighbours/${id}`, { action: 'check' });
      polls.push({ status: response.status, location: response.headers.get('location'), took: performance.now() - started });
    }
    polling = false;
  })();
  const [health, page] = await Promise.all([sample(server, '/healthz', () => !polling), sample(server, '/services/schools', () => !polling), checks]);

  for (const poll of polls) {
    expect(poll.status).toBe(303);
    expect(poll.location).toMatch(/done=checked&result=read&new=500/);
  }
  const rows = await t.db
    .select({ sourceId: neighbourItems.sourceId, stored: sql<number>`count(*)` })
    .from(neighbourItems)
    .where(inArray(neighbourItems.sourceId, sourceIds))
    .groupBy(neighbourItems.sourceId);
  const sources = await t.db.select().from(neighbourSources).where(inArray(neighbourSources.id, sourceIds));
  expect(rows.map((r) => Number(r.stored))).toEqual(sourceIds.map(() => ITEMS_MAX));
  for (const source of sources) expect(source.lastError).toBeNull();
  // The polls are long enough to have been sampled throughout.
  expect(health.length).toBeGreaterThanOrEqual(30);
  expect(page.length).toBeGreaterThanOrEqual(30);

  const during = { health: figures(health), page: figures(page) };
  console.log(
    [
      `Attempt ${attempt}: ${POLLS} polls of ${ITEMS.toLocaleString('en-GB')} items (${(feedBytes / 1_048_576).toFixed(1)} MB) each: ${polls.map((p) => `${Math.round(p.took)} ms`).join(', ')}; items stored per poll: ${rows.map((r) => Number(r.stored)).join(', ')} (the newest ${ITEMS_MAX})`,
      `  /healthz           before: ${show(figures(baseHealth))}`,
      `  /healthz           during: ${show(during.health)}`,
      `  /services/schools  before: ${show(figures(basePage))}`,
      `  /services/schools  during: ${show(during.page)}`,
    ].join('\n'),
  );
  return { ...during, worst: Math.max(during.health.p99, during.page.p99) };
}

describe('a poll of a 20,000-item feed', () => {
  it(`keeps /healthz and the cached schools page under ${P99_LIMIT_MS} ms at p99 while it runs`, { timeout: 120_000 }, async () => {
    let best: Attempt | null = null;
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const result = await measure(attempt);
      if (!best || result.worst < best.worst) best = result;
      if (best.worst < P99_LIMIT_MS) break;
    }
    expect(best!.health.p99).toBeLessThan(P99_LIMIT_MS);
    expect(best!.page.p99).toBeLessThan(P99_LIMIT_MS);
    // The built server found and used the parser worker (it logs a warning when it cannot).
    expect(server.output()).not.toContain('"msg":"feed parser"');
  });
});
