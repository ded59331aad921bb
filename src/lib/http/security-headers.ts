// The security headers: the one list that every response carries, whoever answers it — the
// middleware (pages Astro renders; the page cache replays what it captured, so cached and
// stale copies carry them too) and the front server's own answers (static files). Framework-free:
// the middleware passes config.siteUrl (astro:env), the front server process.env.SITE_URL.

/** Scripts, styles and images only from the site itself: files under /_astro/ are 'self'. */
export const CONTENT_SECURITY_POLICY = [
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

/** A year, subdomains included; sent only when the site's public address is https:. */
export const STRICT_TRANSPORT_SECURITY = 'max-age=31536000; includeSubDomains';

const ALWAYS: readonly (readonly [string, string])[] = [
  ['Content-Security-Policy', CONTENT_SECURITY_POLICY],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-Frame-Options', 'DENY'],
  ['Referrer-Policy', 'strict-origin-when-cross-origin'],
  // Location for the site's own pages only ("Use my location" on the lookup; the browser still
  // asks the resident); never for frames. No camera or microphone at all.
  ['Permissions-Policy', 'geolocation=(self), camera=(), microphone=()'],
  ['Cross-Origin-Opener-Policy', 'same-origin'],
];

/** Whether the site's public address (SITE_URL) is HTTPS — then browsers are told to keep to it. */
export function isHttpsSite(siteUrl: string | undefined): boolean {
  return /^https:/i.test(siteUrl?.trim() ?? '');
}

/**
 * The security headers for a site at `siteUrl`, as [name, value] pairs in their usual spelling:
 * the fixed list, plus Strict-Transport-Security when the site is https: (a plain-HTTP
 * development site must not pin browsers to HTTPS on localhost).
 */
export function securityHeaders(siteUrl: string | undefined): [string, string][] {
  const headers = ALWAYS.map(([name, value]): [string, string] => [name, value]);
  if (isHttpsSite(siteUrl)) headers.push(['Strict-Transport-Security', STRICT_TRANSPORT_SECURITY]);
  return headers;
}
