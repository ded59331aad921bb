// Plain, consistent words on the public site (issue 11), over HTTP from the real built server on
// a seeded database: the site and each service have one name, the same in the header,
// breadcrumbs, links, headings and page titles; and the words the pages themselves say (not
// what the council or a resident wrote) have a reading age of 9 or under — Flesch–Kincaid grade
// 4 — the GOV.UK aim. test/helpers/readability.ts says how the fixed text is found and counted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { HTMLElement } from 'node-html-parser';
import { parse } from 'node-html-parser';
import { alerts, pages, places, revisions, services } from '../../db/schema/index.ts';
import { websiteLabel } from '../../src/lib/places/service.ts';
import { getCouncil } from '../../src/lib/settings/repository.ts';
import type { Council } from '../../src/lib/settings/repository.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { readHtml, textOf } from '../helpers/html.ts';
import { measureFixedText, storedValueMatcher } from '../helpers/readability.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { formBody } from '../helpers/staff.ts';

/** Reading age 9 (GOV.UK's aim) is US grade 4: reading age = grade + 5. */
const MAX_GRADE = 4;

const HOW_KNOWN = 'I walked past this morning and saw a sign on the gate';
const SEARCHES = ['colne', 'HD99'];

let t: TestDb;
let server: TestServer;
let council: Council;
let serviceRows: (typeof services.$inferSelect)[];
/** Every value the pages show that comes from the database or content files. */
let stored: string[];
let severeAlertId: number;
let trackingPath: string;
let hadeEdgeId: number;

async function html(path: string, status = 200): Promise<HTMLElement> {
  const response = await server.get(path);
  expect(response.status, path).toBe(status);
  return readHtml(response);
}

async function placeId(slug: string): Promise<number> {
  const [row] = await t.db.select({ id: places.id }).from(places).where(eq(places.slug, slug));
  return row!.id;
}

/** What stored markdown says, as text. */
const textOfHtml = (fragment: string) => textOf(parse(fragment));

async function storedValues(): Promise<string[]> {
  const values: string[] = [council.name, council.shortName, council.siteName, council.contactPhone, council.hashtag ?? ''];
  for (const s of serviceRows) values.push(s.name, s.summary, s.placeLabel, s.placeLabelPlural);
  for (const p of await t.db.select().from(places)) {
    values.push(p.name, p.ward, p.address, p.postcode, p.category, p.identifier ?? '', p.phone ?? '', textOfHtml(p.noteHtml));
    if (p.website) values.push(p.website, websiteLabel(p.website));
  }
  for (const a of await t.db.select().from(alerts)) values.push(a.headline, a.area, textOfHtml(a.bodyHtml));
  for (const p of await t.db.select().from(pages)) values.push(p.title, p.summary);
  for (const r of await t.db.select({ authorLabel: revisions.authorLabel }).from(revisions)) values.push(r.authorLabel);
  values.push(...SEARCHES, HOW_KNOWN, `${server.url}${trackingPath.replace(/\?.*$/, '')}`);
  return values.filter(Boolean);
}

/** Sends a suggestion the way a resident does; returns its tracking page's path. */
async function sendSuggestion(id: number): Promise<string> {
  const form = parse(await (await server.get(`/suggest?target=place:${id}`)).text()).querySelector('form#suggest-form')!;
  const hidden = Object.fromEntries(form.querySelectorAll('input[type="hidden"]').map((i) => [i.getAttribute('name')!, i.getAttribute('value') ?? '']));
  const response = await server.get(form.getAttribute('action')!, {
    method: 'POST',
    headers: { Origin: server.url, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: formBody({ ...hidden, website: '', status: 'open', note: '', 'how-known': HOW_KNOWN, email: '' }),
  });
  expect(response.status).toBe(303);
  return response.headers.get('location')!;
}

beforeAll(async () => {
  t = await createTestDb({ seed: true });
  server = await startServer(t.url, { SUGGESTION_MIN_FILL_SECONDS: '0' });
  council = await getCouncil(t.db);
  serviceRows = await t.db.select().from(services).orderBy(services.sortOrder);
  const [severe] = await t.db.select({ id: alerts.id }).from(alerts).where(eq(alerts.severity, 'severe'));
  severeAlertId = severe!.id;
  hadeEdgeId = await placeId('hade-edge-junior-and-infant-school');
  trackingPath = await sendSuggestion(hadeEdgeId);
  stored = await storedValues();
});
afterAll(async () => {
  await server?.stop();
  t?.cleanup();
});

const breadcrumbs = (doc: HTMLElement) => doc.querySelectorAll('.govuk-breadcrumbs a').map((a) => ({ text: textOf(a), href: a.getAttribute('href') }));
const navCurrent = (doc: HTMLElement) => doc.querySelector('nav[aria-label="Site"] a[aria-current="page"]');
const serviceName = (doc: HTMLElement) => textOf(doc.querySelector('.govuk-service-navigation__service-name a'));
/**
 * Links that lead to a page by naming it: every link to the address, except a form's own
 * actions ("Clear filters") and links inside stored content (an alert's body is the council's words).
 */
const namingLinks = (doc: HTMLElement, href: string) =>
  doc.querySelectorAll(`a[href="${href}"]`).filter((a) => !a.closest('form') && !a.closest('[data-content]'));

describe('one name for the site', () => {
  it('is the header, the home page title and heading, and the first breadcrumb on every page that has one', async () => {
    const home = await html('/');
    expect(serviceName(home)).toBe(council.siteName);
    expect(textOf(home.querySelector('title'))).toBe(council.siteName);
    expect(textOf(home.querySelector('main h1'))).toBe(council.siteName);
    for (const path of ['/services/schools', '/services/schools/hade-edge-junior-and-infant-school', `/alerts/${severeAlertId}`, '/find?q=colne', '/suggest?target=new', '/no-such-page']) {
      const doc = await html(path, path === '/no-such-page' ? 404 : 200);
      expect(serviceName(doc), path).toBe(council.siteName);
      expect(textOf(doc.querySelector('title')), path).toMatch(new RegExp(` - ${council.siteName}$`));
      const crumbs = breadcrumbs(doc);
      if (crumbs.length > 0) expect(crumbs[0], path).toEqual({ text: council.siteName, href: '/' });
      // Every link to the home page says the site's name.
      for (const link of namingLinks(doc, '/')) expect(textOf(link), path).toBe(council.siteName);
    }
  });
});

describe('one name for each service', () => {
  it('is the same in the navigation, breadcrumbs, home page links, its heading and its page title', async () => {
    const home = await html('/');
    for (const service of serviceRows) {
      const href = `/services/${service.slug}`;
      const homeLink = home.querySelector(`.csa-service-list a[href="${href}"]`);
      expect(textOf(homeLink), service.slug).toBe(service.name);

      const page = await html(href);
      expect(textOf(page.querySelector('main h1')), service.slug).toBe(service.name);
      expect(textOf(page.querySelector('title')), service.slug).toBe(`${service.name} - ${council.siteName}`);
      expect(textOf(navCurrent(page)), service.slug).toBe(service.name);
      expect(navCurrent(page)?.getAttribute('href')).toBe(href);

      // A place page of the service: breadcrumb back to it, and the navigation, by the same name.
      const placeLink = page.querySelector(`table a[href^="${href}/"]`);
      const place = await html(placeLink!.getAttribute('href')!);
      expect(breadcrumbs(place), service.slug).toEqual([{ text: council.siteName, href: '/' }, { text: service.name, href }]);
      expect(textOf(navCurrent(place)), service.slug).toBe(service.name);

      // Any other link to the service, anywhere on these pages, says its name.
      for (const doc of [home, page, place]) {
        for (const link of namingLinks(doc, href)) expect(textOf(link), `a link to ${href}`).toBe(service.name);
      }
    }
  });

  it('is the same in the navigation on every page, and in links from alerts and search results', async () => {
    const alert = await html(`/alerts/${severeAlertId}`);
    const find = await html('/find?q=colne');
    const notFound = await html('/no-such-page', 404);
    for (const service of serviceRows) {
      const href = `/services/${service.slug}`;
      for (const doc of [alert, find, notFound]) {
        for (const link of namingLinks(doc, href)) expect(textOf(link), `a link to ${href}`).toBe(service.name);
      }
    }
    const groups = find.querySelectorAll('main h3').map(textOf);
    expect(groups.length).toBeGreaterThan(0);
    for (const group of groups) expect(serviceRows.map((s) => s.name)).toContain(group);
  });
});

describe('reading age', () => {
  const pagesToRead = (): { name: string; path: string; status?: number }[] => [
    { name: 'home', path: '/' },
    { name: 'schools', path: '/services/schools' },
    { name: 'place: open', path: '/services/schools/ashbrow-school' },
    { name: 'place: closed', path: '/services/schools/hade-edge-junior-and-infant-school' },
    { name: 'place: not confirmed since (lapsed)', path: '/services/schools/taylor-hill-primary-school' },
    { name: 'place: never confirmed', path: '/services/schools/almondbury-junior-school' },
    { name: 'alert', path: `/alerts/${severeAlertId}` },
    { name: 'find: colne', path: '/find?q=colne' },
    { name: 'find: HD99', path: '/find?q=HD99' },
    { name: 'suggest an update', path: `/suggest?target=place:${hadeEdgeId}` },
    { name: 'tracking page', path: trackingPath },
    { name: 'get updates: a school', path: `/subscribe?target=place:${hadeEdgeId}` },
    { name: 'get updates: a service', path: '/subscribe?target=service:schools' },
    { name: 'get updates: check your email', path: `/subscribe/check-email?target=place:${hadeEdgeId}` },
    { name: 'page not found', path: '/no-such-page', status: 404 },
  ];

  it(`is 9 or under (Flesch–Kincaid grade ${MAX_GRADE} or under) for the fixed text of every public page`, async () => {
    const replaceStored = storedValueMatcher(stored);
    const results: { name: string; grade: number; plainGrade: number; sentences: number; words: number; hardest: string }[] = [];
    for (const { name, path, status } of pagesToRead()) {
      const doc = await html(path, status);
      const measured = measureFixedText(doc, replaceStored);
      expect(measured.sentences.length, `${name}: fixed text found`).toBeGreaterThan(5);
      // PLAIN_WORDS_SHOW=1 prints every fixed sentence as counted, to see what to rewrite.
      if (process.env.PLAIN_WORDS_SHOW) console.log(`${name} (${path}):\n  ${measured.sentences.join('\n  ')}`);
      results.push({
        name,
        grade: Math.round(measured.grade * 10) / 10,
        // The same text with every word's real syllables (no domain-word allowance), for comparison.
        plainGrade: Math.round(measureFixedText(doc, replaceStored, new Set()).grade * 10) / 10,
        sentences: measured.sentences.length,
        words: measured.words,
        hardest: measured.hardest.slice(0, 3).map((h) => `“${h.sentence}” (${h.grade.toFixed(1)})`).join('; '),
      });
    }
    for (const r of results) {
      console.log(
        `grade ${r.grade.toFixed(1)} (reading age ${(r.grade + 5).toFixed(1)}; ${r.plainGrade.toFixed(1)} without the domain words) ${r.name}: ` +
          `${r.sentences} sentences, ${r.words} words. Hardest: ${r.hardest}`,
      );
    }
    for (const r of results) expect(r.grade, `${r.name}; hardest: ${r.hardest}`).toBeLessThanOrEqual(MAX_GRADE);
  });

  it('says when a lapsed status ran out as well as when it was last confirmed', async () => {
    const doc = await html('/services/schools/taylor-hill-primary-school');
    expect(textOf(doc.querySelector('main .csa-lapsed'))).toMatch(
      /^Not confirmed since \d{1,2}:\d{2}(am|pm) (today|yesterday) \(it was closed until then, last confirmed \d{1,2}:\d{2}(am|pm) (yesterday|\w+day \d{1,2} \w+)\)$/,
    );
  });
});
