// The one revision mechanism's write side: creating content and publishing new revisions of
// it. Every write is a single atomic libSQL batch (BEGIN IMMEDIATE … COMMIT) holding the
// revision, the materialised published row and the content-version bump together, so a crash
// can never leave a published row without its revision or the other way round.
import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import { alerts, contentVersion, pages, places, revisions } from '../../../db/schema/index.ts';
import type { ContentKind } from '../../../db/schema/index.ts';
import { markContentChanged } from '../http/page-cache.ts';
import type { Database } from '../server/database.ts';
import { alertColumns, completeDraft, pageColumns, placeColumns, type AnyContent, type AnyDraft } from './content.ts';

export interface Author {
  /** The staff account, or null for the council itself (demo loading) or a resident. */
  accountId: number | null;
  /** Public attribution, e.g. "Kirklees Council" or "a resident". */
  label: string;
}

export type Statement = BatchItem<'sqlite'>;

export interface PublishOptions {
  author: Author;
  summary: string;
  /** When the revision is recorded; defaults to now. */
  at?: Date;
  /** A resident's suggestion this publishes (its reviewer is then `reviewerAccountId`). */
  suggestionId?: number;
  /** Who approved it, when that is not the author (a reviewed suggestion). */
  reviewerAccountId?: number | null;
  /**
   * More statements for the same atomic batch, run after the revision is written (e.g. closing
   * the suggestion). They must check for themselves that the revision was written.
   */
  alsoRun?: Statement[];
  /** A further SQL condition for publishing at all (e.g. "the suggestion is still waiting"). */
  requireSql?: SQL;
}

/** The next position in the public change log; evaluated inside the write batch, so atomic. */
const nextPublishSeq = sql`(SELECT coalesce(max(publish_seq), 0) + 1 FROM revisions)`;

/** Tells every server process that published content changed (their page caches empty). */
export function bumpContentVersion(db: Database, at: Date): Statement {
  return db
    .insert(contentVersion)
    .values({ id: 1, version: 1, changedAt: at })
    .onConflictDoUpdate({ target: contentVersion.id, set: { version: sql`${contentVersion.version} + 1`, changedAt: at } });
}

/**
 * The statements that create a new place, alert or page with an approved first revision.
 * They rely on last_insert_rowid() to link the rows, so they must run in this order inside
 * one batch — which is what lets the demo loader create hundreds of places atomically.
 */
export function createContentStatements(db: Database, input: AnyContent, options: PublishOptions): Statement[] {
  const at = options.at ?? new Date();
  const insertTarget = (() => {
    switch (input.kind) {
      case 'place':
        return db.insert(places).values({ ...placeColumns(input.content), updatedAt: at });
      case 'alert':
        return db.insert(alerts).values({ ...alertColumns(input.content), updatedAt: at });
      case 'page':
        return db.insert(pages).values({ ...pageColumns(input.content), updatedAt: at });
    }
  })();
  const insertRevision = db.insert(revisions).values({
    targetKind: input.kind,
    targetId: sql`last_insert_rowid()`,
    parentId: null,
    content: input.content,
    summary: options.summary,
    authorAccountId: options.author.accountId,
    authorLabel: options.author.label,
    state: 'approved',
    reviewedAt: at,
    reviewedByAccountId: options.reviewerAccountId ?? options.author.accountId,
    suggestionId: options.suggestionId ?? null,
    publishSeq: nextPublishSeq,
    createdAt: at,
  }).returning({ id: revisions.id, targetId: revisions.targetId });
  const linkRevision = db.run(
    sql`UPDATE ${tableFor(input.kind)} SET current_revision_id = last_insert_rowid()
        WHERE id = (SELECT target_id FROM revisions WHERE id = last_insert_rowid())`,
  );
  return [insertTarget, insertRevision, linkRevision, ...(options.alsoRun ?? []), bumpContentVersion(db, at)];
}

function tableFor(kind: ContentKind) {
  return { place: places, alert: alerts, page: pages }[kind];
}

/** Creates a new place, alert or page, published at once. */
export async function createContent(
  db: Database,
  draft: AnyDraft,
  options: PublishOptions,
): Promise<{ targetId: number; revisionId: number }> {
  const [first, ...rest] = createContentStatements(db, completeDraft(draft), options);
  const results = await db.batch([first!, ...rest]);
  markContentChanged();
  const [row] = results[1] as { id: number; targetId: number }[];
  return { targetId: row!.targetId, revisionId: row!.id };
}

export type PublishResult =
  | { ok: true; revisionId: number }
  | { ok: false; reason: 'conflict'; currentRevisionId: number | null }
  | { ok: false; reason: 'not_found' }
  /** The base was current but `requireSql` did not hold (e.g. the suggestion was already reviewed). */
  | { ok: false; reason: 'refused' };

/**
 * Publishes a new approved revision of existing content, based on `baseRevisionId`. If the
 * published revision is no longer the base, nothing is written and the result is an edit
 * conflict: concurrent editors can never overwrite each other.
 */
export async function publishRevision(
  db: Database,
  targetId: number,
  baseRevisionId: number,
  draft: AnyDraft,
  options: PublishOptions,
): Promise<PublishResult> {
  const at = options.at ?? new Date();
  const input = completeDraft(draft);
  const table = tableFor(input.kind);
  const isBase: SQL = sql`EXISTS (SELECT 1 FROM ${table} WHERE id = ${targetId} AND current_revision_id = ${baseRevisionId})`;
  const alsoRequired = options.requireSql ? sql` AND ${options.requireSql}` : sql``;
  const insertRevision = db.all<{ id: number }>(sql`
    INSERT INTO revisions (target_kind, target_id, parent_id, content, summary, author_account_id, author_label,
                           state, reviewed_at, reviewed_by_account_id, suggestion_id, publish_seq, created_at)
    SELECT ${input.kind}, ${targetId}, ${baseRevisionId}, ${JSON.stringify(input.content)}, ${options.summary},
           ${options.author.accountId}, ${options.author.label}, 'approved', ${at.getTime()},
           ${options.reviewerAccountId ?? options.author.accountId}, ${options.suggestionId ?? null},
           ${nextPublishSeq}, ${at.getTime()}
    WHERE ${isBase}${alsoRequired}
    RETURNING id`);
  // The newest *published* revision: if the insert above was refused it is still the base, so
  // the update below (which requires a newer one) changes nothing. Pending suggestions never count.
  const latestRevision = sql`(SELECT max(id) FROM revisions WHERE target_kind = ${input.kind} AND target_id = ${targetId} AND publish_seq IS NOT NULL)`;
  const written = sql`${latestRevision} <> ${baseRevisionId}`;
  const update = (() => {
    switch (input.kind) {
      case 'place':
        return db.update(places).set({ ...placeColumns(input.content), currentRevisionId: latestRevision, updatedAt: at })
          .where(and(eq(places.id, targetId), eq(places.currentRevisionId, baseRevisionId), written));
      case 'alert':
        return db.update(alerts).set({ ...alertColumns(input.content), currentRevisionId: latestRevision, updatedAt: at })
          .where(and(eq(alerts.id, targetId), eq(alerts.currentRevisionId, baseRevisionId), written));
      case 'page':
        return db.update(pages).set({ ...pageColumns(input.content), currentRevisionId: latestRevision, updatedAt: at })
          .where(and(eq(pages.id, targetId), eq(pages.currentRevisionId, baseRevisionId), written));
    }
  })();
  const [inserted] = await db.batch([insertRevision, update, ...(options.alsoRun ?? []), bumpContentVersion(db, at)]);
  const revisionId = inserted[0]?.id;
  if (revisionId !== undefined) {
    markContentChanged();
    return { ok: true, revisionId };
  }
  const [current] = await db.select({ id: table.currentRevisionId }).from(table).where(eq(table.id, targetId));
  if (!current) return { ok: false, reason: 'not_found' };
  if (current.id === baseRevisionId) return { ok: false, reason: 'refused' };
  return { ok: false, reason: 'conflict', currentRevisionId: current.id };
}
