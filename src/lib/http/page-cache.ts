// The rendered-page cache: public responses rendered once per content change and served from
// memory by the front server (src/lib/http/front-server.ts) without entering Astro at all.
//
// Two copies of this module exist at run time — one bundled into the Astro build (which stores
// rendered pages) and one loaded by the front server (which serves them) — so the state lives
// on globalThis under a registered symbol and both copies share it.
import { createHash } from 'node:crypto';

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

interface CacheState {
  entries: Map<string, CachedPage>;
  content: ContentState | null;
  checkedAt: number;
  readContentState: (() => Promise<ContentState>) | null;
}

const STATE_KEY = Symbol.for('council-service-alerts.page-cache');
const globals = globalThis as typeof globalThis & { [STATE_KEY]?: CacheState };

function state(): CacheState {
  return (globals[STATE_KEY] ??= { entries: new Map(), content: null, checkedAt: 0, readContentState: null });
}

/** How long a cached page may be served at most, even if nothing changes (for "today" labels). */
export const MAX_PAGE_AGE_MS = 60_000;
/** How many pages to keep; the oldest is dropped first (search queries are unbounded). */
export const MAX_PAGES = 2_000;

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
 * and empties the cache when content changed. Returns false if there is no reader yet.
 */
export async function refreshContentState(maxAgeMs: number, now = Date.now()): Promise<boolean> {
  const s = state();
  if (!s.readContentState) return false;
  if (isContentStateFresh(maxAgeMs, now)) return true;
  const due = s.content?.nextChangeAt && s.content.nextChangeAt.getTime() <= now;
  s.checkedAt = now;
  const next = await s.readContentState();
  if (!s.content || s.content.version !== next.version || due) s.entries.clear();
  s.content = next;
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
  s.entries.delete(key);
  s.entries.set(key, { ...page, expiresAt: Math.min(now + MAX_PAGE_AGE_MS, nextChange), encoded: new Map() });
  while (s.entries.size > MAX_PAGES) s.entries.delete(s.entries.keys().next().value!);
}

export function clearPageCache(): void {
  state().entries.clear();
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
