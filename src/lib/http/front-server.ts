// The front server: a plain node:http handler in front of Astro. A public GET whose page is in
// the page cache is answered from memory (with 304s and pre-compressed bodies) and never enters
// Astro; everything else — and the first request for a page — goes to Astro's handler. Many
// simultaneous misses for one page wait for a single render (no stampede).
//
// When the database does not answer, a public page is answered with its last good copy, marked
// "This page may be out of date … (last checked 07:12)", uncacheable; a page with no such copy
// goes to Astro, which answers 503 at once (src/pages/503.astro). See database-health.ts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import {
  getCachedPage,
  getLastGoodPage,
  isContentStateFresh,
  isNotModified,
  refreshContentState,
  STALE_NOTICE_MARKER,
  type CachedPage,
  type LastGoodPage,
} from './page-cache.ts';

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

type Coding = 'identity' | 'br' | 'gzip';

function encode(body: Buffer, coding: Coding): Buffer {
  return coding === 'br'
    ? brotliCompressSync(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 6, [zlib.BROTLI_PARAM_SIZE_HINT]: body.length } })
    : coding === 'gzip'
      ? gzipSync(body, { level: 6 })
      : body;
}

/** The body and full headers for one content coding, computed once per cached page. */
function variant(page: CachedPage, coding: Coding): { body: Buffer; headers: Record<string, string> } {
  let v = page.encoded.get(coding);
  if (!v) {
    const body = encode(page.body, coding);
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

const clockFormat = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
const dayFormat = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', weekday: 'long', day: 'numeric', month: 'long' });

/** "07:12" — or "23:50 on Friday 20 November" when that was not today in London. */
export function lastCheckedLabel(knownGoodAt: number, now = Date.now()): string {
  const time = clockFormat.format(knownGoodAt);
  const day = dayFormat.format(knownGoodAt);
  return day === dayFormat.format(now) ? time : `${time} on ${day}`;
}

/**
 * The notice put at the layout's marker on a last good copy: a GOV.UK notification banner, in
 * the HTML itself (no JavaScript). Only the time is variable, and it is digits and words we made.
 */
export function staleNoticeHtml(lastChecked: string): string {
  return (
    '<div class="govuk-width-container"><div class="govuk-notification-banner govuk-!-margin-top-4 govuk-!-margin-bottom-0" ' +
    'role="region" aria-labelledby="csa-stale-notice-title" data-module="govuk-notification-banner">' +
    '<div class="govuk-notification-banner__header"><h2 class="govuk-notification-banner__title" id="csa-stale-notice-title">Important</h2></div>' +
    '<div class="govuk-notification-banner__content">' +
    `<p class="govuk-notification-banner__heading">This page may be out of date: we could not check for updates (last checked ${lastChecked}).</p>` +
    '<p class="govuk-body">Try again in a few minutes.</p>' +
    '</div></div></div>'
  );
}

/**
 * The last good copy with the notice, for one content coding: made once per page and "last
 * checked" time (an outage does not recompress per request). Never stored by browsers or CDNs,
 * no validators (the bytes are not the page's), X-Cache: STALE.
 */
function staleVariant(good: LastGoodPage, knownGoodAt: number, coding: Coding, now: number): { body: Buffer; headers: Record<string, string> } {
  if (!good.stale || good.stale.knownGoodAt !== knownGoodAt) good.stale = { knownGoodAt, encoded: new Map() };
  const label = lastCheckedLabel(knownGoodAt, now);
  const key = `${coding} ${label}`;
  let v = good.stale.encoded.get(key);
  if (!v) {
    const { body: original } = good.page;
    const notice = Buffer.from(staleNoticeHtml(label));
    const html = Buffer.concat([original.subarray(0, good.noticeAt), notice, original.subarray(good.noticeAt + STALE_NOTICE_MARKER.length)]);
    const body = encode(html, coding);
    const headers: Record<string, string> = Object.fromEntries(good.page.headers);
    headers['cache-control'] = 'no-store';
    headers['x-cache'] = 'STALE';
    if (coding !== 'identity') headers['content-encoding'] = coding;
    headers['content-length'] = String(body.length);
    v = { body, headers };
    good.stale.encoded.set(key, v);
  }
  return v;
}

function sendStalePage(req: IncomingMessage, res: ServerResponse, good: LastGoodPage, knownGoodAt: number): void {
  const v = staleVariant(good, knownGoodAt, chooseEncoding(req.headers['accept-encoding']) ?? 'identity', Date.now());
  res.writeHead(good.page.status, v.headers);
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

    const key = url;
    if (!isContentStateFresh(options.checkIntervalMs)) {
      let known: boolean;
      try {
        known = await refreshContentState(options.checkIntervalMs);
      } catch {
        // The database did not answer (logged once per outage by database-health.ts): the last
        // good copy, marked as possibly out of date; with none, Astro answers 503 at once.
        const stale = getLastGoodPage(key);
        if (stale) return sendStalePage(req, res, stale.good, stale.knownGoodAt);
        return options.astro(req, res);
      }
      if (!known) return options.astro(req, res);
    }
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
