// The security headers on every answer, whoever gives it: pages Astro renders, the same pages
// replayed from the page cache and as 304s, JSON, feeds, redirects, the 404 page, and the static
// files the front server sends itself (stylesheets, the favicon, images). The routes are walked
// from the home page by following links, plus the addresses nothing links to. Two servers: one
// whose public address is http: (no Strict-Transport-Security, as in development) and one at
// https://alerts.example.gov.uk (HSTS on everything).
import { randomBytes } from 'node:crypto';
import { parse } from 'node-html-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { securityHeaders, STRICT_TRANSPORT_SECURITY } from '../../src/lib/http/security-headers.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { formBody } from '../helpers/staff.ts';

const HTTPS_SITE = 'https://alerts.example.gov.uk';

/** Addresses no page links to (machine-readable, private or wrong), walked besides the links. */
const UNLINKED = [
  '/api/v1/services',
  '/api/v1/services/schools',
  '/api/v1/alerts',
  '/api/v1/changes',
  '/api/v1/no-such-thing',
  '/feeds/changes.rss',
  '/feeds/changes.atom',
  '/feeds/changes.json',
  '/feeds/alerts.atom',
  '/feeds/schools.csv',
  '/healthz',
  '/suggest?target=new',
  '/staff/sign-in',
  '/staff',
  '/no-such-page',
  '/_astro/no-such-file.css',
  '/demo/neighbour-feeds/leeds-news.json',
];

/** At most this many addresses of one shape (first segment and depth): one school is like another. */
const PER_SHAPE = 4;

interface Answer {
  path: string;
  method: string;
  status: number;
  headers: Headers;
}

interface Walk {
  answers: Answer[];
  /** Static files the pages reference (stylesheets, icons, images, scripts). */
  assets: Set<string>;
  /** Pages with a script in the HTML itself or from another site, which the policy would block. */
  inlineScripts: string[];
}

function shapeOf(path: string): string {
  const [pathname = '', query] = path.split('?');
  const segments = pathname.split('/').filter(Boolean);
  return `${segments[0] ?? ''}/${segments.length}${query ? '?' : ''}`;
}

/** Same-site links of an HTML page: pages to walk, and static files a browser would load. */
const local = (href: string) => href.startsWith('/') && !href.startsWith('//');

function linksOf(html: string): { pages: string[]; assets: string[]; inlineScripts: number } {
  const doc = parse(html);
  const pages: string[] = [];
  const assets: string[] = [];
  for (const element of doc.querySelectorAll('a[href], link[href]')) {
    const href = element.getAttribute('href')!;
    const rel = (element.getAttribute('rel') ?? '').split(/\s+/);
    if (element.tagName === 'LINK' && rel.some((r) => ['stylesheet', 'icon', 'preload', 'modulepreload', 'manifest'].includes(r))) assets.push(href);
    else pages.push(href);
  }
  for (const element of doc.querySelectorAll('img[src], script[src]')) assets.push(element.getAttribute('src')!);
  // A script in the HTML itself, or from another site, is one the policy blocks.
  const inlineScripts = doc.querySelectorAll('script').filter((script) => {
    const src = script.getAttribute('src');
    return src ? !local(src) : script.getAttribute('type') !== 'application/ld+json';
  }).length;
  return { pages: pages.filter(local).map((href) => href.split('#')[0]!).filter(Boolean), assets: assets.filter(local), inlineScripts };
}

/** Static files a stylesheet refers to (url(...)), which a browser loads when a rule applies. */
function urlsInCss(css: string): string[] {
  return [...css.matchAll(/url\(\s*["']?([^"')]+)["']?\s*\)/g)].map((m) => m[1]!).filter(local);
}

async function record(server: TestServer, answers: Answer[], path: string, init: RequestInit = {}): Promise<Response> {
  const response = await server.get(path, init);
  answers.push({ path, method: init.method ?? 'GET', status: response.status, headers: response.headers });
  return response;
}

/** Walks the public site from the home page, then the unlinked addresses, then every asset. */
async function walkSite(server: TestServer): Promise<Walk> {
  const answers: Answer[] = [];
  const assets = new Set<string>();
  const inlineScripts: string[] = [];
  const seen = new Set<string>();
  const shapes = new Map<string, number>();
  const queue = ['/', ...UNLINKED];
  while (queue.length > 0) {
    const path = queue.shift()!;
    if (seen.has(path)) continue;
    seen.add(path);
    const response = await record(server, answers, path);
    const location = response.headers.get('location');
    const found: string[] = location?.startsWith('/') ? [location] : [];
    if (response.headers.get('content-type')?.startsWith('text/html')) {
      const links = linksOf(await response.text());
      for (const asset of links.assets) assets.add(asset);
      if (links.inlineScripts > 0) inlineScripts.push(path);
      found.push(...links.pages);
      // The same page again: from the page cache when it is a public page.
      await record(server, answers, path);
      const etag = response.headers.get('etag');
      if (etag) await record(server, answers, path, { headers: { 'if-none-match': etag } });
    } else {
      await response.arrayBuffer();
    }
    for (const next of found) {
      // Staff pages are walked only through the addresses above (signed out, they redirect).
      if (seen.has(next) || next.startsWith('/staff/') || next === '/staff/sign-out') continue;
      const shape = shapeOf(next);
      if ((shapes.get(shape) ?? 0) >= PER_SHAPE) continue;
      shapes.set(shape, (shapes.get(shape) ?? 0) + 1);
      queue.push(next);
    }
  }

  // A resident's suggestion: the form's answer (a redirect) and the private tracking page.
  const form = parse(await (await server.get('/suggest?target=new&missing=information')).text()).querySelector('form#suggest-form')!;
  const hidden = Object.fromEntries(form.querySelectorAll('input[type="hidden"]').map((i) => [i.getAttribute('name')!, i.getAttribute('value') ?? '']));
  const sent = await record(server, answers, form.getAttribute('action')!, {
    method: 'POST',
    headers: { Origin: server.url, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: formBody({ ...hidden, website: '', headline: 'Tree down on Holmfirth Road', details: 'A fallen tree blocks one lane.', services: ['roads-and-gritting'], 'how-known': 'I saw it' }),
  });
  const tracking = sent.headers.get('location');
  if (tracking) await record(server, answers, tracking);

  for (const asset of [...assets]) {
    const response = await record(server, answers, asset, { headers: { 'accept-encoding': 'br, gzip' } });
    const etag = response.headers.get('etag');
    if (response.headers.get('content-type')?.startsWith('text/css')) for (const url of urlsInCss(await response.text())) assets.add(url);
    else await response.arrayBuffer();
    await record(server, answers, asset, { method: 'HEAD' });
    if (etag) await record(server, answers, asset, { headers: { 'if-none-match': etag } });
  }
  for (const url of assets) if (!answers.some((a) => a.path === url)) await record(server, answers, url);
  return { answers, assets, inlineScripts };
}

function missingHeaders(answer: Answer, siteUrl: string): string[] {
  const problems: string[] = [];
  for (const [name, value] of securityHeaders(siteUrl)) {
    const sent = answer.headers.get(name);
    // The tracking page sends no referrer at all: stricter than the list, as it should be.
    const ok = sent === value || (name === 'Referrer-Policy' && sent === 'no-referrer');
    if (!ok) problems.push(`${answer.method} ${answer.path} (${answer.status}): ${name} is ${sent === null ? 'missing' : JSON.stringify(sent)}`);
  }
  return problems;
}

let t: TestDb;
let plain: TestServer;
let secure: TestServer;
let plainWalk: Walk;
let secureWalk: Walk;

beforeAll(async () => {
  t = await createTestDb({ seed: true });
  const common = { SUGGESTION_MIN_FILL_SECONDS: '0', SUGGESTIONS_PER_ADDRESS_PER_HOUR: '100000' };
  [plain, secure] = await Promise.all([
    startServer(t.url, common),
    startServer(t.url, {
      ...common,
      SITE_URL: HTTPS_SITE,
      TOTP_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      NEIGHBOUR_FEEDS_ALLOW_PRIVATE: 'false',
    }),
  ]);
  [plainWalk, secureWalk] = await Promise.all([walkSite(plain), walkSite(secure)]);
}, 120_000);
afterAll(async () => {
  await Promise.all([plain?.stop(), secure?.stop()]);
  t?.cleanup();
});

describe('security headers', () => {
  it('walks the public site: pages, cached copies, 304s, JSON, feeds, redirects, 404s and assets', () => {
    const { answers, assets } = plainWalk;
    const paths = new Set(answers.map((a) => a.path.split('?')[0]));
    for (const path of ['/', '/services/schools', '/api/v1/services', '/feeds/changes.atom', '/healthz', '/suggest', '/staff/sign-in', '/no-such-page']) {
      expect(paths, path).toContain(path);
    }
    const kinds = (prefix: string) => answers.filter((a) => a.path.startsWith(prefix) && a.status === 200).length;
    expect(kinds('/services/schools/'), 'a place page').toBeGreaterThan(0);
    expect(kinds('/alerts/'), 'an alert page').toBeGreaterThan(0);
    expect(kinds('/pages/'), 'an information page').toBeGreaterThan(0);
    expect(answers.some((a) => a.path.startsWith('/suggestions/') && a.status === 200), 'a tracking page').toBe(true);
    expect(answers.some((a) => a.headers.get('x-cache') === 'HIT'), 'a page from the page cache').toBe(true);
    expect(answers.some((a) => a.status === 304), 'a 304').toBe(true);
    expect(answers.some((a) => a.status === 404), 'a 404').toBe(true);
    expect([...assets].some((a) => a.startsWith('/_astro/') && a.endsWith('.css')), 'the stylesheet').toBe(true);
    expect(assets, 'the favicon').toContain('/favicon.svg');
    console.log(`Walked ${answers.length} answers (${paths.size} addresses, ${assets.size} assets) on each server`);
  });

  it('are on every answer of a site whose address is http:, without Strict-Transport-Security', () => {
    const { answers } = plainWalk;
    expect(answers.flatMap((answer) => missingHeaders(answer, plain.url))).toEqual([]);
    expect(answers.filter((a) => a.headers.has('strict-transport-security')).map((a) => a.path)).toEqual([]);
  });

  it('are on every answer of a site whose address is https:, with Strict-Transport-Security', () => {
    const { answers } = secureWalk;
    expect(answers.length).toBeGreaterThan(30);
    expect(answers.flatMap((answer) => missingHeaders(answer, HTTPS_SITE))).toEqual([]);
    for (const answer of answers) expect(answer.headers.get('strict-transport-security'), answer.path).toBe(STRICT_TRANSPORT_SECURITY);
  });

  it('allow scripts from the site itself only, and every script the pages load is a file of the site', () => {
    const policy = plainWalk.answers[0]!.headers.get('content-security-policy')!;
    expect(policy).toContain("script-src 'self'");
    expect(policy).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
    // No page has a script in its HTML or from elsewhere (the policy would block it).
    expect(plainWalk.inlineScripts).toEqual([]);
    // Each script the pages reference (built under /_astro/, or copied from src/public/) is served
    // by the site as JavaScript — 'self' — with the headers above.
    for (const path of [...plainWalk.assets].filter((a) => /\.m?js(?:\?|$)/.test(a))) {
      const answer = plainWalk.answers.find((a) => a.path === path && a.method === 'GET')!;
      expect(answer.status, path).toBe(200);
      expect(answer.headers.get('content-type'), path).toMatch(/^text\/javascript/);
    }
  });
});
