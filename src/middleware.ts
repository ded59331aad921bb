// Request context only: security headers on every response, and validators (ETag,
// Last-Modified, 304) plus capture into the page cache for public pages. Authorisation never
// happens here — routes guard themselves.
import { defineMiddleware } from 'astro:middleware';
import { currentContentState, entityTag, isCacheable, isNotModified, storePage } from './lib/http/page-cache.ts';

const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "object-src 'none'",
].join('; ');

const SECURITY_HEADERS: [string, string][] = [
  ['Content-Security-Policy', CONTENT_SECURITY_POLICY],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-Frame-Options', 'DENY'],
  ['Referrer-Policy', 'strict-origin-when-cross-origin'],
  ['Permissions-Policy', 'geolocation=(), camera=(), microphone=()'],
  ['Cross-Origin-Opener-Policy', 'same-origin'],
];

/** Headers that belong to one response on the wire, not to the cached page. */
const NOT_REPLAYED = new Set(['content-length', 'date', 'transfer-encoding', 'connection', 'etag', 'last-modified', 'x-cache']);

export const onRequest = defineMiddleware(async (context, next) => {
  const renderedAtVersion = currentContentState()?.version ?? null;
  const response = await next();
  for (const [name, value] of SECURITY_HEADERS) response.headers.set(name, value);
  if (response.headers.get('content-type') === 'text/html') response.headers.set('Content-Type', 'text/html; charset=utf-8');
  if (context.request.method !== 'GET' || !isCacheable(response.status, response.headers)) return response;

  const body = Buffer.from(await response.arrayBuffer());
  const etag = entityTag(body, import.meta.env.BUILD_ID ?? 'dev');
  const changedAt = currentContentState()?.changedAt;
  const lastModified = changedAt && changedAt.getTime() > 0 ? changedAt.toUTCString() : null;
  const headers = new Headers(response.headers);
  headers.set('ETag', etag);
  headers.set('Vary', 'Accept-Encoding');
  headers.set('X-Cache', 'MISS');
  if (lastModified) headers.set('Last-Modified', lastModified);
  storePage(
    context.url.pathname + context.url.search,
    {
      status: response.status,
      headers: [...headers].filter(([name]) => !NOT_REPLAYED.has(name)),
      body,
      etag,
      lastModified,
    },
    renderedAtVersion,
  );
  const ifNoneMatch = context.request.headers.get('if-none-match');
  const ifModifiedSince = context.request.headers.get('if-modified-since');
  if (isNotModified({ ifNoneMatch, ifModifiedSince }, etag, lastModified)) {
    return new Response(null, { status: 304, headers });
  }
  return new Response(body, { status: response.status, headers });
});
