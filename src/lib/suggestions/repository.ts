// Queries behind the residents' suggestion forms and tracking pages: how many suggestions wait,
// the published revision a resident's form was based on, and what a suggestion became.
import { and, count, eq, isNotNull } from 'drizzle-orm';
import { pages, revisions, suggestions, type ContentKind } from '../../../db/schema/index.ts';
import type { ContentByKind } from '../revisions/content.ts';
import type { Database } from '../server/database.ts';

/** Suggestions nobody has reviewed yet (the queue the global cap protects). */
export async function countWaitingSuggestions(db: Database): Promise<number> {
  const [row] = await db.select({ n: count() }).from(suggestions).where(eq(suggestions.outcome, 'waiting'));
  return row?.n ?? 0;
}

/**
 * The content of a *published* revision of one target — the version a resident's form was
 * based on. Undefined for a pending or rejected revision, or one of something else.
 */
export async function findPublishedRevisionContent<K extends ContentKind>(
  db: Database,
  kind: K,
  targetId: number,
  revisionId: number,
): Promise<ContentByKind[K] | undefined> {
  const [row] = await db
    .select({ content: revisions.content })
    .from(revisions)
    .where(and(eq(revisions.id, revisionId), eq(revisions.targetKind, kind), eq(revisions.targetId, targetId), isNotNull(revisions.publishSeq)));
  return row?.content as ContentByKind[K] | undefined;
}

export type PublishedPageRow = typeof pages.$inferSelect;

/** A published information page by id (suggestion links name pages by id, like places and alerts). */
export async function findPublishedPageById(db: Database, id: number): Promise<PublishedPageRow | undefined> {
  const [row] = await db.select().from(pages).where(and(eq(pages.id, id), isNotNull(pages.currentRevisionId), eq(pages.retired, false)));
  return row;
}

/** What an approved suggestion published: the place, alert or page it changed or created. */
export async function findPublishedTargetId(db: Database, suggestionId: number): Promise<number | null> {
  const [row] = await db
    .select({ targetId: revisions.targetId })
    .from(revisions)
    .where(and(eq(revisions.suggestionId, suggestionId), isNotNull(revisions.publishSeq)))
    .limit(1);
  return row?.targetId ?? null;
}
