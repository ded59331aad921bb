// What a publish empties, and what the cache keeps apart: a school's publish re-renders that
// school's page, its service's page and what counts across services, and leaves the other
// services' pages cached — in the process that published and in another one sharing the
// database; searches are kept in a bin of their own, so no number of them evicts the pages
// everyone reads; addresses with parameters a page does not read are the page itself.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, asc, eq } from 'drizzle-orm';
import { pages, places, revisions, services } from '../../db/schema/index.ts';
import { MAX_SEARCHES } from '../../src/lib/http/page-cache.ts';
import type { PageContent } from '../../src/lib/revisions/content.ts';
import { publishRevision } from '../../src/lib/revisions/service.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { signInAs, type SignedIn } from '../helpers/staff.ts';

let t: TestDb;
/** Checks the content version on every request: "the next request" is exact. */
let first: TestServer;
/** A second process on the same database file, with the default check interval (250 ms). */
let second: TestServer;
let editor: SignedIn;
let schools: { id: number; slug: string; currentRevisionId: number | null; status: string }[];

const cacheOf = async (server: TestServer, path: string) => (await server.get(path)).headers.get('x-cache');

/** Requests each page until it is served from memory. */
async function warm(server: TestServer, paths: string[]): Promise<void> {
  for (const path of paths) {
    await server.get(path);
    expect(await cacheOf(server, path), path).toBe('HIT');
  }
}

/** Publishes a school's status through the first server's morning round, as a school office does. */
async function tapStatus(placeId: number, answer: 'open' | 'closed'): Promise<void> {
  const [row] = await t.db.select().from(places).where(eq(places.id, placeId));
  const response = await editor.post('/staff/today', { place: String(placeId), base: String(row!.currentRevisionId), answer });
  expect(response.status).toBe(303);
}

beforeAll(async () => {
  t = await createTestDb({ seed: true });
  [first, second] = await Promise.all([startServer(t.url, { CACHE_CHECK_MS: '0' }), startServer(t.url)]);
  editor = await signInAs(t, first, 'editor');
  const [service] = await t.db.select().from(services).where(eq(services.slug, 'schools'));
  schools = await t.db
    .select({ id: places.id, slug: places.slug, currentRevisionId: places.currentRevisionId, status: places.status })
    .from(places)
    .where(and(eq(places.serviceId, service!.id), eq(places.retired, false)))
    .orderBy(asc(places.name))
    .limit(2);
});
afterAll(async () => {
  await Promise.all([first?.stop(), second?.stop()]);
  t?.cleanup();
});

describe('shared links and parameters a page does not read', () => {
  it('serves /?utm_source=x from the cache after the first request for it', async () => {
    const link = `/?utm_source=x&n=${Date.now()}`;
    const once = await first.get(link);
    expect(once.status).toBe(200);
    const again = await first.get(link);
    expect(again.headers.get('x-cache')).toBe('HIT');
    expect(again.headers.get('etag')).toBe(once.headers.get('etag'));
  });

  it('treats an unused parameter on any page as the page itself', async () => {
    for (const [clean, extra] of [['/', '/?ref=newsletter'], ['/pages/about', '/pages/about?page=2'], ['/services/libraries', '/services/libraries?sort=name']]) {
      const page = await first.get(clean!);
      const shared = await first.get(extra!);
      expect(shared.headers.get('x-cache'), extra).toBe('HIT');
      expect(shared.headers.get('etag'), extra).toBe(page.headers.get('etag'));
    }
  });

  it('keeps the parameters a page reads', async () => {
    const all = await (await first.get('/services/schools')).text();
    const closed = await (await first.get('/services/schools?status=closed&sort=name')).text();
    expect(closed).not.toBe(all);
    expect(closed).toBe(await (await first.get('/services/schools?status=closed')).text());
  });
});

describe('a publish to one school', () => {
  const school = () => schools[0]!;
  const otherSchool = () => schools[1]!;
  const untouched = () => ['/services/libraries', '/services/roads-and-gritting', `/services/schools/${otherSchool().slug}`, '/pages/about', '/services/libraries?q=library'];
  const touched = () => ['/', '/services/schools', `/services/schools/${school().slug}`, '/services/schools?q=school', '/api/v1/services/schools', '/feeds/schools.rss'];

  it('re-renders that school, its service page and the home page, and leaves other services cached', async () => {
    await warm(first, [...untouched(), ...touched()]);
    await tapStatus(school().id, school().status === 'closed' ? 'open' : 'closed');
    for (const path of untouched()) expect(await cacheOf(first, path), path).toBe('HIT');
    for (const path of touched()) expect(await cacheOf(first, path), path).toBe('MISS');
    const page = await (await first.get(`/services/schools/${school().slug}`)).text();
    expect(page).toContain(school().status === 'closed' ? 'Open' : 'Closed');
  });

  it('is served by another process within a second, which also keeps its other pages cached', async () => {
    await warm(second, [...untouched(), ...touched()]);
    const before = await (await second.get(`/services/schools/${school().slug}`)).text();
    const [row] = await t.db.select().from(places).where(eq(places.id, school().id));
    await tapStatus(school().id, row!.status === 'closed' ? 'open' : 'closed');
    const started = Date.now();
    for (;;) {
      const response = await second.get(`/services/schools/${school().slug}`);
      if ((await response.text()) !== before) break;
      expect(Date.now() - started, 'the other process still served the old page').toBeLessThan(1_000);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(Date.now() - started).toBeLessThan(1_000);
    for (const path of untouched()) expect(await cacheOf(second, path), path).toBe('HIT');
  });

  it('still empties every page when what changed shows on every page (an information page, in the footer)', async () => {
    await warm(first, untouched());
    const [page] = await t.db.select().from(pages).where(eq(pages.slug, 'about'));
    const [current] = await t.db.select().from(revisions).where(eq(revisions.id, page!.currentRevisionId!));
    const { bodyHtml: _html, ...draft } = current!.content as PageContent;
    const result = await publishRevision(t.db, page!.id, current!.id, { kind: 'page', draft: { ...draft, bodyMarkdown: `${draft.bodyMarkdown}\n\nUpdated.` } }, {
      author: { accountId: null, label: 'test' },
      summary: 'scope test',
    });
    expect(result.ok).toBe(true);
    for (const path of untouched()) expect(await cacheOf(first, path), path).toBe('MISS');
  });
});

describe('searches', () => {
  it('never push the pages everyone reads out of the cache', async () => {
    await warm(first, ['/services/schools', '/services/libraries']);
    const firstSearch = `/services/schools?q=first-${Date.now()}`;
    await first.get(firstSearch);
    expect(await cacheOf(first, firstSearch)).toBe('HIT');
    for (let i = 0; i < MAX_SEARCHES + 20; i++) await (await first.get(`/services/schools?q=search-${i}-${Date.now()}`)).arrayBuffer();
    // The searches' own bin is full: its oldest went; the service pages stayed.
    expect(await cacheOf(first, firstSearch)).toBe('MISS');
    expect(await cacheOf(first, '/services/schools')).toBe('HIT');
    expect(await cacheOf(first, '/services/libraries')).toBe('HIT');
  });
});
