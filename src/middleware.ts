// Request context only: the staff session loader (lazy: public pages never read the cookie),
// security headers on every response, validators (ETag, Last-Modified, 304) and capture into the
// page cache for public pages, and the one place where the typed errors routes throw become
// pages. Authorisation never happens here — routes guard themselves (src/lib/auth/guards.ts).
import type { APIContext } from 'astro';
import { defineMiddleware } from 'astro:middleware';
import { createStaffLoader, SignInRequiredError, TwoFactorRequiredError } from './lib/auth/guards.ts';
import { BadRequestError, ForbiddenError, NotFoundError } from './lib/errors.ts';
import { currentContentState, entityTag, isCacheable, isNotModified, registerPageComposer, storePage } from './lib/http/page-cache.ts';
import { composeServiceSearchPage } from './components/service-search-page.ts';
import { PLACE_ROWS_MARKER } from './components/place-table-rows.ts';
import { securityHeaders } from './lib/http/security-headers.ts';
import { isDatabaseUnavailableError, noteDatabaseFailure } from './lib/server/database-health.ts';
import { config } from './lib/server/config.ts';

const SECURITY_HEADERS = securityHeaders(config.siteUrl);

// Searches on a service page are made by the front server from the cached full page (no render).
registerPageComposer((key) => composeServiceSearchPage(key, currentContentState()?.version ?? null, import.meta.env.BUILD_ID ?? 'dev'));

/** Headers that belong to one response on the wire, not to the cached page. */
const NOT_REPLAYED = new Set(['content-length', 'date', 'transfer-encoding', 'connection', 'etag', 'last-modified', 'x-cache']);

/** Maps the typed errors routes throw to what a person can act on; anything else rethrows. */
function responseForError(context: APIContext, error: unknown): Promise<Response> | Response {
  if (error instanceof SignInRequiredError) {
    const next = context.url.pathname + context.url.search;
    return context.redirect(`/staff/sign-in?next=${encodeURIComponent(next)}`, 303);
  }
  if (error instanceof TwoFactorRequiredError) return context.redirect('/staff/sign-in/two-factor', 303);
  if (error instanceof ForbiddenError) return context.rewrite('/403');
  if (error instanceof NotFoundError) return context.rewrite('/404');
  if (error instanceof BadRequestError) return context.rewrite('/400');
  if (isDatabaseUnavailableError(error)) {
    noteDatabaseFailure(error);
    return context.rewrite('/503');
  }
  throw error;
}

/**
 * A body as a stream of its one buffer: a Response made from the buffer itself copies it, and a
 * page of 1,000 places is 700 KB; the adapter writes the chunk as it is.
 */
function streamOf(body: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      controller.enqueue(body);
      controller.close();
    },
  });
}

/** The page's bytes with the rows at the marker (once: the marker is in the table body). */
function withPlaceRows(page: Buffer<ArrayBuffer>, rows: Buffer): Buffer<ArrayBuffer> {
  const at = page.indexOf(PLACE_ROWS_MARKER);
  if (at === -1) return page;
  return Buffer.concat([page.subarray(0, at), rows, page.subarray(at + PLACE_ROWS_MARKER.length)]);
}

export const onRequest = defineMiddleware(async (context, next) => {
  context.locals.staff = createStaffLoader(context.cookies);
  const renderedAtVersion = currentContentState()?.version ?? null;
  let response: Response;
  try {
    response = await next();
  } catch (error) {
    response = await responseForError(context, error);
  }
  // A service page's rows come as bytes, made once for a list (place-table-rows.ts).
  let body: Buffer<ArrayBuffer> | null = null;
  if (context.locals.placeRows) {
    body = withPlaceRows(Buffer.from(await response.arrayBuffer()), context.locals.placeRows);
    const headers = new Headers(response.headers);
    headers.delete('content-length');
    response = new Response(streamOf(body), { status: response.status, headers });
  }
  // A route may tighten a header (the suggestion tracking page sends no referrer at all).
  for (const [name, value] of SECURITY_HEADERS) if (!response.headers.has(name)) response.headers.set(name, value);
  // Anything a route did not mark as shareable is private: staff pages, forms, errors.
  if (!response.headers.has('Cache-Control')) response.headers.set('Cache-Control', 'private, no-store');
  if (response.headers.get('content-type') === 'text/html') response.headers.set('Content-Type', 'text/html; charset=utf-8');
  if (context.request.method !== 'GET' || !isCacheable(response.status, response.headers)) return response;

  body ??= Buffer.from(await response.arrayBuffer());
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
  return new Response(streamOf(body), { status: response.status, headers });
});
