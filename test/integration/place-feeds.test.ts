// One place for a parent to follow, over HTTP from the real built server on a seeded database:
// the place's own Atom feed and JSON Feed (its published changes only, newest first), linked
// from its page; the page's share tags, whose title carries the status; the "not confirmed"
// advice with the place's own phone and website and the council's confirm-by time; the phone
// and website on the staff form (validated, through the one revision mechanism, in the API and
// CSV); the share text staff copy; and the council settings behind them.
import { parse as parseCsv } from 'csv-parse/sync';
import { and, eq, isNotNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { places, revisions, services, settings } from '../../db/schema/index.ts';
import type { ApiPlace } from '../../src/lib/open-data/serialize.ts';
import type { PlaceContent } from '../../src/lib/revisions/content.ts';
import { publishRevision } from '../../src/lib/revisions/service.ts';
import { recordSuggestion } from '../../src/lib/suggestions/service.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { readHtml, textOf } from '../helpers/html.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { signInAs, type SignedIn } from '../helpers/staff.ts';
import { effectiveStatus } from '../../src/lib/places/status.ts';
import { statusPhrase } from '../../src/lib/sharing/share.ts';
import { wait, waitUntil } from '../helpers/wait.ts';
import { checkWellFormed, parseXml, xmlText, type XmlNode } from '../helpers/xml.ts';

const ATOM_NS = 'http://www.w3.org/2005/Atom';
const ATOM_ARRAYS = ['entry', 'link', 'author', 'category'];
const RFC_3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

type PlaceRow = typeof places.$inferSelect;

interface JsonFeed {
  version: string;
  title: string;
  description: string;
  home_page_url: string;
  feed_url: string;
  language: string;
  authors: { name: string }[];
  items: { id: string; url: string; title: string; content_html: string; summary?: string; date_published: string; authors: { name: string }[]; tags: string[] }[];
}

let t: TestDb;
let server: TestServer;
let editor: SignedIn;
let admin: SignedIn;

beforeAll(async () => {
  t = await createTestDb({ seed: true });
  server = await startServer(t.url);
  [editor, admin] = await Promise.all([signInAs(t, server, 'editor', 'Edna Editor'), signInAs(t, server, 'admin', 'Ada Admin')]);
});
afterAll(async () => {
  await server?.stop();
  t?.cleanup();
});


async function school(slug: string): Promise<PlaceRow> {
  const [row] = await t.db
    .select({ place: places })
    .from(places)
    .innerJoin(services, eq(services.id, places.serviceId))
    .where(and(eq(services.slug, 'schools'), eq(places.slug, slug)));
  return row!.place;
}

async function getOk(path: string): Promise<{ response: Response; body: string }> {
  const response = await server.get(path);
  const body = await response.text();
  expect(response.status, `${path}: ${body.slice(0, 200)}`).toBe(200);
  return { response, body };
}

async function getAtom(path: string): Promise<{ response: Response; feed: XmlNode }> {
  const { response, body } = await getOk(path);
  const wellFormed = await checkWellFormed(body);
  expect(wellFormed.ok, `${path} is well-formed XML: ${wellFormed.output}`).toBe(true);
  return { response, feed: parseXml(body, { arrays: ATOM_ARRAYS }).feed };
}

const getJsonFeed = async (path: string) => JSON.parse((await getOk(path)).body) as JsonFeed;

/** The place's published revisions, newest first (what its feeds must hold). */
async function publishedRevisions(placeId: number) {
  const rows = await t.db
    .select({ id: revisions.id, seq: revisions.publishSeq, content: revisions.content })
    .from(revisions)
    .where(and(eq(revisions.targetKind, 'place'), eq(revisions.targetId, placeId), isNotNull(revisions.publishSeq)));
  return rows.sort((a, b) => b.seq! - a.seq!);
}

/** Publishes a new status for a place on top of its current revision, as a staff edit would. */
async function publishStatus(row: PlaceRow, change: Partial<PlaceContent>, summary: string): Promise<void> {
  const [current] = await t.db.select().from(revisions).where(eq(revisions.id, row.currentRevisionId!));
  const { noteHtml: _rendered, ...draft } = current!.content as PlaceContent;
  const published = await publishRevision(t.db, row.id, current!.id, { kind: 'place', draft: { ...draft, ...change } }, {
    author: { accountId: null, label: 'Kirklees Council' },
    summary,
  });
  expect(published.ok).toBe(true);
}

/** The title a share of this place carries now: "Colne Valley High School: Closed today". */
function shareTitle(row: PlaceRow): string {
  const now = new Date();
  return `${row.name}: ${statusPhrase({ statusUntil: row.statusUntil, effective: effectiveStatus(row, now) }, now)}`;
}

const placeUrl = (row: PlaceRow) => `${server.url}/services/schools/${row.slug}`;
const meta = (doc: Awaited<ReturnType<typeof readHtml>>, key: string) =>
  doc.querySelector(`meta[property="${key}"]`)?.getAttribute('content') ?? doc.querySelector(`meta[name="${key}"]`)?.getAttribute('content') ?? null;

describe("a place's Atom feed (/feeds/places/{id}.atom)", () => {
  it('is a well-formed Atom 1.0 feed with the elements RFC 4287 requires, served as Atom and cacheable', async () => {
    const row = await school('colne-valley-high-school');
    const path = `/feeds/places/${row.id}.atom`;
    const { response, feed } = await getAtom(path);
    expect(response.headers.get('content-type')).toMatch(/^application\/atom\+xml\b/);
    expect(response.headers.get('cache-control')).toMatch(/^public\b/);
    expect(feed['@_xmlns']).toBe(ATOM_NS);
    expect(xmlText(feed.id)).toBe(`${server.url}${path}`);
    expect(xmlText(feed.title)).toContain('Colne Valley High School');
    expect(xmlText(feed.updated)).toMatch(RFC_3339);
    expect(xmlText(feed.author[0].name)).toBe('Kirklees Council');
    const links: XmlNode[] = feed.link;
    expect(links.filter((l) => l['@_rel'] === 'self').map((l) => l['@_href'])).toEqual([`${server.url}${path}`]);
    expect(links.find((l) => l['@_rel'] === 'alternate')?.['@_href']).toBe(placeUrl(row));
  });

  it("holds the place's published changes only, newest first, each with an id, a title with the status and a link to the place", async () => {
    const row = await school('taylor-hill-primary-school');
    await publishStatus(row, { status: 'open', noteMarkdown: 'Open again: the pipe is fixed.', statusUntil: null, confirmedAt: new Date().toISOString() }, 'Reopened');
    const expected = await publishedRevisions(row.id);
    expect(expected.length).toBeGreaterThanOrEqual(2);
    let entries: XmlNode[] = [];
    await waitUntil('the new status is in the feed', async () => {
      entries = (await getAtom(`/feeds/places/${row.id}.atom`)).feed.entry ?? [];
      return entries.length === expected.length;
    });
    expect(entries.map((e) => xmlText(e.id))).toEqual(expected.map((r) => `${placeUrl(row)}#change-${r.seq}`));
    expect(xmlText(entries[0]!.title)).toBe('Taylor Hill Primary School: Open');
    expect(xmlText(entries[1]!.title)).toBe('Taylor Hill Primary School: Closed');
    for (const entry of entries) {
      expect((entry.link as XmlNode[])[0]!['@_href']).toBe(placeUrl(row));
      expect(xmlText(entry.updated)).toMatch(RFC_3339);
    }
    const times = entries.map((e) => Date.parse(xmlText(e.updated)));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });

  it("never shows a resident's pending suggestion", async () => {
    const row = await school('holmfirth-high-school');
    const before = (await getAtom(`/feeds/places/${row.id}.atom`)).feed.entry ?? [];
    const [current] = await t.db.select().from(revisions).where(eq(revisions.id, row.currentRevisionId!));
    const { noteHtml: _rendered, ...draft } = current!.content as PlaceContent;
    await recordSuggestion(t.db, {
      kind: 'change', draft: { kind: 'place', draft: { ...draft, status: 'open', noteMarkdown: 'A resident says it is open' } },
      targetId: row.id, baseRevisionId: current!.id, serviceId: row.serviceId,
      howKnown: 'I walked past', contactEmail: null, clientHash: 'place-feeds-test',
    });
    await wait(400);
    const { body } = await getOk(`/feeds/places/${row.id}.atom`);
    expect(body).not.toContain('A resident says it is open');
    expect(parseXml(body, { arrays: ATOM_ARRAYS }).feed.entry ?? []).toHaveLength(before.length);
    expect((await getOk(`/feeds/places/${row.id}.json`)).body).not.toContain('A resident says it is open');
  });

  it("has nothing about other places", async () => {
    const row = await school('colne-valley-high-school');
    const entries: XmlNode[] = (await getAtom(`/feeds/places/${row.id}.atom`)).feed.entry ?? [];
    expect(entries.length).toBe((await publishedRevisions(row.id)).length);
    for (const entry of entries) expect(xmlText(entry.title)).toMatch(/^Colne Valley High School: /);
  });
});

describe("a place's JSON Feed (/feeds/places/{id}.json)", () => {
  it('is a JSON Feed 1.1 with the page it mirrors and its own address, served as one and cacheable', async () => {
    const row = await school('colne-valley-high-school');
    const path = `/feeds/places/${row.id}.json`;
    const { response } = await getOk(path);
    expect(response.headers.get('content-type')).toMatch(/^application\/feed\+json\b/);
    expect(response.headers.get('cache-control')).toMatch(/^public\b/);
    const feed = await getJsonFeed(path);
    expect(feed).toMatchObject({
      version: 'https://jsonfeed.org/version/1.1',
      home_page_url: placeUrl(row),
      feed_url: `${server.url}${path}`,
      language: 'en-GB',
      authors: [{ name: 'Kirklees Council' }],
    });
    expect(feed.title).toContain('Colne Valley High School');
    expect(feed.description).not.toBe('');
  });

  it('gives the same changes as the Atom feed, newest first, each a JSON Feed item', async () => {
    const row = await school('taylor-hill-primary-school');
    const feed = await getJsonFeed(`/feeds/places/${row.id}.json`);
    const expected = await publishedRevisions(row.id);
    expect(feed.items.map((i) => i.id)).toEqual(expected.map((r) => `${placeUrl(row)}#change-${r.seq}`));
    const atom: XmlNode[] = (await getAtom(`/feeds/places/${row.id}.atom`)).feed.entry;
    expect(feed.items.map((i) => i.title)).toEqual(atom.map((e) => xmlText(e.title)));
    for (const item of feed.items) {
      expect(item.url).toBe(placeUrl(row));
      expect(item.date_published).toMatch(RFC_3339);
      expect(item.content_html).toMatch(/^<p><strong>/);
      expect(item.tags).toEqual(['place']);
    }
    const times = feed.items.map((i) => Date.parse(i.date_published));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
  });
});

describe('place feeds that do not exist', () => {
  it('answer 404 in JSON for an unknown, malformed or retired place, and for other formats', async () => {
    const [retired] = await t.db.select().from(places).where(eq(places.slug, 'almondbury-community-school'));
    await publishStatus(retired!, { retired: true }, 'Retired');
    const paths = ['/feeds/places/999999.atom', '/feeds/places/999999.json', '/feeds/places/abc.atom', '/feeds/places/0.json', '/feeds/places/012.json', `/feeds/places/${retired!.id}.json`];
    const row = await school('colne-valley-high-school');
    paths.push(`/feeds/places/${row.id}.rss`, `/feeds/places/${row.id}.csv`, `/feeds/places/${row.id}`);
    await waitUntil('the retired place has gone', async () => (await server.get(`/feeds/places/${retired!.id}.atom`)).status === 404);
    for (const path of paths) {
      const response = await server.get(path);
      expect(response.status, path).toBe(404);
      if (path.endsWith('.atom') || path.endsWith('.json')) {
        expect(response.headers.get('content-type'), path).toMatch(/^application\/json\b/);
        expect(((await response.json()) as { error: { status: number } }).error.status, path).toBe(404);
      }
    }
  });

  it('refuses query parameters, like the other feeds (400)', async () => {
    const row = await school('colne-valley-high-school');
    expect((await server.get(`/feeds/places/${row.id}.atom?limit=5`)).status).toBe(400);
  });
});

describe("a place's page", () => {
  it('links to its Atom feed, JSON Feed and JSON as rel="alternate"', async () => {
    const row = await school('colne-valley-high-school');
    const doc = await readHtml(await server.get(`/services/schools/${row.slug}`));
    const alternates = doc.querySelectorAll('head link[rel="alternate"]').map((l) => [l.getAttribute('type'), l.getAttribute('href')]);
    expect(alternates).toEqual(expect.arrayContaining([
      ['application/atom+xml', `/feeds/places/${row.id}.atom`],
      ['application/feed+json', `/feeds/places/${row.id}.json`],
      ['application/json', `/api/v1/places/${row.id}`],
    ]));
    for (const [, href] of alternates) expect((await server.get(href!)).status, href!).toBe(200);
  });

  it('has Open Graph and Twitter card tags whose title carries the status', async () => {
    const row = await school('colne-valley-high-school');
    const doc = await readHtml(await server.get(`/services/schools/${row.slug}`));
    // "Closed today" (or, when the demo was loaded late in the evening, "… until the end of" tomorrow).
    expect(shareTitle(row)).toMatch(/^Colne Valley High School: Closed (today|until the end of \w+day \d{1,2} \w+)$/);
    expect(meta(doc, 'og:title')).toBe(shareTitle(row));
    expect(meta(doc, 'twitter:title')).toBe(shareTitle(row));
    expect(meta(doc, 'og:type')).toBe('website');
    expect(meta(doc, 'og:url')).toBe(placeUrl(row));
    expect(meta(doc, 'og:description')).toMatch(/^Closed to all students today because of snow/);
    expect(meta(doc, 'twitter:card')).toBe('summary');
    expect(doc.querySelector('head link[rel="canonical"]')?.getAttribute('href')).toBe(placeUrl(row));
  });

  it("says 'Not confirmed' in the share title of a place nobody has confirmed", async () => {
    const doc = await readHtml(await server.get('/services/schools/lowerhouses-ce-junior-infant-and-early-years-school'));
    expect(meta(doc, 'og:title')).toBe('Lowerhouses CE Junior Infant and Early Years School: Not confirmed');
    expect(meta(doc, 'og:description')).toBe('Nobody has confirmed the status yet.');
  });

  it('shows its own phone and website as tel: and https links in its details', async () => {
    const doc = await readHtml(await server.get('/services/schools/colne-valley-high-school'));
    const rows = doc.querySelectorAll('main dl.govuk-summary-list .govuk-summary-list__row').map((r) => [textOf(r.querySelector('dt')), r.querySelector('dd a')?.getAttribute('href') ?? null, textOf(r.querySelector('dd'))]);
    expect(rows).toEqual(expect.arrayContaining([
      ['Phone', 'tel:01134960104', '0113 496 0104'],
      ['Website', 'https://www.colne-valley-high.example', 'www.colne-valley-high.example'],
    ]));
    // Confirmed closed: no "not confirmed" advice.
    expect(doc.querySelector('#not-confirmed')).toBeNull();
  });
});

describe("the 'not confirmed' advice", () => {
  it('says what it means and what to do: the place’s own phone and website, the confirm-by time and the advice page', async () => {
    const { page: advicePage } = (await (await server.get('/api/v1/pages/bad-weather-advice')).json()) as { page: { title: string } };
    const doc = await readHtml(await server.get('/services/schools/almondbury-junior-school'));
    const advice = doc.querySelector('main #not-confirmed');
    expect(advice).not.toBeNull();
    const text = textOf(advice);
    expect(text).toContain('What ‘not confirmed’ means');
    expect(text).toContain('It does not mean the school is open, or that it is closed.');
    expect(text).toContain('We ask schools to confirm by 7:30am.');
    const links = advice!.querySelectorAll('a').map((a) => [a.getAttribute('href'), textOf(a)]);
    expect(links).toEqual([
      ['tel:01134960101', '0113 496 0101'],
      ['https://www.almondbury-junior.example', 'www.almondbury-junior.example'],
      ['/pages/bad-weather-advice', advicePage.title],
    ]);
    expect(textOf(doc.querySelector('main .govuk-tag'))).toBe('Not confirmed');
  });

  it('asks people to contact the place directly when its phone and website are not known', async () => {
    const advice = (await readHtml(await server.get('/services/schools/lowerhouses-ce-junior-infant-and-early-years-school'))).querySelector('main #not-confirmed');
    expect(textOf(advice)).toContain('contact the school directly');
    expect(advice!.querySelectorAll('a[href^="tel:"]')).toHaveLength(0);
  });

  it('on a lapsed status, says when it lapsed as well as when it was last confirmed', async () => {
    const [row] = await t.db.select().from(places).where(eq(places.slug, 'king-jamess-school'));
    const confirmedAt = new Date(Date.now() - 26 * 3_600_000);
    const lapsedAt = new Date(Date.now() - 60_000);
    await publishStatus(row!, { status: 'closed', noteMarkdown: 'Closed yesterday', statusUntil: lapsedAt.toISOString(), confirmedAt: confirmedAt.toISOString() }, 'Closed');
    let doc = await readHtml(await server.get('/services/schools/king-jamess-school'));
    await waitUntil('the lapsed closure shows', async () => {
      doc = await readHtml(await server.get('/services/schools/king-jamess-school'));
      return textOf(doc.querySelector('main .govuk-tag')) === 'Not confirmed';
    });
    const main = textOf(doc.querySelector('main'));
    expect(main).toMatch(/Not confirmed since \d{1,2}:\d{2}(am|pm) (today|yesterday) \(it was closed until then, last confirmed \d{1,2}:\d{2}(am|pm) (yesterday|\w+day \d{1,2} \w+)\)/);
    const advice = textOf(doc.querySelector('main #not-confirmed'));
    expect(advice).toMatch(/The last status, ‘closed’, ran out at \d{1,2}:\d{2}(am|pm) (today|yesterday)\. Nobody has confirmed a new one since\./);
    // A website but no phone: the website, no call link.
    expect(doc.querySelector('main #not-confirmed a[href^="https://www.king-jamess-school.example"]')).not.toBeNull();
    expect(doc.querySelector('main #not-confirmed a[href^="tel:"]')).toBeNull();
  });
});

describe('an alert page', () => {
  it('has Open Graph tags saying how serious the alert is, with its absolute address', async () => {
    const alerts = (await (await server.get('/api/v1/alerts')).json()) as { alerts: { id: number; headline: string; severity: string }[] };
    const severe = alerts.alerts.find((a) => a.severity === 'severe')!;
    const doc = await readHtml(await server.get(`/alerts/${severe.id}`));
    expect(meta(doc, 'og:title')).toBe(`Emergency: ${severe.headline}`);
    expect(meta(doc, 'og:url')).toBe(`${server.url}/alerts/${severe.id}`);
    expect(meta(doc, 'og:type')).toBe('website');
    expect(meta(doc, 'twitter:card')).toBe('summary');
    expect(meta(doc, 'og:description')).not.toBe('');
  });

  it('gives editors the share text on the staff alert page', async () => {
    const alerts = (await (await server.get('/api/v1/alerts')).json()) as { alerts: { id: number; headline: string; severity: string }[] };
    const severe = alerts.alerts.find((a) => a.severity === 'severe')!;
    const doc = await readHtml(await editor.get(`/staff/alerts/${severe.id}`));
    const box = doc.querySelector('textarea#share-text');
    expect(box?.hasAttribute('readonly')).toBe(true);
    expect(box?.textContent).toBe(`Emergency: ${severe.headline}. ${server.url}/alerts/${severe.id} #KirkleesSnow`);
  });
});

describe('a place’s phone and website on the staff form', () => {
  function editForm(row: PlaceRow, overrides: Record<string, string> = {}): Record<string, string> {
    return {
      status: row.status, note: row.noteMarkdown, 'status-from': '', 'status-until': '',
      name: row.name, category: row.category, address: row.address, postcode: row.postcode, ward: row.ward,
      identifier: row.identifier ?? '', latitude: row.latitude === null ? '' : String(row.latitude),
      longitude: row.longitude === null ? '' : String(row.longitude), phone: row.phone ?? '', website: row.website ?? '',
      summary: 'Contact details', base: String(row.currentRevisionId), ...overrides,
    };
  }

  it('shows the share text, with the status in it and the council hashtag, to copy', async () => {
    const row = await school('colne-valley-high-school');
    const doc = await readHtml(await editor.get(`/staff/places/${row.id}`));
    const box = doc.querySelector('textarea#share-text');
    expect(box?.hasAttribute('readonly')).toBe(true);
    expect(box?.textContent).toBe(`${shareTitle(row)}. ${placeUrl(row)} #KirkleesSnow`);
    expect(box?.textContent).toMatch(/^Colne Valley High School: Closed /);
    expect(textOf(doc.querySelector(`label[for="share-text"]`))).toBe('Share this update');
  });

  it('refuses a phone number or website that is not valid, saying why, and saves nothing', async () => {
    const row = await school('longley-primary-school');
    const response = await editor.post(`/staff/places/${row.id}`, editForm(row, { phone: '01484-221000 ext 2', website: 'javascript:alert(1)' }));
    expect(response.status).toBe(400);
    const doc = await readHtml(response);
    const summary = doc.querySelectorAll('.govuk-error-summary__list a').map((a) => [a.getAttribute('href'), textOf(a)]);
    expect(summary).toEqual([
      ['#phone', 'Enter a UK phone number using only numbers, spaces and +, like 01484 221000'],
      ['#website', 'Enter a website address that starts with https:// or http://'],
    ]);
    expect(textOf(doc.querySelector('#phone-error'))).toContain('Enter a UK phone number');
    expect(doc.querySelector('input#phone')?.getAttribute('value')).toBe('01484-221000 ext 2');
    expect(doc.querySelector('input#website')?.getAttribute('aria-describedby')).toBe('website-hint website-error');
    expect((await school('longley-primary-school')).currentRevisionId).toBe(row.currentRevisionId);
  });

  it('publishes them as a revision, shown on the public page and in the API, the CSV and the history', async () => {
    const row = await school('longley-primary-school');
    const response = await editor.post(`/staff/places/${row.id}`, editForm(row, { phone: '+44 113 496 0999', website: 'https://www.longley-primary.example/' }));
    expect(response.status).toBe(303);
    const after = await school('longley-primary-school');
    expect(after).toMatchObject({ phone: '+44 113 496 0999', website: 'https://www.longley-primary.example/' });
    const [revision] = await t.db.select().from(revisions).where(eq(revisions.id, after.currentRevisionId!));
    expect(revision!.content).toMatchObject({ phone: '+44 113 496 0999', website: 'https://www.longley-primary.example/' });
    expect(revision!.parentId).toBe(row.currentRevisionId);

    await waitUntil('the API has the new phone', async () => {
      const body = (await (await server.get(`/api/v1/places/${row.id}`)).json()) as { place: ApiPlace };
      return body.place.phone === '+44 113 496 0999';
    });
    const { place } = (await (await server.get(`/api/v1/places/${row.id}`)).json()) as { place: ApiPlace };
    expect(place).toMatchObject({
      website: 'https://www.longley-primary.example/',
      feeds: { atom: `${server.url}/feeds/places/${row.id}.atom`, json: `${server.url}/feeds/places/${row.id}.json` },
    });
    const csv = parseCsv(await (await server.get('/feeds/schools.csv')).text(), { columns: true }) as Record<string, string>[];
    // A cell starting "+" is neutralised for spreadsheets, like every other.
    expect(csv.find((r) => r.id === String(row.id))).toMatchObject({ phone: "'+44 113 496 0999", website: 'https://www.longley-primary.example/' });
    expect(csv.find((r) => r.slug === 'lowerhouses-ce-junior-infant-and-early-years-school')).toMatchObject({ phone: '', website: '' });

    const page = await readHtml(await server.get(`/services/schools/${row.slug}`));
    expect(page.querySelector('main a[href="tel:+441134960999"]')).not.toBeNull();
    expect(page.querySelector('main a[href="https://www.longley-primary.example/"]')).not.toBeNull();

    const history = textOf((await readHtml(await editor.get(`/staff/history/place/${row.id}`))).querySelector('main'));
    expect(history).toContain('Contact details');
  });

  it('does not let a trusted reporter change them', async () => {
    const row = await school('colne-valley-high-school');
    const reporter = await signInAs(t, server, 'reporter', 'Colne Valley office');
    const { placeGrants } = await import('../../db/schema/index.ts');
    await t.db.insert(placeGrants).values({ accountId: reporter.accountId, placeId: row.id });
    const response = await reporter.post(`/staff/places/${row.id}`, editForm(row, { phone: '0113 496 0000', website: 'https://elsewhere.example', note: 'Still closed' }));
    expect(response.status).toBe(303);
    expect(await school('colne-valley-high-school')).toMatchObject({ phone: '0113 496 0104', website: 'https://www.colne-valley-high.example', noteMarkdown: 'Still closed' });
  });
});

describe('the council settings (/staff/settings)', () => {
  it('are for administrators only', async () => {
    expect((await editor.get('/staff/settings')).status).toBe(403);
    const before = await t.db.select().from(settings).where(eq(settings.key, 'council'));
    const response = await editor.post('/staff/settings', { hashtag: '#Hacked', 'confirm-by': '09:00', 'advice-page': '' });
    expect(response.status).toBe(403);
    expect(await t.db.select().from(settings).where(eq(settings.key, 'council'))).toEqual(before);
  });

  it('show the saved hashtag, time and advice page, and refuse bad values saying why', async () => {
    const doc = await readHtml(await admin.get('/staff/settings'));
    expect(doc.querySelector('input#hashtag')?.getAttribute('value')).toBe('#KirkleesSnow');
    expect(doc.querySelector('input#confirm-by')?.getAttribute('value')).toBe('07:30');
    expect(doc.querySelector('select#advice-page option[selected]')?.getAttribute('value')).toBe('bad-weather-advice');
    const refused = await admin.post('/staff/settings', { hashtag: 'snow day', 'confirm-by': '31:00', 'advice-page': 'bad-weather-advice' });
    expect(refused.status).toBe(400);
    const messages = (await readHtml(refused)).querySelectorAll('.govuk-error-summary__list a').map((a) => a.getAttribute('href'));
    expect(messages).toEqual(['#hashtag', '#confirm-by']);
  });

  it('change what the public pages say at once, and what staff copy', async () => {
    const saved = await admin.post('/staff/settings', { hashtag: 'KirkleesWinter', 'confirm-by': '8:15', 'advice-page': 'bad-weather-advice' });
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toBe('/staff/settings?saved');
    await waitUntil('the place page shows the new time', async () =>
      textOf((await readHtml(await server.get('/services/schools/almondbury-junior-school'))).querySelector('#not-confirmed')).includes('We ask schools to confirm by 8:15am.'));
    const row = await school('colne-valley-high-school');
    const box = (await readHtml(await editor.get(`/staff/places/${row.id}`))).querySelector('textarea#share-text');
    expect(box?.textContent).toMatch(/ #KirkleesWinter$/);
    const audit = textOf((await readHtml(await admin.get('/staff/audit'))).querySelector('main'));
    expect(audit).toContain('Council settings changed');

    // Cleared: no time is given, the advice still says what to do.
    expect((await admin.post('/staff/settings', { hashtag: '', 'confirm-by': '', 'advice-page': '' })).status).toBe(303);
    await waitUntil('the time has gone', async () => {
      const text = textOf((await readHtml(await server.get('/services/schools/almondbury-junior-school'))).querySelector('#not-confirmed'));
      return text.includes('call the school') && !text.includes('to confirm by') && !text.includes('council’s advice');
    });
  });
});
