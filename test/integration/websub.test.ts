// WebSub against the real built server and a local fixture hub: with WEBSUB_HUB_URL set, every
// feed names the hub and itself, and after a publish the hub is pinged with the feeds that
// changed — retried when the hub fails, like any other delivery.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, desc, eq } from 'drizzle-orm';
import { deliveries, places, services } from '../../db/schema/index.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { signInAs, type SignedIn } from '../helpers/staff.ts';
import { parseXml, type XmlNode } from '../helpers/xml.ts';

interface Ping {
  contentType: string;
  form: URLSearchParams;
}

let t: TestDb;
let server: TestServer;
let editor: SignedIn;
let hub: Server;
let hubUrl: string;
const pings: Ping[] = [];
/** Where the pings about closing the school start (the demo's own publishes are pinged too). */
let closingFrom = Infinity;
const isAboutSchool = (ping: Ping) => ping.form.getAll('hub.url').some((url) => url.endsWith(`/feeds/places/${school.id}.atom`));
const afterClosing = () => pings.slice(closingFrom).filter(isAboutSchool);

async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}\n${server.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

let school: typeof places.$inferSelect;

beforeAll(async () => {
  hub = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      pings.push({ contentType: req.headers['content-type'] ?? '', form: new URLSearchParams(body) });
      // Down (503) for the first ping about the school after it is closed, then accepting (204).
      res.writeHead(afterClosing().length === 1 && isAboutSchool(pings.at(-1)!) ? 503 : 204).end();
    });
  });
  await new Promise<void>((resolve) => hub.listen(0, '127.0.0.1', resolve));
  hubUrl = `http://127.0.0.1:${(hub.address() as AddressInfo).port}/hub`;
  t = await createTestDb({ seed: true });
  server = await startServer(t.url, { WEBSUB_HUB_URL: hubUrl, NOTIFY_RETRY_BASE_MS: '200', NOTIFY_POLL_MS: '100' });
  editor = await signInAs(t, server, 'editor');
  const [schools] = await t.db.select({ id: services.id }).from(services).where(eq(services.slug, 'schools'));
  school = (await t.db.select().from(places).where(and(eq(places.serviceId, schools!.id), eq(places.status, 'unknown'), eq(places.retired, false))).orderBy(places.id).limit(1))[0]!;
  // The demo council's own publishes are not news: loading it marks its outbox records done, so
  // nothing is queued for the hub at start-up (the worker's first round has run by now).
  await waitFor('the worker’s first round', async () => server.output().includes('delivery worker started'), 30_000);
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await new Promise((resolve) => hub?.close(resolve));
  t?.cleanup();
});

describe('the feeds', () => {
  it('name the hub and themselves in RSS, Atom and JSON Feed', async () => {
    const links = (node: XmlNode | XmlNode[]) => (Array.isArray(node) ? node : [node]).map((l) => ({ rel: l['@_rel'], href: l['@_href'] }));
    const rss = parseXml(await (await server.get('/feeds/changes.rss')).text(), { arrays: ['atom:link'] });
    expect(links(rss.rss.channel['atom:link'])).toEqual([
      { rel: 'self', href: `${server.url}/feeds/changes.rss` },
      { rel: 'hub', href: hubUrl },
    ]);
    for (const path of ['/feeds/schools.atom', `/feeds/places/${school.id}.atom`, '/feeds/alerts.atom']) {
      const atom = parseXml(await (await server.get(path)).text(), { arrays: ['link'] });
      const feedLinks = links(atom.feed.link);
      expect(feedLinks, path).toContainEqual({ rel: 'self', href: `${server.url}${path}` });
      expect(feedLinks, path).toContainEqual({ rel: 'hub', href: hubUrl });
    }
    // And in the Link header every feed answers with (WebSub's own way of discovery).
    for (const path of ['/feeds/changes.rss', '/feeds/schools.json', `/feeds/places/${school.id}.json`, '/feeds/alerts.atom']) {
      expect((await server.get(path)).headers.get('link'), path).toBe(`<${hubUrl}>; rel="hub", <${server.url}${path}>; rel="self"`);
    }
    const json = (await (await server.get('/feeds/changes.json')).json()) as { feed_url: string; hubs: { type: string; url: string }[] };
    expect(json.feed_url).toBe(`${server.url}/feeds/changes.json`);
    expect(json.hubs).toEqual([{ type: 'WebSub', url: hubUrl }]);
  });
});

describe('a publish', () => {
  it('pings the hub with each feed that changed, again after the hub failed', async () => {
    closingFrom = pings.length;
    const response = await editor.post(`/staff/places/${school.id}`, {
      status: 'closed', note: 'Snow', 'status-from': '', 'status-until': '',
      name: school.name, category: school.category, address: school.address, postcode: school.postcode, ward: school.ward,
      identifier: school.identifier ?? '', latitude: school.latitude === null ? '' : String(school.latitude),
      longitude: school.longitude === null ? '' : String(school.longitude), summary: 'Closed', base: String(school.currentRevisionId),
    });
    expect(response.status).toBe(303);
    await waitFor('the second ping about the school', () => afterClosing().length >= 2);
    // The first ping met a 503 and was tried again: the same feeds both times.
    const [first, second] = afterClosing();
    expect(second!.form.toString()).toBe(first!.form.toString());
    expect(second!.contentType).toBe('application/x-www-form-urlencoded');
    expect(second!.form.get('hub.mode')).toBe('publish');
    expect(second!.form.getAll('hub.url').sort()).toEqual(
      [
        '/feeds/changes.rss', '/feeds/changes.atom', '/feeds/changes.json',
        '/feeds/schools.rss', '/feeds/schools.atom', '/feeds/schools.json',
        `/feeds/places/${school.id}.atom`, `/feeds/places/${school.id}.json`,
      ].map((path) => `${server.url}${path}`).sort(),
    );
    // Marked sent once the hub said yes, so it is not pinged a third time for this publish.
    const [ping] = await t.db.select().from(deliveries).where(eq(deliveries.recipientKind, 'websub')).orderBy(desc(deliveries.id)).limit(1);
    expect(ping).toMatchObject({ state: 'sent', attempts: 2, lastResponse: 'HTTP 204' });
    await new Promise((r) => setTimeout(r, 500));
    expect(afterClosing()).toHaveLength(2);
  });
});
