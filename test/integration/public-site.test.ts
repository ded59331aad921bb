// The public site over HTTP: the real built server against a real, seeded libSQL file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { alerts, places, revisions, services } from '../../db/schema/index.ts';
import type { PlaceContent } from '../../src/lib/revisions/content.ts';
import { loadDemoContent, resolveOffset, type DemoContent } from '../../src/lib/content/demo.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { readHtml, resultRows, textOf } from '../helpers/html.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let t: TestDb;
let server: TestServer;
let content: DemoContent;
const now = new Date();

/** Scenario school entries whose status is in force now (not lapsed). */
function schoolsIn(status: string) {
  return content.scenario.places.filter(
    (p) => p.service === 'schools' && p.status === status && (!p.until || resolveOffset(p.until, now) > now),
  );
}
function schoolName(slug: string): string {
  return content.services.find((s) => s.slug === 'schools')!.places.find((p) => p.slug === slug)!.name;
}
async function alertIdByHeadline(headline: string): Promise<number> {
  const [row] = await t.db.select({ id: alerts.id }).from(alerts).where(eq(alerts.headline, headline));
  return row!.id;
}
const severe = () => content.scenario.alerts.find((a) => a.severity === 'severe')!;

beforeAll(async () => {
  content = await loadDemoContent('content');
  t = await createTestDb({ seed: true, now });
  server = await startServer(t.url);
});
afterAll(async () => {
  await server?.stop();
  t?.cleanup();
});

describe('the home page', () => {
  it('lists every service with a link to its status page', async () => {
    const response = await server.get('/');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const doc = await readHtml(response);
    const links = doc.querySelectorAll('.csa-service-list h2 a').map((a) => a.getAttribute('href'));
    expect(links).toEqual(content.services.map((s) => `/services/${s.slug}`));
  });

  it('summarises each service by status, with when it was last updated', async () => {
    const doc = await readHtml(await server.get('/'));
    const schools = textOf(doc.querySelectorAll('.csa-service-list > li')[0]);
    expect(schools).toContain(`${schoolsIn('closed').length} closed`);
    expect(schools).toContain(`${schoolsIn('opening_late').length} opening late`);
    expect(schools).toMatch(/Updated \d{1,2}:\d{2}(am|pm)/);
  });
});

describe('the alert banner', () => {
  it('shows active alerts on every public page, most severe first', async () => {
    const active = content.scenario.alerts.filter(
      (a) => resolveOffset(a.starts, now) <= now && (!a.expires || resolveOffset(a.expires, now) > now),
    );
    for (const path of ['/', '/services/schools', '/pages/bad-weather-advice', '/no-such-page']) {
      const doc = await readHtml(await server.get(path));
      const banner = doc.querySelectorAll('.csa-alert').map((el) => ({ severity: el.classList.value.find((c) => c.startsWith('csa-alert--')), text: textOf(el) }));
      expect(banner.map((b) => b.text.includes(severe().headline)), path).toContain(true);
      expect(banner, path).toHaveLength(active.length);
      expect(banner[0]!.severity, path).toBe('csa-alert--severe');
      expect(banner.at(-1)!.severity, path).toBe('csa-alert--info');
    }
  });

  it('leaves out expired alerts and alerts that have not started', async () => {
    const html = await (await server.get('/')).text();
    const inactive = content.scenario.alerts.filter(
      (a) => resolveOffset(a.starts, now) > now || (a.expires && resolveOffset(a.expires, now) <= now),
    );
    expect(inactive.length).toBeGreaterThanOrEqual(2);
    for (const alert of inactive) expect(html).not.toContain(alert.headline);
  });
});

describe('a service status page', () => {
  it('lists every place of the service with status, details and update time', async () => {
    const doc = await readHtml(await server.get('/services/schools'));
    const rows = resultRows(doc);
    expect(rows).toHaveLength(content.services[0]!.places.length);
    const closed = schoolsIn('closed')[0]!;
    const row = rows.find((r) => r.name === schoolName(closed.place));
    expect(row).toMatchObject({ status: 'Closed', href: `/services/schools/${closed.place}` });
  });

  it('shows counts per status in the filter', async () => {
    const doc = await readHtml(await server.get('/services/schools'));
    const option = doc.querySelectorAll('#filter-status option').find((o) => o.getAttribute('value') === 'closed');
    expect(textOf(option)).toBe(`Closed (${schoolsIn('closed').length})`);
  });

  it('filters by status', async () => {
    const rows = resultRows(await readHtml(await server.get('/services/schools?status=closed')));
    expect(rows).toHaveLength(schoolsIn('closed').length);
    expect(new Set(rows.map((r) => r.status))).toEqual(new Set(['Closed']));
  });

  it('filters by ward', async () => {
    const ward = content.services[0]!.places[0]!.ward;
    const expected = content.services[0]!.places.filter((p) => p.ward === ward).map((p) => p.name).sort();
    const rows = resultRows(await readHtml(await server.get(`/services/schools?ward=${encodeURIComponent(ward)}`)));
    expect(rows.map((r) => r.name).sort()).toEqual(expected);
  });

  it('finds a school by part of its name', async () => {
    const name = schoolName(schoolsIn('opening_late')[0]!.place);
    const words = name.split(' ').slice(0, 2).join(' ').toLowerCase();
    const rows = resultRows(await readHtml(await server.get(`/services/schools?q=${encodeURIComponent(words)}`)));
    expect(rows.map((r) => r.name)).toContain(name);
    for (const row of rows) expect(row.name.toLowerCase()).toContain(words.split(' ')[0]);
  });

  it('finds a school by its URN', async () => {
    const school = content.services[0]!.places[3]!;
    const rows = resultRows(await readHtml(await server.get(`/services/schools?q=${school.identifier}`)));
    expect(rows.map((r) => r.name)).toEqual([school.name]);
  });

  it('combines the search with the status filter', async () => {
    const closed = schoolName(schoolsIn('closed')[0]!.place);
    const hit = resultRows(await readHtml(await server.get(`/services/schools?status=closed&q=${encodeURIComponent(closed)}`)));
    expect(hit.map((r) => r.name)).toContain(closed);
    const miss = resultRows(await readHtml(await server.get(`/services/schools?status=open&q=${encodeURIComponent(closed)}`)));
    expect(miss.map((r) => r.name)).not.toContain(closed);
  });

  it('says plainly when nothing matches', async () => {
    const doc = await readHtml(await server.get('/services/schools?q=zzzzqqq'));
    expect(resultRows(doc)).toEqual([]);
    expect(textOf(doc.querySelector('main'))).toContain('No schools match');
  });

  it('answers an unknown status filter with 400, an error summary and every place', async () => {
    const response = await server.get('/services/schools?status=melted');
    expect(response.status).toBe(400);
    const doc = await readHtml(response);
    expect(textOf(doc.querySelector('.govuk-error-summary'))).toContain('Choose a status from the list');
    expect(resultRows(doc)).toHaveLength(content.services[0]!.places.length);
  });

  it('answers 404 for a service that does not exist', async () => {
    expect((await server.get('/services/space-travel')).status).toBe(404);
  });

  it('works for every service', async () => {
    for (const service of content.services) {
      const response = await server.get(`/services/${service.slug}`);
      expect(response.status, service.slug).toBe(200);
      expect(resultRows(await readHtml(response)), service.slug).toHaveLength(service.places.length);
    }
  });
});

describe('a place page', () => {
  it('shows the current status, its note and the status history', async () => {
    const entry = schoolsIn('closed')[0]!;
    const response = await server.get(`/services/schools/${entry.place}`);
    expect(response.status).toBe(200);
    const doc = await readHtml(response);
    expect(textOf(doc.querySelector('h1'))).toBe(schoolName(entry.place));
    expect(textOf(doc.querySelector('main .govuk-tag'))).toBe('Closed');
    expect(textOf(doc.querySelector('main'))).toContain(entry.note.slice(0, 30));
    const history = doc.querySelectorAll('main table tbody tr');
    expect(history.length).toBeGreaterThanOrEqual(1);
    expect(textOf(history[0])).toContain('Kirklees Council');
  });

  it('tells a parent when a status has lapsed instead of showing it as open', async () => {
    const lapsed = content.scenario.places.find((p) => p.service === 'schools' && p.until && resolveOffset(p.until, now) <= now)!;
    const doc = await readHtml(await server.get(`/services/schools/${lapsed.place}`));
    const main = textOf(doc.querySelector('main'));
    expect(textOf(doc.querySelector('main .govuk-tag'))).toBe('Not confirmed');
    // Both times: when the status ran out (an hour ago), and when it was last confirmed (yesterday).
    expect(main).toMatch(/Not confirmed since \d{1,2}:\d{2}(am|pm) (today|yesterday) \(it was closed until then, last confirmed \d{1,2}:\d{2}(am|pm) yesterday\)/);
    expect(main).toContain('Nobody has confirmed today');
  });

  it('redirects a school URN to the school page', async () => {
    const school = content.services[0]!.places[5]!;
    const response = await server.get(`/services/schools/${school.identifier}`);
    expect(response.status).toBe(301);
    expect(response.headers.get('location')).toBe(`/services/schools/${school.slug}`);
  });

  it('answers 404 for an unknown place, or a place under the wrong service', async () => {
    expect((await server.get('/services/schools/no-such-school')).status).toBe(404);
    const library = content.services.find((s) => s.slug === 'libraries')!.places[0]!;
    expect((await server.get(`/services/schools/${library.slug}`)).status).toBe(404);
  });
});

describe('alert and information pages', () => {
  it('shows an active alert with its body and affected services', async () => {
    const id = await alertIdByHeadline(severe().headline);
    const doc = await readHtml(await server.get(`/alerts/${id}`));
    expect(textOf(doc.querySelector('h1'))).toBe(severe().headline);
    expect(doc.querySelectorAll('main a').map((a) => a.getAttribute('href'))).toContain('/services/schools');
  });

  it('keeps an expired alert readable, saying it has ended', async () => {
    const expired = content.scenario.alerts.find((a) => a.expires && resolveOffset(a.expires, now) <= now)!;
    const doc = await readHtml(await server.get(`/alerts/${await alertIdByHeadline(expired.headline)}`));
    expect(textOf(doc.querySelector('main'))).toContain('This alert ended at');
  });

  it('answers 404 for alerts that do not exist', async () => {
    for (const path of ['/alerts/99999', '/alerts/abc', '/alerts/0', '/alerts/1e3']) {
      expect((await server.get(path)).status, path).toBe(404);
    }
  });

  it('shows an information page rendered from markdown', async () => {
    const doc = await readHtml(await server.get('/pages/bad-weather-advice'));
    expect(textOf(doc.querySelector('h1'))).toBe(content.pages.find((p) => p.slug === 'bad-weather-advice')!.title);
    expect(doc.querySelectorAll('main h2.govuk-heading-m').length).toBeGreaterThan(0);
  });

  it('answers 404 for a page that does not exist', async () => {
    expect((await server.get('/pages/no-such-page')).status).toBe(404);
  });
});

describe('errors and health', () => {
  it('answers an unknown address with a helpful 404 page', async () => {
    const response = await server.get('/no/such/page');
    expect(response.status).toBe(404);
    const doc = await readHtml(response);
    expect(textOf(doc.querySelector('h1'))).toBe('Page not found');
    expect(doc.querySelectorAll('main a').map((a) => a.getAttribute('href'))).toEqual(
      expect.arrayContaining(['/', '/services/schools']),
    );
  });

  it('reports health with the database answering', async () => {
    const response = await server.get('/healthz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok', database: 'ok' });
  });

  it('sets no cookie on any public GET and sends security headers', async () => {
    const paths = ['/', '/services/schools', '/services/schools?status=closed', `/services/schools/${schoolsIn('closed')[0]!.place}`,
      `/alerts/${await alertIdByHeadline(severe().headline)}`, '/pages/privacy-notice', '/healthz', '/no-such-page', '/services/schools?status=bad'];
    for (const path of paths) {
      const response = await server.get(path);
      expect(response.headers.get('set-cookie'), path).toBeNull();
      expect(response.headers.get('content-security-policy'), path).toContain("script-src 'self'");
      expect(response.headers.get('x-content-type-options'), path).toBe('nosniff');
    }
  });

  it('lets a CDN cache public pages briefly and serve them stale if the site fails', async () => {
    const cacheControl = (await server.get('/services/schools')).headers.get('cache-control') ?? '';
    expect(cacheControl).toContain('public');
    expect(cacheControl).toMatch(/stale-if-error=\d+/);
  });
});

describe('scheduled changes', () => {
  const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('shows an alert from its start time and hides it at its expiry, by itself', async () => {
    const { createContent } = await import('../../src/lib/revisions/service.ts');
    const start = new Date(Date.now() + 1500);
    await createContent(
      t.db,
      {
        kind: 'alert',
        draft: {
          severity: 'warning', headline: 'Test: gritters out at noon', bodyMarkdown: 'x', area: '', serviceSlugs: [],
          startsAt: start.toISOString(), expiresAt: new Date(start.getTime() + 1500).toISOString(), retired: false,
        },
      },
      { author: { accountId: null, label: 'test' }, summary: 'test' },
    );
    expect(await (await server.get('/')).text()).not.toContain('Test: gritters out at noon');
    await wait(start.getTime() - Date.now() + 100);
    expect(await (await server.get('/')).text()).toContain('Test: gritters out at noon');
    await wait(start.getTime() + 1500 - Date.now() + 100);
    expect(await (await server.get('/')).text()).not.toContain('Test: gritters out at noon');
  });

  it('lapses a place status set "until" a time to "not confirmed" when the time passes', async () => {
    const { publishRevision } = await import('../../src/lib/revisions/service.ts');
    const [schoolsService] = await t.db.select().from(services).where(eq(services.slug, 'schools'));
    const entry = schoolsIn('closed')[1]!;
    const [place] = await t.db.select().from(places).where(and(eq(places.serviceId, schoolsService!.id), eq(places.slug, entry.place)));
    const [current] = await t.db.select().from(revisions).where(eq(revisions.id, place!.currentRevisionId!));
    const { noteHtml: _rendered, ...draft } = current!.content as PlaceContent;
    const published = await publishRevision(
      t.db, place!.id, current!.id,
      { kind: 'place', draft: { ...draft, statusUntil: new Date(Date.now() + 1000).toISOString() } },
      { author: { accountId: null, label: 'test' }, summary: 'Closed for one more second' },
    );
    expect(published.ok).toBe(true);
    const before = await readHtml(await server.get(`/services/schools/${entry.place}`));
    expect(textOf(before.querySelector('main .govuk-tag'))).toBe('Closed');
    await wait(1200);
    const after = await readHtml(await server.get(`/services/schools/${entry.place}`));
    expect(textOf(after.querySelector('main .govuk-tag'))).toBe('Not confirmed');
    expect(textOf(after.querySelector('main'))).toMatch(/Not confirmed since/);
  });
});
