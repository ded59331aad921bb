// The request log: one "request" event per HTTP response (method, path, status, time taken,
// cache outcome, bytes), written by a wrapper around the server's handler. Paths are logged
// without their query string, and the secret part of tracking-page addresses is replaced, so a
// resident's tracking token (or anything typed into a query) never reaches the logs. Client
// addresses are not logged (the site keeps them only as keyed hashes).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { logEvent } from './log.ts';

type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/** Paths whose last segment is a secret (a suggestion's tracking token): logged as `:token`. */
const TOKEN_PATH = /^\/(suggestions|updates)\/[^/]+/;
const MAX_PATH_LENGTH = 200;

/**
 * The path to log for a request target: the pathname only (no query, no fragment), tracking
 * tokens replaced by `:token`, at most 200 characters.
 */
export function redactPath(target: string): string {
  let path = target;
  if (path.charCodeAt(0) !== 47 /* / */) {
    // Absolute form (`http://host/path`), as proxies send it: keep only the path.
    const scheme = path.indexOf('://');
    const slash = scheme === -1 ? -1 : path.indexOf('/', scheme + 3);
    path = slash === -1 ? (scheme === -1 ? path : '/') : path.slice(slash);
  }
  const query = path.search(/[?#]/);
  if (query !== -1) path = path.slice(0, query);
  if (path.startsWith('/suggestions/') || path.startsWith('/updates/')) path = path.replace(TOKEN_PATH, '/$1/:token');
  return path.length > MAX_PATH_LENGTH ? path.slice(0, MAX_PATH_LENGTH) + '…' : path;
}

const CACHE_HEADER = /\r\nx-cache:[ \t]*([A-Za-z]+)/i;
const LENGTH_HEADER = /\r\ncontent-length:[ \t]*(\d+)/i;

/**
 * The response head as sent. Handlers that pass their headers straight to writeHead (the page
 * cache does) leave getHeader() empty, so the serialised head is the one place to read them.
 */
function sentHead(res: ServerResponse): string | null {
  const head = (res as unknown as { _header?: unknown })._header;
  return typeof head === 'string' ? head : null;
}

/** The X-Cache header of a finished response (HIT, MISS, STALE), or null when it had none. */
export function cacheOutcome(res: ServerResponse, head = sentHead(res)): string | null {
  const set = res.getHeader('x-cache');
  if (typeof set === 'string') return set.toUpperCase();
  const match = head ? CACHE_HEADER.exec(head) : null;
  return match ? match[1]!.toUpperCase() : null;
}

function bodyBytes(res: ServerResponse, head: string | null): number | null {
  const set = res.getHeader('content-length');
  if (set !== undefined) return Number(set);
  const match = head ? LENGTH_HEADER.exec(head) : null;
  return match ? Number(match[1]) : null;
}

/** The fields of one request line, once the response is done. */
export function requestFields(req: IncomingMessage, res: ServerResponse, startedAt: number, endedAt: number): Record<string, unknown> {
  const head = sentHead(res);
  const fields: Record<string, unknown> = {
    method: req.method,
    path: redactPath(req.url ?? '/'),
    status: res.headersSent ? res.statusCode : null,
    ms: Math.round((endedAt - startedAt) * 10) / 10,
    cache: cacheOutcome(res, head),
  };
  const bytes = bodyBytes(res, head);
  if (bytes !== null && Number.isFinite(bytes)) fields.bytes = bytes;
  // The client went away before the whole response was sent.
  if (!res.writableFinished) fields.aborted = true;
  return fields;
}

/**
 * Wraps a handler so that every response writes one "request" line. The line is written at
 * 'close', which follows 'finish' for a completed response and also comes when the client
 * disconnects first (then `aborted: true`).
 */
export function withRequestLog(handler: Handler): Handler {
  return (req, res) => {
    const startedAt = performance.now();
    res.on('close', () => logEvent('info', 'request', requestFields(req, res, startedAt, performance.now())));
    return handler(req, res);
  };
}
