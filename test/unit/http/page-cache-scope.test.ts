// What a place publish empties (isTouchedBy) and how searches are kept apart from pages.
import { beforeEach, describe, expect, it } from 'vitest';
import {
  clearPageCache,
  getCachedPage,
  isTouchedBy,
  MAX_PAGES,
  MAX_SEARCHES,
  refreshContentState,
  registerContentStateReader,
  storePage,
  type ChangedPlace,
  type ContentChange,
  type ContentState,
} from '../../../src/lib/http/page-cache.ts';

const colne: ChangedPlace = { id: 7, serviceSlugs: ['schools'], keys: ['colne-valley-high-school', '107748', 'colne-valley-school'] };

describe('a place publish', () => {
  it('touches its own page by any address it has had, its service, and what counts across services', () => {
    for (const key of [
      '/services/schools/colne-valley-high-school', '/services/schools/107748', '/services/schools/colne-valley-school',
      '/services/schools', '/services/schools/', '/services/schools?q=colne', '/', '/find?q=hd7', '/feeds/schools.rss',
      '/feeds/schools.csv', '/feeds/changes.atom', '/feeds/places/7.atom', '/api/v1/services/schools', '/api/v1/services',
      '/api/v1/places/7', '/api/v1/changes?after=3',
    ]) {
      expect(isTouchedBy(key, [colne]), key).toBe(true);
    }
  });

  it('leaves other places, other services, alerts and information pages alone', () => {
    for (const key of [
      '/services/schools/honley-high-school', '/services/libraries', '/services/libraries?q=colne', '/services/libraries/colne-valley-high-school',
      '/alerts/3', '/pages/about', '/feeds/libraries.rss', '/feeds/alerts/3.xml', '/feeds/places/8.atom', '/api/v1/services/libraries',
      '/api/v1/places/8', '/api/v1/alerts', '/api/v1/pages/about',
    ]) {
      expect(isTouchedBy(key, [colne]), key).toBe(false);
    }
  });
});

describe('a new content version', () => {
  let content: ContentState;
  let change: ContentChange;

  beforeEach(async () => {
    clearPageCache();
    content = { version: 1, changedAt: new Date(0), nextChangeAt: null, publishSeq: 10 };
    change = { everything: false, places: [colne] };
    registerContentStateReader(async () => content, async () => change);
    await refreshContentState(0, 1_000);
    for (const key of ['/services/schools', '/services/libraries', '/alerts/3']) storePage(key, { status: 200, headers: [], body: Buffer.from(key), etag: '"x"', lastModified: null }, 1, 1_000);
  });

  it('empties only the pages the change touched', async () => {
    content = { ...content, version: 2, publishSeq: 11 };
    await refreshContentState(0, 2_000);
    expect(getCachedPage('/services/schools', 2_001)).toBeUndefined();
    expect(getCachedPage('/services/libraries', 2_001)?.body.toString()).toBe('/services/libraries');
    expect(getCachedPage('/alerts/3', 2_001)).toBeDefined();
  });

  it('empties everything when the change is not only places', async () => {
    change = { everything: true };
    content = { ...content, version: 2, publishSeq: 11 };
    await refreshContentState(0, 2_000);
    for (const key of ['/services/schools', '/services/libraries', '/alerts/3']) expect(getCachedPage(key, 2_001), key).toBeUndefined();
  });

  it('empties everything when the change log position is not known', async () => {
    content = { version: 2, changedAt: new Date(0), nextChangeAt: null };
    await refreshContentState(0, 2_000);
    expect(getCachedPage('/services/libraries', 2_001)).toBeUndefined();
  });
});

describe('searches', () => {
  beforeEach(async () => {
    clearPageCache();
    registerContentStateReader(async () => ({ version: 1, changedAt: new Date(0), nextChangeAt: null }));
    await refreshContentState(0, 1_000);
  });

  it('are kept in a bin of their own: any number of them leaves the pages cached', () => {
    const html = (text: string) => ({ status: 200, headers: [] as [string, string][], body: Buffer.from(text), etag: '"x"', lastModified: null });
    storePage('/services/schools', html('page'), 1, 1_000);
    for (let i = 0; i < MAX_PAGES + MAX_SEARCHES; i++) storePage(`/services/schools?q=${i}`, html(String(i)), 1, 1_000);
    expect(getCachedPage('/services/schools', 1_001)?.body.toString()).toBe('page');
    expect(getCachedPage(`/services/schools?q=${MAX_PAGES + MAX_SEARCHES - 1}`, 1_001)).toBeDefined();
    expect(getCachedPage(`/services/schools?q=${MAX_PAGES + MAX_SEARCHES - MAX_SEARCHES - 1}`, 1_001)).toBeUndefined();
  });
});
