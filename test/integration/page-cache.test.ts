// The read path under load: validators, 304s, one render per change, and publishes showing up
// at once — in one server and across several server processes sharing one database.
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { places, revisions, services } from '../../db/schema/index.ts';
import type { PlaceContent } from '../../src/lib/revisions/content.ts';
import { publishRevision } from '../../src/lib/revisions/service.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let t: TestDb;
/** Checks for other processes' publishes on every request: "the next request" is exact. */
let strict: TestServer;
/** Default settings (checks every 250 ms), sharing the same database file. */
let relaxed: TestServer;
let note = 0;

/** Publishes a new note on the first school, as another process would. */
async function publishNote(text: string): Promise<void> {
  const [schools] = await t.db.select().from(services).where(eq(services.slug, 'schools'));
  const [place] = await t.db.select().from(places).where(and(eq(places.serviceId, schools!.id))).orderBy(places.name).limit(1);
  const [current] = await t.db.select().from(revisions).where(eq(revisions.id, place!.currentRevisionId!));
  const { noteHtml: _html, ...draft } = current!.content as PlaceContent;
  const result = await publishRevision(t.db, place!.id, current!.id, { kind: 'place', draft: { ...draft, noteMarkdown: text } }, {
    author: { accountId: null, label: 'test' },
    summary: 'cache test',
  });
  expect(result.ok).toBe(true);
}

async function waitFor(check: () => Promise<boolean>, ms: number): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - started;
}

beforeAll(async () => {
  t = await createTestDb({ seed: true });
  [strict, relaxed] = await Promise.all([startServer(t.url, { CACHE_CHECK_MS: '0' }), startServer(t.url)]);
});
afterAll(async () => {
  await Promise.all([strict?.stop(), relaxed?.stop()]);
  t?.cleanup();
});

describe('validators and conditional requests', () => {
  it('sends an ETag and Last-Modified on public pages, API and feeds', async () => {
    for (const path of ['/', '/services/schools', '/api/v1/services', '/feeds/changes.atom']) {
      const response = await strict.get(path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('etag'), path).toMatch(/^"[\w-]+"$/);
      expect(Date.parse(response.headers.get('last-modified') ?? ''), path).toBeGreaterThan(0);
    }
  });

  it('answers 304 to a matching If-None-Match, with no body', async () => {
    const first = await strict.get('/services/schools');
    const etag = first.headers.get('etag')!;
    const again = await strict.get('/services/schools', { headers: { 'If-None-Match': etag } });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(etag);
    expect(await again.text()).toBe('');
  });

  it('answers 200 to a stale If-None-Match', async () => {
    const response = await strict.get('/services/schools', { headers: { 'If-None-Match': '"something-else"' } });
    expect(response.status).toBe(200);
  });

  it('answers 304 to If-Modified-Since at or after Last-Modified', async () => {
    const lastModified = (await strict.get('/')).headers.get('last-modified')!;
    expect((await strict.get('/', { headers: { 'If-Modified-Since': lastModified } })).status).toBe(304);
    const earlier = new Date(Date.parse(lastModified) - 60_000).toUTCString();
    expect((await strict.get('/', { headers: { 'If-Modified-Since': earlier } })).status).toBe(200);
  });

  it('lets a CDN share a page briefly and keep serving it when the site fails', async () => {
    const cacheControl = (await strict.get('/services/schools')).headers.get('cache-control')!;
    expect(cacheControl).toMatch(/\bpublic\b/);
    expect(cacheControl).toMatch(/s-maxage=\d+/);
    expect(cacheControl).toMatch(/stale-while-revalidate=\d+/);
    expect(cacheControl).toMatch(/stale-if-error=\d+/);
  });
});

describe('the rendered-page cache', () => {
  it('serves a page from memory after the first render, byte for byte', async () => {
    await publishNote(`warm ${++note}`);
    const miss = await strict.get('/pages/about');
    const hit = await strict.get('/pages/about');
    expect(miss.headers.get('x-cache')).toBe('MISS');
    expect(hit.headers.get('x-cache')).toBe('HIT');
    expect(await hit.text()).toBe(await miss.text());
    expect(hit.headers.get('etag')).toBe(miss.headers.get('etag'));
    expect(hit.headers.get('content-security-policy')).toBe(miss.headers.get('content-security-policy'));
  });

  it('serves a shared link with campaign or click identifiers as the page itself, from the cache', async () => {
    await publishNote(`shared ${++note}`);
    const plain = await strict.get('/');
    expect(plain.headers.get('x-cache')).toBe('MISS');
    for (const link of ['/?utm_source=twitter&utm_medium=social', '/?fbclid=IwAR0abc123']) {
      const shared = await strict.get(link);
      expect(shared.headers.get('x-cache'), link).toBe('HIT');
      expect(shared.headers.get('etag'), link).toBe(plain.headers.get('etag'));
    }
    const search = await strict.get('/services/schools?q=colne&gclid=xyz');
    const same = await strict.get('/services/schools?q=colne');
    expect(same.headers.get('x-cache')).toBe('HIT');
    expect(await same.text()).toBe(await search.text());
  });

  it('renders a page once when many ask for it at the same moment', async () => {
    await publishNote(`stampede ${++note}`);
    const responses = await Promise.all(Array.from({ length: 40 }, () => strict.get('/services/libraries')));
    const kinds = responses.map((r) => r.headers.get('x-cache'));
    expect(kinds.filter((k) => k === 'MISS')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'HIT')).toHaveLength(39);
    expect(new Set(await Promise.all(responses.map((r) => r.text()))).size).toBe(1);
  });

  it('sends the same page compressed with brotli or gzip when asked', async () => {
    const plain = Buffer.from(await (await strict.get('/services/schools')).arrayBuffer());
    const br = await strict.get('/services/schools', { headers: { 'Accept-Encoding': 'br' } });
    const gzip = await strict.get('/services/schools', { headers: { 'Accept-Encoding': 'gzip' } });
    // fetch() decodes compressed bodies itself, so read the raw bytes through node:http.
    expect(br.headers.get('content-encoding')).toBe('br');
    expect(gzip.headers.get('content-encoding')).toBe('gzip');
    const raw = await rawGet(strict.url, '/services/schools', 'br');
    expect(brotliDecompressSync(raw).equals(plain)).toBe(true);
    const rawGzip = await rawGet(strict.url, '/services/schools', 'gzip');
    expect(gunzipSync(rawGzip).equals(plain)).toBe(true);
    expect(br.headers.get('vary')).toMatch(/Accept-Encoding/i);
  });

  it('answers HEAD from the cache with headers and no body', async () => {
    await strict.get('/services/schools');
    const head = await strict.get('/services/schools', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('x-cache')).toBe('HIT');
    expect(await head.text()).toBe('');
  });

  it('never sets a cookie, from the cache or not', async () => {
    for (const path of ['/', '/', '/services/schools', '/services/schools', '/api/v1/alerts', '/api/v1/alerts']) {
      expect((await strict.get(path)).headers.get('set-cookie'), path).toBeNull();
    }
  });
});

describe('publishing', () => {
  it('shows a published change on the very next request, with a new ETag', async () => {
    const before = await strict.get('/services/schools');
    const etagBefore = before.headers.get('etag');
    expect((await strict.get('/services/schools')).headers.get('x-cache')).toBe('HIT');
    const text = `Next request check ${++note}`;
    await publishNote(text);
    const after = await strict.get('/services/schools');
    expect(await after.text()).toContain(text);
    expect(after.headers.get('etag')).not.toBe(etagBefore);
    expect((await strict.get('/services/schools', { headers: { 'If-None-Match': etagBefore! } })).status).toBe(200);
  });

  it('shows a change on every page that carries it: page, API, feeds and CSV', async () => {
    for (const path of ['/services/schools', '/api/v1/services/schools', '/feeds/schools.rss', '/feeds/schools.csv']) await strict.get(path);
    const text = `Everywhere check ${++note}`;
    await publishNote(text);
    for (const path of ['/services/schools', '/api/v1/services/schools', '/feeds/schools.rss', '/feeds/schools.csv']) {
      expect(await (await strict.get(path)).text(), path).toContain(text);
    }
  });

  it('reaches another server process sharing the database within one second', async () => {
    await relaxed.get('/services/schools');
    expect((await relaxed.get('/services/schools')).headers.get('x-cache')).toBe('HIT');
    const text = `Other process check ${++note}`;
    await publishNote(text);
    const took = await waitFor(async () => (await (await relaxed.get('/services/schools')).text()).includes(text), 1000);
    expect(took).toBeLessThan(1000);
  });
});

/** GET without decoding the body, to see the bytes on the wire. */
async function rawGet(base: string, path: string, encoding: string): Promise<Buffer> {
  const { request } = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { headers: { 'Accept-Encoding': encoding } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks)));
    });
    req.on('error', reject);
    req.end();
  });
}
