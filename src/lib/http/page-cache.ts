// The rendered-page cache: public responses rendered once per content change and served from
// memory by the front server (src/lib/http/front-server.ts) without entering Astro at all.
//
// Two copies of this module exist at run time — one bundled into the Astro build (which stores
// rendered pages) and one loaded by the front server (which serves them) — so the state lives
// on globalThis under a registered symbol and both copies share it.
//
// Pages are kept in two bins of their own size: addresses without a query string (the pages
// everyone reads) and addresses with one (searches and filters, unbounded in variety), so a
// flood of different searches can never push the service pages out.
//
// A new content version empties only what it changed when the database can say what that was
// (ContentChange, read by the registered change reader: places published since the last known
// change-log position); anything else — settings, alerts, pages, a version that moved without a
// revision, a scheduled change coming due — empties everything, as before.
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
  /** The public change log's position (the highest publish_seq) at this version, when known. */
  publishSeq?: number;
}

/** A place published between two content versions, with every address it has had. */
export interface ChangedPlace {
  id: number;
  /** The slugs of the services it has been in. */
  serviceSlugs: string[];
  /** Every slug and identifier it has had (the keys of its page address). */
  keys: string[];
}

/** What changed between two content versions: only places (listed), or anything at all. */
export type ContentChange = { everything: true } | { everything: false; places: ChangedPlace[] };

/** Reads what changed between two content states (whose publishSeq are both known). */
export type ContentChangeReader = (from: ContentState, to: ContentState) => Promise<ContentChange>;

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

/** Cached pages and their last good copies, bounded together; the oldest is dropped first. */
interface Bin {
  entries: Map<string, CachedPage>;
  lastGood: Map<string, LastGoodPage>;
  limit: number;
}

interface CacheState {
  /** Addresses without a query string. */
  pages: Bin;
  /** Addresses with one: searches and filters. */
  searches: Bin;
  content: ContentState | null;
  checkedAt: number;
  /** When the content state was last read successfully. */
  confirmedAt: number;
  /** An in-flight read of the content state, shared by everyone who needs it at once. */
  refreshing: Promise<ContentState> | null;
  readContentState: (() => Promise<ContentState>) | null;
  readChanges: ContentChangeReader | null;
  /** Reads the content version alone (cheaper than the whole state), for checks on every render. */
  readVersion: (() => Promise<number>) | null;
  composePage: PageComposer | null;
}

/** Makes a page from cached ones without a render (and stores it), or null to leave it to Astro. */
export type PageComposer = (key: string) => Promise<Omit<CachedPage, 'expiresAt' | 'encoded'> | null>;

const STATE_KEY = Symbol.for('council-service-alerts.page-cache');
const globals = globalThis as typeof globalThis & { [STATE_KEY]?: CacheState };

/** How many pages without a query string to keep; the oldest is dropped first. The same bound holds for their last good copies. */
export const MAX_PAGES = 2_000;
/** How many searches and filters (addresses with a query string) to keep, apart from the pages. */
export const MAX_SEARCHES = 500;

function state(): CacheState {
  return (globals[STATE_KEY] ??= {
    pages: { entries: new Map(), lastGood: new Map(), limit: MAX_PAGES },
    searches: { entries: new Map(), lastGood: new Map(), limit: MAX_SEARCHES },
    content: null,
    checkedAt: 0,
    confirmedAt: 0,
    refreshing: null,
    readContentState: null,
    readChanges: null,
    readVersion: null,
    composePage: null,
  });
}

function binFor(key: string): Bin {
  return key.includes('?') ? state().searches : state().pages;
}

/** How long a cached page may be served at most, even if nothing changes (for "today" labels). */
export const MAX_PAGE_AGE_MS = 60_000;
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

/**
 * Called by the app when its database opens, so the front server can poll for changes; with a
 * change reader, a new version empties only the pages the change touched.
 */
export function registerContentStateReader(reader: () => Promise<ContentState>, readChanges?: ContentChangeReader, readVersion?: () => Promise<number>): void {
  state().readContentState = reader;
  state().readChanges = readChanges ?? null;
  state().readVersion = readVersion ?? null;
}

/** Called by the app: how some pages are made from cached ones (searches from their service's page). */
export function registerPageComposer(composer: PageComposer): void {
  state().composePage = composer;
}

/** The page at `key` made by the registered composer, or null (none registered, or it declined). */
export async function composePage(key: string): Promise<Omit<CachedPage, 'expiresAt' | 'encoded'> | null> {
  return (await state().composePage?.(key)) ?? null;
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
 * Re-reads the content state if it is older than `maxAgeMs` or a scheduled change is due, and
 * empties what changed when content changed. Returns false if there is no reader yet. Throws
 * when the database does not answer (at once while it is known to be down: database-health.ts);
 * until a read succeeds again nothing cached counts as fresh. A caller finding a read under way
 * waits for it rather than reading too, unless content changed meanwhile.
 */
export async function refreshContentState(maxAgeMs: number, now = Date.now()): Promise<boolean> {
  const s = state();
  if (!s.readContentState) return false;
  for (;;) {
    if (isContentStateFresh(maxAgeMs, now)) return true;
    if (!s.refreshing) break;
    // A read already under way answers for us — unless content changed while it ran
    // (markContentChanged), which makes it stale at once: then read again.
    await s.refreshing.catch(() => undefined);
  }
  const read = s.readContentState;
  const refreshing = (async () => {
    const due = s.content?.nextChangeAt && s.content.nextChangeAt.getTime() <= now;
    s.checkedAt = now;
    let next: ContentState;
    try {
      next = await checkedRead(read, now);
    } catch (error) {
      s.checkedAt = 0;
      throw error;
    }
    const previous = s.content;
    if (!previous || previous.version !== next.version || due) {
      const change: ContentChange = !previous || due ? { everything: true } : await readChange(previous, next);
      forgetChanged(change, Math.max(s.confirmedAt, 0));
    }
    s.content = next;
    s.confirmedAt = now;
    return next;
  })();
  s.refreshing = refreshing;
  try {
    await refreshing;
  } finally {
    s.refreshing = null;
  }
  return true;
}

async function readChange(from: ContentState, to: ContentState): Promise<ContentChange> {
  const reader = state().readChanges;
  if (!reader || from.publishSeq === undefined || to.publishSeq === undefined) return { everything: true };
  try {
    return await reader(from, to);
  } catch {
    return { everything: true };
  }
}

/** Empties the pages a change touched; their last good copies are from now on only as good as the last check. */
function forgetChanged(change: ContentChange, confirmedAt: number): void {
  const s = state();
  for (const bin of [s.pages, s.searches]) {
    for (const key of [...bin.entries.keys()]) {
      if (change.everything || isTouchedBy(key, change.places)) bin.entries.delete(key);
    }
    for (const [key, good] of bin.lastGood) {
      if (good.supersededAt !== null) continue;
      if (!change.everything && !isTouchedBy(key, change.places)) continue;
      // Their compressed forms go with the cache (a stale copy is compressed again, with its notice).
      good.supersededAt = Math.max(good.storedAt, confirmedAt);
      good.page.encoded.clear();
    }
  }
}

/** Pages that only ever show other things than these places (beside the chrome, which a place change leaves alone). */
const SERVICE_PATH = /^\/services\/([^/?]+)(?:\/([^/?]+))?\/?(?:\?|$)/;
const UNRELATED_TO_PLACES = /^\/(?:alerts\/|pages\/|feeds\/alerts\/|api\/v1\/alerts(?:[/?]|$)|api\/v1\/pages\/)/;
const SERVICE_FEED = /^\/feeds\/([a-z0-9-]+)\.(?:rss|atom|json|csv)(?:\?|$)/;
const SERVICE_API = /^\/api\/v1\/services\/([^/?]+)(?:\?|$)/;
const PLACE_FEED = /^\/feeds\/places\/(\d+)\.(?:atom|json)(?:\?|$)/;
const PLACE_API = /^\/api\/v1\/places\/(\d+)(?:\?|$)/;

/**
 * Whether the page at `key` may show one of these places: its page (by any slug or identifier
 * it has had), its service's page, searches, feeds and API, and everything across services (the
 * home page's counts, /find, the change log). Only what certainly shows none of them is kept.
 */
export function isTouchedBy(key: string, changed: readonly ChangedPlace[]): boolean {
  if (UNRELATED_TO_PLACES.test(key)) return false;
  const inService = (slug: string) => changed.some((p) => p.serviceSlugs.includes(slug));
  const service = SERVICE_PATH.exec(key);
  if (service) {
    const [, serviceSlug, placeKey] = service as unknown as [string, string, string | undefined];
    if (placeKey === undefined) return inService(serviceSlug);
    return changed.some((p) => p.serviceSlugs.includes(serviceSlug) && p.keys.includes(placeKey));
  }
  const feed = SERVICE_FEED.exec(key);
  if (feed && feed[1] !== 'changes') return inService(feed[1]!);
  const api = SERVICE_API.exec(key);
  if (api) return inService(api[1]!);
  const placeId = PLACE_FEED.exec(key)?.[1] ?? PLACE_API.exec(key)?.[1];
  if (placeId !== undefined) return changed.some((p) => p.id === Number(placeId));
  return true;
}

/**
 * Makes sure the content state is the database's current one, as a render needs (it must show
 * what is published, whichever process published it): one read of the version alone, and the
 * whole state read again only when the version moved (or nothing is known yet, or a scheduled
 * change is due). Throws when the database does not answer.
 */
export async function confirmContentVersion(now = Date.now()): Promise<void> {
  const s = state();
  const known = s.content;
  const due = known?.nextChangeAt && known.nextChangeAt.getTime() <= now;
  if (known && !due && s.readVersion && (await checkedRead(s.readVersion, now)) === known.version) return;
  await refreshContentState(0, now);
}

/** Forces the next request to re-read the content state (after an in-process publish). */
export function markContentChanged(): void {
  state().checkedAt = 0;
}

export function getCachedPage(key: string, now = Date.now()): CachedPage | undefined {
  const bin = binFor(key);
  const entry = bin.entries.get(key);
  if (!entry) return undefined;
  if (entry.expiresAt <= now) {
    bin.entries.delete(key);
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
  const bin = binFor(key);
  bin.entries.delete(key);
  bin.entries.set(key, stored);
  while (bin.entries.size > bin.limit) bin.entries.delete(bin.entries.keys().next().value!);
  const noticeAt = isHtml(page.headers) ? page.body.indexOf(STALE_NOTICE_MARKER) : -1;
  if (noticeAt >= 0) {
    bin.lastGood.delete(key);
    bin.lastGood.set(key, { page: stored, noticeAt, storedAt: now, supersededAt: null, stale: null });
    while (bin.lastGood.size > bin.limit) bin.lastGood.delete(bin.lastGood.keys().next().value!);
  }
}

function isHtml(headers: [string, string][]): boolean {
  return headers.some(([name, value]) => name === 'content-type' && value.startsWith('text/html'));
}

/** Empties the cache and forgets the last good copies (tests). */
export function clearPageCache(): void {
  for (const bin of [state().pages, state().searches]) {
    bin.entries.clear();
    bin.lastGood.clear();
  }
}

/**
 * The last good copy of a page and when its content was last known to be current: the last
 * successful check while it was still current (or when it was rendered, if later). Only for
 * when the content version cannot be checked — never serve it while the database answers.
 */
export function getLastGoodPage(key: string): { good: LastGoodPage; knownGoodAt: number } | undefined {
  const s = state();
  const good = binFor(key).lastGood.get(key);
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
