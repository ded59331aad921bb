// The rendered-page cache: public responses rendered once per content change and served from
// memory by the front server (src/lib/http/front-server.ts) without entering Astro at all.
//
// Two copies of this module exist at run time — one bundled into the Astro build (which stores
// rendered pages) and one loaded by the front server (which serves them) — so the state lives
// on globalThis under a registered symbol and both copies share it.
//
// Beside the cache, each HTML page's last good copy is kept (the same object, bounded like the
// cache) even after a publish empties the cache: when the database stops answering, the front
// server serves that copy with a notice that it may be out of date. It is never read while
// the content version can be checked.
import { createHash } from 'node:crypto';
import { checkedRead } from '../server/database-health.ts';

export interface ContentState {
  /** Bumped by every publish (the content_version row). */
  version: number;
  /** When content last changed: the Last-Modified of every public response. */
  changedAt: Date;
  /** The next moment a page changes by itself (an alert starts or ends, a status lapses). */
  nextChangeAt: Date | null;
}

export interface CachedPage {
  status: number;
  /** Response headers to replay, lower-case names, without length, date or encoding. */
  headers: [string, string][];
  body: Buffer;
  etag: string;
  lastModified: string | null;
  expiresAt: number;
  /** The body and complete response headers per content coding ('identity', 'br', 'gzip'), made on first use. */
  encoded: Map<string, { body: Buffer; headers: Record<string, string> }>;
}

/** The last good copy of an HTML page, for when the database is down. */
export interface LastGoodPage {
  page: CachedPage;
  /** Where the layout's STALE_NOTICE_MARKER is in the body: the notice goes there. */
  noticeAt: number;
  storedAt: number;
  /** When a newer content version (or a scheduled change) replaced it; null while it is current. */
  supersededAt: number | null;
  /** The body and headers with the notice, per content coding, for one "last checked" time. */
  stale: { knownGoodAt: number; encoded: Map<string, { body: Buffer; headers: Record<string, string> }> } | null;
}

interface CacheState {
  entries: Map<string, CachedPage>;
  lastGood: Map<string, LastGoodPage>;
  content: ContentState | null;
  checkedAt: number;
  /** When the content state was last read successfully. */
  confirmedAt: number;
  readContentState: (() => Promise<ContentState>) | null;
}

const STATE_KEY = Symbol.for('council-service-alerts.page-cache');
const globals = globalThis as typeof globalThis & { [STATE_KEY]?: CacheState };

function state(): CacheState {
  return (globals[STATE_KEY] ??= { entries: new Map(), lastGood: new Map(), content: null, checkedAt: 0, confirmedAt: 0, readContentState: null });
}

/** How long a cached page may be served at most, even if nothing changes (for "today" labels). */
export const MAX_PAGE_AGE_MS = 60_000;
/** How many pages to keep; the oldest is dropped first (search queries are unbounded). The same bound holds for last good copies. */
export const MAX_PAGES = 2_000;
/**
 * The public layout (src/layouts/PublicLayout.astro) emits this comment just after the page
 * header; the front server puts the "may be out of date" notice there. Pages without it are
 * not kept as last good copies.
 */
export const STALE_NOTICE_MARKER = '<!--csa:stale-notice-->';

/** Which responses may be cached: public, successful, cookie-free. */
export function isCacheable(status: number, headers: Headers): boolean {
  return status === 200 && !headers.has('set-cookie') && /\bpublic\b/.test(headers.get('cache-control') ?? '');
}

/** A strong validator for a body: changes when the bytes or the build (`buildId`) change. */
export function entityTag(body: Uint8Array, buildId: string): string {
  return `"${buildId}-${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
}

/** Called by the app when its database opens, so the front server can poll for changes. */
export function registerContentStateReader(reader: () => Promise<ContentState>): void {
  state().readContentState = reader;
}

export function currentContentState(): ContentState | null {
  return state().content;
}

/** True when the content state was read within `maxAgeMs` and no scheduled change is due. */
export function isContentStateFresh(maxAgeMs: number, now = Date.now()): boolean {
  const s = state();
  if (!s.content) return false;
  if (s.content.nextChangeAt && s.content.nextChangeAt.getTime() <= now) return false;
  // A clock that went backwards (NTP) counts as stale, not as "checked in the future".
  return now >= s.checkedAt && now - s.checkedAt < maxAgeMs;
}

/**
 * Re-reads the content state if it is older than `maxAgeMs` (or a scheduled change is due),
 * and empties the cache when content changed. Returns false if there is no reader yet. Throws
 * when the database does not answer (at once while it is known to be down: database-health.ts);
 * until a read succeeds again nothing cached counts as fresh.
 */
export async function refreshContentState(maxAgeMs: number, now = Date.now()): Promise<boolean> {
  const s = state();
  if (!s.readContentState) return false;
  if (isContentStateFresh(maxAgeMs, now)) return true;
  const due = s.content?.nextChangeAt && s.content.nextChangeAt.getTime() <= now;
  s.checkedAt = now;
  let next: ContentState;
  try {
    next = await checkedRead(s.readContentState, now);
  } catch (error) {
    s.checkedAt = 0;
    throw error;
  }
  if (!s.content || s.content.version !== next.version || due) {
    // The last good copies stay, but from now on they are only as good as the last check; their
    // compressed forms go with the cache (a stale copy is compressed again, with its notice).
    for (const good of s.lastGood.values()) {
      if (good.supersededAt !== null) continue;
      good.supersededAt = Math.max(good.storedAt, s.confirmedAt);
      good.page.encoded.clear();
    }
    s.entries.clear();
  }
  s.content = next;
  s.confirmedAt = now;
  return true;
}

/** Forces the next request to re-read the content state (after an in-process publish). */
export function markContentChanged(): void {
  state().checkedAt = 0;
}

export function getCachedPage(key: string, now = Date.now()): CachedPage | undefined {
  const entry = state().entries.get(key);
  if (!entry) return undefined;
  if (entry.expiresAt <= now) {
    state().entries.delete(key);
    return undefined;
  }
  return entry;
}

/**
 * Stores a rendered page, unless content changed while it was rendering (`renderedAtVersion`
 * is the version known when rendering began): a stale page must never outlive a change.
 */
export function storePage(key: string, page: Omit<CachedPage, 'expiresAt' | 'encoded'>, renderedAtVersion: number | null, now = Date.now()): void {
  const s = state();
  if (!s.content || s.content.version !== renderedAtVersion) return;
  const nextChange = s.content.nextChangeAt?.getTime() ?? Infinity;
  const stored: CachedPage = { ...page, expiresAt: Math.min(now + MAX_PAGE_AGE_MS, nextChange), encoded: new Map() };
  s.entries.delete(key);
  s.entries.set(key, stored);
  while (s.entries.size > MAX_PAGES) s.entries.delete(s.entries.keys().next().value!);
  const noticeAt = isHtml(page.headers) ? page.body.indexOf(STALE_NOTICE_MARKER) : -1;
  if (noticeAt >= 0) {
    s.lastGood.delete(key);
    s.lastGood.set(key, { page: stored, noticeAt, storedAt: now, supersededAt: null, stale: null });
    while (s.lastGood.size > MAX_PAGES) s.lastGood.delete(s.lastGood.keys().next().value!);
  }
}

function isHtml(headers: [string, string][]): boolean {
  return headers.some(([name, value]) => name === 'content-type' && value.startsWith('text/html'));
}

/** Empties the cache and forgets the last good copies (tests). */
export function clearPageCache(): void {
  state().entries.clear();
  state().lastGood.clear();
}

/**
 * The last good copy of a page and when its content was last known to be current: the last
 * successful check while it was still current (or when it was rendered, if later). Only for
 * when the content version cannot be checked — never serve it while the database answers.
 */
export function getLastGoodPage(key: string): { good: LastGoodPage; knownGoodAt: number } | undefined {
  const s = state();
  const good = s.lastGood.get(key);
  if (!good) return undefined;
  return { good, knownGoodAt: good.supersededAt ?? Math.max(good.storedAt, s.confirmedAt) };
}

/**
 * Whether a conditional GET can be answered 304: If-None-Match wins over If-Modified-Since
 * (RFC 9110 §13.2.2).
 */
export function isNotModified(requestHeaders: { ifNoneMatch?: string | null; ifModifiedSince?: string | null }, etag: string, lastModified: string | null): boolean {
  const { ifNoneMatch, ifModifiedSince } = requestHeaders;
  if (ifNoneMatch) {
    return ifNoneMatch.split(',').some((tag) => {
      const t = tag.trim();
      return t === '*' || t === etag || t === `W/${etag}`;
    });
  }
  if (ifModifiedSince && lastModified) {
    const since = Date.parse(ifModifiedSince);
    return !Number.isNaN(since) && Date.parse(lastModified) <= since;
  }
  return false;
}
