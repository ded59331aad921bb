// Queries for published places and their public history.
import { and, asc, desc, eq, isNotNull, or, sql } from 'drizzle-orm';
import { places, revisions } from '../../../db/schema/index.ts';
import type { Database } from '../server/database.ts';
import type { PlaceContent } from '../revisions/content.ts';

export type PlaceRow = typeof places.$inferSelect;

/** Published, not withdrawn, and of a service still in use (a retired service takes its places with it). */
const published = and(
  isNotNull(places.currentRevisionId),
  eq(places.retired, false),
  sql`NOT EXISTS (SELECT 1 FROM services WHERE services.id = ${places.serviceId} AND services.retired = 1)`,
);

/** Every published place of a service (or of all services), by name. */
export function listPublishedPlaces(db: Database, serviceId?: number): Promise<PlaceRow[]> {
  return db
    .select()
    .from(places)
    .where(serviceId === undefined ? published : and(published, eq(places.serviceId, serviceId)))
    .orderBy(asc(places.name));
}

/** A published place by its slug or external identifier (a school's URN). */
export async function findPublishedPlace(db: Database, serviceId: number, key: string): Promise<PlaceRow | undefined> {
  const [row] = await db
    .select()
    .from(places)
    .where(and(published, eq(places.serviceId, serviceId), or(eq(places.slug, key), eq(places.identifier, key))))
    .limit(1);
  return row;
}

export interface PlaceHistoryEntry {
  revisionId: number;
  at: Date;
  authorLabel: string;
  summary: string;
  content: PlaceContent;
}

/**
 * Published revisions of a place, newest first: its public status history. (An approved
 * suggestion's own proposal is never published — only what the reviewer approved is.)
 */
export async function listPlaceHistory(db: Database, placeId: number, limit = 50): Promise<PlaceHistoryEntry[]> {
  const rows = await db
    .select({ id: revisions.id, at: revisions.createdAt, authorLabel: revisions.authorLabel, summary: revisions.summary, content: revisions.content })
    .from(revisions)
    .where(and(eq(revisions.targetKind, 'place'), eq(revisions.targetId, placeId), isNotNull(revisions.publishSeq)))
    .orderBy(desc(revisions.id))
    .limit(limit);
  return rows.map((r) => ({ revisionId: r.id, at: r.at, authorLabel: r.authorLabel, summary: r.summary, content: r.content as PlaceContent }));
}

/** A published place by its id. */
export async function findPublishedPlaceById(db: Database, id: number): Promise<PlaceRow | undefined> {
  const [row] = await db.select().from(places).where(and(published, eq(places.id, id)));
  return row;
}
