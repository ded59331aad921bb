import { beforeEach, describe, expect, it } from 'vitest';
import {
  clearPageCache,
  entityTag,
  getCachedPage,
  isCacheable,
  isNotModified,
  MAX_PAGE_AGE_MS,
  refreshContentState,
  registerContentStateReader,
  storePage,
  type ContentState,
} from '../../../src/lib/http/page-cache.ts';

const page = (text: string) => ({ status: 200, headers: [] as [string, string][], body: Buffer.from(text), etag: '"x"', lastModified: null });
let content: ContentState;

beforeEach(async () => {
  clearPageCache();
  content = { version: 1, changedAt: new Date(0), nextChangeAt: null };
  registerContentStateReader(async () => content);
  await refreshContentState(0, 1_000);
});

describe('the page cache', () => {
  it('keeps a page rendered at the current content version', () => {
    storePage('/a', page('A'), 1, 1_000);
    expect(getCachedPage('/a', 1_001)?.body.toString()).toBe('A');
  });

  it('refuses a page rendered before content changed', async () => {
    content = { ...content, version: 2 };
    await refreshContentState(0, 1_000);
    storePage('/a', page('stale'), 1, 1_000);
    expect(getCachedPage('/a', 1_001)).toBeUndefined();
  });

  it('empties itself when the content version changes', async () => {
    storePage('/a', page('A'), 1, 1_000);
    content = { ...content, version: 2 };
    await refreshContentState(0, 2_000);
    expect(getCachedPage('/a', 2_001)).toBeUndefined();
  });

  it('does not re-read the version within the check interval', async () => {
    storePage('/a', page('A'), 1, 1_000);
    content = { ...content, version: 2 };
    await refreshContentState(250, 1_100);
    expect(getCachedPage('/a', 1_100)).toBeDefined();
    await refreshContentState(250, 1_300);
    expect(getCachedPage('/a', 1_300)).toBeUndefined();
  });

  it('expires pages when a scheduled change is due, even with no publish', async () => {
    content = { ...content, nextChangeAt: new Date(5_000) };
    await refreshContentState(0, 1_000);
    storePage('/a', page('A'), 1, 1_000);
    expect(getCachedPage('/a', 4_999)).toBeDefined();
    expect(getCachedPage('/a', 5_000)).toBeUndefined();
  });

  it('expires pages after a minute at most', () => {
    storePage('/a', page('A'), 1, 1_000);
    expect(getCachedPage('/a', 1_000 + MAX_PAGE_AGE_MS - 1)).toBeDefined();
    expect(getCachedPage('/a', 1_000 + MAX_PAGE_AGE_MS)).toBeUndefined();
  });
});

describe('isCacheable', () => {
  it('caches public 200s without cookies only', () => {
    expect(isCacheable(200, new Headers({ 'Cache-Control': 'public, max-age=0' }))).toBe(true);
    expect(isCacheable(404, new Headers({ 'Cache-Control': 'public' }))).toBe(false);
    expect(isCacheable(200, new Headers({ 'Cache-Control': 'no-store' }))).toBe(false);
    expect(isCacheable(200, new Headers({ 'Cache-Control': 'public', 'Set-Cookie': 'a=b' }))).toBe(false);
  });
});

describe('entityTag', () => {
  it('changes with the bytes and with the build', () => {
    const a = entityTag(Buffer.from('page'), 'build1');
    expect(entityTag(Buffer.from('page'), 'build1')).toBe(a);
    expect(entityTag(Buffer.from('page!'), 'build1')).not.toBe(a);
    expect(entityTag(Buffer.from('page'), 'build2')).not.toBe(a);
  });
});

describe('isNotModified', () => {
  const lastModified = 'Sat, 21 Nov 2026 07:00:00 GMT';
  it('matches an ETag in a list, or a weak form of it, or *', () => {
    expect(isNotModified({ ifNoneMatch: '"a", "b"' }, '"b"', null)).toBe(true);
    expect(isNotModified({ ifNoneMatch: 'W/"b"' }, '"b"', null)).toBe(true);
    expect(isNotModified({ ifNoneMatch: '*' }, '"b"', null)).toBe(true);
    expect(isNotModified({ ifNoneMatch: '"c"' }, '"b"', null)).toBe(false);
  });
  it('lets If-None-Match win over If-Modified-Since', () => {
    expect(isNotModified({ ifNoneMatch: '"c"', ifModifiedSince: lastModified }, '"b"', lastModified)).toBe(false);
  });
  it('compares If-Modified-Since with Last-Modified', () => {
    expect(isNotModified({ ifModifiedSince: lastModified }, '"b"', lastModified)).toBe(true);
    expect(isNotModified({ ifModifiedSince: 'Sat, 21 Nov 2026 06:59:59 GMT' }, '"b"', lastModified)).toBe(false);
    expect(isNotModified({ ifModifiedSince: 'not a date' }, '"b"', lastModified)).toBe(false);
  });
});
