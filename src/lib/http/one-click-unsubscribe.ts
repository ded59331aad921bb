// RFC 8058 one-click unsubscribe: a mail provider's server POSTs "List-Unsubscribe=One-Click" to
// the address in the List-Unsubscribe header, with no Origin header (it is not a browser).
// Astro's origin check would refuse that POST; for this one address it is safe to let it by —
// the secret token in the address is what authorises it, and stopping updates is all it can do.
import type { IncomingMessage } from 'node:http';

const ONE_CLICK_PATH = /^\/updates\/[A-Za-z0-9_-]{32}\/unsubscribe\/?$/;

/** Gives a one-click unsubscribe POST the site's own Origin, so the origin check lets it through. */
export function admitOneClickUnsubscribe(req: IncomingMessage, url: string): void {
  if (req.method !== 'POST' || req.headers.origin !== undefined) return;
  const path = url.split('?')[0]!;
  if (!ONE_CLICK_PATH.test(path)) return;
  const forwarded = req.headers['x-forwarded-proto'];
  const proto = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim() || ('encrypted' in req.socket && req.socket.encrypted ? 'https' : 'http');
  req.headers.origin = `${proto}://${req.headers.host ?? 'localhost'}`;
}
