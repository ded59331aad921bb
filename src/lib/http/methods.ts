// The home of which HTTP methods each route takes: the table the front server checks before a
// request reaches Astro (src/lib/http/front-server.ts), so a method a route does not take is a
// 405 with an Allow header — never a page rendered with 200, an HTML 404 from an API route, or a
// 500 from Astro (which cannot even build a Request for TRACE).
//
// The convention: every route answers GET and HEAD (HEAD is GET without the body) and nothing
// else, unless ROUTE_METHODS below says otherwise. A page that handles a form
// (`Astro.request.method === 'POST'`) is listed with FORM; an endpoint (.ts) is listed with the
// methods it exports when they are not just GET. Entries are route files under src/pages, so
// their addresses follow Astro's file routing ([id] one segment, [...rest] any), and a static
// segment wins over a parameter, as in Astro (so a read-only page beside a listed [id] page, say
// staff/places/export.astro, is listed with READ). test/integration/methods.test.ts reads every file
// in src/pages and fails when a route's handling and this table disagree (a new POST page not
// listed here, say). OPTIONS is answered everywhere (204 with Allow, no CORS headers).

export type Method = 'GET' | 'HEAD' | 'POST';

/** A page or endpoint that is only read. */
export const READ: readonly Method[] = ['GET', 'HEAD'];
/** A page that shows a form on GET and handles it on POST. */
export const FORM: readonly Method[] = ['GET', 'HEAD', 'POST'];

/** Route files (under src/pages) that take more than GET and HEAD, or other methods. */
export const ROUTE_METHODS: Readonly<Record<string, readonly Method[]>> = {
  'suggest.astro': FORM,
  'subscribe.astro': FORM,
  'updates/[token]/index.astro': FORM,
  'updates/[token]/confirm.astro': FORM,
  'updates/[token]/unsubscribe.astro': FORM,
  'setup.astro': FORM,
  'staff/sign-in/index.astro': FORM,
  'staff/sign-in/two-factor.astro': FORM,
  'staff/sign-out.ts': ['POST'],
  'subscribe/push.ts': ['POST'],
  'staff/security.astro': FORM,
  'staff/settings.astro': FORM,
  'staff/settings/council.astro': FORM,
  'staff/settings/services/index.astro': FORM,
  'staff/settings/services/[service].astro': FORM,
  'staff/import/index.astro': FORM,
  'staff/import/[id].astro': FORM,
  'staff/snow-day.astro': FORM,
  'staff/today.astro': FORM,
  'staff/accounts/index.astro': FORM,
  'staff/accounts/[id].astro': FORM,
  'staff/alerts/new.astro': FORM,
  'staff/alerts/[id].astro': FORM,
  'staff/pages/new.astro': FORM,
  'staff/pages/[id].astro': FORM,
  'staff/places/new.astro': FORM,
  'staff/places/[id].astro': FORM,
  'staff/services/[service].astro': FORM,
  'staff/changes/[id].astro': FORM,
  'staff/history/[kind]/[id]/index.astro': FORM,
  'staff/review/index.astro': FORM,
  'staff/review/[id].astro': FORM,
  'staff/neighbours/index.astro': FORM,
  'staff/neighbours/[id].astro': FORM,
  'staff/coverage/items/[id].astro': FORM,
  'staff/coverage/feed.astro': FORM,
  'staff/webhooks/index.astro': FORM,
  'staff/webhooks/[id].astro': FORM,
  'staff/notifications.astro': FORM,
};

/**
 * The regular expression for a route file's addresses, as Astro routes it: `index` is its
 * folder, `[name]` one segment, `[...name]` any rest (even none), a trailing slash optional.
 */
export function routePattern(file: string): RegExp {
  const segments = file.replace(/\.(astro|ts)$/, '').split('/');
  if (segments.at(-1) === 'index') segments.pop();
  let source = '';
  for (const segment of segments) {
    if (/^\[\.\.\.[^\]]+\]$/.test(segment)) source += '(?:/.*)?';
    else if (/^\[[^\]]+\]$/.test(segment)) source += '/[^/]+';
    else source += '/' + segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}/?$`);
}

/** 0 for a static segment, 1 for a parameter, 2 for a rest parameter: Astro's priority. */
function segmentRank(segment: string): number {
  return segment.startsWith('[...') ? 2 : segment.startsWith('[') ? 1 : 0;
}

/** Static segments first, segment by segment, so `places/new` is tried before `places/[id]`. */
function comparePriority(a: string, b: string): number {
  const as = a.split('/');
  const bs = b.split('/');
  for (let i = 0; i < Math.min(as.length, bs.length); i++) {
    const d = segmentRank(as[i]!) - segmentRank(bs[i]!);
    if (d !== 0) return d;
  }
  return bs.length - as.length;
}

const ROUTES = Object.entries(ROUTE_METHODS)
  .sort(([a], [b]) => comparePriority(a, b))
  .map(([file, methods]) => ({ pattern: routePattern(file), methods }));

/** The fixed start of a route file's addresses (`/staff/sign-out` for `staff/sign-out.ts`). */
function staticPrefix(file: string): string {
  const fixed: string[] = [];
  for (const segment of file.replace(/\.(astro|ts)$/, '').split('/')) {
    if (segment.startsWith('[') || segment === 'index') break;
    fixed.push(segment);
  }
  return '/' + fixed.join('/');
}

/** The listed routes that do not take GET (sign-out): the only ones a read must be checked against. */
const READ_REFUSING = Object.entries(ROUTE_METHODS)
  .filter(([, methods]) => !methods.includes('GET'))
  .map(([file]) => ({ prefix: staticPrefix(file), pattern: routePattern(file) }));

/** Every method some route takes, for `OPTIONS *`. */
export const SERVER_METHODS: readonly string[] = [...new Set([...READ, ...ROUTES.flatMap((route) => route.methods)])];

/** The methods the route at `pathname` (decoded, no query) takes. Unknown addresses take reads (and answer 404). */
export function allowedMethods(pathname: string): readonly Method[] {
  for (const route of ROUTES) if (route.pattern.test(pathname)) return route.methods;
  return READ;
}

/**
 * Whether a GET or HEAD of `target` (a request target: path and query) may be refused, so needs
 * the full check (allowedMethods). For the hot path: a string comparison per route that does
 * not take GET (one, sign-out), and a regex only when the address starts like one.
 */
export function refusesReads(target: string): boolean {
  for (const route of READ_REFUSING) {
    if (!target.startsWith(route.prefix)) continue;
    const query = target.indexOf('?');
    if (route.pattern.test(query === -1 ? target : target.slice(0, query))) return true;
  }
  return false;
}

/** The Allow header for a route: its methods and OPTIONS, which every route answers. */
export function allowHeader(methods: readonly string[]): string {
  return [...methods, 'OPTIONS'].join(', ');
}

/** Addresses whose errors are JSON (the open-data API, the feeds, the health check); others get pages. */
export function answersWithJson(pathname: string): boolean {
  return /^\/(?:api|feeds)(?:\/|$)|^\/healthz\/?$/.test(pathname);
}
