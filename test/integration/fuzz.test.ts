// Hostile input against the real built server: every public form (the suggestion form for each
// kind of target, the filter form of a service page, the other public query parameters) and
// every /api/v1 and /feeds parameter and address part gets a fixed set of oversized, malformed,
// wrong-type and hostile values, and the answers must be calm: no 5xx, no stack trace or
// database error in the body, a clear message with every 4xx (an HTML page with a heading or
// an error summary; JSON with an "error"), errors under /api and /feeds always JSON, and the
// injected markup never echoed unescaped. The value set is fixed and the few random
// combinations come from a seeded generator, so a failure repeats.
//
// Some cases depend on the front server (src/lib/http/front-server.ts) answering malformed
// addresses, other methods and oversized bodies itself; each group has a switch below
// (MALFORMED_ADDRESSES, LINE_BREAKS_IN_API_PATHS, OTHER_METHODS, HUGE_BODIES, HUGE_QUERIES).
// Only query strings over Node's 16 KB header limit are still off: Node answers those with a
// bare 431 before any of our code runs.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { parse as parseHtml } from 'node-html-parser';
import { alerts, pages, places, revisions, services, suggestions } from '../../db/schema/index.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let t: TestDb;
let server: TestServer;
/** A few thousand requests take 5–10 s on their own; more when the machine is busy with other test files. */
const FUZZ_TIMEOUT_MS = 120_000;

beforeAll(async () => {
  t = await createTestDb({ seed: true });
  server = await startServer(t.url, {
    SUGGESTION_MIN_FILL_SECONDS: '0',
    SUGGESTIONS_PER_ADDRESS_PER_HOUR: '1000000',
    SUGGESTIONS_WAITING_CAP: '1000000',
    LOG_REQUESTS: 'off',
  });
});
afterAll(async () => {
  await server?.stop();
  t?.cleanup();
});

// ─── The hostile values ──────────────────────────────────────────────────────────────────────

/** A value as it goes on the wire in a query string or a urlencoded body (already encoded). */
interface Hostile {
  label: string;
  raw: string;
  /** Malformed percent-encoding: sent in queries and bodies, not (yet) in address paths. */
  badEncoding?: boolean;
}

const enc = encodeURIComponent;
const SCRIPT = '<script>alert("fuzz")</script>';
const ATTRIBUTE_BREAK = '"><img src=x onerror=alert("fuzz")>';
/** Markup from the values above that became part of an HTML page rather than its text. */
function injectedMarkup(html: string): boolean {
  const doc = parseHtml(html);
  return (
    doc.querySelectorAll('script').some((s) => s.textContent.includes('fuzz')) ||
    doc.querySelectorAll('img').some((img) => img.hasAttribute('onerror'))
  );
}

const HOSTILE: Hostile[] = [
  { label: 'empty', raw: '' },
  { label: 'spaces', raw: '%20%20%20' },
  { label: 'NUL', raw: '%00' },
  { label: 'NUL inside', raw: 'a%00b' },
  { label: 'control characters', raw: '%01%07%08%1B%7F%C2%85' },
  { label: 'invalid UTF-8 %C3%28', raw: '%C3%28', badEncoding: true },
  { label: 'invalid UTF-8 %FF', raw: '%FF', badEncoding: true },
  { label: 'truncated UTF-8', raw: '%E2%82', badEncoding: true },
  { label: 'UTF-8 surrogate', raw: '%ED%A0%80', badEncoding: true },
  { label: 'overlong UTF-8', raw: '%C0%AF', badEncoding: true },
  { label: 'lone percent', raw: '%', badEncoding: true },
  { label: 'bad percent escape', raw: '%zz%', badEncoding: true },
  { label: 'script', raw: enc(SCRIPT) },
  { label: 'attribute break', raw: enc(ATTRIBUTE_BREAK) },
  { label: 'SQL', raw: enc("' OR 1=1 --") },
  { label: 'SQL statement', raw: enc('1; DROP TABLE places; --') },
  { label: 'negative', raw: '-1' },
  { label: 'huge exponent', raw: '1e309' },
  { label: 'hex', raw: '0x10' },
  { label: 'past 64 bits', raw: '9999999999999999999' },
  { label: 'decimal', raw: '1.5' },
  { label: 'plus sign', raw: enc('+1') },
  { label: 'leading zero', raw: '007' },
  { label: 'NaN', raw: 'NaN' },
  { label: 'bidi override', raw: enc('\u202Eevil\u202C') },
  { label: 'zero-width only', raw: enc('\u200B\u200C\u200D\uFEFF') },
  { label: 'decomposed accent', raw: enc('Rene\u0301e') },
  { label: 'emoji', raw: enc('😀'.repeat(300)) },
  { label: 'path traversal', raw: enc('../../etc/passwd') },
  { label: 'JSON object', raw: enc('{"$gt":""}') },
  { label: 'header injection', raw: enc('x\r\nSet-Cookie: fuzz=1') },
  { label: 'long (6 KB)', raw: 'a'.repeat(6_000) },
];

/** Oversized values only bodies can carry (a query string that long never reaches the app). */
const BODY_ONLY: Hostile[] = [
  { label: '100 KB', raw: 'a'.repeat(100_000) },
  { label: '60 KB of multibyte', raw: enc('é'.repeat(10_000)) },
];

/**
 * Malformed percent-encoding anywhere in the address (path or query) is answered by the front
 * server before any route sees it (a 400 page, or JSON under /api and /feeds). Off, these values
 * go in form bodies only.
 */
const MALFORMED_ADDRESSES = true;
const QUERY_VALUES = HOSTILE.filter((h) => MALFORMED_ADDRESSES || !h.badEncoding);
const PATH_VALUES = QUERY_VALUES.filter((h) => h.raw !== '');
/**
 * A line break in an /api/v1 address past the known routes (/api/v1/a%0Ab) never reaches the
 * JSON catch-all route (Astro's route patterns stop at line breaks); the front server refuses it.
 */
const LINE_BREAKS_IN_API_PATHS = true;
/** Methods other than GET and POST, and POST to read-only addresses: the front server's 405s. */
const OTHER_METHODS = true;
/** Bodies of megabytes: the front server's per-route limits (413). */
const HUGE_BODIES = true;
/** Query strings over Node's 16 KB header limit: answered 431 with a sentence (src/lib/http/client-errors.ts). */
const HUGE_QUERIES = true;

// ─── Sending and checking ────────────────────────────────────────────────────────────────────

const counts = new Map<string, number>();
let sent = 0;
/** The bad answers of the test that is running. */
let failures: string[] = [];
let allFailures = 0;
beforeEach(() => {
  failures = [];
});

/** Traces and database errors: what a visitor must never see. */
const LEAK = /\bat .+\.(m?js|ts):\d+|SQLITE|Error:/;
/** Where the GOV.UK pattern itself says "Error:" (the page title, a field's hidden prefix). */
const GOVUK_ERROR_PREFIX = /<title>Error: |<span class="govuk-visually-hidden">Error:<\/span>/g;

interface Case {
  what: string;
  path: string;
  init?: RequestInit;
}

function check(c: Case, status: number, type: string, body: string, headers: Headers): string[] {
  const problems: string[] = [];
  if (status >= 500) problems.push(`status ${status}`);
  // A HEAD answer has no body to carry a message: its status is all there is to check.
  if (c.init?.method === 'HEAD') return problems;
  if (LEAK.test(body.replace(GOVUK_ERROR_PREFIX, ''))) problems.push(`leaks ${LEAK.exec(body.replace(GOVUK_ERROR_PREFIX, ''))?.[0]}`);
  if (/(^|,\s*)fuzz=/.test(headers.get('set-cookie') ?? '')) problems.push('header injection');
  const isJson = /\bjson\b/.test(type);
  const isHtml = type.startsWith('text/html');
  if (isHtml && injectedMarkup(body)) problems.push('injected markup unescaped');
  const pathname = c.path.split('?')[0]!;
  if (status >= 400 && status < 500) {
    if (/^\/(api|feeds)\//.test(pathname) && !isJson) problems.push(`${status} as ${type || 'no type'}, not JSON`);
    if (isJson) {
      let message: unknown;
      try {
        message = (JSON.parse(body) as { error?: { message?: unknown } }).error?.message;
      } catch {
        message = undefined;
      }
      if (typeof message !== 'string' || message.trim() === '') problems.push(`${status} JSON without an error message`);
    } else if (isHtml) {
      const doc = parseHtml(body);
      const heading = doc.querySelector('h1')?.textContent.trim() ?? '';
      const summary = doc.querySelector('.govuk-error-summary')?.textContent.trim() ?? '';
      if (heading === '' && summary === '') problems.push(`${status} page without a heading or error summary`);
    } else {
      problems.push(`${status} as ${type || 'no type'} (${JSON.stringify(body.slice(0, 80))})`);
    }
  }
  return problems;
}

async function send(c: Case): Promise<Response & { text: string }> {
  const response = await server.get(c.path, c.init);
  const text = await response.text();
  sent += 1;
  const band = `${Math.floor(response.status / 100)}xx`;
  counts.set(band, (counts.get(band) ?? 0) + 1);
  const problems = check(c, response.status, response.headers.get('content-type') ?? '', text, response.headers);
  if (problems.length > 0) allFailures += 1;
  if (problems.length > 0) failures.push(`${c.init?.method ?? 'GET'} ${c.path.slice(0, 160)} (${c.what}): ${problems.join('; ')}`);
  return Object.assign(response, { text });
}

/** Sends every case, a few at a time. */
async function sendAll(cases: Case[], parallel = 8): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < cases.length) await send(cases[next++]!);
    }),
  );
}

function expectNoFailures(): void {
  const shown = failures.slice(0, 30).join('\n');
  expect(failures.length, `${failures.length} bad answers:\n${shown}`).toBe(0);
}

/** mulberry32: a small seeded generator, so the random combinations are the same every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let x = Math.imul(a ^ (a >>> 15), 1 | a);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Every way of sending one hostile value for a parameter: as it is, repeated, as an "array". */
function parameterCases(path: string, base: Record<string, string>, name: string, what: string): Case[] {
  const baseQuery = Object.entries(base)
    .filter(([key]) => key !== name)
    .map(([key, value]) => `${enc(key)}=${enc(value)}`);
  const query = (...parts: string[]) => `${path}?${[...baseQuery, ...parts].join('&')}`;
  return [
    ...QUERY_VALUES.map((h) => ({ what: `${what} ${name}: ${h.label}`, path: query(`${enc(name)}=${h.raw}`) })),
    { what: `${what} ${name}: repeated`, path: query(`${enc(name)}=1`, `${enc(name)}=2`) },
    { what: `${what} ${name}: as an array`, path: query(`${enc(name)}[]=1`, `${enc(name)}[]=2`) },
    { what: `${what} ${name}: indexed`, path: query(`${enc(name)}[0]=1`) },
    { what: `${what} ${name}: without a value`, path: query(enc(name)) },
  ];
}

/** Control characters other than tab and line feed, and bidirectional overrides. */
const UNCLEAN = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;

/** Every string inside a value (a stored revision's content is JSON). */
function textsIn(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(textsIn);
  if (value && typeof value === 'object') return Object.values(value).flatMap(textsIn);
  return [];
}

// ─── What there is to aim at ─────────────────────────────────────────────────────────────────

async function seededTargets() {
  const [service] = await t.db.select().from(services).where(eq(services.slug, 'schools'));
  const [place] = await t.db.select().from(places).where(eq(places.serviceId, service!.id)).limit(1);
  const [alert] = await t.db.select().from(alerts).where(eq(alerts.retired, false)).orderBy(alerts.id).limit(1);
  const [page] = await t.db.select().from(pages).where(eq(pages.slug, 'bad-weather-advice'));
  return { service: service!, place: place!, alert: alert!, page: page! };
}

interface OpenForm {
  action: string;
  hidden: Record<string, string>;
}

async function openSuggestForm(query: string): Promise<OpenForm> {
  const response = await server.get(`/suggest?${query}`);
  expect(response.status, query).toBe(200);
  const form = parseHtml(await response.text()).querySelector('form#suggest-form');
  const hidden: Record<string, string> = {};
  for (const input of form!.querySelectorAll('input[type="hidden"]')) hidden[input.getAttribute('name')!] = input.getAttribute('value') ?? '';
  return { action: form!.getAttribute('action')!, hidden };
}

// ─── The tests ───────────────────────────────────────────────────────────────────────────────

describe('hostile input', () => {
  it('the public GET parameters and addresses answer calmly', async () => {
    const { service, place, alert, page } = await seededTargets();
    const cases: Case[] = [];

    // The filter form of a service page, with each other filter valid.
    const filters = { status: 'closed', ward: '', q: 'school' };
    for (const name of ['status', 'ward', 'q']) cases.push(...parameterCases(`/services/${service.slug}`, filters, name, 'filter'));
    // The suggestion form's query: what it is about, which list, what is missing.
    for (const [base, names] of [
      [{ target: `place:${place.id}` }, ['target']],
      [{ target: 'new', service: service.slug }, ['service']],
      [{ target: 'new', missing: 'place', chose: '1' }, ['missing', 'chose']],
    ] as const) {
      for (const name of names) cases.push(...parameterCases('/suggest', base, name, 'suggest form'));
    }

    // The API and feeds, each parameter with the others valid.
    cases.push(...parameterCases('/api/v1/changes', { since: '0', limit: '10', service: 'schools' }, 'since', 'changes'));
    cases.push(...parameterCases('/api/v1/changes', { since: '0', limit: '10', service: 'schools' }, 'limit', 'changes'));
    cases.push(...parameterCases('/api/v1/changes', { since: '0', limit: '10', service: 'schools' }, 'service', 'changes'));
    cases.push(...parameterCases('/api/v1/alerts', {}, 'state', 'alerts'));

    // Addresses that take no parameters: an unknown one, hostile, is refused or ignored calmly.
    const fixed = [
      '/', '/healthz', `/services/${service.slug}/${place.slug}`, `/alerts/${alert.id}`, `/pages/${page.slug}`,
      '/api/v1/services', `/api/v1/services/${service.slug}`, `/api/v1/places/${place.id}`, `/api/v1/pages/${page.slug}`,
      '/feeds/changes.rss', '/feeds/changes.atom', '/feeds/changes.json', `/feeds/${service.slug}.json`, `/feeds/${service.slug}.csv`,
      '/feeds/alerts.atom', `/feeds/alerts/${alert.id}.xml`, `/feeds/places/${place.id}.atom`, `/feeds/places/${place.id}.json`,
      '/staff/sign-in',
    ];
    for (const path of fixed) {
      for (const h of QUERY_VALUES) cases.push({ what: `unknown parameter: ${h.label}`, path: `${path}?x=${h.raw}` });
      cases.push({ what: 'hostile parameter name', path: `${path}?${enc(SCRIPT)}=1&__proto__=1&constructor=1` });
    }

    // Each part of an address that names something, hostile.
    const segments: [string, (v: string) => string][] = [
      ['service', (v) => `/services/${v}`],
      ['place', (v) => `/services/${service.slug}/${v}`],
      ['alert id', (v) => `/alerts/${v}`],
      ['page slug', (v) => `/pages/${v}`],
      ['suggestion token', (v) => `/suggestions/${v}`],
      ['demo feed', (v) => `/demo/neighbour-feeds/${v}`],
      ['API service', (v) => `/api/v1/services/${v}`],
      ['API place id', (v) => `/api/v1/places/${v}`],
      ['API page slug', (v) => `/api/v1/pages/${v}`],
      ['API address', (v) => `/api/v1/${v}`],
      ['feed file', (v) => `/feeds/${v}`],
      ['feed file with extension', (v) => `/feeds/${v}.json`],
      ['CAP file', (v) => `/feeds/alerts/${v}.xml`],
      ['place feed', (v) => `/feeds/places/${v}.atom`],
    ];
    for (const [what, path] of segments) {
      for (const h of PATH_VALUES) {
        if (what === 'API address' && !LINE_BREAKS_IN_API_PATHS && /%0[AD]/i.test(h.raw)) continue;
        cases.push({ what: `${what}: ${h.label}`, path: path(h.raw.replace(/\./g, '%2E')) });
      }
    }
    // Where to go after signing in: only ever a /staff path.
    cases.push(...parameterCases('/staff/sign-in', {}, 'next', 'sign-in'));

    await sendAll(cases);
    expectNoFailures();
  }, FUZZ_TIMEOUT_MS);

  it('other methods, huge bodies and huge query strings answer calmly', async (context) => {
    if (!OTHER_METHODS && !HUGE_BODIES && !HUGE_QUERIES) context.skip();
    const paths = ['/', '/services/schools', '/pages/bad-weather-advice', '/suggest?target=new', '/staff/sign-in', '/healthz', '/api/v1/changes', '/api/v1/nope', '/feeds/changes.rss'];
    const cases: Case[] = [];
    if (OTHER_METHODS) {
      for (const path of paths) {
        for (const method of ['PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD', 'PROPFIND']) cases.push({ what: `method ${method}`, path, init: { method, headers: { Origin: server.url } } });
        if (!['/suggest?target=new', '/staff/sign-in'].includes(path)) {
          cases.push({ what: 'POST to a read-only address', path, init: { method: 'POST', headers: { Origin: server.url, 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'a=1' } });
        }
      }
    }
    if (HUGE_BODIES) {
      for (const path of paths) {
        cases.push({ what: '2 MB form body', path, init: { method: 'POST', headers: { Origin: server.url, 'Content-Type': 'application/x-www-form-urlencoded' }, body: `note=${'a'.repeat(2_000_000)}` } });
      }
    }
    if (HUGE_QUERIES) {
      for (const path of paths) cases.push({ what: '20 KB query string', path: `${path}${path.includes('?') ? '&' : '?'}q=${'a'.repeat(20_000)}` });
    }
    await sendAll(cases, 4);
    expectNoFailures();
  }, FUZZ_TIMEOUT_MS);

  it('the numeric API parameters accept only plain whole numbers, and say which parameter is wrong', async () => {
    for (const [name, value] of [
      ['limit', '0x10'], ['limit', '1e2'], ['limit', '+10'], ['limit', '010'], ['limit', '%2010'], ['limit', '9999999999999999999'],
      ['since', '0x10'], ['since', '1e309'], ['since', '-0'], ['since', '00'], ['since', '9999999999999999999'],
    ] as const) {
      const response = await send({ what: `strict ${name}`, path: `/api/v1/changes?${name}=${value}` });
      expect(response.status, `${name}=${value}`).toBe(400);
      const body = JSON.parse(response.text) as { error: { message: string; issues: { parameter: string }[] } };
      expect(body.error.issues.map((i) => i.parameter), `${name}=${value}`).toEqual([name]);
      expect(body.error.message).toContain(name);
    }
    expect((await send({ what: 'plain limit', path: '/api/v1/changes?since=0&limit=16' })).status).toBe(200);
    expectNoFailures();
  });

  it('every suggestion form answers calmly to each field made hostile, and to bodies that are not forms', async () => {
    const { place, alert, page } = await seededTargets();
    // Each kind of suggestion: the form's query, and what a resident would type.
    const kinds: { kind: string; query: string; typed: Record<string, string> }[] = [
      { kind: 'place', query: `target=place:${place.id}`, typed: { status: 'open', note: 'Open as normal', 'how-known': 'I walked past', email: '' } },
      { kind: 'alert', query: `target=alert:${alert.id}`, typed: { body: `${alert.bodyMarkdown}\n\nAlso Station Road.`, 'how-known': 'I live there', email: '' } },
      { kind: 'page', query: `target=page:${page.id}`, typed: { body: `${page.bodyMarkdown}\n\nOne more line.`, 'how-known': 'I read it', email: 'a@example.org' } },
      {
        kind: 'missing place',
        query: 'target=new&missing=place',
        typed: { service: 'schools', name: 'Fuzz Primary', address: '1 High Street', postcode: 'HD1 2TA', status: 'open', note: '', 'how-known': 'I work there', email: '' },
      },
      {
        kind: 'missing information',
        query: 'target=new&missing=information',
        typed: { headline: 'Road closed', details: 'A tree is down', services: 'schools', 'how-known': 'I saw it', email: '' },
      },
    ];
    const random = seeded(20261121);
    const cases: Case[] = [];
    const postTo = (action: string, what: string, body: string, type = 'application/x-www-form-urlencoded'): Case => ({
      what,
      path: action,
      init: { method: 'POST', headers: { Origin: server.url, ...(type ? { 'Content-Type': type } : {}) }, body },
    });

    for (const { kind, query, typed } of kinds) {
      const form = await openSuggestForm(query);
      const fields: Record<string, string> = { ...form.hidden, website: '', ...typed };
      const encoded = (values: Record<string, string>) => Object.entries(values).map(([k, v]) => `${enc(k)}=${enc(v)}`);
      const bodyWith = (name: string, raw: string[]) => [...encoded(Object.fromEntries(Object.entries(fields).filter(([k]) => k !== name))), ...raw].join('&');

      // The untouched form goes through (and stays the baseline the hostile ones differ from).
      cases.push(postTo(form.action, `${kind}: as typed`, encoded(fields).join('&')));
      for (const name of Object.keys(fields)) {
        for (const h of [...HOSTILE, ...BODY_ONLY]) cases.push(postTo(form.action, `${kind} ${name}: ${h.label}`, bodyWith(name, [`${enc(name)}=${h.raw}`])));
        cases.push(postTo(form.action, `${kind} ${name}: repeated`, bodyWith(name, [`${enc(name)}=a`, `${enc(name)}=b`])));
        cases.push(postTo(form.action, `${kind} ${name}: missing`, bodyWith(name, [])));
      }
      // A few fields hostile at once, chosen by the seeded generator.
      const names = Object.keys(fields);
      for (let i = 0; i < 12; i += 1) {
        const picked = names.filter(() => random() < 0.4);
        const raw = picked.map((name) => `${enc(name)}=${HOSTILE[Math.floor(random() * HOSTILE.length)]!.raw}`);
        cases.push(postTo(form.action, `${kind} ${picked.join('+')}: mixed`, [...encoded(Object.fromEntries(Object.entries(fields).filter(([k]) => !picked.includes(k)))), ...raw].join('&')));
      }
      // Bodies that are not this form.
      const valid = encoded(fields).join('&');
      cases.push(postTo(form.action, `${kind}: JSON body`, JSON.stringify(fields), 'application/json'));
      cases.push(postTo(form.action, `${kind}: JSON body sent as a form`, JSON.stringify(fields)));
      cases.push(postTo(form.action, `${kind}: plain text`, valid, 'text/plain'));
      cases.push(postTo(form.action, `${kind}: XML`, '<suggestion><note>x</note></suggestion>', 'application/xml'));
      cases.push(postTo(form.action, `${kind}: no content type`, valid, ''));
      cases.push(postTo(form.action, `${kind}: multipart without a boundary`, valid, 'multipart/form-data'));
      cases.push(postTo(form.action, `${kind}: multipart, garbage`, '--x\r\nnot a part\r\n', 'multipart/form-data; boundary=x'));
      cases.push(postTo(form.action, `${kind}: empty body`, ''));
      cases.push(postTo(form.action, `${kind}: only separators`, '&&&==&='));
      cases.push(postTo(form.action, `${kind}: binary`, '\u0000\u00ff\ufffd'.repeat(100), 'application/octet-stream'));
      // Wrong query on the form's address.
      for (const h of QUERY_VALUES) cases.push(postTo(`/suggest?target=${h.raw}`, `${kind} target in the address: ${h.label}`, valid));
    }
    // The staff sign-in form is public too: hostile email and password, wrong bodies.
    const signIn = (what: string, body: string, type = 'application/x-www-form-urlencoded') => postTo('/staff/sign-in', `sign-in ${what}`, body, type);
    for (const name of ['email', 'password']) {
      const other = name === 'email' ? 'password=not-the-password' : 'email=nobody%40example.org';
      for (const h of [...HOSTILE, ...BODY_ONLY.slice(0, 1)]) cases.push(signIn(`${name}: ${h.label}`, `${other}&${name}=${h.raw}`));
      cases.push(signIn(`${name}: repeated`, `${other}&${name}=a&${name}=b`));
    }
    cases.push(signIn('JSON body', JSON.stringify({ email: 'a@example.org', password: 'x' }), 'application/json'));
    cases.push(signIn('no content type', 'email=a%40example.org&password=x', ''));
    // A multipart form that is well formed: read like any other.
    const multipart = new FormData();
    multipart.append('target', 'new');
    multipart.append('missing', 'information');
    multipart.append('headline', SCRIPT);
    cases.push({ what: 'multipart form', path: '/suggest?target=new&missing=information', init: { method: 'POST', headers: { Origin: server.url }, body: multipart } });

    await sendAll(cases);
    expectNoFailures();

    // What was accepted went through the text hygiene: nothing stored holds a control character
    // or a bidirectional override, and every text is NFC.
    const stored = await t.db.select({ howKnown: suggestions.howKnown, contactEmail: suggestions.contactEmail, content: revisions.content })
      .from(suggestions).innerJoin(revisions, eq(revisions.suggestionId, suggestions.id));
    expect(stored.length, 'suggestions accepted').toBeGreaterThan(50);
    const unclean = stored.flatMap((row) => textsIn(row)).filter((text) => UNCLEAN.test(text) || text !== text.normalize('NFC'));
    expect(unclean.map((text) => JSON.stringify(text.slice(0, 80)))).toEqual([]);
  }, FUZZ_TIMEOUT_MS);
});

afterAll(() => {
  const bands = [...counts.entries()].sort().map(([band, n]) => `${band} ${n}`).join(', ');
  console.log(`fuzz: ${sent} requests sent (${bands}); ${allFailures} bad answers`);
});
