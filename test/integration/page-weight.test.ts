// The weight budget, in bytes as a phone's browser receives them: the closures page and every
// stylesheet, script and image it references, fetched through the real server with
// `Accept-Encoding: br, gzip` over raw node:http (fetch() would decompress and hide what was
// sent). Counted: each response's body as sent (compressed) plus its status line and headers.
// A first visit has nothing cached; a repeat visit revalidates the page and unhashed files with
// the ETags of the first visit, and does not ask again for immutable (hashed) files at all.
import { request } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { parse } from 'node-html-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

const PAGE = '/services/schools';
const FIRST_VISIT_BUDGET = 30 * 1024;
const REPEAT_VISIT_BUDGET = 10 * 1024;

interface WireResponse {
  path: string;
  status: number;
  headers: Record<string, string>;
  /** Status line and header block as sent. */
  headerBytes: number;
  /** The body as sent (still compressed). */
  bodyBytes: number;
  body: Buffer;
}

/** One GET over raw HTTP/1.1, counting the bytes of the answer as they arrive. */
function wireGet(base: string, path: string, headers: Record<string, string> = {}): Promise<WireResponse> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}${path}`, { headers: { 'accept-encoding': 'br, gzip', ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const raw = res.rawHeaders;
        let headerBytes = `HTTP/${res.httpVersion} ${res.statusCode} ${res.statusMessage}\r\n`.length + 2;
        for (let i = 0; i < raw.length; i += 2) headerBytes += `${raw[i]}: ${raw[i + 1]}\r\n`.length;
        const body = Buffer.concat(chunks);
        resolve({
          path,
          status: res.statusCode ?? 0,
          headers: res.headers as Record<string, string>,
          headerBytes,
          bodyBytes: body.length,
          body,
        });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

function decoded(response: WireResponse): string {
  const coding = response.headers['content-encoding'];
  const body = coding === 'br' ? brotliDecompressSync(response.body) : coding === 'gzip' ? gunzipSync(response.body) : response.body;
  return body.toString('utf8');
}

/** Every stylesheet, script, icon and image the page asks a browser to load. */
function subresources(html: string): string[] {
  const doc = parse(html);
  const links = doc
    .querySelectorAll('link[href]')
    .filter((link) => (link.getAttribute('rel') ?? '').split(/\s+/).some((rel) => ['stylesheet', 'icon', 'preload', 'modulepreload'].includes(rel)))
    .map((link) => link.getAttribute('href')!);
  const sources = doc.querySelectorAll('script[src], img[src]').map((element) => element.getAttribute('src')!);
  return [...new Set([...links, ...sources])].filter((href) => href.startsWith('/') && !href.startsWith('//'));
}

const total = (responses: WireResponse[]) => responses.reduce((sum, r) => sum + r.headerBytes + r.bodyBytes, 0);
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

function report(title: string, responses: WireResponse[], skipped: string[] = []): void {
  const lines = responses.map(
    (r) => `  ${r.status} ${r.path}: ${r.bodyBytes} B body (${r.headers['content-encoding'] ?? 'identity'}) + ${r.headerBytes} B headers`,
  );
  for (const path of skipped) lines.push(`  —   ${path}: not asked for (immutable)`);
  console.log(`${title}: ${kb(total(responses))} over the wire (bodies ${kb(responses.reduce((s, r) => s + r.bodyBytes, 0))})\n${lines.join('\n')}`);
}

let t: TestDb;
let server: TestServer;
let first: WireResponse[];
beforeAll(async () => {
  t = await createTestDb({ seed: true });
  server = await startServer(t.url);
  // Render the page once, as the morning's first resident would: the budget is for everyone after.
  await wireGet(server.url, PAGE);
  const page = await wireGet(server.url, PAGE);
  first = [page];
  for (const path of subresources(decoded(page))) first.push(await wireGet(server.url, path));
});
afterAll(async () => {
  await server?.stop();
  t?.cleanup();
});

describe('the schools closures page, as a browser receives it', () => {
  it('needs no JavaScript: its one script is the optional, deferred "Print this list" file', () => {
    const scripts = parse(decoded(first[0]!)).querySelectorAll('script');
    expect(scripts.map((s) => s.getAttribute('src'))).toEqual(['/scripts/print-link.js']);
    expect(scripts.every((s) => s.hasAttribute('defer') && s.textContent.trim() === '')).toBe(true);
    const javascript = first.filter((r) => /javascript/.test(r.headers['content-type'] ?? ''));
    expect(javascript.reduce((sum, r) => sum + r.bodyBytes, 0)).toBeLessThan(1024);
  });

  it('sends the page and its stylesheets brotli-compressed, hashed files cached as immutable', () => {
    const [page, ...assets] = first;
    expect(page!.headers['content-encoding']).toBe('br');
    const stylesheets = assets.filter((r) => r.headers['content-type']?.startsWith('text/css'));
    expect(stylesheets.length).toBeGreaterThan(0);
    for (const css of stylesheets) {
      expect(css.status, css.path).toBe(200);
      expect(css.headers['content-encoding'], css.path).toBe('br');
      expect(css.headers['vary'], css.path).toBe('Accept-Encoding');
      expect(css.path).toMatch(/^\/_astro\//);
      expect(css.headers['cache-control'], css.path).toBe('public, max-age=31536000, immutable');
      expect(css.headers['etag'], css.path).toBeTruthy();
    }
  });

  it(`costs at most ${kb(FIRST_VISIT_BUDGET)} on a first visit`, () => {
    for (const response of first) expect(response.status, response.path).toBe(200);
    report('First visit', first);
    expect(total(first)).toBeLessThanOrEqual(FIRST_VISIT_BUDGET);
  });

  it(`costs at most ${kb(REPEAT_VISIT_BUDGET)} on a repeat visit`, async () => {
    const repeat: WireResponse[] = [];
    const skipped: string[] = [];
    for (const earlier of first) {
      if (/\bimmutable\b/.test(earlier.headers['cache-control'] ?? '')) {
        skipped.push(earlier.path);
        continue;
      }
      expect(earlier.headers['etag'], earlier.path).toBeTruthy();
      repeat.push(await wireGet(server.url, earlier.path, { 'if-none-match': earlier.headers['etag']! }));
    }
    report('Repeat visit', repeat, skipped);
    for (const response of repeat) expect(response.status, response.path).toBe(304);
    expect(total(repeat)).toBeLessThanOrEqual(REPEAT_VISIT_BUDGET);
  });
});
