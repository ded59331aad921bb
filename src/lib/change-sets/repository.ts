// Queries behind "Recent changes": change sets newest first, one set with its revisions, and the
// revision each of them replaced (what an undo puts back).
import { desc, eq, inArray, sql } from 'drizzle-orm';
import { accounts, alerts, changeSets, pages, places, revisions, type ContentKind } from '../../../db/schema/index.ts';
import type { ChangeSetKind } from '../revisions/service.ts';
import type { Database } from '../server/database.ts';

export interface ChangeSetRow {
  id: number;
  kind: ChangeSetKind;
  summary: string;
  authorName: string | null;
  createdAt: Date;
  undoesChangeSetId: number | null;
  /** The undo of this set, if it has been undone. */
  undoneByChangeSetId: number | null;
  itemCount: number;
}

const undoneBy = sql<number | null>`(SELECT u.id FROM change_sets u WHERE u.undoes_change_set_id = ${changeSets.id})`;
const itemCount = sql<number>`(SELECT count(*) FROM revisions r WHERE r.change_set_id = ${changeSets.id})`.mapWith(Number);

const setColumns = {
  id: changeSets.id,
  kind: changeSets.kind,
  summary: changeSets.summary,
  authorName: accounts.name,
  createdAt: changeSets.createdAt,
  undoesChangeSetId: changeSets.undoesChangeSetId,
  undoneByChangeSetId: undoneBy,
  itemCount,
};

export async function listChangeSets(db: Database, limit: number): Promise<ChangeSetRow[]> {
  return db.select(setColumns).from(changeSets).leftJoin(accounts, eq(changeSets.authorAccountId, accounts.id))
    .orderBy(desc(changeSets.id)).limit(limit);
}

export async function findChangeSet(db: Database, id: number): Promise<ChangeSetRow | undefined> {
  const [row] = await db.select(setColumns).from(changeSets).leftJoin(accounts, eq(changeSets.authorAccountId, accounts.id))
    .where(eq(changeSets.id, id));
  return row;
}

export interface ChangeSetRevision {
  id: number;
  kind: ContentKind;
  targetId: number;
  parentId: number | null;
  content: unknown;
  /** The content of the revision it replaced (null for a creation). */
  parentContent: unknown;
  /** What is published for the item now, and what it is called. */
  currentRevisionId: number | null;
  name: string;
  serviceSlug: string | null;
  slug: string;
}

/** The revisions of one set, with the revision each replaced and the item's published state. */
export async function listChangeSetRevisions(db: Database, changeSetId: number): Promise<ChangeSetRevision[]> {
  const raw = await db.select({
    id: revisions.id, kind: revisions.targetKind, targetId: revisions.targetId, parentId: revisions.parentId, content: revisions.content,
  }).from(revisions).where(eq(revisions.changeSetId, changeSetId)).orderBy(revisions.id);
  // A published revision always has a target (only a resident's "something is missing" has none).
  const rows = raw.filter((r): r is typeof r & { targetId: number } => r.targetId !== null);
  const parentIds = rows.map((r) => r.parentId).filter((id): id is number => id !== null);
  const parents = parentIds.length === 0 ? [] : await db.select({ id: revisions.id, content: revisions.content }).from(revisions).where(inArray(revisions.id, parentIds));
  const parentContent = new Map(parents.map((p) => [p.id, p.content]));
  const current = new Map<string, { currentRevisionId: number | null; name: string; slug: string; serviceSlug: string | null }>();
  const idsOf = (kind: ContentKind) => rows.filter((r) => r.kind === kind).map((r) => r.targetId);
  const placeIds = idsOf('place');
  if (placeIds.length > 0) {
    const found = await db.select({ id: places.id, currentRevisionId: places.currentRevisionId, name: places.name, slug: places.slug, serviceSlug: sql<string>`(SELECT slug FROM services WHERE services.id = ${places.serviceId})` })
      .from(places).where(inArray(places.id, placeIds));
    for (const p of found) current.set(`place:${p.id}`, p);
  }
  const alertIds = idsOf('alert');
  if (alertIds.length > 0) {
    const found = await db.select({ id: alerts.id, currentRevisionId: alerts.currentRevisionId, name: alerts.headline }).from(alerts).where(inArray(alerts.id, alertIds));
    for (const a of found) current.set(`alert:${a.id}`, { ...a, slug: String(a.id), serviceSlug: null });
  }
  const pageIds = idsOf('page');
  if (pageIds.length > 0) {
    const found = await db.select({ id: pages.id, currentRevisionId: pages.currentRevisionId, name: pages.title, slug: pages.slug }).from(pages).where(inArray(pages.id, pageIds));
    for (const p of found) current.set(`page:${p.id}`, { ...p, serviceSlug: null });
  }
  return rows.map((r) => {
    const now = current.get(`${r.kind}:${r.targetId}`);
    return {
      ...r,
      parentContent: r.parentId === null ? null : parentContent.get(r.parentId) ?? null,
      currentRevisionId: now?.currentRevisionId ?? null,
      name: now?.name ?? `${r.kind} ${r.targetId}`,
      serviceSlug: now?.serviceSlug ?? null,
      slug: now?.slug ?? '',
    };
  });
}

/** Names of places by id (the places a save or undo left alone are not in the set). */
export async function placeNames(db: Database, ids: number[]): Promise<Map<number, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.select({ id: places.id, name: places.name }).from(places).where(inArray(places.id, ids));
  return new Map(rows.map((r) => [r.id, r.name]));
}
