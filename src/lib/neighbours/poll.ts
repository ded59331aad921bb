// Reading neighbours' feeds into neighbour_items: fetch (fetch.ts) → parse, in a worker thread
// (parse-off-thread.ts) → classify (classify.ts) → the items upserted in batches of
// WRITE_CHUNK_ITEMS, the event loop let go between batches, then one last batch that closes
// the CAP alerts that updates and cancellations replaced and records how the source did. So a
// poll of a huge feed never holds the server's thread for more than one batch. A broken feed
// is an expected event, not an exception: its reason is stored in plain words, its next poll
// backs off, and the other sources carry on. A poll that stops half-way (the process dies)
// leaves some items written and the source not marked as read: the next poll reads it again,
// and upserting by key makes that harmless.
import { eq } from 'drizzle-orm';
import { neighbourItems, neighbourSources } from '../../../db/schema/index.ts';
import { recordNeighbourUncoveredEvents } from '../notifications/outbox.ts';
import type { Database } from '../server/database.ts';
import { classifyItem, type ClassificationRule } from './classify.ts';
import { createUncoveredFinder } from './coverage.ts';
import { fetchFeed, type FetchFeedOptions } from './fetch.ts';
import type { ParsedItem } from './parse.ts';
import { CANCEL_WITHOUT_INFO_TITLE } from './parse-cap.ts';
import { parseFeedOffThread } from './parse-off-thread.ts';
import {
  claimDueSource,
  countItemsOfSource,
  findItemsByKeys,
  findNeighbourSource,
  listSourcesToPoll,
  loadClassificationRules,
  type NeighbourItemRow,
  type NeighbourSourceListing,
  type NeighbourSourceRow,
} from './repository.ts';

export const DEFAULT_POLL_MINUTES = 10;
/** The longest a failing source waits between tries. */
export const MAX_BACK_OFF_MS = 6 * 3_600_000;
/** CAP messages fetched per poll for index entries that only link to them. */
export const MAX_CAP_DOCUMENTS_PER_POLL = 10;
/** How long a claimed source is held by the process polling it, in case that process dies. */
const CLAIM_MS = 5 * 60_000;
/** Items looked up or written per database batch; the event loop is let go between batches. */
export const WRITE_CHUNK_ITEMS = 50;

const letTheEventLoopRun = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface PollOptions {
  now?: Date;
  /** Minutes between polls of a healthy source (default 10). */
  intervalMinutes?: number;
  /** Timeout, size cap and the private-address setting for every fetch. */
  fetch?: FetchFeedOptions;
  /** Classification rules; read from the database when left out. */
  rules?: readonly ClassificationRule[];
}

export interface PollAllOptions extends PollOptions {
  /** Poll every unpaused source, due or not (`npm run feeds:poll`). */
  all?: boolean;
  /** Sources read at the same time (default 3). */
  concurrency?: number;
}

export interface PollSourceResult<S extends NeighbourSourceRow = NeighbourSourceRow> {
  source: S;
  new: number;
  unchanged: number;
  updated: number;
  /** Earlier CAP alerts of the council that this feed's updates and cancellations closed. */
  closed: number;
  /** Why the poll failed, in plain words; null when it worked. */
  error: string | null;
  /** The server said the feed had not changed since the last poll (HTTP 304). */
  notModified: boolean;
  /** What the reader had to repair or leave out (a wrong encoding, items beyond the limit), in plain words. */
  notes: string[];
}

/**
 * When a source is next due: the interval after a success; after failures the interval,
 * then doubling with each further failure, never more than six hours.
 */
export function nextPollDelayMs(intervalMinutes: number, consecutiveFailures: number): number {
  const interval = (intervalMinutes > 0 ? intervalMinutes : DEFAULT_POLL_MINUTES) * 60_000;
  if (consecutiveFailures <= 0) return interval;
  return Math.min(interval * 2 ** Math.min(consecutiveFailures - 1, 20), MAX_BACK_OFF_MS);
}

type ItemValues = Omit<typeof neighbourItems.$inferInsert, 'id'>;

function sameTime(a: Date | null, b: Date | null): boolean {
  return (a?.getTime() ?? null) === (b?.getTime() ?? null);
}

function hasChanged(stored: NeighbourItemRow, next: ItemValues): boolean {
  return (
    stored.title !== next.title ||
    stored.summary !== next.summary ||
    stored.link !== (next.link ?? null) ||
    !sameTime(stored.publishedAt, next.publishedAt ?? null) ||
    !sameTime(stored.expiresAt, next.expiresAt ?? null) ||
    stored.area !== (next.area ?? null) ||
    stored.serviceSlug !== (next.serviceSlug ?? null)
  );
}

/**
 * Index entries that only link to their CAP message get its details (area, expiry,
 * description) from the message itself — only for entries we have not stored yet, a few per
 * poll, each fetched with the same guards. A message that cannot be read leaves the entry as
 * the index gave it.
 */
async function completeFromCapDocuments(items: ParsedItem[], known: Set<string>, fetchOptions: FetchFeedOptions): Promise<ParsedItem[]> {
  let budget = MAX_CAP_DOCUMENTS_PER_POLL;
  const completed: ParsedItem[] = [];
  for (const item of items) {
    if (!item.capDocumentUrl || item.cap || known.has(item.key) || budget <= 0) {
      completed.push(item);
      continue;
    }
    budget--;
    const fetched = await fetchFeed(item.capDocumentUrl, {}, fetchOptions);
    const parsed = fetched.status === 'fetched' ? await parseFeedOffThread(fetched.body, { contentType: fetched.contentType, url: fetched.url }) : null;
    const message = parsed?.ok && parsed.format === 'cap' ? parsed.items[0] : undefined;
    completed.push(
      message
        ? {
            ...item,
            title: item.title || message.title,
            summary: message.summary || item.summary,
            // The index's link is often the CAP file itself; the message's own web page is better.
            link: message.link ?? item.link,
            publishedAt: item.publishedAt ?? message.publishedAt,
            ...(message.cap ? { cap: message.cap } : {}),
          }
        : item,
    );
  }
  return completed;
}

async function recordFailure(db: Database, source: NeighbourSourceRow, error: string, now: Date, intervalMinutes: number): Promise<void> {
  const failures = source.consecutiveFailures + 1;
  await db
    .update(neighbourSources)
    .set({
      lastPolledAt: now,
      lastError: error,
      consecutiveFailures: failures,
      nextPollAt: new Date(now.getTime() + nextPollDelayMs(intervalMinutes, failures)),
    })
    .where(eq(neighbourSources.id, source.id));
}

function successState(now: Date, intervalMinutes: number) {
  return {
    lastPolledAt: now,
    lastSuccessAt: now,
    lastError: null,
    consecutiveFailures: 0,
    nextPollAt: new Date(now.getTime() + nextPollDelayMs(intervalMinutes, 0)),
  };
}

function describeUnexpected(error: unknown): string {
  return `something went wrong while reading the feed (${error instanceof Error ? error.message : String(error)})`;
}

/** When an update or cancellation closes what it replaces: its sent time, never later than now. */
function closingTime(item: ParsedItem, now: Date): Date {
  const sent = item.cap?.sent ?? now;
  return sent.getTime() > now.getTime() ? now : sent;
}

/**
 * The CAP alerts this feed's updates and cancellations replace (CAP `references`): each
 * referenced identifier with the message that replaces it, the earliest such message winning.
 */
function capClosures(items: readonly ParsedItem[], now: Date): Map<string, { at: Date; by: ParsedItem }> {
  const closures = new Map<string, { at: Date; by: ParsedItem }>();
  for (const item of items) {
    if (!item.cap || (item.cap.msgType !== 'Cancel' && item.cap.msgType !== 'Update')) continue;
    const at = closingTime(item, now);
    for (const identifier of item.cap.references) {
      if (identifier === item.cap.identifier || identifier === item.key) continue;
      const known = closures.get(identifier);
      if (!known || at < known.at) closures.set(identifier, { at, by: item });
    }
  }
  return closures;
}

const earlier = (a: Date | null, b: Date) => (a && a.getTime() <= b.getTime() ? a : b);

/** "Cancelled: Heavy snow across Oldham" for a cancellation that carried no words of its own. */
function cancelTitle(referencedTitle: string): string {
  return `Cancelled: ${referencedTitle.replace(/^Cancelled: /, '')}`;
}

/**
 * Polls one source: a conditional fetch, the feed parsed off this thread, then the items
 * upserted by council and item key (so an item in two feeds of one council is stored once),
 * each classified by our keywords, in batches with the event loop let go between them. CAP
 * updates and cancellations close the alerts they reference (their expiry becomes the
 * closing message's sent time), whether those are in this feed or stored from an earlier
 * poll, and a closed alert stays closed when it is read again. Last, in one batch, the
 * closures and the source's state (last success or error, failures, next poll). Never
 * throws: every failure, even of the database, ends in `error`.
 */
export async function pollNeighbourSource<S extends NeighbourSourceRow>(
  db: Database,
  source: S,
  options: PollOptions = {},
): Promise<PollSourceResult<S>> {
  const now = options.now ?? new Date();
  const intervalMinutes = options.intervalMinutes ?? DEFAULT_POLL_MINUTES;
  const fetchOptions = options.fetch ?? {};
  const result: PollSourceResult<S> = { source, new: 0, unchanged: 0, updated: 0, closed: 0, error: null, notModified: false, notes: [] };
  let current: NeighbourSourceListing | undefined;
  try {
    // The row as it is now: the caller's copy may predate another process's poll.
    current = await findNeighbourSource(db, source.id);
    if (!current) return { ...result, error: 'the feed has been removed' };

    const fetched = await fetchFeed(current.url, { etag: current.etag, lastModified: current.lastModified }, fetchOptions);
    if (fetched.status === 'error') {
      await recordFailure(db, current, fetched.error, now, intervalMinutes);
      return { ...result, error: fetched.error };
    }
    if (fetched.status === 'unchanged') {
      await db.update(neighbourSources).set(successState(now, intervalMinutes)).where(eq(neighbourSources.id, current.id));
      return { ...result, notModified: true, unchanged: await countItemsOfSource(db, current.id) };
    }
    // The source says what it is; a `council` source (the column's default, so every feed added
    // before kinds existed) still has the Met Office's and GOV.UK's addresses recognised.
    const kind = current.kind === 'council' ? undefined : current.kind;
    const parsed = await parseFeedOffThread(fetched.body, { contentType: fetched.contentType, url: fetched.url, councilName: current.councilName, ...(kind ? { kind } : {}) });
    if (!parsed.ok) {
      await recordFailure(db, current, parsed.error, now, intervalMinutes);
      return { ...result, error: parsed.error };
    }
    result.notes = parsed.notes;

    const rules = options.rules ?? (await loadClassificationRules(db));
    // What is stored already, looked up a batch at a time: each lookup is a synchronous query
    // on a file database, so the event loop is let go between them.
    const stored = new Map<string, NeighbourItemRow>();
    for (let start = 0; start < parsed.items.length; start += WRITE_CHUNK_ITEMS) {
      await letTheEventLoopRun();
      const keys = parsed.items.slice(start, start + WRITE_CHUNK_ITEMS).map((i) => i.key);
      for (const row of await findItemsByKeys(db, current.councilId, keys)) stored.set(row.itemKey, row);
    }
    const items = await completeFromCapDocuments(parsed.items, new Set(stored.keys()), fetchOptions);

    // Updates and cancellations: what they close in this feed, and what is stored from before.
    const closures = capClosures(items, now);
    const inFeed = new Map<string, ParsedItem>();
    for (const item of items) {
      inFeed.set(item.key, item);
      if (item.cap?.identifier) inFeed.set(item.cap.identifier, item);
    }
    const referenced = await findItemsByKeys(db, current.councilId, [...closures.keys()].filter((id) => !inFeed.has(id)));
    const referencedTitle = new Map<ParsedItem, string>();
    for (const [identifier, closure] of closures) {
      const title = inFeed.get(identifier)?.title ?? referenced.find((row) => row.itemKey === identifier)?.title;
      if (title && !referencedTitle.has(closure.by)) referencedTitle.set(closure.by, title);
    }

    const valuesOf = (item: ParsedItem, existing: NeighbourItemRow | undefined): { values: ItemValues; closedNow: boolean } => {
      let { title, summary, link } = item;
      let expiresAt = item.cap?.expires ?? item.warning?.validTo ?? null;
      let area = item.cap?.areaDesc ?? item.warning?.region ?? null;
      if (item.cap?.msgType === 'Cancel' && title === CANCEL_WITHOUT_INFO_TITLE && referencedTitle.has(item)) {
        title = cancelTitle(referencedTitle.get(item)!);
      }
      // An index entry that only links to its CAP message keeps what was read from the message.
      if (existing && item.capDocumentUrl && !item.cap) {
        summary = existing.summary;
        link = existing.link;
        expiresAt = existing.expiresAt;
        area = existing.area;
      }
      const closure = closures.get(item.key) ?? (item.cap?.identifier ? closures.get(item.cap.identifier) : undefined);
      const closes = closure !== undefined && closure.by !== item;
      if (closes) expiresAt = earlier(expiresAt, closure.at);
      // CAP messages never change (a change is a new message): a closed alert read again stays closed.
      if (existing?.expiresAt && existing.expiresAt.getTime() <= now.getTime() && (item.cap || item.capDocumentUrl)) {
        if (!expiresAt || expiresAt.getTime() > existing.expiresAt.getTime()) expiresAt = existing.expiresAt;
      }
      return {
        values: {
          sourceId: current!.id,
          councilId: current!.councilId,
          itemKey: item.key,
          title,
          summary,
          link,
          publishedAt: item.publishedAt,
          expiresAt,
          area,
          serviceSlug: classifyItem({ title, summary }, rules),
          firstSeenAt: now,
          updatedAt: now,
        },
        closedNow: closes && !sameTime(existing?.expiresAt ?? null, expiresAt),
      };
    };

    const findUncovered = createUncoveredFinder(db, { id: current.councilId, name: current.councilName }, now);
    for (let start = 0; start < items.length; start += WRITE_CHUNK_ITEMS) {
      await letTheEventLoopRun();
      const inserts: ItemValues[] = [];
      const updates: { id: number; values: ItemValues }[] = [];
      for (const item of items.slice(start, start + WRITE_CHUNK_ITEMS)) {
        const existing = stored.get(item.key);
        const { values, closedNow } = valuesOf(item, existing);
        if (closedNow) result.closed++;
        if (!existing) inserts.push(values);
        else if (hasChanged(existing, values)) updates.push({ id: existing.id, values });
        else result.unchanged++;
      }
      // New items we have not covered are news for the staff who asked: the outbox record goes
      // in the batch that stores them.
      const gaps = inserts.length > 0 ? await findUncovered(inserts) : new Set<string>();
      const statements = [
        ...(inserts.length > 0 ? [db.insert(neighbourItems).values(inserts).onConflictDoNothing()] : []),
        ...(gaps.size > 0 ? [recordNeighbourUncoveredEvents(db, current.councilId, [...gaps], now)] : []),
        ...updates.map(({ id, values }) =>
          db
            .update(neighbourItems)
            .set({
              title: values.title, summary: values.summary, link: values.link, publishedAt: values.publishedAt,
              expiresAt: values.expiresAt, area: values.area, serviceSlug: values.serviceSlug, updatedAt: now,
            })
            .where(eq(neighbourItems.id, id)),
        ),
      ];
      const [first, ...rest] = statements;
      if (first) await db.batch([first, ...rest]);
      result.new += inserts.length;
      result.updated += updates.length;
    }
    await letTheEventLoopRun();

    // Stored alerts (from earlier polls or the council's other feeds) this feed closes.
    const closing = referenced.flatMap((row) => {
      const closure = closures.get(row.itemKey)!;
      return row.expiresAt && row.expiresAt.getTime() <= closure.at.getTime() ? [] : [{ id: row.id, at: closure.at }];
    });
    await db.batch([
      db
        .update(neighbourSources)
        .set({ ...successState(now, intervalMinutes), etag: fetched.etag, lastModified: fetched.lastModified, lastNote: result.notes.length > 0 ? result.notes.join('; ') : null })
        .where(eq(neighbourSources.id, current.id)),
      ...closing.map(({ id, at }) => db.update(neighbourItems).set({ expiresAt: at, updatedAt: now }).where(eq(neighbourItems.id, id))),
    ]);
    result.closed += closing.length;
    return result;
  } catch (error) {
    const message = describeUnexpected(error);
    if (current) await recordFailure(db, current, message, now, intervalMinutes).catch(() => undefined);
    return { ...result, new: 0, updated: 0, unchanged: 0, closed: 0, error: message };
  }
}

/**
 * Polls the sources that are due (or, with `all`, every unpaused source), a few at a time.
 * One broken source never stops the others; the results come back in source order. When
 * polling only due sources, each is claimed first, so server processes sharing a database
 * do not read the same feed twice.
 */
export async function pollAllSources(db: Database, options: PollAllOptions = {}): Promise<PollSourceResult<NeighbourSourceListing>[]> {
  const now = options.now ?? new Date();
  let sources: NeighbourSourceListing[];
  let rules: readonly ClassificationRule[];
  try {
    sources = await listSourcesToPoll(db, now, { all: options.all });
    rules = options.rules ?? (await loadClassificationRules(db));
  } catch {
    return [];
  }
  const results: PollSourceResult<NeighbourSourceListing>[] = new Array(sources.length);
  let next = 0;
  const worker = async () => {
    while (next < sources.length) {
      const index = next++;
      const source = sources[index]!;
      if (!options.all) {
        const claimed = await claimDueSource(db, source.id, now, new Date(now.getTime() + CLAIM_MS)).catch(() => false);
        if (!claimed) continue;
      }
      results[index] = await pollNeighbourSource(db, source, { ...options, now, rules });
    }
  };
  const concurrency = Math.max(1, Math.min(options.concurrency ?? 3, sources.length || 1));
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results.filter(Boolean);
}

/** Polls one source by id, due or not (an admin's "check now"); undefined when there is no such source. */
export async function pollSourceNow(db: Database, id: number, options: PollOptions = {}): Promise<PollSourceResult<NeighbourSourceListing> | undefined> {
  const source = await findNeighbourSource(db, id);
  if (!source) return undefined;
  return pollNeighbourSource(db, source, options);
}
