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
  composePage,
  getCachedPage,
  getLastGoodPage,
  isContentStateFresh,
  isNotModified,
  refreshContentState,
  STALE_NOTICE_MARKER,
  type CachedPage,
  type LastGoodPage,
} from './page-cache.ts';
import { serveStaticAsset } from './static-assets.ts';
import { declaresTooMuch, bodyLimitFor, readBoundedBody } from './body-limit.ts';
import { allowedMethods, allowHeader, answersWithJson, refusesReads, SERVER_METHODS } from './methods.ts';
import { securityHeaders } from './security-headers.ts';
import { admitOneClickUnsubscribe } from './one-click-unsubscribe.ts';
import { withOnlyPageParams } from './tracking-params.ts';

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
const CACHEABLE_PATH = /^\/(?:$|find(?:$|\?)|services\/|alerts\/|pages\/|api\/v1\/|feeds\/)/;

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

/** A page just made from cached ones (composePage): sent as a render is, uncompressed, X-Cache: MISS. */
function sendComposedPage(req: IncomingMessage, res: ServerResponse, page: Omit<CachedPage, 'expiresAt' | 'encoded'>): void {
  const headers: Record<string, string> = Object.fromEntries(page.headers);
  headers['etag'] = page.etag;
  if (page.lastModified) headers['last-modified'] = page.lastModified;
  headers['x-cache'] = 'MISS';
  if (isNotModified({ ifNoneMatch: req.headers['if-none-match'], ifModifiedSince: req.headers['if-modified-since'] }, page.etag, page.lastModified)) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  headers['content-length'] = String(page.body.length);
  res.writeHead(page.status, headers);
  res.end(page.body);
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

// ---- Request admission: method, address and body checks, before static files, the cache or Astro.
// The tables are src/lib/http/methods.ts (which methods each route takes) and body-limit.ts (how
// many bytes). Every refusal here is an expected answer, never an exception: nothing reaches
// Astro that it would answer with a 500 (it cannot build a Request for TRACE), and nothing is
// logged but the request line. Errors are JSON under /api/, /feeds/ and /healthz, pages elsewhere.

/** A request whose body the front server has read (chunked, within the limit): Astro's adapter takes it from here. */
type RequestWithBody = IncomingMessage & { body?: Buffer };

let ownAnswerHeaders: Record<string, string> | undefined;

/** Whether a request needs admission at all: anything but a bodiless GET or HEAD of a plain address. */
function needsAdmission(req: IncomingMessage, url: string): boolean {
  const method = req.method;
  if (method !== 'GET' && method !== 'HEAD') return true;
  if (req.headers['content-length'] !== undefined || req.headers['transfer-encoding'] !== undefined) return true;
  if (url.charCodeAt(0) !== 47 /* / */ || url.includes('%') || url.includes('//')) return true;
  return refusesReads(url);
}

/** The path as Astro will route it (decoded, duplicate slashes collapsed, no query); null when the address cannot be read. */
function routedPath(url: string): string | null {
  // The same test as the adapter's "Bad request." (decodeURI of the whole target), answered properly here.
  if (url.includes('%')) {
    try {
      decodeURI(url);
    } catch {
      return null;
    }
  }
  if (url === '*') return '*'; // `OPTIONS *`: the server as a whole
  let target = url;
  if (target.charCodeAt(0) !== 47) {
    // Absolute form (`http://host/path`), as proxies send it.
    try {
      target = new URL(target).pathname;
    } catch {
      return null;
    }
  }
  const end = target.search(/[?#]/);
  let path = end === -1 ? target : target.slice(0, end);
  if (path.includes('%')) {
    path = decodeURI(path);
    // A line break or other control character names nothing here (and Astro's route patterns
    // stop at a line break, so /api/v1/a%0Ab would get the HTML 404): as unreadable as a bad escape.
    if (/[\x00-\x1f\x7f]/.test(path)) return null;
  }
  if (path.includes('//')) path = path.replace(/\/{2,}/g, '/');
  return path;
}

function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** How long a refused upload's connection stays half-open after the answer, before it is closed for good. */
const LINGER_MS = 1_000;

/**
 * Answers with `Connection: close` when a body is still on its way, and closes in two steps
 * (RFC 9112, 9.6): our side at once, after the answer, then the whole socket LINGER_MS later.
 * Destroying it at once, with the client's bytes unread, makes the kernel send a reset, and a
 * client still uploading can lose the 413 before it has read it. Meanwhile nothing more is read
 * (the rest of the body waits in the kernel, not in our memory). Node calls `destroySoon` on the
 * socket once a `Connection: close` answer is sent; this socket's own version lingers.
 */
function closeAfterAnswer(req: IncomingMessage, res: ServerResponse): void {
  if (!hasBody(req) || req.complete) return;
  res.setHeader('Connection', 'close');
  const socket = req.socket;
  socket.destroySoon = () => {
    req.pause();
    socket.pause();
    socket.end();
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  };
}

/** An answer made here, not by Astro: small, never cached, with the security headers. */
function sendOwnAnswer(res: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  ownAnswerHeaders ??= Object.fromEntries(securityHeaders(process.env.SITE_URL));
  const length: Record<string, string> = status === 204 ? {} : { 'Content-Length': String(Buffer.byteLength(body)) };
  res.writeHead(status, { ...ownAnswerHeaders, 'Cache-Control': 'no-store', ...headers, ...length });
  res.end(status === 204 ? undefined : body);
}

/**
 * Has Astro render one of its status pages (src/pages/405.astro, 413.astro, 400.astro) for a
 * request it must not see as sent: Astro gets a view of the request as a bodiless GET of the
 * status page, so the route never runs and the body is never read. Headers set on `res` (Allow,
 * Connection) are kept. The request itself (and so the request log) keeps its method and address.
 */
function renderStatusPage(req: IncomingMessage, res: ServerResponse, astro: NodeHandler, page: string): void {
  const headers = { ...req.headers };
  for (const name of ['content-length', 'transfer-encoding', 'content-type', 'expect']) delete headers[name];
  const view = new Proxy(req, {
    get(target, property) {
      if (property === 'method') return 'GET';
      if (property === 'url') return page;
      if (property === 'headers') return headers;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  void Promise.resolve(astro(view, res)).catch(() => {
    if (!res.headersSent) sendOwnAnswer(res, 500, { 'Content-Type': 'text/plain; charset=utf-8' }, 'Sorry, there is a problem with the service.');
  });
}

const REFUSAL_MESSAGES: Record<400 | 405 | 413, string> = {
  400: 'The address could not be read: it has a malformed percent-encoding (a % not followed by two hexadecimal digits, or bytes that are not UTF-8) or an encoded control character.',
  405: 'This address does not take that method: see the Allow header.',
  413: 'The request body is too large for this address: nothing was saved.',
};

/** Answers a refused request: JSON or a page, the body left unread and the connection closed after it. */
function refuse(req: IncomingMessage, res: ServerResponse, astro: NodeHandler, status: 400 | 405 | 413, path: string, allow?: string): void {
  const headers: Record<string, string> = {};
  if (allow) headers['Allow'] = allow;
  closeAfterAnswer(req, res);
  if (answersWithJson(path)) {
    const body = JSON.stringify({ error: { status, message: REFUSAL_MESSAGES[status] } });
    return sendOwnAnswer(res, status, { ...headers, 'Content-Type': 'application/json' }, body);
  }
  if (req.method === 'TRACE') {
    // Never into Astro, not even as a view: a plain answer.
    return sendOwnAnswer(res, status, { ...headers, 'Content-Type': 'text/plain; charset=utf-8' }, 'Method not allowed.');
  }
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  renderStatusPage(req, res, astro, status === 400 ? '/400' : `/${status}?from=${encodeURIComponent(path)}`);
}

/**
 * The checks, in order: an address that cannot be decoded (400); OPTIONS (204 with Allow, no
 * CORS headers); a method the route does not take (405 with Allow; TRACE included); a body over
 * the route's limit (413, by its declared length before anything is read, or counted as a
 * chunked body arrives, reading at most the limit). True when the request may go on (a chunked
 * body then waits, read, in `req.body`, where Astro's adapter takes it), false when answered.
 */
async function admitRequest(req: IncomingMessage, res: ServerResponse, url: string, astro: NodeHandler): Promise<boolean> {
  const method = req.method ?? 'GET';
  const path = routedPath(url);
  if (path === null) {
    const end = url.search(/[?#]/);
    refuse(req, res, astro, 400, end === -1 ? url : url.slice(0, end));
    return false;
  }
  const methods = url === '*' ? SERVER_METHODS : allowedMethods(path);
  if (method === 'OPTIONS') {
    closeAfterAnswer(req, res);
    sendOwnAnswer(res, 204, { Allow: allowHeader(methods) }, '');
    return false;
  }
  if (!(methods as readonly string[]).includes(method)) {
    refuse(req, res, astro, 405, path, allowHeader(methods));
    return false;
  }
  if (!hasBody(req)) return true;
  const limit = bodyLimitFor(path);
  const declared = req.headers['content-length'];
  if (req.headers['transfer-encoding'] === undefined && declared !== undefined) {
    // Node reads exactly the declared length: within the limit, Astro may stream it.
    if (!declaresTooMuch(declared, limit)) return true;
    refuse(req, res, astro, 413, path);
    return false;
  }
  const read = await readBoundedBody(req, limit);
  if (read.ok) {
    (req as RequestWithBody).body = read.body;
    return true;
  }
  if (read.reason === 'too-large') refuse(req, res, astro, 413, path);
  else res.destroy();
  return false;
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
    // Campaign and click identifiers on a shared link, and parameters a page does not read,
    // change nothing on it: the page is rendered and cached at its clean address (tracking-params.ts).
    if (req.method === 'GET' || req.method === 'HEAD') req.url = withOnlyPageParams(req.url ?? '/');
    const url = req.url ?? '/';
    // Methods, malformed addresses and body limits (admitRequest above): refused before anything else.
    if (needsAdmission(req, url) && !(await admitRequest(req, res, url, options.astro))) return;
    // Files of the build (/_astro/…, the favicon, images): from memory, precompressed, with headers.
    if (serveStaticAsset(req, res)) return;
    admitOneClickUnsubscribe(req, url);
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
    // A search made from its service's cached page, without a render (or, declined, rendered).
    const composed = key.includes('?') ? await composePage(key).catch(() => null) : null;
    if (composed) return sendComposedPage(req, res, composed);
    const render = passToAstro(req, res);
    rendering.set(key, render);
    try {
      await render;
    } finally {
      rendering.delete(key);
    }
  };
}
