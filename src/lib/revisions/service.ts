// The one revision mechanism's write side: creating content and publishing new revisions of
// it. Every write is a single atomic libSQL batch (BEGIN IMMEDIATE … COMMIT) holding the
// revision, the materialised published row, the notification outbox record and the
// content-version bump together, so a crash can never leave a published row without its
// revision, or a publish nobody will be told about.
import { and, eq, sql, type SQL } from 'drizzle-orm';
import type { BatchItem } from 'drizzle-orm/batch';
import { alerts, changeSets, contentVersion, pages, places, revisions } from '../../../db/schema/index.ts';
import type { CHANGE_SET_KINDS, ContentKind } from '../../../db/schema/index.ts';
import { markContentChanged } from '../http/page-cache.ts';
import { recordPublishEvent } from '../notifications/outbox.ts';
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
  return [...creationStatements(db, input, options, at, null), ...(options.alsoRun ?? []), recordPublishEvent(db, at), bumpContentVersion(db, at)];
}

/**
 * The three statements that insert the target, its first (approved) revision — linked to the
 * change set `changeSetId` when given — and the link back. The second returns the revision.
 */
function creationStatements(db: Database, input: AnyContent, options: Omit<PublishOptions, 'summary'> & { summary: string }, at: Date, changeSetId: SQL | null): [Statement, Statement, Statement] {
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
    changeSetId: changeSetId ?? null,
    createdAt: at,
  }).returning({ id: revisions.id, targetId: revisions.targetId });
  const linkRevision = db.run(
    sql`UPDATE ${tableFor(input.kind)} SET current_revision_id = last_insert_rowid()
        WHERE id = (SELECT target_id FROM revisions WHERE id = last_insert_rowid())`,
  );
  return [insertTarget, insertRevision, linkRevision];
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
  const { insertRevision, update } = publishStatements(db, { targetId, baseRevisionId, input, summary: options.summary }, options, at, null);
  const [inserted] = await db.batch([insertRevision, update, ...(options.alsoRun ?? []), recordPublishEvent(db, at), bumpContentVersion(db, at)]);
  const revisionId = inserted[0]?.id;
  if (revisionId !== undefined) {
    markContentChanged();
    return { ok: true, revisionId };
  }
  return explainRefusal(db, input.kind, targetId, baseRevisionId);
}

/** Why a conditional publish wrote nothing: the target is gone, or someone published first. */
async function explainRefusal(db: Database, kind: ContentKind, targetId: number, baseRevisionId: number): Promise<PublishResult & { ok: false }> {
  const table = tableFor(kind);
  const [current] = await db.select({ id: table.currentRevisionId }).from(table).where(eq(table.id, targetId));
  if (!current) return { ok: false, reason: 'not_found' };
  if (current.id === baseRevisionId) return { ok: false, reason: 'refused' };
  return { ok: false, reason: 'conflict', currentRevisionId: current.id };
}

interface PublishItem {
  targetId: number;
  baseRevisionId: number;
  input: AnyContent;
  summary: string;
}

/**
 * The two conditional statements that publish one revision on top of `baseRevisionId`: the
 * revision is inserted only while the base is current, and the published row is updated only if
 * that insert happened. `changeSetId` (SQL, evaluated in the batch) links the revision to its set.
 */
function publishStatements(db: Database, item: PublishItem, options: Omit<PublishOptions, 'summary'>, at: Date, changeSetId: SQL | null) {
  const { targetId, baseRevisionId, input } = item;
  const table = tableFor(input.kind);
  const isBase: SQL = sql`EXISTS (SELECT 1 FROM ${table} WHERE id = ${targetId} AND current_revision_id = ${baseRevisionId})`;
  const alsoRequired = options.requireSql ? sql` AND ${options.requireSql}` : sql``;
  const insertRevision = db.all<{ id: number }>(sql`
    INSERT INTO revisions (target_kind, target_id, parent_id, content, summary, author_account_id, author_label,
                           state, reviewed_at, reviewed_by_account_id, suggestion_id, publish_seq, change_set_id, created_at)
    SELECT ${input.kind}, ${targetId}, ${baseRevisionId}, ${JSON.stringify(input.content)}, ${item.summary},
           ${options.author.accountId}, ${options.author.label}, 'approved', ${at.getTime()},
           ${options.reviewerAccountId ?? options.author.accountId}, ${options.suggestionId ?? null},
           ${nextPublishSeq}, ${changeSetId ?? null}, ${at.getTime()}
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
  return { insertRevision, update };
}

// ─── Change sets: many revisions published as one thing ────────────────────────────────────

export type ChangeSetKind = (typeof CHANGE_SET_KINDS)[number];

export interface ChangeSetItem {
  targetId: number;
  baseRevisionId: number;
  draft: AnyDraft;
  /** The revision's own summary (shown in the item's history); defaults to the set's. */
  summary?: string;
}

/** Something new the set creates (an import's new places): published with its first revision. */
export interface ChangeSetCreation {
  draft: AnyDraft;
  /** The revision's own summary; defaults to the set's. */
  summary?: string;
}

export interface ChangeSetOptions {
  kind: ChangeSetKind;
  author: Author;
  /** The set in words, shown in Recent changes: "Closed 40 schools". */
  summary: string;
  at?: Date;
  /** For an undo: the set it undoes (unique, so a set is undone at most once). */
  undoesChangeSetId?: number;
  /**
   * The summary by how many items were actually published, decided inside the batch (items
   * changed meanwhile are left out): `many` holds "{n}", e.g. "Closed {n} schools".
   */
  summaryByCount?: { one: string; many: string };
  /** New content created in the same set (and the same batch), after the items are published. */
  creations?: readonly ChangeSetCreation[];
  /** More statements for the same atomic batch, run last (e.g. recording that an import was applied). */
  alsoRun?: Statement[];
}

export type ChangeSetResult =
  | {
      ok: true;
      /** Null when nothing was published (every item had changed meanwhile): no set is kept. */
      changeSetId: number | null;
      published: { targetId: number; revisionId: number }[];
      /** What `creations` made, in their order. */
      created: { targetId: number; revisionId: number }[];
      /** Items whose published revision was no longer their base: left alone. */
      conflicts: { targetId: number; currentRevisionId: number | null }[];
      notFound: number[];
    }
  /** The set this undoes has already been undone (by someone else, perhaps at the same moment). */
  | { ok: false; reason: 'already_undone' };

/**
 * Publishes many revisions and the change_sets row that groups them in ONE atomic batch
 * (BEGIN IMMEDIATE … COMMIT). Each item keeps its own conflict condition, so an item someone
 * changed since its base is left alone while the others publish. A set in which nothing was
 * published is deleted again inside the same batch.
 */
export async function publishChangeSet(db: Database, items: readonly ChangeSetItem[], options: ChangeSetOptions): Promise<ChangeSetResult> {
  const at = options.at ?? new Date();
  const insertSet = db.insert(changeSets).values({
    kind: options.kind,
    summary: options.summary,
    authorAccountId: options.author.accountId,
    undoesChangeSetId: options.undoesChangeSetId ?? null,
    createdAt: at,
  }).returning({ id: changeSets.id });
  // The write lock is held for the whole batch and ids only grow, so the newest set is ours.
  const thisSet = sql`(SELECT max(id) FROM change_sets)`;
  const inputs = items.map((item) => ({ item, input: completeDraft(item.draft) }));
  const statements: Statement[] = [];
  for (const { item, input } of inputs) {
    const { insertRevision, update } = publishStatements(
      db,
      { targetId: item.targetId, baseRevisionId: item.baseRevisionId, input, summary: item.summary ?? options.summary },
      { author: options.author },
      at,
      thisSet,
    );
    statements.push(insertRevision, update);
  }
  const firstCreation = 1 + statements.length;
  for (const creation of options.creations ?? []) {
    statements.push(...creationStatements(db, completeDraft(creation.draft), { author: options.author, summary: creation.summary ?? options.summary }, at, thisSet));
  }
  const dropIfEmpty = db.run(sql`DELETE FROM change_sets WHERE id = ${thisSet} AND NOT EXISTS (SELECT 1 FROM revisions WHERE change_set_id = ${thisSet})`);
  if (options.summaryByCount) {
    const published = sql`(SELECT count(*) FROM revisions WHERE change_set_id = ${thisSet})`;
    const { one, many } = options.summaryByCount;
    statements.push(db.run(sql`UPDATE change_sets SET summary = CASE WHEN ${published} = 1 THEN ${one} ELSE replace(${many}, '{n}', ${published}) END WHERE id = ${thisSet}`));
  }
  let results: unknown[];
  try {
    results = await db.batch([insertSet, ...statements, dropIfEmpty, ...(options.alsoRun ?? []), recordPublishEvent(db, at), bumpContentVersion(db, at)]);
  } catch (error) {
    if (options.undoesChangeSetId !== undefined && isUniqueUndoViolation(error)) return { ok: false, reason: 'already_undone' };
    throw error;
  }
  const setId = (results[0] as { id: number }[])[0]!.id;
  const published: { targetId: number; revisionId: number }[] = [];
  const refused: { item: ChangeSetItem; kind: ContentKind }[] = [];
  inputs.forEach(({ item, input }, index) => {
    const revisionId = (results[1 + index * 2] as { id: number }[])[0]?.id;
    if (revisionId !== undefined) published.push({ targetId: item.targetId, revisionId });
    else refused.push({ item, kind: input.kind });
  });
  const created = (options.creations ?? []).map((_, index) => {
    const [row] = results[firstCreation + index * 3 + 1] as { id: number; targetId: number }[];
    return { targetId: row!.targetId, revisionId: row!.id };
  });
  if (published.length > 0 || created.length > 0) markContentChanged();
  const conflicts: { targetId: number; currentRevisionId: number | null }[] = [];
  const notFound: number[] = [];
  for (const { item, kind } of refused) {
    const why = await explainRefusal(db, kind, item.targetId, item.baseRevisionId);
    if (why.reason === 'not_found') notFound.push(item.targetId);
    else conflicts.push({ targetId: item.targetId, currentRevisionId: why.reason === 'conflict' ? why.currentRevisionId : item.baseRevisionId });
  }
  return { ok: true, changeSetId: published.length > 0 || created.length > 0 ? setId : null, published, created, conflicts, notFound };
}

function isUniqueUndoViolation(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (/UNIQUE constraint failed: change_sets\.undoes_change_set_id/.test(e.message)) return true;
  }
  return false;
}
