// Links shared on a snow morning carry campaign and click identifiers (`?utm_source=twitter`,
// `?fbclid=…`). They change nothing on our pages, but each one made a new page-cache key — and
// the home page with any query string was never cached at all. The front server takes them off
// the address of a page before anything else sees it, so `/?fbclid=…` is `/`, served from cache.
// The API and feeds keep their strict parameter checks: an unknown parameter there is a 400.

/** Query parameter names that only ever identify a click or a campaign. */
const TRACKING = /^(?:utm_[a-z_]+|fbclid|gclid|gbraid|wbraid|dclid|msclkid|mc_cid|mc_eid|igshid|_ga|_gl)$/i;

/** The address without tracking parameters (the same string when it has none). */
export function withoutTrackingParams(url: string): string {
  const q = url.indexOf('?');
  if (q === -1 || /^\/(?:api|feeds)\//.test(url)) return url;
  const hash = url.indexOf('#', q);
  const query = url.slice(q + 1, hash === -1 ? undefined : hash);
  const pairs = query.split('&');
  const kept = pairs.filter((pair) => pair !== '' && !TRACKING.test(pair.split('=', 1)[0]!));
  if (kept.length === pairs.length) return url;
  const fragment = hash === -1 ? '' : url.slice(hash);
  return `${url.slice(0, q)}${kept.length > 0 ? `?${kept.join('&')}` : ''}${fragment}`;
}
