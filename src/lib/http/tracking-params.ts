// Links shared on a snow morning carry campaign and click identifiers (`?utm_source=twitter`,
// `?fbclid=…`). They change nothing on our pages, but each one made a new page-cache key — and
// the home page with any query string was never cached at all. The front server takes them off
// the address of a page before anything else sees it, so `/?fbclid=…` is `/`, served from cache.
// The API and feeds keep their strict parameter checks: an unknown parameter there is a 400.
// On the public pages, parameters the page does not read go the same way (withOnlyPageParams).

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

/**
 * The parameters each page reads (a page not listed here, such as the API, the feeds and the
 * forms, keeps every parameter: their own checks decide). Anything else on a page's address is
 * taken off before it is rendered or cached, so `/?ref=x`, `/pages/about?x=1` and
 * `/services/schools?q=colne&page=2` are the pages themselves — the same rule for every page.
 */
const PAGE_PARAMS: [RegExp, ReadonlySet<string>][] = [
  [/^\/$/, new Set()],
  [/^\/services\/[^/]+\/?$/, new Set(['q', 'status', 'ward', 'view'])],
  [/^\/services\/[^/]+\/[^/]+\/?$/, new Set()],
  [/^\/find\/?$/, new Set(['q', 'near', 'service'])],
  [/^\/(?:alerts|pages)\/[^/]+\/?$/, new Set()],
];

/** The address with tracking parameters off, and on a public page every parameter it does not read (the same string when there are none). */
export function withOnlyPageParams(url: string): string {
  const clean = withoutTrackingParams(url);
  const q = clean.indexOf('?');
  if (q === -1) return clean;
  const hash = clean.indexOf('#', q);
  const path = clean.slice(0, q);
  const used = PAGE_PARAMS.find(([pattern]) => pattern.test(path))?.[1];
  if (!used) return clean;
  const pairs = clean.slice(q + 1, hash === -1 ? undefined : hash).split('&');
  const kept = pairs.filter((pair) => {
    const name = decodeName(pair.split('=', 1)[0]!);
    return name === null || used.has(name);
  });
  if (kept.length === pairs.length) return clean;
  const fragment = hash === -1 ? '' : clean.slice(hash);
  return `${path}${kept.length > 0 ? `?${kept.join('&')}` : ''}${fragment}`;
}

/** A parameter's name as the page reads it (`+` is a space); null for a bad escape, which stays for admission to refuse (400). */
function decodeName(name: string): string | null {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}
