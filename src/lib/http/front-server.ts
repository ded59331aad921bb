// The front server: a plain node:http handler in front of Astro. A public GET whose page is in
// the page cache is answered from memory (with 304s and pre-compressed bodies) and never enters
// Astro; everything else — and the first request for a page — goes to Astro's handler. Many
// simultaneous misses for one page wait for a single render (no stampede).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { getCachedPage, isContentStateFresh, isNotModified, refreshContentState, type CachedPage } from './page-cache.ts';

export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface FrontServerOptions {
  /** Astro's handler (static files and rendering). */
  astro: NodeHandler;
  /** Serve cached pages (off: every request renders — for measuring the render rate). */
  cacheEnabled: boolean;
  /** How stale the knowledge of the content version may be, in ms (other processes' publishes). */
  checkIntervalMs: number;
}

/** Paths whose GET responses may come from the cache (the routes still decide by their headers). */
const CACHEABLE_PATH = /^\/(?:$|services\/|alerts\/|pages\/|api\/v1\/|feeds\/)/;

function parseEncoding(acceptEncoding: string): 'br' | 'gzip' | null {
  const accepted = acceptEncoding.split(',').map((part) => {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return { name, q: q ? Number(q.slice(2)) : 1 };
  });
  const ok = (name: string) => accepted.some((a) => a.name === name && a.q > 0);
  if (ok('br')) return 'br';
  if (ok('gzip')) return 'gzip';
  return null;
}

/** Browsers send a handful of distinct Accept-Encoding values: remember the answers. */
const encodingChoices = new Map<string, 'br' | 'gzip' | null>();
function chooseEncoding(acceptEncoding: string | undefined): 'br' | 'gzip' | null {
  if (!acceptEncoding) return null;
  let choice = encodingChoices.get(acceptEncoding);
  if (choice === undefined) {
    choice = parseEncoding(acceptEncoding);
    if (encodingChoices.size < 200) encodingChoices.set(acceptEncoding, choice);
  }
  return choice;
}

/** The body and full headers for one content coding, computed once per cached page. */
function variant(page: CachedPage, coding: 'identity' | 'br' | 'gzip'): { body: Buffer; headers: Record<string, string> } {
  let v = page.encoded.get(coding);
  if (!v) {
    const body =
      coding === 'br'
        ? brotliCompressSync(page.body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 6, [zlib.BROTLI_PARAM_SIZE_HINT]: page.body.length } })
        : coding === 'gzip'
          ? gzipSync(page.body, { level: 6 })
          : page.body;
    const headers: Record<string, string> = Object.fromEntries(page.headers);
    headers['etag'] = page.etag;
    if (page.lastModified) headers['last-modified'] = page.lastModified;
    headers['x-cache'] = 'HIT';
    if (coding !== 'identity') headers['content-encoding'] = coding;
    headers['content-length'] = String(body.length);
    v = { body, headers };
    page.encoded.set(coding, v);
  }
  return v;
}

function sendCachedPage(req: IncomingMessage, res: ServerResponse, page: CachedPage): void {
  const v = variant(page, chooseEncoding(req.headers['accept-encoding']) ?? 'identity');
  const notModified = isNotModified(
    { ifNoneMatch: req.headers['if-none-match'], ifModifiedSince: req.headers['if-modified-since'] },
    page.etag,
    page.lastModified,
  );
  if (notModified) {
    const { 'content-length': _length, 'content-encoding': _coding, ...headers } = v.headers;
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(page.status, v.headers);
  res.end(req.method === 'HEAD' ? undefined : v.body);
}

export function createFrontHandler(options: FrontServerOptions): NodeHandler {
  const rendering = new Map<string, Promise<void>>();

  function passToAstro(req: IncomingMessage, res: ServerResponse): Promise<void> {
    return new Promise<void>((resolve) => {
      res.once('close', () => resolve());
      void Promise.resolve(options.astro(req, res)).catch(() => resolve());
    });
  }

  return async (req, res) => {
    const url = req.url ?? '/';
    const cacheable = options.cacheEnabled && (req.method === 'GET' || req.method === 'HEAD') && CACHEABLE_PATH.test(url);
    if (!cacheable) return options.astro(req, res);

    try {
      if (!isContentStateFresh(options.checkIntervalMs) && !(await refreshContentState(options.checkIntervalMs))) {
        return options.astro(req, res);
      }
    } catch (error) {
      // The database did not answer: let Astro render (it shows the error page) — never a
      // page from before a change we could not check for.
      console.error('Page cache: could not read the content version', error);
      return options.astro(req, res);
    }
    const key = url;
    const hit = getCachedPage(key);
    if (hit) return sendCachedPage(req, res, hit);

    const inFlight = rendering.get(key);
    if (inFlight) {
      await inFlight;
      const rendered = getCachedPage(key);
      if (rendered) return sendCachedPage(req, res, rendered);
      return options.astro(req, res);
    }
    if (req.method === 'HEAD') return options.astro(req, res);
    const render = passToAstro(req, res);
    rendering.set(key, render);
    try {
      await render;
    } finally {
      rendering.delete(key);
    }
  };
}
