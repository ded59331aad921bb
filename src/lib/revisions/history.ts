// The read side of the revision mechanism for staff: every revision of a place, alert or page,
// who made it and when; one revision's full content.
import { and, desc, eq, sql } from 'drizzle-orm';
import { accounts, revisions, type ContentKind, type ReviewState } from '../../../db/schema/index.ts';
import type { Database } from '../server/database.ts';
import type { ContentByKind } from './content.ts';

export interface RevisionEntry<K extends ContentKind = ContentKind> {
  id: number;
  kind: K;
  targetId: number;
  parentId: number | null;
  content: ContentByKind[K];
  summary: string;
  authorLabel: string;
  /** The staff account that wrote it, if any (internal). */
  authorName: string | null;
  state: ReviewState;
  /** Published on the site at some point (an approved suggestion's own proposal never is). */
  published: boolean;
  rejectionReason: string | null;
  createdAt: Date;
  reviewedAt: Date | null;
}

const columns = {
  id: revisions.id,
  kind: revisions.targetKind,
  targetId: revisions.targetId,
  parentId: revisions.parentId,
  content: revisions.content,
  summary: revisions.summary,
  authorLabel: revisions.authorLabel,
  authorName: accounts.name,
  state: revisions.state,
  published: sql<boolean>`${revisions.publishSeq} IS NOT NULL`.mapWith(Boolean),
  rejectionReason: revisions.rejectionReason,
  createdAt: revisions.createdAt,
  reviewedAt: revisions.reviewedAt,
};

/** Every revision of one item, newest first. */
export async function listRevisions<K extends ContentKind>(db: Database, kind: K, targetId: number): Promise<RevisionEntry<K>[]> {
  const rows = await db
    .select(columns)
    .from(revisions)
    .leftJoin(accounts, eq(revisions.authorAccountId, accounts.id))
    .where(and(eq(revisions.targetKind, kind), eq(revisions.targetId, targetId)))
    .orderBy(desc(revisions.id));
  return rows as RevisionEntry<K>[];
}

/** One revision of one item, or undefined (a revision of something else is not found). */
export async function findRevision<K extends ContentKind>(db: Database, kind: K, targetId: number, revisionId: number): Promise<RevisionEntry<K> | undefined> {
  const [row] = await db
    .select(columns)
    .from(revisions)
    .leftJoin(accounts, eq(revisions.authorAccountId, accounts.id))
    .where(and(eq(revisions.id, revisionId), eq(revisions.targetKind, kind), eq(revisions.targetId, targetId)));
  return row as RevisionEntry<K> | undefined;
}
