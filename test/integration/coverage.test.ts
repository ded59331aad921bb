// Coverage, item by item, against a real database: our services × (us, each neighbour) with
// what we have not covered; each neighbour's item matched against what we published (covered,
// with the link to ours; not covered; dismissed by an editor, remembered); the demo's figures;
// and what residents see of neighbours on a service's page.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { neighbourItemDismissals, neighbourItems, neighbourSources, places, revisions, services } from '../../db/schema/index.ts';
import { seedDemoCouncil } from '../../db/seed.ts';
import { findCoverageGaps, gapsInCoverage, loadCoverage, loadItemCoverage, loadOfficialWarningsCoverage, type Coverage } from '../../src/lib/neighbours/coverage.ts';
import { upsertItemDismissalStatement } from '../../src/lib/neighbours/coverage-repository.ts';
import { pollAllSources } from '../../src/lib/neighbours/poll.ts';
import { listNeighboursSaying } from '../../src/lib/neighbours/saying.ts';
import { deleteNeighbourSource } from '../../src/lib/neighbours/repository.ts';
import type { PlaceContent } from '../../src/lib/revisions/content.ts';
import { createContent, publishRevision } from '../../src/lib/revisions/service.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { createStaffAccount } from '../helpers/staff.ts';
import { startFeedFixtures, type FeedFixtureServer } from '../helpers/feed-fixtures.ts';

const author = { author: { accountId: null, label: 'Kirklees Council' }, summary: 'Snow update' };
const POLL = { all: true, concurrency: 1, fetch: { allowPrivateAddresses: true, timeoutMs: 5_000 } };

let fixtures: FeedFixtureServer;
beforeAll(async () => {
  fixtures = await startFeedFixtures();
});
afterAll(async () => fixtures?.close());

/** A demo council whose own updates are `ourAgeMs` old, with every demo neighbour's feed read once. */
async function demoWithNeighbours(ourAgeMs: number): Promise<TestDb> {
  const t = await createTestDb();
  await seedDemoCouncil(t.db, { siteUrl: fixtures.url, now: new Date(Date.now() - ourAgeMs) });
  for (const result of await pollAllSources(t.db, POLL)) expect(result.error, result.source.title).toBeNull();
  return t;
}

const itemTitled = (coverage: Coverage, title: string) => coverage.items.find((c) => c.item.title === title)!;

async function publishPlace(t: TestDb, slug: string, change: Partial<PlaceContent>): Promise<number> {
  const [row] = await t.db.select({ id: places.id, revisionId: places.currentRevisionId }).from(places).where(eq(places.slug, slug));
  const [revision] = await t.db.select({ content: revisions.content }).from(revisions).where(eq(revisions.id, row!.revisionId!));
  const { noteHtml: _html, ...draft } = revision!.content as PlaceContent;
  const published = await publishRevision(t.db, row!.id, row!.revisionId!, { kind: 'place', draft: { ...draft, confirmedAt: new Date().toISOString(), ...change } }, author);
  expect(published.ok).toBe(true);
  return row!.id;
}

async function publishAlert(t: TestDb, headline: string, serviceSlugs: string[]): Promise<number> {
  const { targetId } = await createContent(
    t.db,
    { kind: 'alert', draft: { severity: 'warning', headline, bodyMarkdown: '', area: '', serviceSlugs, startsAt: new Date().toISOString(), expiresAt: null, retired: false } },
    author,
  );
  return targetId;
}

describe('coverage when we have said nothing today', () => {
  let t: TestDb;
  beforeAll(async () => {
    // Our own demo content is three days old: we have published nothing in the last day.
    t = await demoWithNeighbours(3 * 86_400_000);
  });
  afterAll(() => t?.cleanup());

  const load = (hours = 24, now = new Date()) => loadCoverage(t.db, { hours, now });

  it('lists our services against us first, then each neighbour in order', async () => {
    const coverage = await load();
    expect(coverage.columns[0]).toMatchObject({ kind: 'us', name: 'Kirklees Council' });
    expect(coverage.columns.slice(1).map((c) => c.slug)).toEqual(['calderdale', 'leeds', 'wakefield', 'bradford', 'barnsley', 'oldham', 'rochdale']);
    expect(coverage.rows.map((r) => r.service.slug)).toEqual(['schools', 'roads-and-gritting', 'waste-and-recycling', 'leisure-centres', 'libraries', 'day-centres']);
    expect(coverage.rows.filter((r) => r.service.urgent).map((r) => r.service.slug)).toEqual(['schools', 'roads-and-gritting']);
    for (const row of coverage.rows) expect(row.cells).toHaveLength(coverage.columns.length);
    expect(coverage.unclassified).toHaveLength(7);
  });

  it('counts each neighbour’s items per service in the window, how many we have not covered, and the age of the newest', async () => {
    const schools = (await load()).rows.find((r) => r.service.slug === 'schools')!;
    const rochdale = schools.neighbours[6]!;
    // Rochdale's admissions item is three days old: outside a 24-hour window.
    expect(rochdale).toMatchObject({ count: 3, notCovered: 3 });
    expect(rochdale.newestAgeMinutes).toBeGreaterThanOrEqual(39);
    expect(rochdale.newestAgeMinutes).toBeLessThanOrEqual(41);
    expect(schools.neighbours[0]).toMatchObject({ count: 4, notCovered: 4 });
    expect(schools.us.count).toBe(0);
    expect(schools.gap).toBe(true);
  });

  it('lists the gaps as items, newest first, the A62 closure and the meal vouchers among them', async () => {
    const gaps = await findCoverageGaps(t.db, { hours: 24, now: new Date() });
    const titles = gaps.map((g) => g.item.title);
    expect(titles).toContain('A62 Huddersfield Road closed at Standedge');
    expect(titles).toContain('Free school meal vouchers during closures');
    const times = gaps.map((g) => g.at.getTime());
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(gaps.every((g) => g.item.serviceSlug !== null)).toBe(true);
    expect(gaps.find((g) => g.item.title.startsWith('A62'))!.urgent).toBe(true);
  });

  it('has no gaps in a window that ends before the neighbours posted', async () => {
    expect(gapsInCoverage(await load(24, new Date(Date.now() - 2 * 86_400_000)))).toEqual([]);
  });
});

describe('covering an item', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await demoWithNeighbours(3 * 86_400_000);
  });
  afterAll(() => t?.cleanup());

  it('covers an item with our alert that says the same, linking to it, while the service’s other items stay gaps', async () => {
    const alertId = await publishAlert(t, 'All schools in Rochdale closed today', ['schools']);
    const coverage = await loadCoverage(t.db, { hours: 24, now: new Date() });
    const closure = itemTitled(coverage, 'All schools in Rochdale closed today');
    expect(closure.state).toBe('covered');
    expect(closure.match.by!.content).toMatchObject({ kind: 'alert', id: alertId, href: `/alerts/${alertId}` });
    // One schools notice no longer hides every neighbour's news about schools.
    expect(itemTitled(coverage, 'Free school meal vouchers during closures').state).toBe('not_covered');
    const schools = coverage.rows.find((r) => r.service.slug === 'schools')!;
    expect(schools.us.count).toBe(1);
    expect(schools.gap).toBe(true);
    expect(schools.neighbours[6]).toMatchObject({ count: 3, notCovered: 2 });
  });

  it('does not count our road as covering a neighbour’s closure of it while ours says something else, and does once we mark it closed', async () => {
    const title = 'A62 Huddersfield Road closed at Standedge';
    const placeId = await publishPlace(t, 'a62-manchester-road-huddersfield-to-marsden', { status: 'disrupted', noteMarkdown: 'Standedge is passable with care.' });
    let closure = itemTitled(await loadCoverage(t.db, { hours: 24, now: new Date() }), title);
    expect(closure.state).toBe('not_covered');
    expect(closure.match.conflict).toMatchObject({ place: { id: placeId }, ourStatus: 'disrupted', theirStatus: 'closed' });

    await publishPlace(t, 'a62-manchester-road-huddersfield-to-marsden', { status: 'closed', noteMarkdown: 'Closed at Standedge. Source: Oldham Council' });
    closure = itemTitled(await loadCoverage(t.db, { hours: 24, now: new Date() }), title);
    expect(closure.state).toBe('covered');
    expect(closure.match.by!.content).toMatchObject({ kind: 'place', id: placeId, href: '/services/roads-and-gritting/a62-manchester-road-huddersfield-to-marsden' });
    expect(closure.match.by!.signals[0]).toEqual({ kind: 'road', value: 'A62' });
  });
});

describe('dismissing an item', () => {
  let t: TestDb;
  let editorId: number;
  beforeAll(async () => {
    t = await demoWithNeighbours(3 * 86_400_000);
    editorId = (await createStaffAccount(t, 'editor', 'Eddie Editor')).id;
  });
  afterAll(() => t?.cleanup());

  const ripponden = async () => (await t.db.select().from(neighbourItems).where(eq(neighbourItems.title, 'Ripponden J&I School – closed')))[0]!;

  it('takes it off the gaps, keeping who, when and why — also after the feed is read again', async () => {
    const item = await ripponden();
    await upsertItemDismissalStatement(t.db, item.id, 'Not about our area', editorId, new Date());
    await pollAllSources(t.db, POLL);
    const coverage = await loadCoverage(t.db, { hours: 24, now: new Date() });
    const dismissed = coverage.items.find((c) => c.item.id === item.id)!;
    expect(dismissed.state).toBe('dismissed');
    expect(dismissed.item.dismissal).toMatchObject({ reason: 'Not about our area', byName: 'Eddie Editor' });
    expect(gapsInCoverage(coverage).map((g) => g.item.id)).not.toContain(item.id);
    expect(coverage.rows.find((r) => r.service.slug === 'schools')!.neighbours[0]).toMatchObject({ count: 4, notCovered: 3 });
    expect((await loadItemCoverage(t.db, item.id, new Date()))!.state).toBe('dismissed');
  });

  it('goes with the feed when the feed is removed', async () => {
    const item = await ripponden();
    const [source] = await t.db.select().from(neighbourSources).where(eq(neighbourSources.id, item.sourceId));
    expect(await deleteNeighbourSource(t.db, source!.id)).toBe(true);
    expect(await t.db.select().from(neighbourItemDismissals).where(eq(neighbourItemDismissals.itemId, item.id))).toEqual([]);
  });
});

describe('on the demo this morning', () => {
  let t: TestDb;
  let coverage: Coverage;
  beforeAll(async () => {
    t = await demoWithNeighbours(0);
    coverage = await loadCoverage(t.db, { hours: 24, now: new Date() });
  });
  afterAll(() => t?.cleanup());

  it('lists the A62 closure and the meal vouchers as not covered, though we published about roads and schools this morning', async () => {
    const schools = coverage.rows.find((r) => r.service.slug === 'schools')!;
    expect(schools.us.count).toBeGreaterThan(50);
    expect(itemTitled(coverage, 'Free school meal vouchers during closures').state).toBe('not_covered');
    const a62 = itemTitled(coverage, 'A62 Huddersfield Road closed at Standedge');
    expect(a62.state).toBe('not_covered');
    expect(a62.match.conflict?.place.title).toBe('A62 Manchester Road, Huddersfield to Marsden');
  });

  it('marks what we did cover, with the link to ours', async () => {
    const bins = itemTitled(coverage, 'Bin collections suspended today');
    expect(bins.state).toBe('covered');
    expect(bins.match.by!.content).toMatchObject({ kind: 'alert', title: 'Bin collections: some rounds suspended today' });
    expect(bins.match.by!.content.href).toMatch(/^\/alerts\/\d+$/);
    expect(itemTitled(coverage, 'Gritters out overnight on all priority routes').match.by!.content.title).toBe('Gritting: priority routes treated overnight');
    expect(itemTitled(coverage, 'Day centres closed today, transport cancelled').match.by!.content.kind).toBe('place');
  });

  it('comes to 27 items in the last 24 hours: 14 covered, 12 gaps and one about none of our services', () => {
    const count = (state: string) => coverage.items.filter((c) => c.state === state).length;
    expect(coverage.items).toHaveLength(27);
    expect({ covered: count('covered'), gaps: count('not_covered'), unmatched: count('unmatched'), dismissed: count('dismissed') }).toEqual({ covered: 14, gaps: 12, unmatched: 1, dismissed: 0 });
    // Urgent: the schools and roads gaps.
    expect(gapsInCoverage(coverage).filter((g) => g.urgent).map((g) => g.item.title)).toEqual(
      expect.arrayContaining(['A62 Huddersfield Road closed at Standedge', 'Free school meal vouchers during closures']),
    );
  });
});

describe('official warnings on the demo this morning', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await demoWithNeighbours(0);
  });
  afterAll(() => t?.cleanup());

  const load = () => loadOfficialWarningsCoverage(t.db, { hours: 24, now: new Date() });
  const amberSnow = async () => (await load()).find((w) => w.warning.level === 'amber' && w.warning.hazard === 'snow')!;

  it('keeps the Met Office and GOV.UK out of the councils: still seven, with none of their warnings among the items', async () => {
    const coverage = await loadCoverage(t.db, { hours: 24, now: new Date() });
    expect(coverage.columns.slice(1).map((c) => c.slug)).toEqual(['calderdale', 'leeds', 'wakefield', 'bradford', 'barnsley', 'oldham', 'rochdale']);
    expect(coverage.items.filter((c) => /^(met-office|gov-uk-alert):/.test(c.item.itemKey))).toEqual([]);
  });

  it('lists the amber snow warning as nothing published by us: our snow alert came out before it was issued', async () => {
    const warning = await amberSnow();
    expect(warning.warning).toMatchObject({ issuer: 'met-office', region: 'Yorkshire & Humber', status: 'in-force' });
    expect(warning.coveredBy).toBeNull();
    // Issued two hours ago, after our heavy-snow alert (three hours ago): that cannot have told anyone about it.
    expect(Date.now() - warning.warning.issuedAt.getTime()).toBeGreaterThan(110 * 60_000);
    expect(warning.hazardWords).toEqual(['snow']);
  });

  it('lists the GOV.UK emergency alerts beside the Met Office’s warnings', async () => {
    const issuers = new Set((await load()).map((w) => w.warning.issuer));
    expect(issuers).toEqual(new Set(['met-office', 'gov-uk-alerts']));
  });

  it('counts the amber snow warning as covered once we publish an alert about snow', async () => {
    const id = await publishAlert(t, 'More snow this afternoon: take care on the roads', ['roads-and-gritting']);
    const warning = await amberSnow();
    expect(warning.coveredBy).toMatchObject({ id, headline: 'More snow this afternoon: take care on the roads', href: `/alerts/${id}`, word: 'snow' });
  });
});

describe('what residents see of neighbours', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await demoWithNeighbours(0);
  });
  afterAll(() => t?.cleanup());

  it('is nothing for a service that does not show it', async () => {
    expect(await listNeighboursSaying(t.db, 'schools', new Date())).toBeNull();
    expect(await listNeighboursSaying(t.db, 'no-such-service', new Date())).toBeNull();
  });

  it('is the last day’s items about the service, newest first, with council, time and link, once switched on', async () => {
    // The demo shows it for roads and gritting.
    const saying = (await listNeighboursSaying(t.db, 'roads-and-gritting', new Date()))!;
    expect(saying.map((s) => s.title)).toEqual([
      'Gritting: crews working on the Pennine routes',
      'A62 Huddersfield Road closed at Standedge',
      'Gritting routes tonight',
      'Gritting update: main roads treated',
      'Gritters out overnight on all priority routes',
      'Grit bins refilled across the district',
    ]);
    expect(saying[1]).toMatchObject({ councilName: 'Oldham Council', link: 'https://www.oldham.gov.uk/alerts/a62-standedge' });
    await t.db.update(services).set({ showNeighbours: true }).where(eq(services.slug, 'schools'));
    expect((await listNeighboursSaying(t.db, 'schools', new Date()))!.length).toBeGreaterThan(0);
  });

  it('leaves out an alert the neighbour says has ended', async () => {
    await t.db.update(neighbourItems).set({ expiresAt: new Date(Date.now() - 60_000) }).where(and(eq(neighbourItems.title, 'A62 Huddersfield Road closed at Standedge')));
    const titles = (await listNeighboursSaying(t.db, 'roads-and-gritting', new Date()))!.map((s) => s.title);
    expect(titles).not.toContain('A62 Huddersfield Road closed at Standedge');
  });
});
