// The coverage screen's queries: our services × (us, each neighbour) over a recent window, and
// the gaps — services a neighbour is talking about while we have said nothing.
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { places, revisions, services } from '../../db/schema/index.ts';
import { seedDemoCouncil } from '../../db/seed.ts';
import { findCoverageGaps, gapsInCoverage, loadCoverage } from '../../src/lib/neighbours/coverage.ts';
import { pollNeighbourSource } from '../../src/lib/neighbours/poll.ts';
import { listSourcesToPoll } from '../../src/lib/neighbours/repository.ts';
import type { PlaceContent } from '../../src/lib/revisions/content.ts';
import { createContent, publishRevision } from '../../src/lib/revisions/service.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { startFeedFixtures, type FeedFixtureServer } from '../helpers/feed-fixtures.ts';

let t: TestDb;
let fixtures: FeedFixtureServer;
const author = { author: { accountId: null, label: 'Kirklees Council' }, summary: 'Snow update' };

beforeAll(async () => {
  fixtures = await startFeedFixtures();
  t = await createTestDb();
  // Our own demo content is three days old, so we have published nothing in the last day.
  await seedDemoCouncil(t.db, { siteUrl: fixtures.url, now: new Date(Date.now() - 3 * 86_400_000) });
  // Rochdale and Calderdale post about school closures today (the fixture fills in today's times).
  const sources = await listSourcesToPoll(t.db, new Date(), { all: true });
  for (const source of sources.filter((s) => s.title === 'School closures')) {
    const result = await pollNeighbourSource(t.db, source, { fetch: { allowPrivateAddresses: true, timeoutMs: 5_000 } });
    expect(result.error).toBeNull();
  }
});

afterAll(async () => {
  await fixtures?.close();
  t?.cleanup();
});

const schoolsRow = async (now = new Date()) => (await loadCoverage(t.db, { hours: 24, now })).rows.find((r) => r.service.slug === 'schools')!;

describe('coverage', () => {
  it('lists our services against us first, then each neighbour in order', async () => {
    const coverage = await loadCoverage(t.db, { hours: 24, now: new Date() });
    expect(coverage.columns[0]).toMatchObject({ kind: 'us', name: 'Kirklees Council' });
    expect(coverage.columns.slice(1).map((c) => c.slug)).toEqual(['calderdale', 'leeds', 'wakefield', 'bradford', 'barnsley', 'oldham', 'rochdale']);
    expect(coverage.rows.map((r) => r.service.slug)).toEqual([
      'schools', 'roads-and-gritting', 'waste-and-recycling', 'leisure-centres', 'libraries', 'day-centres',
    ]);
    for (const row of coverage.rows) expect(row.cells).toHaveLength(coverage.columns.length);
    expect(coverage.unclassified).toHaveLength(7);
  });

  it('counts the neighbours’ school items in the window, with the age of the newest', async () => {
    const row = await schoolsRow();
    const rochdale = row.neighbours[6]!;
    const calderdale = row.neighbours[0]!;
    // Rochdale's admissions item is three days old: outside a 24-hour window.
    expect(rochdale.count).toBe(3);
    expect(calderdale.count).toBe(4);
    expect(rochdale.newestAgeMinutes).toBeGreaterThanOrEqual(39);
    expect(rochdale.newestAgeMinutes).toBeLessThanOrEqual(41);
    expect(row.neighbours[1]!.count).toBe(0);
  });

  it('shows schools as a gap when neighbours posted about school closures and we published nothing', async () => {
    const row = await schoolsRow();
    expect(row.us.count).toBe(0);
    expect(row.gap).toBe(true);
    const gaps = await findCoverageGaps(t.db, { hours: 24, now: new Date() });
    const schools = gaps.find((g) => g.service.slug === 'schools')!;
    expect(schools.neighbours.map((n) => n.slug)).toEqual(['calderdale', 'rochdale']);
    expect(gaps.map((g) => g.service.slug)).toEqual(['schools']);
  });

  it('does not count a window that ends before the neighbours posted', async () => {
    const coverage = await loadCoverage(t.db, { hours: 24, now: new Date(Date.now() - 2 * 86_400_000) });
    expect(gapsInCoverage(coverage)).toEqual([]);
  });

  it('is not a gap once we publish a schools update', async () => {
    const [school] = await t.db
      .select({ id: places.id, revisionId: places.currentRevisionId })
      .from(places)
      .innerJoin(services, eq(places.serviceId, services.id))
      .where(eq(services.slug, 'schools'))
      .limit(1);
    const [revision] = await t.db.select({ content: revisions.content }).from(revisions).where(eq(revisions.id, school!.revisionId!));
    const { noteHtml: _html, ...draft } = revision!.content as PlaceContent;
    const published = await publishRevision(
      t.db, school!.id, school!.revisionId!,
      { kind: 'place', draft: { ...draft, status: 'closed', noteMarkdown: 'Closed today because of snow.', confirmedAt: new Date().toISOString() } },
      author,
    );
    expect(published.ok).toBe(true);

    const row = await schoolsRow();
    expect(row.us.count).toBe(1);
    expect(row.us.newestAgeMinutes).toBe(0);
    expect(row.gap).toBe(false);
    expect((await findCoverageGaps(t.db, { hours: 24, now: new Date() })).map((g) => g.service.slug)).not.toContain('schools');
  });

  it('counts an alert that names a service as our coverage of it', async () => {
    const before = (await loadCoverage(t.db, { hours: 24, now: new Date() })).rows.find((r) => r.service.slug === 'roads-and-gritting')!;
    expect(before.us.count).toBe(0);
    await createContent(
      t.db,
      {
        kind: 'alert',
        draft: {
          severity: 'warning', headline: 'Gritters out tonight', bodyMarkdown: '', area: '', serviceSlugs: ['roads-and-gritting'],
          startsAt: new Date().toISOString(), expiresAt: null, retired: false,
        },
      },
      author,
    );
    const after = (await loadCoverage(t.db, { hours: 24, now: new Date() })).rows.find((r) => r.service.slug === 'roads-and-gritting')!;
    expect(after.us.count).toBe(1);
  });
});
