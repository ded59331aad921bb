// Polling neighbours' feeds against a local fixture server: the demo feeds end up as classified
// items, changes and 304s are counted right, CAP updates and cancellations close what they
// replace, the national warning feeds are read as warnings, repairs come back as notes, and
// every hostile feed ends in a recorded, plain-words error — never a crash or a hang.
import { lookup } from 'node:dns/promises';
import { hostname } from 'node:os';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { neighbourItems, neighbourSources } from '../../db/schema/index.ts';
import { seedDemoCouncil } from '../../db/seed.ts';
import { fetchFeed, isPublicAddress } from '../../src/lib/neighbours/fetch.ts';
import { pollAllSources, pollNeighbourSource, type PollOptions } from '../../src/lib/neighbours/poll.ts';
import { loadOfficialWarnings } from '../../src/lib/neighbours/warnings.ts';
import {
  findNeighbourCouncilBySlug,
  findNeighbourSource,
  insertNeighbourCouncil,
  insertNeighbourSource,
  listNeighbourItems,
  setNeighbourSourcePaused,
  type NeighbourSourceListing,
} from '../../src/lib/neighbours/repository.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { startFeedFixtures, type FeedFixtureServer } from '../helpers/feed-fixtures.ts';

let t: TestDb;
let fixtures: FeedFixtureServer;
let testCouncilId: number;
const options: PollOptions = { fetch: { allowPrivateAddresses: true, timeoutMs: 1_500 } };
// This machine's own name usually resolves to a private address: a real DNS answer to refuse.
const machine = hostname();
const machineAddresses = await lookup(machine, { all: true }).catch(() => []);

beforeAll(async () => {
  fixtures = await startFeedFixtures();
  t = await createTestDb();
  // The seeded demo sources point at the fixture server, which serves the demo's sample feeds.
  await seedDemoCouncil(t.db, { siteUrl: fixtures.url });
  testCouncilId = (await insertNeighbourCouncil(t.db, { slug: 'fixtureshire', name: 'Fixtureshire Council', websiteUrl: '', sortOrder: 99 }))!;
});

afterAll(async () => {
  await fixtures?.close();
  t?.cleanup();
});

/** A source on the fixture server, paused so that "poll everything" runs leave it alone. */
async function fixtureSource(path: string, title = path, councilId = testCouncilId): Promise<NeighbourSourceListing> {
  const id = (await insertNeighbourSource(t.db, { councilId, title, url: `${fixtures.url}${path}` }))!;
  await setNeighbourSourcePaused(t.db, id, true);
  return (await findNeighbourSource(t.db, id))!;
}

describe('polling the demo feeds', () => {
  it('reads every demo feed into items classified by service, with CAP details from the linked messages', async () => {
    const results = await pollAllSources(t.db, { ...options, all: true });
    // Nine feeds of neighbouring councils and the two national warning feeds.
    expect(results.length).toBe(11);
    for (const result of results) expect(result.error, `${result.source.councilName} — ${result.source.title}`).toBeNull();
    const rochdale = results.find((r) => r.source.councilSlug === 'rochdale' && r.source.title === 'School closures')!;
    expect(rochdale.new).toBe(4);

    const rochdaleCouncil = (await findNeighbourCouncilBySlug(t.db, 'rochdale'))!;
    const schools = await listNeighbourItems(t.db, { councilId: rochdaleCouncil.id, serviceSlug: 'schools' });
    expect(schools.map((i) => i.title)).toContain('All schools in Rochdale closed today');

    const leeds = (await findNeighbourCouncilBySlug(t.db, 'leeds'))!;
    const roads = await listNeighbourItems(t.db, { councilId: leeds.id, serviceSlug: 'roads-and-gritting' });
    expect(roads.map((i) => i.title)).toContain('Gritting routes tonight');

    const oldham = (await findNeighbourCouncilBySlug(t.db, 'oldham'))!;
    const snow = (await listNeighbourItems(t.db, { councilId: oldham.id })).find((i) => i.title === 'Heavy snow across Oldham')!;
    expect(snow.area).toBe('Saddleworth; Shaw and Crompton');
    expect(snow.expiresAt).toBeInstanceOf(Date);
    expect(snow.link).toBe('https://www.oldham.gov.uk/alerts/heavy-snow');
    expect(snow.summary).toContain('Up to 20 cm of snow');
  });

  it('reads the demo’s national feeds as the kind of source the seed stored, though this site serves them', async () => {
    const sources = await t.db.select().from(neighbourSources);
    const byTitle = (title: string) => sources.find((s) => s.title === title)!;
    expect(byTitle('Weather warnings, Yorkshire & Humber')).toMatchObject({ kind: 'met-office-warnings', region: 'Yorkshire & Humber' });
    expect(byTitle('Emergency alerts')).toMatchObject({ kind: 'gov-uk-alerts', region: null });
    expect(byTitle('News')).toMatchObject({ kind: 'council', region: null });
    const council = (await findNeighbourCouncilBySlug(t.db, 'met-office'))!;
    const items = await listNeighbourItems(t.db, { councilId: council.id });
    // The address is this test's own server, not metoffice.gov.uk: only the stored kind says so.
    expect(items.length).toBeGreaterThan(0);
    for (const item of items) expect(item.itemKey).toMatch(/^met-office:/);
  });

  it('stores an item once per council, however often it is read', async () => {
    const before = await t.db.select().from(neighbourItems);
    const results = await pollAllSources(t.db, { ...options, all: true });
    for (const result of results) expect(result.new).toBe(0);
    const after = await t.db.select().from(neighbourItems);
    expect(after.length).toBe(before.length);
  });

  it('records a healthy source as polled, with no error and the next poll one interval away', async () => {
    const council = (await findNeighbourCouncilBySlug(t.db, 'wakefield'))!;
    const [source] = await t.db.select().from(neighbourSources).where(eq(neighbourSources.councilId, council.id));
    expect(source!.lastError).toBeNull();
    expect(source!.consecutiveFailures).toBe(0);
    expect(source!.lastSuccessAt).toBeInstanceOf(Date);
    expect(source!.nextPollAt!.getTime() - source!.lastPolledAt!.getTime()).toBe(10 * 60_000);
  });
});

async function storedItem(councilId: number, key: string) {
  const rows = await t.db.select().from(neighbourItems).where(eq(neighbourItems.councilId, councilId));
  return rows.find((row) => row.itemKey === key);
}

let councils = 0;
async function newCouncil(name: string): Promise<number> {
  return (await insertNeighbourCouncil(t.db, { slug: `fixture-${++councils}`, name, websiteUrl: '', sortOrder: 100 + councils }))!;
}

describe('reader fidelity', () => {
  it('keeps what an index entry’s CAP message said, poll after poll', async () => {
    const oldham = (await findNeighbourCouncilBySlug(t.db, 'oldham'))!;
    const [source] = await t.db.select().from(neighbourSources).where(eq(neighbourSources.councilId, oldham.id));
    for (let poll = 0; poll < 2; poll++) expect((await pollNeighbourSource(t.db, (await findNeighbourSource(t.db, source!.id))!, options)).error).toBeNull();
    const snow = await storedItem(oldham.id, 'urn:oid:2.49.0.1.826.1.oldham.2026.0412');
    // The second poll finds the entry known and does not fetch the message again: its details stay.
    expect(snow).toMatchObject({ area: 'Saddleworth; Shaw and Crompton', link: 'https://www.oldham.gov.uk/alerts/heavy-snow' });
    expect(snow!.expiresAt).toBeInstanceOf(Date);
    expect(snow!.summary).toContain('Up to 20 cm of snow');
  });

  it('closes a stored CAP alert when a later message cancels it, names the cancellation after it, and keeps it closed', async () => {
    const council = await newCouncil('Cancelling Council');
    const alertSource = await fixtureSource('/fixtures/cap-alert-road.xml', 'road alert', council);
    const first = await pollNeighbourSource(t.db, alertSource, { ...options, now: new Date('2026-11-21T07:00:00Z') });
    expect(first).toMatchObject({ error: null, new: 1, closed: 0 });
    const key = 'urn:oid:2.49.0.1.826.1.fixture.0001';
    expect((await storedItem(council, key))!.expiresAt).toEqual(new Date('2026-11-21T18:00:00Z'));

    // The cancellation has no <info>: it is recorded all the same, against the alert it references.
    const cancelSource = await fixtureSource('/fixtures/cap-cancel-no-info.xml', 'road cancellation', council);
    const cancelled = await pollNeighbourSource(t.db, cancelSource, { ...options, now: new Date('2026-11-21T10:00:00Z') });
    expect(cancelled).toMatchObject({ error: null, new: 1, closed: 1 });
    expect((await storedItem(council, key))!.expiresAt).toEqual(new Date('2026-11-21T09:30:00Z'));
    expect(await storedItem(council, 'urn:oid:2.49.0.1.826.1.fixture.0002')).toMatchObject({
      title: 'Cancelled: <A62> closed at Standedge',
      summary: 'The road has reopened.',
      expiresAt: new Date('2026-11-21T09:30:00Z'),
      serviceSlug: 'roads-and-gritting',
    });

    // The alert's own feed still lists it: read again, it stays closed.
    const again = await pollNeighbourSource(t.db, alertSource, { ...options, now: new Date('2026-11-21T10:05:00Z') });
    expect(again).toMatchObject({ error: null, new: 0 });
    expect((await storedItem(council, key))!.expiresAt).toEqual(new Date('2026-11-21T09:30:00Z'));
  });

  it('closes an alert replaced by an update in the same feed', async () => {
    const council = await newCouncil('Updating Council');
    const alert = (id: string, msgType: string, sent: string, headline: string, extra = '') =>
      `<entry><id>${id}</id><title>x</title><updated>${sent}</updated><content type="text/xml"><alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
<identifier>${id}</identifier><sender>s@update.gov.uk</sender><sent>${sent}</sent><status>Actual</status><msgType>${msgType}</msgType><scope>Public</scope>${extra}
<info><event>Road</event><expires>2026-11-21T20:00:00+00:00</expires><headline>${headline}</headline></info></alert></content></entry>`;
    fixtures.state.documents.set('/custom/updates.atom', {
      body: `<feed xmlns="http://www.w3.org/2005/Atom"><title>Alerts</title>
${alert('urn:upd:2', 'Update', '2026-11-21T08:00:00+00:00', 'A640 open again in one lane', '<references>s@update.gov.uk,urn:upd:1,2026-11-21T06:00:00+00:00</references>')}
${alert('urn:upd:1', 'Alert', '2026-11-21T06:00:00+00:00', 'A640 closed at Buckstones')}</feed>`,
    });
    const result = await pollNeighbourSource(t.db, await fixtureSource('/custom/updates.atom', 'updates', council), { ...options, now: new Date('2026-11-21T09:00:00Z') });
    expect(result).toMatchObject({ error: null, new: 2, closed: 1 });
    expect((await storedItem(council, 'urn:upd:1'))!.expiresAt).toEqual(new Date('2026-11-21T08:00:00Z'));
    expect((await storedItem(council, 'urn:upd:2'))!.expiresAt).toEqual(new Date('2026-11-21T20:00:00Z'));
  });

  it('reads a feed whose declared encoding is wrong, and says what it did', async () => {
    const council = await newCouncil('Windows Council');
    const latin1 = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
    fixtures.state.documents.set('/custom/win1252.rss', {
      body: latin1('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>x</title><item><guid>w1</guid><title>Caf\u00e9 \u0096 \u00a35 school dinners</title></item></channel></rss>'),
      contentType: 'application/rss+xml; charset=utf-8',
    });
    const result = await pollNeighbourSource(t.db, await fixtureSource('/custom/win1252.rss', 'windows', council), options);
    expect(result).toMatchObject({ error: null, new: 1, notes: ['the feed says its text is UTF-8 but it is not; it was read as Windows-1252 (Western European)'] });
    expect((await findNeighbourSource(t.db, result.source.id))!).toMatchObject({
      lastError: null, lastNote: 'the feed says its text is UTF-8 but it is not; it was read as Windows-1252 (Western European)',
    });
    expect((await storedItem(council, 'w1'))!.title).toBe('Café – £5 school dinners');
  });

  it('reads the Met Office’s and GOV.UK’s feeds as warnings the coverage screen can list', async () => {
    const metOffice = await newCouncil('Met Office');
    const govUk = await newCouncil('GOV.UK Emergency Alerts');
    const now = new Date('2026-11-22T07:00:00Z');
    expect(await pollNeighbourSource(t.db, await fixtureSource('/fixtures/met-office-uk.rss', 'warnings', metOffice), { ...options, now })).toMatchObject({ error: null, new: 3 });
    expect(await pollNeighbourSource(t.db, await fixtureSource('/fixtures/gov-uk-alerts.atom', 'alerts', govUk), { ...options, now })).toMatchObject({ error: null, new: 2 });
    expect(await storedItem(metOffice, 'met-office:11111111-2222-4333-8444-555555555555')).toMatchObject({
      title: 'Amber warning of snow affecting Yorkshire & Humber', area: 'Yorkshire & Humber', expiresAt: new Date('2026-11-23T12:00:00Z'), publishedAt: new Date('2026-11-22T05:10:00Z'),
    });
    // (The seeded demo's own national feeds are dated today, not 22 November: left out here.)
    const warnings = (await loadOfficialWarnings(t.db, { now, hours: 24 })).filter((w) => w.councilId === metOffice || w.councilId === govUk);
    // Issued in the last day or still in force: not July's wind warning or fire alert.
    expect(warnings.map((w) => [w.councilName, w.level, w.hazard, w.region, w.issuedAt.toISOString(), w.status]).sort()).toEqual([
      ['GOV.UK Emergency Alerts', null, null, 'Calderdale, Kirklees', '2026-11-22T05:10:00.000Z', 'in-force'],
      ['Met Office', 'amber', 'snow', 'Yorkshire & Humber', '2026-11-22T05:10:00.000Z', 'in-force'],
    ]);
  });
});

describe('changes between polls', () => {
  it('counts new, updated and unchanged items when a feed changes', async () => {
    const source = await fixtureSource('/changing.rss');
    fixtures.state.changingVersion = 1;
    const first = await pollNeighbourSource(t.db, source, options);
    expect(first).toMatchObject({ error: null, new: 2, updated: 0, unchanged: 0 });

    fixtures.state.changingVersion = 2;
    const second = await pollNeighbourSource(t.db, source, options);
    expect(second).toMatchObject({ error: null, new: 1, updated: 1, unchanged: 1 });
    const titles = (await listNeighbourItems(t.db, { councilId: testCouncilId })).map((i) => i.title);
    expect(titles).toContain('Schools closed today and tomorrow');
    expect(titles).not.toContain('Schools closed today');
  });

  it('sends the ETag back and treats a 304 as "unchanged"', async () => {
    const source = await fixtureSource('/conditional.rss');
    const first = await pollNeighbourSource(t.db, source, options);
    expect(first).toMatchObject({ error: null, new: 2, notModified: false });
    const second = await pollNeighbourSource(t.db, source, options);
    expect(second).toMatchObject({ error: null, new: 0, notModified: true, unchanged: 2 });
    const sent = fixtures.requests.filter((r) => r.path === '/conditional.rss');
    expect(sent.at(-1)).toMatchObject({ ifNoneMatch: '"v1"', ifModifiedSince: 'Sat, 21 Nov 2026 06:00:00 GMT' });
    expect((await findNeighbourSource(t.db, source.id))!.lastSuccessAt).toBeInstanceOf(Date);
  });

  it('follows a few redirects to the feed', async () => {
    const result = await pollNeighbourSource(t.db, await fixtureSource('/moved'), options);
    expect(result.error).toBeNull();
    // The same items as Rochdale's own feed, but for another council: stored again, for it.
    expect(result.new).toBe(4);
  });
});

describe('hostile and broken feeds', () => {
  const cases: [string, string, RegExp][] = [
    ['malformed XML', '/malformed.xml', /not well-formed XML/],
    ['a 20 MB body', '/huge.xml', /larger than 8 MB/],
    ['a 20 MB Content-Length', '/huge-declared.xml', /larger than 8 MB/],
    ['a compression bomb', '/gzip-bomb.xml', /larger than 8 MB/],
    ['a server that never answers', '/never', /did not answer within 1\.5 seconds/],
    ['a billion-laughs document', '/billion-laughs.xml', /declares its own XML entities/],
    ['a redirect loop', '/loop/a', /redirects too many times \(more than 5\)/],
    ['a redirect to a file: address', '/redirect-to-file', /must start with http:\/\/ or https:\/\//],
    ['a missing feed', '/missing.rss', /not found at that address \(HTTP 404\)/],
    ['a server error', '/broken-server.rss', /server had a problem \(HTTP 500\)/],
    ['a web page instead of a feed', '/web-page', /web page, not a feed/],
  ];
  for (const [what, path, message] of cases) {
    it(`records ${what} as an error in plain words, without crashing or hanging`, async () => {
      const source = await fixtureSource(path);
      const started = Date.now();
      const result = await pollNeighbourSource(t.db, source, options);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(result.error).toMatch(message);
      expect(result.new).toBe(0);
      const stored = (await findNeighbourSource(t.db, source.id))!;
      expect(stored.lastError).toBe(result.error);
      expect(stored.consecutiveFailures).toBe(1);
    });
  }

  it('backs off after repeated failures: the interval, then doubling, at most six hours', async () => {
    const source = await fixtureSource('/broken-server.rss?backing-off', 'backing off');
    const gaps: number[] = [];
    for (let i = 0; i < 8; i++) {
      const now = new Date(Date.UTC(2026, 10, 21, 7, i));
      await pollNeighbourSource(t.db, source, { ...options, now });
      const stored = (await findNeighbourSource(t.db, source.id))!;
      gaps.push((stored.nextPollAt!.getTime() - now.getTime()) / 60_000);
    }
    expect(gaps).toEqual([10, 20, 40, 80, 160, 320, 360, 360]);
  });

  it('clears the error, the back-off and an old note after a success', async () => {
    const source = await fixtureSource('/conditional.rss?recover', 'recovering');
    await t.db.update(neighbourSources).set({ lastError: 'the server had a problem (HTTP 500)', lastNote: 'an old remark', consecutiveFailures: 3 }).where(eq(neighbourSources.id, source.id));
    const result = await pollNeighbourSource(t.db, source, options);
    expect(result.error).toBeNull();
    const stored = (await findNeighbourSource(t.db, source.id))!;
    expect(stored).toMatchObject({ lastError: null, lastNote: null, consecutiveFailures: 0 });
  });

  it('keeps polling the other sources when some are broken', async () => {
    const broken = await fixtureSource('/malformed.xml?batch', 'broken in a batch');
    const never = await fixtureSource('/never?batch', 'silent in a batch');
    const good = await fixtureSource('/changing.rss?batch', 'good in a batch');
    for (const s of [broken, never, good]) await setNeighbourSourcePaused(t.db, s.id, false);
    // Everything else is paused for this run, so only these three are due.
    const others = (await t.db.select().from(neighbourSources)).filter((s) => ![broken.id, never.id, good.id].includes(s.id));
    for (const s of others) await setNeighbourSourcePaused(t.db, s.id, true);
    const results = await pollAllSources(t.db, { ...options, fetch: { ...options.fetch, timeoutMs: 500 } });
    expect(results.map((r) => r.source.title).sort()).toEqual(['broken in a batch', 'good in a batch', 'silent in a batch']);
    expect(results.find((r) => r.source.id === good.id)).toMatchObject({ error: null });
    expect(results.find((r) => r.source.id === broken.id)!.error).toMatch(/not well-formed/);
    expect(results.find((r) => r.source.id === never.id)!.error).toMatch(/did not answer/);
    // Once polled they are not due again until their next poll time.
    expect(await pollAllSources(t.db, options)).toEqual([]);
    for (const s of others) await setNeighbourSourcePaused(t.db, s.id, false);
    for (const s of [broken, never, good]) await setNeighbourSourcePaused(t.db, s.id, true);
  });
});

describe('the private-address guard', () => {
  it('refuses loopback without the setting, and reads it with the setting', async () => {
    const url = `${fixtures.url}/conditional.rss`;
    const refused = await fetchFeed(url);
    expect(refused).toEqual({ status: 'error', error: expect.stringMatching(/private or local network \(127\.0\.0\.1\)/) });
    const allowed = await fetchFeed(url, {}, { allowPrivateAddresses: true });
    expect(allowed.status).toBe('fetched');
  });

  it('refuses "localhost" and loopback IPv6 by name and address', async () => {
    const port = new URL(fixtures.url).port;
    for (const url of [`http://localhost:${port}/conditional.rss`, `http://[::1]:${port}/x`, `http://[::ffff:127.0.0.1]:${port}/x`, 'http://169.254.169.254/latest/meta-data/']) {
      const result = await fetchFeed(url, {}, { timeoutMs: 1_000 });
      expect(result, url).toEqual({ status: 'error', error: expect.stringMatching(/private or local network/) });
    }
  });

  it.skipIf(machineAddresses.length === 0 || machineAddresses.some((a) => isPublicAddress(a.address)))(
    'refuses a host name whose DNS answer is a private address',
    async () => {
      const result = await fetchFeed(`http://${machine}:${new URL(fixtures.url).port}/conditional.rss`, {}, { timeoutMs: 2_000 });
      expect(result).toEqual({ status: 'error', error: expect.stringMatching(/private or local network/) });
    },
  );

  it('records the refusal on the source when a poll is not allowed private addresses', async () => {
    const source = await fixtureSource('/conditional.rss?guarded', 'guarded');
    const result = await pollNeighbourSource(t.db, source, { fetch: { timeoutMs: 1_000 } });
    expect(result.error).toMatch(/private or local network/);
    expect((await findNeighbourSource(t.db, source.id))!.lastError).toMatch(/private or local network/);
  });
});
