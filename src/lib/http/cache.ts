// HTTP caching policy for public pages: short shared caching a CDN can use, and stale copies
// allowed while revalidating or when the origin is failing (a snow-morning rush).
export const PUBLIC_CACHE_CONTROL = 'public, max-age=0, s-maxage=15, stale-while-revalidate=60, stale-if-error=86400';

/** Sets the public caching headers on a response's headers. */
export function setPublicCaching(headers: Headers): void {
  headers.set('Cache-Control', PUBLIC_CACHE_CONTROL);
}
