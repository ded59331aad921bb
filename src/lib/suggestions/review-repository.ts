// Queries behind the review queue and the review page: waiting suggestions with what they are
// about, one suggestion with its reviewer, the published item a suggestion changes, and the
// uniqueness checks a new place must pass. Reads only: every write is in service.ts.
import { and, asc, count, eq, isNull, ne, or, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import { accounts, alerts, pages, places, revisions, services, suggestions, type ContentKind } from '../../../db/schema/index.ts';
import type { Database } from '../server/database.ts';
import type { ServiceRow } from '../services/repository.ts';
import type { QueueFilters } from './review-validation.ts';
import type { SuggestionRow } from './service.ts';

const proposal = alias(revisions, 'proposal');
const baseRevision = alias(revisions, 'base_revision');

/**
 * The service a suggestion belongs to: the one the resident chose, else the place's (a change
 * to a place), else the one a proposed new place names.
 */
const serviceOfSuggestion = sql<number | null>`coalesce(${suggestions.serviceId}, ${places.serviceId},
  CASE WHEN ${suggestions.targetKind} = 'place' THEN json_extract(${proposal.content}, '$.serviceId') END)`;

function queueConditions(filters: QueueFilters, serviceId: number | null): SQL {
  const conditions: SQL[] = [eq(suggestions.outcome, 'waiting')];
  if (filters.service !== null) conditions.push(serviceId === null ? sql`0` : sql`${serviceOfSuggestion} = ${serviceId}`);
  if (filters.kind === 'missing') conditions.push(eq(suggestions.kind, 'new'));
  else if (filters.kind !== null) conditions.push(and(eq(suggestions.kind, 'change'), eq(suggestions.targetKind, filters.kind))!);
  return and(...conditions)!;
}

export interface WaitingSuggestionRow {
  id: number;
  targetKind: ContentKind;
  kind: 'change' | 'new';
  targetId: number | null;
  createdAt: Date;
  /** The resident's full proposed content, and the version they saw (null for something new). */
  proposal: unknown;
  base: unknown;
  placeName: string | null;
  placeSlug: string | null;
  alertHeadline: string | null;
  pageTitle: string | null;
  pageSlug: string | null;
  serviceSlug: string | null;
  serviceName: string | null;
  placeLabel: string | null;
}

/** Waiting suggestions, oldest first (at most `limit`), and how many match in all. */
export async function listWaitingSuggestions(
  db: Database,
  filters: QueueFilters,
  serviceId: number | null,
  limit: number,
): Promise<{ rows: WaitingSuggestionRow[]; total: number }> {
  const where = queueConditions(filters, serviceId);
  const rowsQuery = db
    .select({
      id: suggestions.id,
      targetKind: suggestions.targetKind,
      kind: suggestions.kind,
      targetId: suggestions.targetId,
      createdAt: suggestions.createdAt,
      proposal: proposal.content,
      base: baseRevision.content,
      placeName: places.name,
      placeSlug: places.slug,
      alertHeadline: alerts.headline,
      pageTitle: pages.title,
      pageSlug: pages.slug,
      serviceSlug: services.slug,
      serviceName: services.name,
      placeLabel: services.placeLabel,
    })
    .from(suggestions)
    .innerJoin(proposal, and(eq(proposal.suggestionId, suggestions.id), isNull(proposal.publishSeq)))
    .leftJoin(baseRevision, eq(baseRevision.id, proposal.parentId))
    .leftJoin(places, and(eq(suggestions.targetKind, 'place'), eq(places.id, suggestions.targetId)))
    .leftJoin(alerts, and(eq(suggestions.targetKind, 'alert'), eq(alerts.id, suggestions.targetId)))
    .leftJoin(pages, and(eq(suggestions.targetKind, 'page'), eq(pages.id, suggestions.targetId)))
    .leftJoin(services, eq(services.id, serviceOfSuggestion))
    .where(where)
    .orderBy(asc(suggestions.createdAt), asc(suggestions.id))
    .limit(limit);
  const totalQuery = db
    .select({ n: count() })
    .from(suggestions)
    .innerJoin(proposal, and(eq(proposal.suggestionId, suggestions.id), isNull(proposal.publishSeq)))
    .leftJoin(places, and(eq(suggestions.targetKind, 'place'), eq(places.id, suggestions.targetId)))
    .where(where);
  const [rows, [total]] = await Promise.all([rowsQuery, totalQuery]);
  return { rows: rows as WaitingSuggestionRow[], total: total?.n ?? 0 };
}

/** How many suggestions wait for review (the dashboard's line). */
export async function countWaitingSuggestions(db: Database): Promise<number> {
  const [row] = await db.select({ n: count() }).from(suggestions).where(eq(suggestions.outcome, 'waiting'));
  return row?.n ?? 0;
}

export interface SuggestionForReview extends SuggestionRow {
  /** Who reviewed it (internal), once reviewed. */
  reviewerName: string | null;
}

export async function findSuggestionForReview(db: Database, id: number): Promise<SuggestionForReview | undefined> {
  const [row] = await db
    .select({ suggestion: suggestions, reviewerName: accounts.name })
    .from(suggestions)
    .leftJoin(accounts, eq(accounts.id, suggestions.reviewedByAccountId))
    .where(eq(suggestions.id, id));
  return row && { ...row.suggestion, reviewerName: row.reviewerName };
}

/** The published row a suggestion is about: its title, where the public sees it, its current revision. */
export interface PublishedTarget {
  title: string;
  /** Null when retired: it is not on the public site. */
  publicPath: string | null;
  currentRevisionId: number | null;
  retired: boolean;
  service: ServiceRow | null;
}

export async function findPublishedTarget(db: Database, kind: ContentKind, id: number): Promise<PublishedTarget | undefined> {
  switch (kind) {
    case 'place': {
      const [row] = await db.select({ place: places, service: services }).from(places).innerJoin(services, eq(services.id, places.serviceId)).where(eq(places.id, id));
      return (
        row && {
          title: row.place.name,
          publicPath: row.place.retired ? null : `/services/${row.service.slug}/${row.place.slug}`,
          currentRevisionId: row.place.currentRevisionId,
          retired: row.place.retired,
          service: row.service,
        }
      );
    }
    case 'alert': {
      const [row] = await db.select().from(alerts).where(eq(alerts.id, id));
      return row && { title: row.headline, publicPath: row.retired ? null : `/alerts/${id}`, currentRevisionId: row.currentRevisionId, retired: row.retired, service: null };
    }
    case 'page': {
      const [row] = await db.select().from(pages).where(eq(pages.id, id));
      return row && { title: row.title, publicPath: row.retired ? null : `/pages/${row.slug}`, currentRevisionId: row.currentRevisionId, retired: row.retired, service: null };
    }
  }
}

export async function findServiceById(db: Database, id: number): Promise<ServiceRow | undefined> {
  const [row] = await db.select().from(services).where(eq(services.id, id));
  return row;
}

/** A place of the service that already has this web address or reference number, retired or not. */
export async function findPlaceClash(db: Database, serviceId: number, slug: string, identifier: string | null): Promise<{ field: 'slug' | 'identifier'; name: string } | undefined> {
  const [row] = await db
    .select({ name: places.name, slug: places.slug })
    .from(places)
    .where(and(eq(places.serviceId, serviceId), identifier === null ? eq(places.slug, slug) : or(eq(places.slug, slug), eq(places.identifier, identifier))))
    .limit(1);
  if (!row) return undefined;
  return { field: row.slug === slug ? 'slug' : 'identifier', name: row.name };
}

/** Another waiting suggestion about the same item (the editor may want to review them together). */
export async function countOtherWaiting(db: Database, suggestion: Pick<SuggestionRow, 'id' | 'targetKind' | 'targetId'>): Promise<number> {
  if (suggestion.targetId === null) return 0;
  const [row] = await db
    .select({ n: count() })
    .from(suggestions)
    .where(and(eq(suggestions.outcome, 'waiting'), eq(suggestions.targetKind, suggestion.targetKind), eq(suggestions.targetId, suggestion.targetId), ne(suggestions.id, suggestion.id)));
  return row?.n ?? 0;
}

/** The revision that published a suggestion (for something new, it tells what was created). */
export async function findPublishedRevisionOf(db: Database, suggestionId: number): Promise<{ id: number; targetId: number } | undefined> {
  const [row] = await db
    .select({ id: revisions.id, targetId: revisions.targetId })
    .from(revisions)
    .where(and(eq(revisions.suggestionId, suggestionId), sql`${revisions.publishSeq} IS NOT NULL`));
  return row && row.targetId !== null ? { id: row.id, targetId: row.targetId } : undefined;
}
