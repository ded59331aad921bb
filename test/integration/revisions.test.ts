// The revision mechanism against a real libSQL file: creation, publishing, conflicts, and the
// demo loader's idempotency.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { count, eq, isNull } from 'drizzle-orm';
import { contentVersion, pages, places, revisions, services } from '../../db/schema/index.ts';
import { seedDemoCouncil } from '../../db/seed.ts';
import { createContent, publishRevision } from '../../src/lib/revisions/service.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';

const council = { author: { accountId: null, label: 'Kirklees Council' }, summary: 'test' };
const pageDraft = (title: string, body: string) => ({
  kind: 'page' as const,
  draft: { slug: 'winter', title, summary: '', bodyMarkdown: body, retired: false },
});

let t: TestDb;
beforeEach(async () => {
  t = await createTestDb();
});
afterEach(() => t.cleanup());

describe('revisions', () => {
  it('creates content with an approved first revision that it points to', async () => {
    const { targetId, revisionId } = await createContent(t.db, pageDraft('Winter', 'Hello'), council);
    const [page] = await t.db.select().from(pages).where(eq(pages.id, targetId));
    expect(page?.currentRevisionId).toBe(revisionId);
    expect(page?.bodyHtml).toBe('<p class="govuk-body">Hello</p>');
    const [revision] = await t.db.select().from(revisions).where(eq(revisions.id, revisionId));
    expect(revision).toMatchObject({ targetKind: 'page', targetId, parentId: null, state: 'approved', authorLabel: 'Kirklees Council' });
  });

  it('publishes a new revision on top of the current one and keeps the old one', async () => {
    const created = await createContent(t.db, pageDraft('Winter', 'First'), council);
    const result = await publishRevision(t.db, created.targetId, created.revisionId, pageDraft('Winter', 'Second'), council);
    expect(result.ok).toBe(true);
    const history = await t.db.select().from(revisions).where(eq(revisions.targetId, created.targetId));
    expect(history).toHaveLength(2);
    expect(history[1]?.parentId).toBe(created.revisionId);
    const [page] = await t.db.select().from(pages).where(eq(pages.id, created.targetId));
    expect(page?.bodyMarkdown).toBe('Second');
  });

  it('refuses an edit based on an outdated revision, writing nothing', async () => {
    const created = await createContent(t.db, pageDraft('Winter', 'First'), council);
    const first = await publishRevision(t.db, created.targetId, created.revisionId, pageDraft('Winter', 'Mine'), council);
    const stale = await publishRevision(t.db, created.targetId, created.revisionId, pageDraft('Winter', 'Theirs'), council);
    expect(first.ok).toBe(true);
    expect(stale).toEqual({ ok: false, reason: 'conflict', currentRevisionId: first.ok ? first.revisionId : -1 });
    const [page] = await t.db.select().from(pages).where(eq(pages.id, created.targetId));
    expect(page?.bodyMarkdown).toBe('Mine');
    const [{ n }] = (await t.db.select({ n: count() }).from(revisions)) as [{ n: number }];
    expect(n).toBe(2);
  });

  it('lets exactly one of many simultaneous edits on the same base win', async () => {
    const created = await createContent(t.db, pageDraft('Winter', 'Base'), council);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => publishRevision(t.db, created.targetId, created.revisionId, pageDraft('Winter', `Edit ${i}`), council)),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok && r.reason === 'conflict')).toHaveLength(19);
    const [{ n }] = (await t.db.select({ n: count() }).from(revisions)) as [{ n: number }];
    expect(n).toBe(2);
  });

  it('answers not found for content that does not exist', async () => {
    expect(await publishRevision(t.db, 999, 1, pageDraft('Winter', 'x'), council)).toEqual({ ok: false, reason: 'not_found' });
  });

  it('bumps the content version with every publish', async () => {
    const created = await createContent(t.db, pageDraft('Winter', 'A'), council);
    const before = (await t.db.select().from(contentVersion))[0]!.version;
    await publishRevision(t.db, created.targetId, created.revisionId, pageDraft('Winter', 'B'), council);
    const after = (await t.db.select().from(contentVersion))[0]!.version;
    expect(after).toBe(before + 1);
  });

  it('stores markdown with script as harmless HTML in the published row and the revision', async () => {
    const { targetId, revisionId } = await createContent(t.db, pageDraft('Winter', 'Hi <script>alert(1)</script> [x](javascript:alert(2)) <b onclick="alert(3)">b</b>'), council);
    const [page] = await t.db.select().from(pages).where(eq(pages.id, targetId));
    const [revision] = await t.db.select().from(revisions).where(eq(revisions.id, revisionId));
    for (const html of [page!.bodyHtml, (revision!.content as { bodyHtml: string }).bodyHtml]) {
      expect(html).not.toMatch(/<script|javascript:|onclick/i);
    }
  });
});

describe('loading the demo council', () => {
  it('loads every service, place, alert and page as approved revisions', async () => {
    const result = await seedDemoCouncil(t.db);
    expect(result.loaded).toBe(true);
    expect(result.places).toBeGreaterThanOrEqual(190);
    const [{ n: placeCount }] = (await t.db.select({ n: count() }).from(places)) as [{ n: number }];
    expect(placeCount).toBe(result.places);
    const unpublished = await t.db.select({ id: places.id }).from(places).where(isNull(places.currentRevisionId));
    expect(unpublished).toEqual([]);
    const [{ n: revisionCount }] = (await t.db.select({ n: count() }).from(revisions)) as [{ n: number }];
    expect(revisionCount).toBe(result.places + result.alerts + result.pages);
  });

  it('changes nothing when loaded a second time', async () => {
    await seedDemoCouncil(t.db);
    const snapshot = async () => ({
      services: await t.db.select().from(services),
      places: await t.db.select().from(places),
      revisions: await t.db.select({ n: count() }).from(revisions),
      version: await t.db.select().from(contentVersion),
    });
    const before = await snapshot();
    const second = await seedDemoCouncil(t.db);
    expect(second.loaded).toBe(false);
    expect(await snapshot()).toEqual(before);
  });

  it('links every place to a revision whose content matches the published row', async () => {
    await seedDemoCouncil(t.db);
    const rows = await t.db
      .select({ status: places.status, name: places.name, content: revisions.content })
      .from(places)
      .innerJoin(revisions, eq(revisions.id, places.currentRevisionId));
    expect(rows.length).toBeGreaterThanOrEqual(190);
    for (const row of rows) {
      expect(row.content).toMatchObject({ status: row.status, name: row.name });
    }
  });
});
