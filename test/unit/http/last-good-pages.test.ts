// The last good copy of each page, kept for when the database stops answering, and the front
// server's use of it: served (marked, uncacheable) only when the content version cannot be
// checked, never while it can.
import { createServer, request, type Server } from 'node:http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createFrontHandler, lastCheckedLabel } from '../../../src/lib/http/front-server.ts';
import {
  clearPageCache,
  getLastGoodPage,
  MAX_PAGES,
  refreshContentState,
  registerContentStateReader,
  STALE_NOTICE_MARKER,
  storePage,
  type ContentState,
} from '../../../src/lib/http/page-cache.ts';
import { resetDatabaseHealth } from '../../../src/lib/server/database-health.ts';

const html = (text: string) => ({
  status: 200,
  headers: [['content-type', 'text/html; charset=utf-8'], ['cache-control', 'public, max-age=0']] as [string, string][],
  body: Buffer.from(`<html><body><header>Council</header>${STALE_NOTICE_MARKER}<main><h1>${text}</h1></main></body></html>`),
  etag: '"e"',
  lastModified: null,
});
let content: ContentState;
let failing: boolean;

beforeEach(async () => {
  clearPageCache();
  resetDatabaseHealth();
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  failing = false;
  content = { version: 1, changedAt: new Date(0), nextChangeAt: null };
  registerContentStateReader(async () => {
    if (failing) throw Object.assign(new Error('SQLITE_NOTADB: file is not a database'), { name: 'LibsqlError', code: 'SQLITE_NOTADB' });
    return content;
  });
  await refreshContentState(0, 1_000);
});
afterEach(() => vi.restoreAllMocks());

describe('last good pages', () => {
  it('keeps an HTML page with the notice marker, known good as of the last check', async () => {
    storePage('/a', html('A'), 1, 1_500);
    await refreshContentState(0, 2_000);
    expect(getLastGoodPage('/a')?.knownGoodAt).toBe(2_000);
  });

  it('keeps the last good copy when a publish empties the cache, good until the check before it', async () => {
    storePage('/a', html('A'), 1, 1_500);
    await refreshContentState(0, 2_000);
    content = { ...content, version: 2 };
    await refreshContentState(0, 3_000);
    await refreshContentState(0, 4_000);
    expect(getLastGoodPage('/a')?.good.page.body.toString()).toContain('<h1>A</h1>');
    expect(getLastGoodPage('/a')?.knownGoodAt).toBe(2_000);
  });

  it('replaces it with the page rendered at the newer version', async () => {
    storePage('/a', html('A'), 1, 1_500);
    content = { ...content, version: 2 };
    await refreshContentState(0, 3_000);
    storePage('/a', html('A2'), 2, 3_100);
    expect(getLastGoodPage('/a')?.good.page.body.toString()).toContain('<h1>A2</h1>');
    expect(getLastGoodPage('/a')?.knownGoodAt).toBe(3_100);
  });

  it('does not keep JSON, feeds or pages without the marker', () => {
    storePage('/api', { ...html('x'), headers: [['content-type', 'application/json']] }, 1, 1_000);
    storePage('/bare', { ...html('x'), body: Buffer.from('<html><body>no marker</body></html>') }, 1, 1_000);
    expect(getLastGoodPage('/api')).toBeUndefined();
    expect(getLastGoodPage('/bare')).toBeUndefined();
  });

  it('is bounded like the cache, dropping the oldest first', () => {
    for (let i = 0; i <= MAX_PAGES; i++) storePage(`/p${i}`, html(String(i)), 1, 1_000);
    expect(getLastGoodPage('/p0')).toBeUndefined();
    expect(getLastGoodPage(`/p${MAX_PAGES}`)).toBeDefined();
  });

  it('stops counting the cache as fresh once a check fails', async () => {
    failing = true;
    await expect(refreshContentState(250, 2_000)).rejects.toThrow();
    await expect(refreshContentState(250, 2_001)).rejects.toThrow();
  });
});

describe('lastCheckedLabel', () => {
  it('gives the London time, and the day when it was not today', () => {
    const morning = Date.parse('2026-11-21T07:12:00Z');
    expect(lastCheckedLabel(morning, morning + 60_000)).toBe('07:12');
    expect(lastCheckedLabel(Date.parse('2026-07-01T06:12:00Z'), Date.parse('2026-07-01T08:00:00Z'))).toBe('07:12');
    expect(lastCheckedLabel(morning, morning + 86_400_000)).toBe('07:12 on Saturday 21 November');
  });
});

describe('the front server', () => {
  let server: Server;
  let url: string;
  const astro = vi.fn((_req, res) => {
    res.writeHead(503, { 'content-type': 'text/plain' });
    res.end('from Astro');
  });

  beforeEach(async () => {
    astro.mockClear();
    server = createServer(createFrontHandler({ astro, cacheEnabled: true, checkIntervalMs: 0 }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

  function get(path: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
    return new Promise((resolve, reject) => {
      request(`${url}${path}`, (response) => {
        let body = '';
        response.on('data', (chunk) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body }));
      })
        .on('error', reject)
        .end();
    });
  }

  it('serves the last good copy, marked and uncacheable, when the content version cannot be checked', async () => {
    storePage('/services/a', html('A'), 1, Date.now());
    failing = true;
    const response = await get('/services/a');
    expect(response.status).toBe(200);
    expect(response.headers['x-cache']).toBe('STALE');
    expect(response.headers['cache-control']).toBe('no-store');
    expect(response.headers.etag).toBeUndefined();
    expect(response.body).toMatch(/<header>Council<\/header><div class="govuk-width-container"><div class="govuk-notification-banner/);
    expect(response.body).toMatch(/This page may be out of date: we could not check for updates \(last checked \d\d:\d\d\)/);
    expect(response.body).not.toContain(STALE_NOTICE_MARKER);
    expect(astro).not.toHaveBeenCalled();
  });

  it('passes a page it has no copy of to Astro (which answers 503)', async () => {
    failing = true;
    const response = await get('/services/never-seen');
    expect(response.body).toBe('from Astro');
  });

  it('never serves the last good copy while the database answers', async () => {
    storePage('/services/a', html('A'), 1, Date.now());
    content = { ...content, version: 2 }; // a publish: the cache is emptied, the copy is superseded
    const response = await get('/services/a');
    expect(response.body).toBe('from Astro');
    expect(astro).toHaveBeenCalledTimes(1);
  });
});
