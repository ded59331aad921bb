// The front server's static files: only files of the build folder, found by a path decoded once
// and refused with any `.`/`..` segment, NUL or backslash; the precompressed variant chosen by
// Accept-Encoding; validators and 304s; immutable caching for hashed files only; HEAD; and
// anything else left to Astro.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assetPathOf, createStaticAssets, precompressAssets, preferredEncoding } from '../../../src/lib/http/static-assets.ts';

const CSS = `.govuk-body { margin: 0; color: #0b0c0c; }\n`.repeat(200);
let dir: string;
let server: Server;
let base: string;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A raw request: the path goes on the wire exactly as written (no URL normalisation). */
function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}/`, { path, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'csa-static-'));
  const client = join(dir, 'client');
  mkdirSync(join(client, '_astro'), { recursive: true });
  mkdirSync(join(client, 'images'));
  writeFileSync(join(client, '_astro', 'site.AbC123.css'), CSS);
  writeFileSync(join(client, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"><rect width="1" height="1"/></svg>'.repeat(5));
  writeFileSync(join(client, 'images', 'photo.png'), Buffer.alloc(2048, 7));
  writeFileSync(join(client, 'prerendered.html'), '<p>a page</p>');
  writeFileSync(join(client, '.secret'), 'dotfile');
  writeFileSync(join(dir, 'outside.txt'), 'outside the build');
  precompressAssets(client);
  const assets = createStaticAssets({ root: client, siteUrl: 'https://alerts.example.gov.uk' });
  server = createServer((req, res) => {
    if (assets.serve(req, res)) return;
    res.writeHead(404, { 'x-answered-by': 'astro' });
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

describe('serving the files of the build', () => {
  it('sends the brotli variant to a browser that takes it, gzip to one that takes only gzip', async () => {
    const br = await get('/_astro/site.AbC123.css', { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.status).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(br.headers['vary']).toBe('Accept-Encoding');
    expect(brotliDecompressSync(br.body).toString()).toBe(CSS);
    expect(br.body.length).toBeLessThan(CSS.length / 10);
    const gz = await get('/_astro/site.AbC123.css', { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toBe(CSS);
    const plain = await get('/_astro/site.AbC123.css');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(CSS);
    expect(Number(plain.headers['content-length'])).toBe(CSS.length);
    expect(new Set([br.headers.etag, gz.headers.etag, plain.headers.etag]).size).toBe(3);
  });

  it('caches hashed files for a year as immutable, unhashed ones for a day', async () => {
    expect((await get('/_astro/site.AbC123.css')).headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await get('/favicon.svg')).headers['cache-control']).toBe('public, max-age=86400');
    const png = await get('/images/photo.png', { 'accept-encoding': 'br' });
    expect(png.headers['cache-control']).toBe('public, max-age=86400');
    expect(png.headers['content-type']).toBe('image/png');
    expect(png.headers['content-encoding']).toBeUndefined();
    expect(png.headers['vary']).toBeUndefined();
  });

  it('answers 304 to the ETag it gave, and to a Last-Modified date not older than the file', async () => {
    const first = await get('/favicon.svg', { 'accept-encoding': 'br' });
    expect(first.headers['last-modified']).toBeTruthy();
    const again = await get('/favicon.svg', { 'accept-encoding': 'br', 'if-none-match': String(first.headers.etag) });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    expect(again.headers.etag).toBe(first.headers.etag);
    expect(again.headers['cache-control']).toBe('public, max-age=86400');
    expect((await get('/favicon.svg', { 'if-none-match': '"something-else"' })).status).toBe(200);
    expect((await get('/favicon.svg', { 'if-modified-since': String(first.headers['last-modified']) })).status).toBe(304);
    expect((await get('/favicon.svg', { 'if-modified-since': 'Thu, 01 Jan 1970 00:00:00 GMT' })).status).toBe(200);
  });

  it('answers HEAD with the headers and no body', async () => {
    const head = await get('/_astro/site.AbC123.css', { 'accept-encoding': 'br' }, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    expect(head.headers['content-encoding']).toBe('br');
    expect(Number(head.headers['content-length'])).toBeGreaterThan(0);
  });

  it('sends the security headers, with Strict-Transport-Security for an https: site', async () => {
    const answer = await get('/favicon.svg');
    expect(answer.headers['content-security-policy']).toContain("script-src 'self'");
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(answer.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
  });

  it('leaves to Astro anything that is not a file of the build', async () => {
    for (const path of [
      '/_astro/missing.css',
      '/_astro/',
      '/_astro',
      '/prerendered.html',
      '/.secret',
      '/favicon.svg/',
      '//favicon.svg',
      '/_astro/../favicon.svg',
      '/_astro/%2e%2e/favicon.svg',
      '/_astro/..%2ffavicon.svg',
      '/../outside.txt',
      '/%2e%2e/outside.txt',
      '/%252e%252e/outside.txt',
      '/favicon.svg%00.png',
      '/_astro%5csite.AbC123.css',
      '/%E0%A4%A',
      '/./favicon.svg',
    ]) {
      const answer = await get(path);
      expect(answer.headers['x-answered-by'], path).toBe('astro');
    }
    const post = await get('/favicon.svg', {}, 'POST');
    expect(post.headers['x-answered-by']).toBe('astro');
  });

  it('finds a file by its path decoded once, with a query string ignored', async () => {
    expect((await get('/favicon%2Esvg')).status).toBe(200);
    expect((await get('/favicon.svg?v=2')).status).toBe(200);
  });
});

describe('reading request paths and encodings', () => {
  it('refuses dot segments, empty segments, NUL and backslashes', () => {
    expect(assetPathOf('/_astro/a.css?x=1')).toBe('/_astro/a.css');
    expect(assetPathOf('/a%20b.png')).toBe('/a b.png');
    for (const target of ['/a/../b', '/a/%2E%2E/b', '/a//b', '/a%00', '/a%5Cb', 'a.css', '*', '/%zz']) expect(assetPathOf(target), target).toBeNull();
  });

  it('prefers brotli, then gzip, and honours q=0', () => {
    expect(preferredEncoding('gzip, deflate, br, zstd')).toBe('br');
    expect(preferredEncoding('br;q=0, gzip')).toBe('gzip');
    expect(preferredEncoding('identity')).toBeNull();
    expect(preferredEncoding('*')).toBe('br');
    expect(preferredEncoding(undefined)).toBeNull();
  });
});
