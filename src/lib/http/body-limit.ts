// The home of request body limits: how many bytes each route may be sent, in one table, checked
// by the front server before anything is read (src/lib/http/front-server.ts) — a declared
// Content-Length over the limit is refused at once, a chunked body is counted as it arrives and
// refused at the limit — and, as the second line of defence, by the Node adapter
// (`bodySizeLimit` in astro.config.mjs is LARGEST_BODY_LIMIT_BYTES). Over the limit is a 413
// (src/pages/413.astro, JSON under /api/): nothing is saved and the server never buffers more
// than a route's limit of one request.
import type { IncomingMessage } from 'node:http';

/** Every form: the longest one we send (an alert, 5,000 characters of text) is about 50 KB encoded. */
export const FORM_BODY_LIMIT_BYTES = 64 * 1024;

/**
 * Forms that carry a whole information page: its text may be 50,000 characters (PAGE_BODY_MAX),
 * and URL-encoding writes a character as up to 9 bytes (`%E2%80%99` for ’), so about 450 KB.
 */
export const LONG_TEXT_BODY_LIMIT_BYTES = 512 * 1024;

/** A file upload (the places import at /staff/import). A GIAS download of one local authority fits; the all-England file may not: npm run places:import reads any size. */
export const UPLOAD_BODY_LIMIT_BYTES = 10 * 1024 * 1024;

/** A browser's push subscription as JSON (an endpoint of at most 1,000 characters, two keys, the target). */
export const PUSH_SUBSCRIPTION_BODY_LIMIT_BYTES = 4 * 1024;

/** The council details form, which may carry the council's logo (at most 100 KB, LOGO_MAX_BYTES). */
export const LOGO_FORM_BODY_LIMIT_BYTES = 256 * 1024;

/** Routes allowed more (or less) than a form, by address; first match wins, everything else gets FORM_BODY_LIMIT_BYTES. */
const ROUTE_LIMITS: readonly { path: RegExp; bytes: number }[] = [
  { path: /^\/subscribe\/push\/?$/, bytes: PUSH_SUBSCRIPTION_BODY_LIMIT_BYTES }, // JSON from the "Get updates on this device" button
  { path: /^\/staff\/pages\/[^/]+\/?$/, bytes: LONG_TEXT_BODY_LIMIT_BYTES }, // a page's text (new and edit)
  { path: /^\/staff\/review\/[^/]+\/?$/, bytes: LONG_TEXT_BODY_LIMIT_BYTES }, // approving with changes to a page's text
  { path: /^\/staff\/settings\/council\/?$/, bytes: LOGO_FORM_BODY_LIMIT_BYTES }, // with the logo
  { path: /^\/staff\/import(?:\/|$)/, bytes: UPLOAD_BODY_LIMIT_BYTES }, // the places import (a CSV upload)
];

/** The largest body any route takes: the adapter's own limit. */
export const LARGEST_BODY_LIMIT_BYTES = Math.max(FORM_BODY_LIMIT_BYTES, ...ROUTE_LIMITS.map((limit) => limit.bytes));

/** The most bytes the route at `pathname` (decoded, no query) may be sent. */
export function bodyLimitFor(pathname: string): number {
  for (const limit of ROUTE_LIMITS) if (limit.path.test(pathname)) return limit.bytes;
  return FORM_BODY_LIMIT_BYTES;
}

/** A declared Content-Length over `limit` (or one that is not a number): refuse before reading. */
export function declaresTooMuch(contentLength: string, limit: number): boolean {
  const declared = Number(contentLength);
  return !Number.isSafeInteger(declared) || declared > limit;
}

export type BoundedBody = { ok: true; body: Buffer } | { ok: false; reason: 'too-large' | 'aborted' };

/**
 * Reads a body sent without a Content-Length (chunked), counting as it arrives: at most `limit`
 * bytes are ever held; one byte more and reading stops (the stream is paused, the caller answers
 * 413 and closes the connection).
 */
export function readBoundedBody(req: IncomingMessage, limit: number): Promise<BoundedBody> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: BoundedBody) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAbort);
      req.off('close', onAbort);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        chunks.length = 0;
        finish({ ok: false, reason: 'too-large' });
      } else chunks.push(chunk);
    };
    const onEnd = () => finish({ ok: true, body: Buffer.concat(chunks, size) });
    const onAbort = () => finish({ ok: false, reason: 'aborted' });
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onAbort);
    req.on('close', onAbort);
  });
}
