// The JSON API (/api/v1) over HTTP: the real built server against a real, seeded libSQL file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, count, eq, sql } from 'drizzle-orm';
import { places, revisions, services } from '../../db/schema/index.ts';
import { loadDemoContent, resolveOffset, type DemoContent } from '../../src/lib/content/demo.ts';
import type { ApiAlert, ApiChange, ApiPage, ApiPlace, ApiService } from '../../src/lib/open-data/serialize.ts';
import type { PlaceContent } from '../../src/lib/revisions/content.ts';
import { publishRevision } from '../../src/lib/revisions/service.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

interface ChangesPage {
  changes: ApiChange[];
  next: string;
  nextUrl: string;
  more: boolean;
}
interface ApiError {
  status: number;
  message: string;
  issues?: { parameter: string; message: string }[];
}

/** The place statuses and place fields the public documentation (content/pages/open-data.md) lists. */
const DOCUMENTED_STATUSES = ['open', 'closed', 'partially_open', 'opening_late', 'closing_early', 'disrupted', 'unknown'];
const DOCUMENTED_PLACE_FIELDS = [
  'id', 'service', 'slug', 'identifier', 'name', 'category', 'address', 'postcode', 'ward', 'location', 'status',
  'statusLabel', 'statusAsSet', 'lapsed', 'note', 'noteHtml', 'statusFrom', 'statusUntil', 'confirmedAt', 'updatedAt',
  'url', 'apiUrl', 'phone', 'website', 'feeds', 'reason', 'reasonLabel', 'expectedReopeningAt',
];
const SEVERITY_RANK: Record<string, number> = { severe: 0, warning: 1, info: 2 };
const TIME_FIELDS = new Set(['lastUpdated', 'statusFrom', 'statusUntil', 'expectedReopeningAt', 'confirmedAt', 'updatedAt', 'startsAt', 'expiresAt', 'publishedAt']);

let t: TestDb;
let server: TestServer;
let content: DemoContent;
const now = new Date();

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function getJson<T>(path: string): Promise<T> {
  const response = await server.get(path);
  expect(response.status, path).toBe(200);
  expect(response.headers.get('content-type'), path).toMatch(/^application\/json/);
  return (await response.json()) as T;
}

/** Asks until `done` holds or `timeoutMs` passes; returns the last answer (for the assertion). */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 2000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() >= deadline) return value;
    await wait(50);
  }
}

/** Asserts a JSON error response of the documented shape and returns its `error`. */
async function expectJsonError(path: string, status: number): Promise<ApiError> {
  const response = await server.get(path);
  expect(response.status, path).toBe(status);
  expect(response.headers.get('content-type'), path).toMatch(/^application\/json/);
  const body = (await response.json()) as { error: ApiError };
  expect(Object.keys(body), path).toEqual(['error']);
  expect(body.error.status, path).toBe(status);
  expect(body.error.message, path).toEqual(expect.any(String));
  expect(body.error.message.length, path).toBeGreaterThan(0);
  return body.error;
}

async function expectBadParameter(path: string, parameter: string): Promise<void> {
  const error = await expectJsonError(path, 400);
  expect(error.issues?.map((i) => i.parameter), path).toContain(parameter);
}

/** Every non-null time field anywhere in a JSON value. */
function timesIn(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) {
    for (const item of value) timesIn(item, found);
  } else if (value && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      if (TIME_FIELDS.has(key) && child !== null) found.push(child as string);
      else timesIn(child, found);
    }
  }
  return found;
}

/** An absolute address for `path` on the site, built from the SITE_URL the server runs with. */
function expectAbsolute(url: string, path: string): void {
  const parsed = new URL(url);
  expect(parsed.origin, url).toBe(server.url);
  expect(parsed.href, url).toBe(url);
  expect(parsed.pathname + parsed.search, url).toBe(path);
}

function expectIsoUtc(times: string[]): void {
  expect(times.length).toBeGreaterThan(0);
  for (const time of times) {
    expect(typeof time, String(time)).toBe('string');
    expect(time.endsWith('Z'), time).toBe(true);
    expect(new Date(time).toISOString(), time).toBe(time);
  }
}

/** Follows the change log from `since` by `next` until `more` is false. */
async function walkChanges(query: string, since = '0'): Promise<{ changes: ApiChange[]; pages: ChangesPage[]; last: string }> {
  const all: ApiChange[] = [];
  const pages: ChangesPage[] = [];
  let cursor = since;
  for (let i = 0; i < 200; i++) {
    const page = await getJson<ChangesPage>(`/api/v1/changes?since=${cursor}&${query}`);
    pages.push(page);
    all.push(...page.changes);
    cursor = page.next;
    if (!page.more) return { changes: all, pages, last: cursor };
  }
  throw new Error('The change log never said there was no more');
}

/** Publishes a new revision of a demo place with another note, as another process would. */
async function publishPlaceNote(serviceSlug: string, placeSlug: string, noteMarkdown: string, summary: string): Promise<number> {
  const [service] = await t.db.select().from(services).where(eq(services.slug, serviceSlug));
  const [place] = await t.db.select().from(places).where(and(eq(places.serviceId, service!.id), eq(places.slug, placeSlug)));
  const [current] = await t.db.select().from(revisions).where(eq(revisions.id, place!.currentRevisionId!));
  const { noteHtml: _rendered, ...draft } = current!.content as PlaceContent;
  const published = await publishRevision(
    t.db, place!.id, current!.id,
    { kind: 'place', draft: { ...draft, noteMarkdown } },
    { author: { accountId: null, label: 'test' }, summary },
  );
  expect(published.ok).toBe(true);
  return place!.id;
}

function schoolsContent() {
  return content.services.find((s) => s.slug === 'schools')!;
}
/** The demo school whose "until" time had already passed when the demo was loaded. */
function lapsedSchool() {
  return content.scenario.places.find((p) => p.service === 'schools' && p.until && resolveOffset(p.until, now) <= now)!;
}

beforeAll(async () => {
  content = await loadDemoContent('content');
  t = await createTestDb({ seed: true, now });
  server = await startServer(t.url);
});
afterAll(async () => {
  await server?.stop();
  t?.cleanup();
});

describe('the list of services', () => {
  it('answers 200 with JSON', async () => {
    const response = await server.get('/api/v1/services');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toHaveProperty('services');
  });

  it('has one entry per service, in the order of content/services.yaml', async () => {
    const { services: list } = await getJson<{ services: ApiService[] }>('/api/v1/services');
    expect(list.map((s) => s.slug)).toEqual(content.services.map((s) => s.slug));
    expect(list.map((s) => s.name)).toEqual(content.services.map((s) => s.name));
  });

  it('counts every place of each service once, by status', async () => {
    const { services: list } = await getJson<{ services: ApiService[] }>('/api/v1/services');
    for (const service of list) {
      expect(service.total, service.slug).toBe(content.services.find((s) => s.slug === service.slug)!.places.length);
      const counts = Object.values(service.counts).reduce((sum, n) => sum + (n ?? 0), 0);
      expect(counts, service.slug).toBe(service.total);
      for (const status of Object.keys(service.counts)) expect(DOCUMENTED_STATUSES, service.slug).toContain(status);
    }
  });

  it('gives absolute addresses for each service page and its API address', async () => {
    const { services: list } = await getJson<{ services: ApiService[] }>('/api/v1/services');
    for (const service of list) {
      expectAbsolute(service.url, `/services/${service.slug}`);
      expectAbsolute(service.apiUrl, `/api/v1/services/${service.slug}`);
    }
    expect(new Set(list.flatMap((s) => [new URL(s.url).origin, new URL(s.apiUrl).origin])).size).toBe(1);
  });

  it('writes every time in ISO 8601 UTC', async () => {
    const body = await getJson<{ services: ApiService[] }>('/api/v1/services');
    expect(body.services.every((s) => s.lastUpdated !== null)).toBe(true);
    expectIsoUtc(timesIn(body));
  });
});

describe('one service', () => {
  it('gives the service and every one of its places', async () => {
    const body = await getJson<{ service: ApiService; places: ApiPlace[] }>('/api/v1/services/schools');
    expect(body.service.slug).toBe('schools');
    expect(body.service.total).toBe(schoolsContent().places.length);
    expect(body.places).toHaveLength(schoolsContent().places.length);
    expect(body.places.map((p) => p.slug).sort()).toEqual(schoolsContent().places.map((p) => p.slug).sort());
    expect(new Set(body.places.map((p) => p.id)).size).toBe(body.places.length);
  });

  it('describes each place with the documented fields', async () => {
    const { places: list } = await getJson<{ places: ApiPlace[] }>('/api/v1/services/schools');
    for (const place of list) {
      expect(Object.keys(place).sort(), place.slug).toEqual([...DOCUMENTED_PLACE_FIELDS].sort());
      expect(place.service).toBe('schools');
      expect(Number.isInteger(place.id)).toBe(true);
      expect(DOCUMENTED_STATUSES).toContain(place.status);
      expect(DOCUMENTED_STATUSES).toContain(place.statusAsSet);
      expect(typeof place.lapsed).toBe('boolean');
      if (place.location !== null) {
        expect(place.location).toEqual({ latitude: expect.any(Number), longitude: expect.any(Number) });
      }
      expectAbsolute(place.url, `/services/schools/${place.slug}`);
      expectAbsolute(place.apiUrl, `/api/v1/places/${place.id}`);
    }
    const school = schoolsContent().places[3]!;
    expect(list.find((p) => p.slug === school.slug)).toMatchObject({
      name: school.name, identifier: school.identifier, postcode: school.postcode, ward: school.ward,
    });
  });

  it('writes every time of the service and its places in ISO 8601 UTC', async () => {
    expectIsoUtc(timesIn(await getJson('/api/v1/services/schools')));
  });

  it('shows a closure whose "until" time has passed as unknown, lapsed, and closed as set', async () => {
    const entry = lapsedSchool();
    expect(entry.status).toBe('closed');
    const { places: list } = await getJson<{ places: ApiPlace[] }>('/api/v1/services/schools');
    const place = list.find((p) => p.slug === entry.place);
    expect(place).toMatchObject({ status: 'unknown', lapsed: true, statusAsSet: 'closed', statusLabel: 'Not confirmed' });
    expect(Date.parse(place!.statusUntil!)).toBeLessThanOrEqual(Date.now());
  });

  it('answers 404 with a JSON error for a service that does not exist', async () => {
    const error = await expectJsonError('/api/v1/services/space-travel', 404);
    expect(error.issues).toBeUndefined();
  });
});

describe('one place', () => {
  it('is the same as in its service listing', async () => {
    const { places: list } = await getJson<{ places: ApiPlace[] }>('/api/v1/services/schools');
    const closed = list.find((p) => p.status === 'closed')!;
    const lapsed = list.find((p) => p.slug === lapsedSchool().place)!;
    for (const listed of [list[0]!, closed, lapsed]) {
      const { place } = await getJson<{ place: ApiPlace }>(new URL(listed.apiUrl).pathname);
      expect(place, listed.slug).toEqual(listed);
    }
  });

  it('answers 404 with a JSON error for ids that are not a place', async () => {
    for (const id of ['0', '-1', 'abc', '99999999']) await expectJsonError(`/api/v1/places/${id}`, 404);
  });
});

describe('alerts', () => {
  it('lists only the alerts in force now, most severe first', async () => {
    const active = content.scenario.alerts.filter(
      (a) => resolveOffset(a.starts, now) <= now && (!a.expires || resolveOffset(a.expires, now) > now),
    );
    const { alerts: list } = await getJson<{ alerts: ApiAlert[] }>('/api/v1/alerts');
    expect(list.map((a) => a.headline).sort()).toEqual(active.map((a) => a.headline).sort());
    const ranks = list.map((a) => SEVERITY_RANK[a.severity]!);
    expect(ranks).toEqual([...ranks].sort((x, y) => x - y));
    expect(list[0]!.severity).toBe('severe');
    for (const alert of list) {
      expect(Date.parse(alert.startsAt)).toBeLessThanOrEqual(Date.now());
      if (alert.expiresAt) expect(Date.parse(alert.expiresAt)).toBeGreaterThan(Date.now());
    }
    expectIsoUtc(timesIn(list));
  });

  it('adds the scheduled and expired alerts with state=all', async () => {
    const { alerts: active } = await getJson<{ alerts: ApiAlert[] }>('/api/v1/alerts');
    const { alerts: all } = await getJson<{ alerts: ApiAlert[] }>('/api/v1/alerts?state=all');
    expect(all.map((a) => a.headline).sort()).toEqual(content.scenario.alerts.map((a) => a.headline).sort());
    const inactive = content.scenario.alerts.filter(
      (a) => resolveOffset(a.starts, now) > now || (a.expires && resolveOffset(a.expires, now) <= now),
    );
    expect(inactive.length).toBeGreaterThanOrEqual(2);
    for (const alert of inactive) {
      expect(active.map((a) => a.headline)).not.toContain(alert.headline);
      expect(all.map((a) => a.headline)).toContain(alert.headline);
    }
  });

  it('answers 400 naming the state parameter for a state it does not know', async () => {
    await expectBadParameter('/api/v1/alerts?state=bogus', 'state');
  });
});

describe('information pages', () => {
  it('gives a page with its title and HTML body', async () => {
    const expected = content.pages.find((p) => p.slug === 'bad-weather-advice')!;
    const { page } = await getJson<{ page: ApiPage }>('/api/v1/pages/bad-weather-advice');
    expect(page.slug).toBe('bad-weather-advice');
    expect(page.title).toBe(expected.title);
    expect(page.body).toBe(expected.bodyMarkdown);
    expect(page.bodyHtml).toContain('<h2 class="govuk-heading-m">');
    expectAbsolute(page.url, '/pages/bad-weather-advice');
  });

  it('answers 404 with a JSON error for a page that does not exist', async () => {
    await expectJsonError('/api/v1/pages/no-such-page', 404);
  });
});

describe('the change log', () => {
  /** Approved revisions, less those of alert templates (pages named template-…, staff tools left out of the open data). */
  async function approvedRevisions(): Promise<number> {
    const [row] = await t.db
      .select({ n: count() })
      .from(revisions)
      .where(and(eq(revisions.state, 'approved'), sql`NOT (${revisions.targetKind} = 'page' AND json_extract(${revisions.content}, '$.slug') LIKE 'template-%')`));
    return row!.n;
  }

  it('can be read page by page to the end, each change once, in order', async () => {
    const { changes, pages } = await walkChanges('limit=50');
    expect(pages.length).toBeGreaterThan(1);
    for (const page of pages.slice(0, -1)) expect(page.changes).toHaveLength(50);
    expect(pages.at(-1)!.changes.length).toBeLessThanOrEqual(50);
    const cursors = changes.map((c) => Number(c.cursor));
    expect(new Set(cursors).size).toBe(cursors.length);
    for (let i = 1; i < cursors.length; i++) expect(cursors[i]!, `after ${cursors[i - 1]}`).toBeGreaterThan(cursors[i - 1]!);
    expect(changes).toHaveLength(await approvedRevisions());
  });

  it('answers an empty list and the same cursor after the end', async () => {
    const { last } = await walkChanges('limit=50');
    const page = await getJson<ChangesPage>(`/api/v1/changes?since=${last}&limit=50`);
    expect(page).toMatchObject({ changes: [], next: last, more: false });
    expectAbsolute(page.nextUrl, `/api/v1/changes?since=${last}&limit=50`);
  });

  it('shows a change published later when asked from the last cursor, and nowhere before it', async () => {
    const before = await walkChanges('limit=50');
    const library = content.services.find((s) => s.slug === 'libraries')!.places[0]!;
    const placeId = await publishPlaceNote('libraries', library.slug, 'Open as normal. Gritted at 9am.', 'Paths gritted');

    const page = await eventually(
      () => getJson<ChangesPage>(`/api/v1/changes?since=${before.last}&limit=50`),
      (p) => p.changes.length > 0,
    );
    expect(page.changes).toHaveLength(1);
    const change = page.changes[0]!;
    expect(change).toMatchObject({ kind: 'place', id: placeId, summary: 'Paths gritted', author: 'test', status: 'open' });
    expectAbsolute(change.url, `/services/libraries/${library.slug}`);
    expect(change.contentHtml).toContain('Gritted at 9am.');
    expect(Number(change.cursor)).toBeGreaterThan(Number(before.last));
    expect(page.next).toBe(change.cursor);

    const after = await walkChanges('limit=50');
    expect(after.changes).toEqual([...before.changes, change]);
  });

  it('keeps only one service\'s places and the alerts about it with service=schools', async () => {
    const { changes } = await walkChanges('limit=500&service=schools');
    const { alerts: all } = await getJson<{ alerts: ApiAlert[] }>('/api/v1/alerts?state=all');
    const { places: schools } = await getJson<{ places: ApiPlace[] }>('/api/v1/services/schools');
    const schoolAlertIds = all.filter((a) => a.services.includes('schools')).map((a) => a.id);
    expect(schoolAlertIds.length).toBeGreaterThan(0);
    expect(new Set(changes.map((c) => c.kind))).toEqual(new Set(['place', 'alert']));
    for (const change of changes) {
      if (change.kind === 'place') expect(new URL(change.url).pathname, change.url).toMatch(/^\/services\/schools\/[a-z0-9-]+$/);
      else expect(schoolAlertIds, change.title).toContain(change.id);
    }
    expect(new Set(changes.filter((c) => c.kind === 'place').map((c) => c.id))).toEqual(new Set(schools.map((p) => p.id)));
    expect(new Set(changes.filter((c) => c.kind === 'alert').map((c) => c.id))).toEqual(new Set(schoolAlertIds));
  });

  it('answers 400 naming the parameter for a cursor that is not a number', async () => {
    await expectBadParameter('/api/v1/changes?since=abc', 'since');
  });

  it('answers 400 naming the parameter for a negative cursor', async () => {
    await expectBadParameter('/api/v1/changes?since=-1', 'since');
  });

  it('answers 400 naming the parameter for a page size of 0', async () => {
    await expectBadParameter('/api/v1/changes?limit=0', 'limit');
  });

  it('answers 400 naming the parameter for a page size over 500', async () => {
    await expectBadParameter('/api/v1/changes?limit=501', 'limit');
  });

  it('answers 400 naming the parameter for a page size that is not a whole number', async () => {
    await expectBadParameter('/api/v1/changes?limit=1.5', 'limit');
  });

  it('reads a page size and a cursor as plain decimal only: hex, exponents, signs, spaces and leading zeros are 400', async () => {
    for (const value of ['0x10', '1e2', '+10', '%2010', '010', '9999999999999999999']) await expectBadParameter(`/api/v1/changes?limit=${value}`, 'limit');
    for (const value of ['0x10', '1e309', '+1', '00', '9999999999999999999']) await expectBadParameter(`/api/v1/changes?since=${value}`, 'since');
  });

  it('says in the message which parameter is wrong', async () => {
    const error = await expectJsonError('/api/v1/changes?limit=0x10', 400);
    expect(error.message).toContain('limit must be a whole number from 1 to 500');
  });

  it('answers 400 naming the parameter for a service that is not a slug', async () => {
    await expectBadParameter('/api/v1/changes?service=Not%20A%20Slug', 'service');
  });

  it('answers 400 naming the parameter for a service that does not exist', async () => {
    await expectBadParameter('/api/v1/changes?service=unknown-service', 'service');
  });

  it('answers 400 naming a parameter it does not take', async () => {
    const error = await expectJsonError('/api/v1/changes?foo=1', 400);
    expect(error.issues?.some((i) => i.parameter === 'foo'), JSON.stringify(error.issues)).toBe(true);
  });

  it('answers 400 naming a parameter given twice', async () => {
    await expectBadParameter('/api/v1/changes?since=1&since=2', 'since');
  });
});

describe('unknown API addresses', () => {
  it('answers 404 with a JSON error', async () => {
    const error = await expectJsonError('/api/v1/nonexistent/thing', 404);
    expect(error.message).toContain('/pages/open-data');
  });
});

describe('caching', () => {
  const successes = async () => [
    '/api/v1/services', '/api/v1/services/schools',
    new URL((await getJson<{ places: ApiPlace[] }>('/api/v1/services/schools')).places[0]!.apiUrl).pathname, '/api/v1/alerts', '/api/v1/alerts?state=all',
    '/api/v1/pages/bad-weather-advice', '/api/v1/changes', '/api/v1/changes?since=0&limit=10&service=schools',
  ];
  const failures = [
    '/api/v1/services/space-travel', '/api/v1/places/abc', '/api/v1/alerts?state=bogus', '/api/v1/pages/no-such-page',
    '/api/v1/changes?limit=0', '/api/v1/changes?foo=1', '/api/v1/nonexistent/thing',
  ];

  it('lets every successful answer be cached publicly, with an ETag and no cookie', async () => {
    for (const path of await successes()) {
      // The first request renders; the second is served from the page cache.
      for (const attempt of ['first', 'again']) {
        const response = await server.get(path);
        expect(response.status, `${path} ${attempt}`).toBe(200);
        expect(response.headers.get('cache-control') ?? '', `${path} ${attempt}`).toMatch(/\bpublic\b/);
        expect(response.headers.get('etag'), `${path} ${attempt}`).toMatch(/^"[^"]+"$/);
        expect(response.headers.get('set-cookie'), `${path} ${attempt}`).toBeNull();
      }
    }
  });

  it('answers 304 Not Modified when asked again with the ETag', async () => {
    const first = await server.get('/api/v1/services');
    const etag = first.headers.get('etag')!;
    const again = await server.get('/api/v1/services', { headers: { 'If-None-Match': etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
  });

  it('never lets an error answer be stored', async () => {
    for (const path of failures) {
      const response = await server.get(path);
      expect(response.status, path).toBeGreaterThanOrEqual(400);
      expect(response.headers.get('cache-control'), path).toBe('no-store');
      expect(response.headers.get('set-cookie'), path).toBeNull();
    }
  });
});

describe('markdown safety', () => {
  it('strips scripts, event handlers and javascript: links from a place note, keeping the markdown as data', async () => {
    const note = [
      'Closed today because of snow.',
      '',
      '<script>alert("script")</script>',
      '',
      '<img src="x.png" onerror="alert(\'onerror\')">',
      '',
      '[Read more](javascript:alert(\'link\'))',
    ].join('\n');
    const dayCentre = content.services.find((s) => s.slug === 'day-centres')!.places[0]!;
    const placeId = await publishPlaceNote('day-centres', dayCentre.slug, note, 'Unsafe note');

    const { place } = await eventually(
      () => getJson<{ place: ApiPlace }>(`/api/v1/places/${placeId}`),
      (body) => body.place.note === note,
    );
    expect(place.note).toBe(note);
    expect(place.noteHtml).toContain('Closed today because of snow.');
    expect(place.noteHtml.toLowerCase()).not.toContain('<script');
    expect(place.noteHtml.toLowerCase()).not.toContain('onerror');
    expect(place.noteHtml.toLowerCase()).not.toContain('javascript:');
  });
});
