// Queries for neighbouring councils, their feeds (sources), the items read from them and the
// per-service keywords used to classify those items. The rules about them live in service.ts
// (admin use cases) and poll.ts (reading feeds); this file only reads and writes rows.
import { and, asc, desc, eq, gte, inArray, isNull, lte, or, sql, type SQL } from 'drizzle-orm';
import { neighbourCouncils, neighbourItemDismissals, neighbourItems, neighbourSources, serviceKeywords, services } from '../../../db/schema/index.ts';
import type { Database } from '../server/database.ts';
import type { ClassificationRule } from './classify.ts';

export type NeighbourCouncilRow = typeof neighbourCouncils.$inferSelect;
export type NeighbourSourceRow = typeof neighbourSources.$inferSelect;
export type NeighbourItemRow = typeof neighbourItems.$inferSelect;

/** A source with the council it belongs to, as lists and the poller show it. */
export interface NeighbourSourceListing extends NeighbourSourceRow {
  councilSlug: string;
  councilName: string;
}

/** A council with its feeds, for the admin screen. */
export interface NeighbourCouncilWithSources extends NeighbourCouncilRow {
  sources: NeighbourSourceRow[];
}

export interface NeighbourItemListing extends NeighbourItemRow {
  councilSlug: string;
  councilName: string;
  sourceTitle: string;
}

export interface NeighbourCouncilValues {
  slug: string;
  name: string;
  websiteUrl: string;
  sortOrder: number;
}

export interface NeighbourSourceValues {
  councilId: number;
  title: string;
  url: string;
}

const sourceListingColumns = {
  councilSlug: neighbourCouncils.slug,
  councilName: neighbourCouncils.name,
};

// ——— councils ———

export function listNeighbourCouncils(db: Database): Promise<NeighbourCouncilRow[]> {
  return db.select().from(neighbourCouncils).orderBy(asc(neighbourCouncils.sortOrder), asc(neighbourCouncils.name));
}

/**
 * The publishers that are national warning issuers, not neighbouring councils: every feed they
 * have is a Met Office or GOV.UK one (`kind` other than `council`). The coverage matrix leaves
 * them out; their warnings have a section of their own.
 */
export async function listNationalIssuerIds(db: Database): Promise<Set<number>> {
  const rows = await db
    .select({ councilId: neighbourSources.councilId, councilFeeds: sql<number>`sum(case when ${neighbourSources.kind} = 'council' then 1 else 0 end)` })
    .from(neighbourSources)
    .groupBy(neighbourSources.councilId);
  return new Set(rows.filter((r) => Number(r.councilFeeds) === 0).map((r) => r.councilId));
}

/** Every council with its feeds, councils in display order and feeds by title. */
export async function listNeighbourCouncilsWithSources(db: Database): Promise<NeighbourCouncilWithSources[]> {
  const [councils, sources] = await Promise.all([
    listNeighbourCouncils(db),
    db.select().from(neighbourSources).orderBy(asc(neighbourSources.title), asc(neighbourSources.id)),
  ]);
  return councils.map((council) => ({ ...council, sources: sources.filter((s) => s.councilId === council.id) }));
}

export async function findNeighbourCouncil(db: Database, id: number): Promise<NeighbourCouncilRow | undefined> {
  const [row] = await db.select().from(neighbourCouncils).where(eq(neighbourCouncils.id, id));
  return row;
}

export async function findNeighbourCouncilBySlug(db: Database, slug: string): Promise<NeighbourCouncilRow | undefined> {
  const [row] = await db.select().from(neighbourCouncils).where(eq(neighbourCouncils.slug, slug));
  return row;
}

/** Adds a council; null when the slug is taken. */
export async function insertNeighbourCouncil(db: Database, values: NeighbourCouncilValues): Promise<number | null> {
  const [row] = await db.insert(neighbourCouncils).values(values).onConflictDoNothing().returning({ id: neighbourCouncils.id });
  return row?.id ?? null;
}

/** Changes a council; false when there is no such council. */
export async function updateNeighbourCouncil(db: Database, id: number, values: NeighbourCouncilValues): Promise<boolean> {
  const rows = await db.update(neighbourCouncils).set(values).where(eq(neighbourCouncils.id, id)).returning({ id: neighbourCouncils.id });
  return rows.length > 0;
}

/** Removes a council with its feeds and everything read from them (and editors' dismissals), in one atomic batch. */
export async function deleteNeighbourCouncil(db: Database, id: number): Promise<boolean> {
  const [, , , removed] = await db.batch([
    db.delete(neighbourItemDismissals).where(inArray(neighbourItemDismissals.itemId, db.select({ id: neighbourItems.id }).from(neighbourItems).where(eq(neighbourItems.councilId, id)))),
    db.delete(neighbourItems).where(eq(neighbourItems.councilId, id)),
    db.delete(neighbourSources).where(eq(neighbourSources.councilId, id)),
    db.delete(neighbourCouncils).where(eq(neighbourCouncils.id, id)).returning({ id: neighbourCouncils.id }),
  ]);
  return removed.length > 0;
}

// ——— sources ———

function getSourceColumns() {
  return {
    id: neighbourSources.id,
    councilId: neighbourSources.councilId,
    title: neighbourSources.title,
    url: neighbourSources.url,
    kind: neighbourSources.kind,
    region: neighbourSources.region,
    paused: neighbourSources.paused,
    etag: neighbourSources.etag,
    lastModified: neighbourSources.lastModified,
    lastPolledAt: neighbourSources.lastPolledAt,
    lastSuccessAt: neighbourSources.lastSuccessAt,
    lastError: neighbourSources.lastError,
    lastNote: neighbourSources.lastNote,
    consecutiveFailures: neighbourSources.consecutiveFailures,
    nextPollAt: neighbourSources.nextPollAt,
    createdAt: neighbourSources.createdAt,
  };
}

export async function findNeighbourSource(db: Database, id: number): Promise<NeighbourSourceListing | undefined> {
  const [row] = await db
    .select({ ...getSourceColumns(), ...sourceListingColumns })
    .from(neighbourSources)
    .innerJoin(neighbourCouncils, eq(neighbourSources.councilId, neighbourCouncils.id))
    .where(eq(neighbourSources.id, id));
  return row;
}

/** Feeds the poller should read: not paused and, unless `all`, due by `now`. */
export async function listSourcesToPoll(db: Database, now: Date, options: { all?: boolean } = {}): Promise<NeighbourSourceListing[]> {
  const due: SQL | undefined = options.all ? undefined : or(isNull(neighbourSources.nextPollAt), lte(neighbourSources.nextPollAt, now));
  return db
    .select({ ...getSourceColumns(), ...sourceListingColumns })
    .from(neighbourSources)
    .innerJoin(neighbourCouncils, eq(neighbourSources.councilId, neighbourCouncils.id))
    .where(and(eq(neighbourSources.paused, false), due))
    .orderBy(asc(neighbourCouncils.sortOrder), asc(neighbourCouncils.name), asc(neighbourSources.title), asc(neighbourSources.id));
}

/**
 * Takes a due source for one poll: moves its next poll to `until` only if it is still due,
 * so several server processes sharing the database never read the same feed at once.
 */
export async function claimDueSource(db: Database, id: number, now: Date, until: Date): Promise<boolean> {
  const rows = await db
    .update(neighbourSources)
    .set({ nextPollAt: until })
    .where(and(eq(neighbourSources.id, id), eq(neighbourSources.paused, false), or(isNull(neighbourSources.nextPollAt), lte(neighbourSources.nextPollAt, now))))
    .returning({ id: neighbourSources.id });
  return rows.length > 0;
}

/** Adds a feed to a council; null when the council already has a feed at that address. */
export async function insertNeighbourSource(db: Database, values: NeighbourSourceValues): Promise<number | null> {
  const [row] = await db.insert(neighbourSources).values(values).onConflictDoNothing().returning({ id: neighbourSources.id });
  return row?.id ?? null;
}

/**
 * Changes a feed's title, address or council. A new address starts afresh: its validators,
 * error and back-off belong to the old one.
 */
export async function updateNeighbourSource(db: Database, id: number, values: NeighbourSourceValues): Promise<'updated' | 'not_found' | 'duplicate'> {
  const current = await findNeighbourSource(db, id);
  if (!current) return 'not_found';
  const addressChanged = current.url !== values.url || current.councilId !== values.councilId;
  try {
    await db
      .update(neighbourSources)
      .set({
        ...values,
        ...(addressChanged ? { etag: null, lastModified: null, lastError: null, consecutiveFailures: 0, nextPollAt: null } : {}),
      })
      .where(eq(neighbourSources.id, id));
  } catch (error) {
    if (/UNIQUE constraint failed/i.test(String((error as Error).message) + String((error as { cause?: Error }).cause?.message ?? ''))) return 'duplicate';
    throw error;
  }
  return 'updated';
}

/** Pauses or resumes a feed; resuming makes it due at once. False when there is no such feed. */
export async function setNeighbourSourcePaused(db: Database, id: number, paused: boolean): Promise<boolean> {
  const rows = await db
    .update(neighbourSources)
    .set(paused ? { paused } : { paused, nextPollAt: null })
    .where(eq(neighbourSources.id, id))
    .returning({ id: neighbourSources.id });
  return rows.length > 0;
}

/** Removes a feed and the items first read from it (and editors' dismissals of them), in one atomic batch. */
export async function deleteNeighbourSource(db: Database, id: number): Promise<boolean> {
  const [, , removed] = await db.batch([
    db.delete(neighbourItemDismissals).where(inArray(neighbourItemDismissals.itemId, db.select({ id: neighbourItems.id }).from(neighbourItems).where(eq(neighbourItems.sourceId, id)))),
    db.delete(neighbourItems).where(eq(neighbourItems.sourceId, id)),
    db.delete(neighbourSources).where(eq(neighbourSources.id, id)).returning({ id: neighbourSources.id }),
  ]);
  return removed.length > 0;
}

export async function countItemsOfSource(db: Database, sourceId: number): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)` }).from(neighbourItems).where(eq(neighbourItems.sourceId, sourceId));
  return Number(row?.n ?? 0);
}

// ——— items ———

export interface NeighbourItemFilter {
  councilId?: number;
  /** A service slug, or null for items that matched no service. Leave out for all. */
  serviceSlug?: string | null;
  /** Only items published (or, without a date, first seen) at or after this time. */
  since?: Date;
  /** At most this many, newest first (default 100). */
  limit?: number;
}

/** The time an item counts from: its published date, or when we first saw it. */
export const itemTime = sql<number>`coalesce(${neighbourItems.publishedAt}, ${neighbourItems.firstSeenAt})`;


/** The columns of a neighbour item as listed, with its publisher and feed (joined by the caller). */
export const ITEM_LISTING_COLUMNS = {
  id: neighbourItems.id,
  sourceId: neighbourItems.sourceId,
  councilId: neighbourItems.councilId,
  itemKey: neighbourItems.itemKey,
  title: neighbourItems.title,
  summary: neighbourItems.summary,
  link: neighbourItems.link,
  publishedAt: neighbourItems.publishedAt,
  expiresAt: neighbourItems.expiresAt,
  area: neighbourItems.area,
  serviceSlug: neighbourItems.serviceSlug,
  firstSeenAt: neighbourItems.firstSeenAt,
  updatedAt: neighbourItems.updatedAt,
  councilSlug: neighbourCouncils.slug,
  councilName: neighbourCouncils.name,
  sourceTitle: neighbourSources.title,
};

/** Items read from neighbours' feeds, newest first, by council and/or service. */
export function listNeighbourItems(db: Database, filter: NeighbourItemFilter = {}): Promise<NeighbourItemListing[]> {
  const conditions: (SQL | undefined)[] = [
    filter.councilId === undefined ? undefined : eq(neighbourItems.councilId, filter.councilId),
    filter.serviceSlug === undefined ? undefined : filter.serviceSlug === null ? isNull(neighbourItems.serviceSlug) : eq(neighbourItems.serviceSlug, filter.serviceSlug),
    filter.since === undefined ? undefined : gte(itemTime, filter.since.getTime()),
  ];
  return db
    .select(ITEM_LISTING_COLUMNS)
    .from(neighbourItems)
    .innerJoin(neighbourCouncils, eq(neighbourItems.councilId, neighbourCouncils.id))
    .innerJoin(neighbourSources, eq(neighbourItems.sourceId, neighbourSources.id))
    .where(and(...conditions))
    .orderBy(desc(itemTime), desc(neighbourItems.id))
    .limit(Math.max(1, Math.min(filter.limit ?? 100, 1_000)));
}

/** The stored items of a council with the given keys (the poller's "what do we have already"). */
export async function findItemsByKeys(db: Database, councilId: number, keys: readonly string[]): Promise<NeighbourItemRow[]> {
  const found: NeighbourItemRow[] = [];
  for (let i = 0; i < keys.length; i += 500) {
    const chunk = keys.slice(i, i + 500);
    found.push(...(await db.select().from(neighbourItems).where(and(eq(neighbourItems.councilId, councilId), inArray(neighbourItems.itemKey, chunk)))));
  }
  return found;
}

// ——— keywords ———

/** Each service's phrases, in our service order (the order ties are broken in). */
export async function loadClassificationRules(db: Database): Promise<ClassificationRule[]> {
  const rows = await db
    .select({ slug: services.slug, phrase: serviceKeywords.phrase })
    .from(services)
    .leftJoin(serviceKeywords, eq(serviceKeywords.serviceId, services.id))
    .orderBy(asc(services.sortOrder), asc(services.name), asc(serviceKeywords.phrase));
  const rules: { serviceSlug: string; phrases: string[] }[] = [];
  for (const row of rows) {
    let rule = rules.at(-1);
    if (rule?.serviceSlug !== row.slug) {
      rule = { serviceSlug: row.slug, phrases: [] };
      rules.push(rule);
    }
    if (row.phrase) rule.phrases.push(row.phrase);
  }
  return rules;
}

/** Replaces a service's phrases with `phrases`, atomically. */
export async function replaceServiceKeywords(db: Database, serviceId: number, phrases: readonly string[]): Promise<void> {
  const unique = [...new Set(phrases.map((p) => p.trim().toLowerCase()).filter(Boolean))];
  const remove = db.delete(serviceKeywords).where(eq(serviceKeywords.serviceId, serviceId));
  if (unique.length === 0) {
    await remove;
    return;
  }
  await db.batch([remove, db.insert(serviceKeywords).values(unique.map((phrase) => ({ serviceId, phrase })))]);
}

/** Sets the service of stored items again, after keywords changed (batches of 200). */
export async function updateItemServices(db: Database, changes: readonly { id: number; serviceSlug: string | null }[]): Promise<void> {
  for (let i = 0; i < changes.length; i += 200) {
    const chunk = changes.slice(i, i + 200).map((c) => db.update(neighbourItems).set({ serviceSlug: c.serviceSlug }).where(eq(neighbourItems.id, c.id)));
    const [first, ...rest] = chunk;
    if (first) await db.batch([first, ...rest]);
  }
}

export function listAllItemsForClassification(db: Database): Promise<{ id: number; title: string; summary: string; serviceSlug: string | null }[]> {
  return db
    .select({ id: neighbourItems.id, title: neighbourItems.title, summary: neighbourItems.summary, serviceSlug: neighbourItems.serviceSlug })
    .from(neighbourItems);
}

// ——— national warnings (Met Office, GOV.UK Emergency Alerts) ———

/**
 * Stored items whose key starts with one of `keyPrefixes` (the readers of the national
 * warning feeds key their items `met-office:…` and `gov-uk-alert:…`), issued (or first seen)
 * at or after `since` when given, newest first, with their publisher and feed.
 */
export function listItemsByKeyPrefix(db: Database, keyPrefixes: readonly string[], options: { since?: Date; limit?: number } = {}): Promise<NeighbourItemListing[]> {
  const prefixed = or(...keyPrefixes.map((prefix) => sql`substr(${neighbourItems.itemKey}, 1, ${prefix.length}) = ${prefix}`));
  return db
    .select(ITEM_LISTING_COLUMNS)
    .from(neighbourItems)
    .innerJoin(neighbourCouncils, eq(neighbourItems.councilId, neighbourCouncils.id))
    .innerJoin(neighbourSources, eq(neighbourItems.sourceId, neighbourSources.id))
    .where(and(prefixed, options.since === undefined ? undefined : gte(itemTime, options.since.getTime())))
    .orderBy(desc(itemTime), desc(neighbourItems.id))
    .limit(Math.max(1, Math.min(options.limit ?? 200, 1_000)));
}
