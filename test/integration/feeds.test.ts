// The feeds over HTTP — RSS 2.0, Atom 1.0, JSON Feed 1.1, CAP 1.2 and CSV — from the real built
// server against a real, seeded libSQL file, checked against their specifications and against
// what the JSON API says.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse as parseCsv } from 'csv-parse/sync';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alerts, places, revisions } from '../../db/schema/index.ts';
import { loadDemoContent, type DemoContent } from '../../src/lib/content/demo.ts';
import type { ApiAlert, ApiChange, ApiPlace } from '../../src/lib/open-data/serialize.ts';
import type { AlertContent, PlaceContent } from '../../src/lib/revisions/content.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { readHtml } from '../helpers/html.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { waitUntil } from '../helpers/wait.ts';
import { checkWellFormed, parseXml, unescapeXml, validateWithXmllint, xmlText, type XmlNode } from '../helpers/xml.ts';

const CAP_XSD = fileURLToPath(new URL('../fixtures/cap-1.2.xsd', import.meta.url));
const ATOM_NS = 'http://www.w3.org/2005/Atom';
const CAP_NS = 'urn:oasis:names:tc:emergency:cap:1.2';

/** The CSV columns, exactly as the open-data page documents them. */
const DOCUMENTED_CSV_COLUMNS = [
  'id', 'service', 'slug', 'name', 'identifier', 'category', 'address', 'postcode', 'ward', 'latitude', 'longitude',
  'status', 'status_label', 'status_as_set', 'lapsed', 'note', 'status_from', 'status_until', 'confirmed_at', 'updated_at', 'url',
  'phone', 'website', 'reason', 'reason_label', 'expected_reopening_at',
];

/** RFC 822 dates as RSS uses them (four-digit year), e.g. "Sat, 21 Nov 2026 07:12:00 GMT". */
const RFC_822 = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} (GMT|UT|[+-]\d{4})$/;
/** RFC 3339 date-times, as Atom and JSON Feed require. */
const RFC_3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

const RSS_ARRAYS = ['item', 'category'];
const ATOM_ARRAYS = ['entry', 'link', 'author', 'category'];
const CAP_ARRAYS = ['info', 'category', 'responseType', 'eventCode', 'parameter', 'resource', 'area', 'polygon', 'circle', 'geocode', 'code'];

let t: TestDb;
let server: TestServer;
let content: DemoContent;

beforeAll(async () => {
  content = await loadDemoContent('content');
  t = await createTestDb({ seed: true });
  server = await startServer(t.url);
});
afterAll(async () => {
  await server?.stop();
  t?.cleanup();
});


/** An absolute URL on the test server, as the path to request. */
function localPath(href: string): string {
  expect(href.startsWith(`${server.url}/`), `${href} is on ${server.url}`).toBe(true);
  const url = new URL(href);
  return `${url.pathname}${url.search}`;
}

async function getOk(path: string): Promise<{ response: Response; body: string }> {
  const response = await server.get(path);
  const body = await response.text();
  expect(response.status, `${path}: ${body.slice(0, 200)}`).toBe(200);
  return { response, body };
}

async function getJson<T>(path: string): Promise<T> {
  return JSON.parse((await getOk(path)).body) as T;
}

/** Fetches an XML document, checks it is well-formed and parses it. */
async function getXml(path: string, arrays: readonly string[]): Promise<{ response: Response; body: string; doc: XmlNode }> {
  const { response, body } = await getOk(path);
  const wellFormed = await checkWellFormed(body);
  expect(wellFormed.ok, `${path} is well-formed XML: ${wellFormed.output}`).toBe(true);
  return { response, body, doc: parseXml(body, { arrays }) };
}

const activeAlerts = async () => (await getJson<{ alerts: ApiAlert[] }>('/api/v1/alerts')).alerts;
const allAlerts = async () => (await getJson<{ alerts: ApiAlert[] }>('/api/v1/alerts?state=all')).alerts;

/** The whole change log from the API, oldest first (optionally one service's). */
async function allChanges(service?: string): Promise<ApiChange[]> {
  const changes: ApiChange[] = [];
  let since = '0';
  for (;;) {
    const query = new URLSearchParams({ since, limit: '500', ...(service ? { service } : {}) });
    const page = await getJson<{ changes: ApiChange[]; next: string; more: boolean }>(`/api/v1/changes?${query}`);
    changes.push(...page.changes);
    if (!page.more) return changes;
    since = page.next;
  }
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** Matches an absolute URL on the test server. */
const onThisSite = () => new RegExp(`^${escapeRegExp(server.url)}/`);

/** CAP times have no fractions of a second: an instant from the API, to the second. */
const toTheSecond = (iso: string) => Math.floor(Date.parse(iso) / 1000) * 1000;

const FEEDS = [
  { feed: 'changes', page: '/', service: undefined },
  { feed: 'schools', page: '/services/schools', service: 'schools' },
] as const;

describe('RSS 2.0 feeds', () => {
  describe.each(FEEDS)('/feeds/$feed.rss', ({ feed: name, page, service }) => {
    const path = `/feeds/${name}.rss`;

    it('is well-formed RSS 2.0, served as RSS', async () => {
      const { response, doc } = await getXml(path, RSS_ARRAYS);
      expect(response.headers.get('content-type')).toMatch(/^application\/rss\+xml\b/);
      expect(doc.rss?.['@_version']).toBe('2.0');
      expect(doc.rss?.channel).toBeTypeOf('object');
    });

    it('describes its channel, with the page it mirrors and a link to itself', async () => {
      const { rss } = (await getXml(path, RSS_ARRAYS)).doc;
      const channel: XmlNode = rss.channel;
      expect(rss['@_xmlns:atom']).toBe(ATOM_NS);
      expect(xmlText(channel.title)).not.toBe('');
      expect(xmlText(channel.description)).not.toBe('');
      expect(xmlText(channel.link)).toBe(`${server.url}${page}`);
      const self = channel['atom:link'];
      expect(self).toMatchObject({ '@_rel': 'self', '@_href': `${server.url}${path}` });
    });

    it('gives every item a title, link, guid and a publication date a program can read', async () => {
      const items: XmlNode[] = (await getXml(path, RSS_ARRAYS)).doc.rss.channel.item ?? [];
      expect(items.length).toBeGreaterThan(0);
      for (const item of items) {
        expect(xmlText(item.title), JSON.stringify(item)).not.toBe('');
        expect(xmlText(item.link)).toMatch(onThisSite());
        expect(xmlText(item.guid)).not.toBe('');
        const pubDate = xmlText(item.pubDate);
        expect(pubDate).toMatch(RFC_822);
        expect(Number.isNaN(Date.parse(pubDate)), pubDate).toBe(false);
      }
      const guids = items.map((i) => xmlText(i.guid));
      expect(new Set(guids).size).toBe(guids.length);
    });

    it('holds the 50 newest updates, newest first', async () => {
      const items: XmlNode[] = (await getXml(path, RSS_ARRAYS)).doc.rss.channel.item ?? [];
      const changes = await allChanges(service);
      expect(changes.length).toBeGreaterThan(50);
      expect(items).toHaveLength(50);
      const newest = changes.slice(-50).reverse();
      expect(items.map((i) => xmlText(i.link))).toEqual(newest.map((c) => c.url));
      expect(items.map((i) => xmlText(i.title))).toEqual(newest.map((c) => c.title));
    });
  });

  it('keeps the schools feed to school changes and alerts about schools', async () => {
    const items: XmlNode[] = (await getXml('/feeds/schools.rss', RSS_ARRAYS)).doc.rss.channel.item;
    const aboutSchools = new Set((await allAlerts()).filter((a) => a.services.includes('schools')).map((a) => a.url));
    for (const item of items) {
      const link = xmlText(item.link);
      const isSchool = link.startsWith(`${server.url}/services/schools/`) && xmlText(item.category[0]) === 'place';
      const isSchoolAlert = aboutSchools.has(link) && xmlText(item.category[0]) === 'alert';
      expect(isSchool || isSchoolAlert, `${xmlText(item.title)} → ${link}`).toBe(true);
    }
    // …while the site-wide feed has other services' updates too.
    const everything: XmlNode[] = (await getXml('/feeds/changes.rss', RSS_ARRAYS)).doc.rss.channel.item;
    expect(everything.some((i) => !xmlText(i.link).startsWith(`${server.url}/services/schools/`))).toBe(true);
  });
});

describe('Atom 1.0 feeds', () => {
  describe.each(FEEDS)('/feeds/$feed.atom', ({ feed: name, page }) => {
    const path = `/feeds/${name}.atom`;

    it('is a well-formed Atom feed, served as Atom', async () => {
      const { response, doc } = await getXml(path, ATOM_ARRAYS);
      expect(response.headers.get('content-type')).toMatch(/^application\/atom\+xml\b/);
      expect(doc.feed?.['@_xmlns']).toBe(ATOM_NS);
    });

    it('has the id, title, update time, author and self link RFC 4287 requires', async () => {
      const { feed } = (await getXml(path, ATOM_ARRAYS)).doc;
      expect(xmlText(feed.id)).toMatch(/^https?:\/\//);
      expect(xmlText(feed.title)).not.toBe('');
      expect(xmlText(feed.updated)).toMatch(RFC_3339);
      expect(xmlText(feed.author?.[0]?.name)).not.toBe('');
      const links: XmlNode[] = feed.link;
      expect(links.filter((l) => l['@_rel'] === 'self').map((l) => l['@_href'])).toEqual([`${server.url}${path}`]);
      expect(links.find((l) => l['@_rel'] === 'alternate')?.['@_href']).toBe(`${server.url}${page}`);
    });

    it('gives every entry an id, a title, an RFC 3339 update time and a link', async () => {
      const entries: XmlNode[] = (await getXml(path, ATOM_ARRAYS)).doc.feed.entry ?? [];
      expect(entries.length).toBeGreaterThan(0);
      expect(entries.length).toBeLessThanOrEqual(50);
      for (const entry of entries) {
        expect(xmlText(entry.id), JSON.stringify(entry)).toMatch(/^https?:\/\/\S+$/);
        expect(xmlText(entry.title)).not.toBe('');
        const updated = xmlText(entry.updated);
        expect(updated).toMatch(RFC_3339);
        expect(Number.isNaN(Date.parse(updated))).toBe(false);
        const alternate = (entry.link as XmlNode[]).find((l) => (l['@_rel'] ?? 'alternate') === 'alternate');
        expect(alternate?.['@_href']).toMatch(onThisSite());
      }
    });

    it('never gives two entries the same id', async () => {
      const entries: XmlNode[] = (await getXml(path, ATOM_ARRAYS)).doc.feed.entry ?? [];
      const ids = entries.map((e) => xmlText(e.id));
      expect(new Set(ids).size).toBe(ids.length);
    });
  });
});

interface JsonFeed {
  version: string;
  title: string;
  feed_url: string;
  home_page_url: string;
  items: { id: string; url: string; title: string; content_html: string; date_published: string }[];
}

describe('JSON Feed 1.1', () => {
  describe.each(FEEDS)('/feeds/$feed.json', ({ feed: name, page }) => {
    const path = `/feeds/${name}.json`;

    it('is a JSON Feed 1.1, served as one', async () => {
      const { response, body } = await getOk(path);
      expect(response.headers.get('content-type')).toMatch(/^application\/feed\+json\b/);
      const feed = JSON.parse(body) as JsonFeed;
      expect(feed.version).toBe('https://jsonfeed.org/version/1.1');
      expect(feed.title).not.toBe('');
      expect(feed.feed_url).toBe(`${server.url}${path}`);
      expect(feed.home_page_url).toBe(`${server.url}${page}`);
      expect(Array.isArray(feed.items)).toBe(true);
    });

    it('gives every item a unique id, a URL, HTML content and an RFC 3339 publication date', async () => {
      const feed = await getJson<JsonFeed>(path);
      expect(feed.items.length).toBeGreaterThan(0);
      expect(feed.items.length).toBeLessThanOrEqual(50);
      for (const item of feed.items) {
        expect(item.id, JSON.stringify(item)).toBeTypeOf('string');
        expect(item.id).not.toBe('');
        expect(item.url).toMatch(onThisSite());
        expect(item.content_html).toBeTypeOf('string');
        expect(item.date_published).toMatch(RFC_3339);
        expect(Number.isNaN(Date.parse(item.date_published))).toBe(false);
      }
      const ids = feed.items.map((i) => i.id);
      expect(new Set(ids).size).toBe(ids.length);
    });
  });
});

describe('the CAP 1.2 schema these tests use', () => {
  const minimal = (parts: { sent?: string; severity?: string; head?: string } = {}) => `<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="${CAP_NS}">
  ${parts.head ?? '<identifier>example.org:alert:1:1</identifier><sender>example.org</sender>'}
  <sent>${parts.sent ?? '2026-11-21T07:00:00+00:00'}</sent>
  <status>Actual</status>
  <msgType>Alert</msgType>
  <scope>Public</scope>
  <info>
    <category>Met</category>
    <event>Snow</event>
    <urgency>Immediate</urgency>
    <severity>${parts.severity ?? 'Severe'}</severity>
    <certainty>Observed</certainty>
    <area><areaDesc>All of Kirklees</areaDesc></area>
  </info>
</alert>`;

  it('is a transcription of the CAP 1.2 data dictionary, saying so at the top', async () => {
    const xsd = await readFile(CAP_XSD, 'utf8');
    expect(xsd.slice(0, 1200)).toMatch(/transcription of the data dictionary/);
    expect(xsd).toContain(`targetNamespace="${CAP_NS}"`);
  });

  it('accepts a minimal valid CAP message', async () => {
    const result = await validateWithXmllint(minimal(), CAP_XSD);
    expect(result.output).toMatch(/validates/);
    expect(result.ok).toBe(true);
  });

  it('rejects a time written with "Z"', async () => {
    const result = await validateWithXmllint(minimal({ sent: '2026-11-21T07:00:00Z' }), CAP_XSD);
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/sent.*pattern/s);
  });

  it('rejects a time with fractions of a second', async () => {
    const result = await validateWithXmllint(minimal({ sent: '2026-11-21T07:00:00.000+00:00' }), CAP_XSD);
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/sent.*pattern/s);
  });

  it('rejects a severity that is not on the CAP list', async () => {
    const result = await validateWithXmllint(minimal({ severity: 'Dire' }), CAP_XSD);
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/severity.*enumeration/s);
  });

  it('rejects elements in the wrong order', async () => {
    const result = await validateWithXmllint(minimal({ head: '<sender>example.org</sender><identifier>example.org:alert:1:1</identifier>' }), CAP_XSD);
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/not expected/);
  });

  it('rejects a message with a required element missing', async () => {
    const result = await validateWithXmllint(minimal().replace('<category>Met</category>', ''), CAP_XSD);
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/event.*not expected|category/s);
  });
});

describe('CAP 1.2 alert messages', () => {
  async function getCap(id: number): Promise<{ response: Response; body: string; alert: XmlNode }> {
    const { response, body, doc } = await getXml(`/feeds/alerts/${id}.xml`, CAP_ARRAYS);
    return { response, body, alert: doc.alert };
  }

  it('gives every active alert a CAP message that validates against the CAP 1.2 schema', async () => {
    const active = await activeAlerts();
    expect(active.length).toBeGreaterThanOrEqual(3);
    for (const a of active) {
      const { response, body, alert } = await getCap(a.id);
      expect(response.headers.get('content-type'), `alert ${a.id}`).toMatch(/^application\/cap\+xml\b/);
      expect(alert['@_xmlns']).toBe(CAP_NS);
      const result = await validateWithXmllint(body, CAP_XSD);
      expect(result.ok, `alert ${a.id}: ${result.output}`).toBe(true);
    }
  });

  it('carries the identifier, sender, times and area the API gives for the alert', async () => {
    const host = new URL(server.url).hostname;
    for (const a of await activeAlerts()) {
      const { alert } = await getCap(a.id);
      const info: XmlNode = alert.info[0];
      expect(xmlText(alert.identifier)).toMatch(new RegExp(`^${escapeRegExp(host)}:alert:${a.id}:\\d+$`));
      expect(xmlText(alert.sender)).toBe(host);
      expect(xmlText(alert.status)).toBe('Actual');
      expect(xmlText(alert.scope)).toBe('Public');
      expect(Date.parse(xmlText(alert.sent)), `alert ${a.id} sent`).toBe(toTheSecond(a.updatedAt));
      expect(Date.parse(xmlText(info.effective)), `alert ${a.id} effective`).toBe(toTheSecond(a.startsAt));
      expect(a.expiresAt).not.toBeNull();
      expect(Date.parse(xmlText(info.expires)), `alert ${a.id} expires`).toBe(toTheSecond(a.expiresAt!));
      expect(xmlText(info.headline)).toBe(a.headline);
      expect(xmlText(info.web)).toBe(a.url);
      expect(xmlText(info.area[0].areaDesc)).toBe(a.area || `All of ${content.council.shortName}`);
    }
  });

  it('marks the severe alert as Severe, and no other alert', async () => {
    const active = await activeAlerts();
    const severe = active.filter((a) => a.severity === 'severe');
    expect(severe.length).toBeGreaterThanOrEqual(1);
    for (const a of active) {
      const { alert } = await getCap(a.id);
      const capSeverity = xmlText(alert.info[0].severity);
      if (a.severity === 'severe') expect(capSeverity, `alert ${a.id}`).toBe('Severe');
      else expect(['Moderate', 'Minor'], `alert ${a.id}`).toContain(capSeverity);
    }
  });

  it('still has CAP messages for the expired and the scheduled alerts', async () => {
    const now = Date.now();
    const activeIds = new Set((await activeAlerts()).map((a) => a.id));
    const inactive = (await allAlerts()).filter((a) => !activeIds.has(a.id));
    const expired = inactive.filter((a) => a.expiresAt && Date.parse(a.expiresAt) <= now);
    const scheduled = inactive.filter((a) => Date.parse(a.startsAt) > now);
    expect(expired.length).toBeGreaterThanOrEqual(1);
    expect(scheduled.length).toBeGreaterThanOrEqual(1);
    for (const a of [...expired, ...scheduled]) {
      const { body, alert } = await getCap(a.id);
      const result = await validateWithXmllint(body, CAP_XSD);
      expect(result.ok, `alert ${a.id}: ${result.output}`).toBe(true);
      expect(Date.parse(xmlText(alert.info[0].expires))).toBe(toTheSecond(a.expiresAt!));
      expect(Date.parse(xmlText(alert.info[0].effective))).toBe(toTheSecond(a.startsAt));
    }
  });

  it('turns an edited alert into an Update that refers to the message it replaces', async () => {
    const { publishRevision } = await import('../../src/lib/revisions/service.ts');
    const target = (await activeAlerts()).find((a) => a.severity === 'warning')!;
    const before = (await getCap(target.id)).alert;
    const [row] = await t.db.select().from(alerts).where(eq(alerts.id, target.id));
    const [current] = await t.db.select().from(revisions).where(eq(revisions.id, row!.currentRevisionId!));
    const { bodyHtml: _rendered, ...draft } = current!.content as AlertContent;
    const published = await publishRevision(
      t.db, target.id, current!.id,
      { kind: 'alert', draft: { ...draft, bodyMarkdown: `${draft.bodyMarkdown}\n\nUpdated: more gritting at noon.` } },
      { author: { accountId: null, label: 'test' }, summary: 'More gritting' },
    );
    expect(published.ok).toBe(true);
    await waitUntil('the API shows the edit', async () =>
      (await activeAlerts()).some((a) => a.id === target.id && a.body.includes('more gritting at noon')));

    const { body, alert } = await getCap(target.id);
    expect((await validateWithXmllint(body, CAP_XSD)).ok).toBe(true);
    expect(xmlText(alert.msgType)).toBe('Update');
    expect(xmlText(alert.identifier)).not.toBe(xmlText(before.identifier));
    expect(xmlText(alert.references)).toBe(`${xmlText(before.sender)},${xmlText(before.identifier)},${xmlText(before.sent)}`);
    expect(xmlText(alert.info[0].description)).toContain('more gritting at noon');
  });
});

describe('the CAP index (/feeds/alerts.atom)', () => {
  it('is a well-formed Atom feed whose entries are exactly the active alerts', async () => {
    const { response, doc } = await getXml('/feeds/alerts.atom', ATOM_ARRAYS);
    expect(response.headers.get('content-type')).toMatch(/^application\/atom\+xml\b/);
    expect(doc.feed['@_xmlns']).toBe(ATOM_NS);
    expect(xmlText(doc.feed.id)).toBe(`${server.url}/feeds/alerts.atom`);
    expect(xmlText(doc.feed.updated)).toMatch(RFC_3339);
    const entries: XmlNode[] = doc.feed.entry ?? [];
    const active = await activeAlerts();
    expect(entries.map((e) => xmlText(e.id)).sort()).toEqual(active.map((a) => a.capUrl).sort());
    expect(entries.map((e) => xmlText(e.title)).sort()).toEqual(active.map((a) => a.headline).sort());
    for (const entry of entries) expect(xmlText(entry.updated)).toMatch(RFC_3339);
  });

  it('links each entry to a CAP message that answers', async () => {
    const entries: XmlNode[] = (await getXml('/feeds/alerts.atom', ATOM_ARRAYS)).doc.feed.entry;
    expect(entries.length).toBeGreaterThan(0);
    for (const entry of entries) {
      const cap = (entry.link as XmlNode[]).filter((l) => l['@_rel'] === 'alternate' && l['@_type'] === 'application/cap+xml');
      expect(cap, xmlText(entry.title)).toHaveLength(1);
      const response = await server.get(localPath(unescapeXml(cap[0]!['@_href'])));
      expect(response.status, cap[0]!['@_href']).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/cap\+xml\b/);
    }
  });
});

describe('the schools spreadsheet (/feeds/schools.csv)', () => {
  type Row = Record<string, string>;
  async function readCsv(): Promise<{ response: Response; header: string[]; rows: Row[] }> {
    const { response, body } = await getOk('/feeds/schools.csv');
    const rows = parseCsv(body, { columns: true }) as Row[];
    const [header] = parseCsv(body, { to_line: 1 }) as string[][];
    return { response, header: header!, rows };
  }
  const schoolsApi = () => getJson<{ places: ApiPlace[] }>('/api/v1/services/schools');

  it('is served as a CSV file whose header is exactly the documented columns', async () => {
    const { response, header } = await readCsv();
    expect(response.headers.get('content-type')).toMatch(/^text\/csv\b/);
    expect(response.headers.get('content-disposition')).toContain('filename="schools.csv"');
    expect(header).toEqual(DOCUMENTED_CSV_COLUMNS);
    const documentation = await readFile('content/pages/open-data.md', 'utf8');
    for (const column of DOCUMENTED_CSV_COLUMNS) expect(documentation).toContain(`\`${column}\``);
  });

  it('has one row per school', async () => {
    const { rows } = await readCsv();
    const { places: schools } = await schoolsApi();
    expect(schools.length).toBe(content.services.find((s) => s.slug === 'schools')!.places.length);
    expect(rows).toHaveLength(schools.length);
    expect(rows.map((r) => Number(r.id)).sort((a, b) => a - b)).toEqual(schools.map((p) => p.id).sort((a, b) => a - b));
    expect(new Set(rows.map((r) => r.service))).toEqual(new Set(['schools']));
  });

  it('gives each school the same status as the API', async () => {
    const { rows } = await readCsv();
    const byId = new Map((await schoolsApi()).places.map((p) => [String(p.id), p]));
    expect(new Set(rows.map((r) => r.status)).size).toBeGreaterThan(1);
    for (const row of rows) {
      const place = byId.get(row.id!)!;
      expect(place, row.id).toBeDefined();
      expect({ status: row.status, label: row.status_label, asSet: row.status_as_set, lapsed: row.lapsed, url: row.url }, place.name).toEqual({
        status: place.status, label: place.statusLabel, asSet: place.statusAsSet, lapsed: String(place.lapsed), url: place.url,
      });
    }
  });

  it('keeps a field with commas, quotes and line breaks intact', async () => {
    const { publishRevision } = await import('../../src/lib/revisions/service.ts');
    const { places: schools } = await schoolsApi();
    const withComma = schools.find((p) => p.address.includes(','))!;
    expect(withComma).toBeDefined();

    const note = 'Closed today, "snow day" for everyone.\n\nWe\'ll say by 2pm, as usual, whether we open tomorrow.';
    const [place] = await t.db.select().from(places).where(eq(places.id, withComma.id));
    const [current] = await t.db.select().from(revisions).where(eq(revisions.id, place!.currentRevisionId!));
    const { noteHtml: _rendered, ...draft } = current!.content as PlaceContent;
    const published = await publishRevision(
      t.db, place!.id, current!.id,
      { kind: 'place', draft: { ...draft, status: 'closed', noteMarkdown: note, statusUntil: null } },
      { author: { accountId: null, label: 'test' }, summary: 'Note with punctuation' },
    );
    expect(published.ok).toBe(true);
    await waitUntil('the API shows the new note', async () => (await schoolsApi()).places.some((p) => p.id === withComma.id && p.note === note));

    const row = (await readCsv()).rows.find((r) => Number(r.id) === withComma.id)!;
    expect(row.note).toBe(note);
    expect(row.address).toBe(withComma.address);
    expect(row.name).toBe(withComma.name);
    expect(row.status).toBe('closed');
  });
});

describe('bad and unknown feed addresses', () => {
  it('answers 404 for feeds that do not exist', async () => {
    for (const path of ['/feeds/nope.rss', '/feeds/schools.xml', '/feeds/alerts/0.xml', '/feeds/alerts/abc.xml', '/feeds/alerts/99999.xml']) {
      expect((await server.get(path)).status, path).toBe(404);
    }
  });

  it('answers 400 with a JSON error for a query parameter a feed does not take', async () => {
    const [alert] = await activeAlerts();
    for (const path of ['/feeds/changes.rss?x=1', '/feeds/schools.csv?x=1', '/feeds/alerts.atom?x=1', `/feeds/alerts/${alert!.id}.xml?x=1`]) {
      const response = await server.get(path);
      expect(response.status, path).toBe(400);
      expect(response.headers.get('content-type'), path).toMatch(/^application\/json\b/);
      const body = (await response.json()) as { error: { status: number; message: string; issues: { parameter: string; message: string }[] } };
      expect(body.error.status).toBe(400);
      expect(body.error.issues.some((i) => i.parameter === 'x' || i.message.includes('"x"')), JSON.stringify(body)).toBe(true);
    }
  });
});

describe('script in an alert written in markdown', () => {
  const headline = 'Test: feeds stay safe from script';
  const body = [
    'Stay indoors if you can.',
    '<script>alert(1)</script>',
    'Roads are icy <img src="x" onerror="alert(2)"> on the hills.',
    '[Read more](javascript:alert(3)) or <a href="javascript:alert(4)">click here</a>.',
  ].join('\n\n');
  let id: number;

  /** Whether a document, once its XML escapes are undone, could run script in an HTML reader. */
  function expectNoScript(text: string, where: string) {
    const lower = text.toLowerCase();
    expect(lower, where).not.toContain('<script');
    expect(lower, where).not.toContain('onerror');
    expect(lower, where).not.toContain('javascript:');
  }

  beforeAll(async () => {
    const { createContent } = await import('../../src/lib/revisions/service.ts');
    const created = await createContent(
      t.db,
      {
        kind: 'alert',
        draft: {
          severity: 'warning', headline, bodyMarkdown: body, area: 'Holme Valley', serviceSlugs: ['schools'],
          startsAt: new Date(Date.now() - 60_000).toISOString(), expiresAt: new Date(Date.now() + 3_600_000).toISOString(), retired: false,
        },
      },
      { author: { accountId: null, label: 'test' }, summary: 'Script test' },
    );
    id = created.targetId;
    await waitUntil('the API lists the new alert', async () => (await activeAlerts()).some((a) => a.id === id));
  });

  it('never reaches the RSS or Atom feeds unescaped', async () => {
    for (const path of ['/feeds/changes.rss', '/feeds/schools.rss', '/feeds/changes.atom', '/feeds/schools.atom', '/feeds/alerts.atom']) {
      const { body: xml } = await getXml(path, []);
      expect(xml, `${path} has the new alert`).toContain(headline);
      expectNoScript(unescapeXml(xml), path);
    }
    const rss = (await getXml('/feeds/changes.rss', RSS_ARRAYS)).doc.rss.channel.item as XmlNode[];
    const item = rss.find((i) => xmlText(i.title) === headline)!;
    expect(xmlText(item.description)).toContain('Stay indoors if you can.');
  });

  it('never reaches the JSON Feed unescaped', async () => {
    for (const path of ['/feeds/changes.json', '/feeds/schools.json']) {
      const feed = await getJson<JsonFeed>(path);
      const item = feed.items.find((i) => i.title === headline);
      expect(item, `${path} has the new alert`).toBeDefined();
      expect(item!.content_html).toContain('Stay indoors if you can.');
      expectNoScript(JSON.stringify(feed), path);
    }
  });

  it('never reaches the CAP message, which still validates', async () => {
    const { body: xml, doc } = await getXml(`/feeds/alerts/${id}.xml`, CAP_ARRAYS);
    expect(xmlText(doc.alert.info[0].description)).toContain('Stay indoors if you can.');
    expectNoScript(unescapeXml(xml), 'CAP');
    const result = await validateWithXmllint(xml, CAP_XSD);
    expect(result.ok, result.output).toBe(true);
  });
});

describe('pages that link their feeds', () => {
  async function alternates(path: string): Promise<{ type: string; href: string }[]> {
    const response = await server.get(path);
    expect(response.status, path).toBe(200);
    const doc = await readHtml(response);
    return doc.querySelectorAll('head link[rel="alternate"]').map((l) => ({ type: l.getAttribute('type') ?? '', href: l.getAttribute('href') ?? '' }));
  }

  it('links the site-wide RSS, Atom and JSON feeds and the CAP index from the home page', async () => {
    expect(await alternates('/')).toEqual(
      expect.arrayContaining([
        { type: 'application/rss+xml', href: '/feeds/changes.rss' },
        { type: 'application/atom+xml', href: '/feeds/changes.atom' },
        { type: 'application/feed+json', href: '/feeds/changes.json' },
        { type: 'application/atom+xml', href: '/feeds/alerts.atom' },
      ]),
    );
  });

  it('links the schools feeds and spreadsheet from the schools page', async () => {
    expect(await alternates('/services/schools')).toEqual(
      expect.arrayContaining([
        { type: 'application/rss+xml', href: '/feeds/schools.rss' },
        { type: 'application/atom+xml', href: '/feeds/schools.atom' },
        { type: 'application/feed+json', href: '/feeds/schools.json' },
        { type: 'text/csv', href: '/feeds/schools.csv' },
      ]),
    );
  });

  it('links only feeds that answer, with the type the link promises', async () => {
    for (const page of ['/', '/services/schools']) {
      for (const { type, href } of await alternates(page)) {
        const response = await server.get(href);
        expect(response.status, `${page} → ${href}`).toBe(200);
        expect(response.headers.get('content-type'), `${page} → ${href}`).toMatch(new RegExp(`^${escapeRegExp(type)}\\b`));
      }
    }
  });
});
