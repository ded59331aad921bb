// The admin's use cases for neighbours: add, change, pause, resume and remove councils and
// feeds, and changing a service's keywords reclassifies what was already read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { neighbourItems } from '../../db/schema/index.ts';
import { NotFoundError } from '../../src/lib/errors.ts';
import {
  findNeighbourSource,
  listNeighbourCouncilsWithSources,
  listNeighbourItems,
  listSourcesToPoll,
} from '../../src/lib/neighbours/repository.ts';
import {
  addNeighbourCouncil,
  addNeighbourSource,
  changeNeighbourCouncil,
  changeNeighbourSource,
  changeServiceKeywords,
  pauseNeighbourSource,
  removeNeighbourCouncil,
  removeNeighbourSource,
  resumeNeighbourSource,
} from '../../src/lib/neighbours/service.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb({ seed: true });
});
afterAll(() => t?.cleanup());

describe('managing neighbours', () => {
  it('adds a council last and refuses a second one with the same short name', async () => {
    const added = await addNeighbourCouncil(t.db, { name: 'Kirklees Test Neighbour', slug: '', websiteUrl: 'https://example.org', sortOrder: '' });
    expect(added.ok).toBe(true);
    const councils = await listNeighbourCouncilsWithSources(t.db);
    // After the demo's seven councils and its two national issuers (Met Office, GOV.UK Emergency Alerts).
    expect(councils.at(-1)).toMatchObject({ slug: 'kirklees-test-neighbour', sortOrder: 10, sources: [] });
    expect(await addNeighbourCouncil(t.db, { name: 'Kirklees Test Neighbour', slug: '', websiteUrl: '', sortOrder: '' })).toEqual({
      ok: false, issues: [{ field: 'name', message: 'There is already a council with that short name' }],
    });
  });

  it('adds, changes, pauses, resumes and removes a feed', async () => {
    const council = (await listNeighbourCouncilsWithSources(t.db)).find((c) => c.slug === 'kirklees-test-neighbour')!;
    const added = await addNeighbourSource(t.db, { councilId: String(council.id), title: 'News', url: 'https://example.org/news.rss' });
    if (!added.ok) throw new Error('not added');
    expect(await addNeighbourSource(t.db, { councilId: String(council.id), title: 'Again', url: 'https://example.org/news.rss' })).toEqual({
      ok: false, issues: [{ field: 'url', message: 'This council already has a feed with that address' }],
    });
    expect(await addNeighbourSource(t.db, { councilId: '999999', title: 'x', url: 'https://example.org/x' })).toEqual({
      ok: false, issues: [{ field: 'councilId', message: 'Select a council' }],
    });

    expect(await changeNeighbourSource(t.db, added.id, { councilId: String(council.id), title: 'All news', url: 'https://example.org/all.rss' })).toEqual({ ok: true, id: added.id });
    expect(await findNeighbourSource(t.db, added.id)).toMatchObject({ title: 'All news', url: 'https://example.org/all.rss', councilName: 'Kirklees Test Neighbour' });

    await pauseNeighbourSource(t.db, added.id);
    expect((await listSourcesToPoll(t.db, new Date(), { all: true })).map((s) => s.id)).not.toContain(added.id);
    await resumeNeighbourSource(t.db, added.id);
    expect((await listSourcesToPoll(t.db, new Date())).map((s) => s.id)).toContain(added.id);

    await removeNeighbourSource(t.db, added.id);
    expect(await findNeighbourSource(t.db, added.id)).toBeUndefined();
    await expect(removeNeighbourSource(t.db, added.id)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('changes and removes a council with its feeds and items', async () => {
    const council = (await listNeighbourCouncilsWithSources(t.db)).find((c) => c.slug === 'kirklees-test-neighbour')!;
    expect(await changeNeighbourCouncil(t.db, council.id, { name: 'Renamed', slug: 'calderdale', websiteUrl: '', sortOrder: '' })).toEqual({
      ok: false, issues: [{ field: 'slug', message: 'There is already a council with that short name' }],
    });
    expect(await changeNeighbourCouncil(t.db, council.id, { name: 'Renamed', slug: 'renamed', websiteUrl: '', sortOrder: '0' })).toEqual({ ok: true, id: council.id });
    expect((await listNeighbourCouncilsWithSources(t.db))[0]).toMatchObject({ slug: 'renamed', sortOrder: 0 });
    const feed = await addNeighbourSource(t.db, { councilId: String(council.id), title: 'News', url: 'https://example.org/n.rss' });
    if (!feed.ok) throw new Error('not added');
    const now = new Date();
    await t.db.insert(neighbourItems).values({ sourceId: feed.id, councilId: council.id, itemKey: 'k', title: 'Schools closed', firstSeenAt: now, updatedAt: now });
    await removeNeighbourCouncil(t.db, council.id);
    expect((await listNeighbourCouncilsWithSources(t.db)).map((c) => c.slug)).not.toContain('renamed');
    expect(await listNeighbourItems(t.db, { councilId: council.id })).toEqual([]);
    await expect(changeNeighbourCouncil(t.db, council.id, { name: 'x', slug: '', websiteUrl: '', sortOrder: '' })).rejects.toBeInstanceOf(NotFoundError);
  });

  it('reclassifies stored items when a service’s keywords change', async () => {
    const council = (await listNeighbourCouncilsWithSources(t.db))[0]!;
    const source = council.sources[0]!;
    const now = new Date();
    await t.db.insert(neighbourItems).values({ sourceId: source.id, councilId: council.id, itemKey: 'museum', title: 'Museum closed today', firstSeenAt: now, updatedAt: now });
    expect((await listNeighbourItems(t.db, { councilId: council.id, serviceSlug: null })).map((i) => i.itemKey)).toContain('museum');
    const result = await changeServiceKeywords(t.db, 'libraries', 'library\nlibraries\nmuseum');
    expect(result).toEqual({ ok: true, reclassified: 1 });
    expect((await listNeighbourItems(t.db, { councilId: council.id, serviceSlug: 'libraries' })).map((i) => i.itemKey)).toContain('museum');
    await expect(changeServiceKeywords(t.db, 'no-such-service', 'x')).rejects.toBeInstanceOf(NotFoundError);
  });
});
