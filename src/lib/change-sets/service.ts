// Change sets: several revisions published as one thing (a bulk update, an undo, an import).
// The home of "Recent changes" (/staff/changes), one set's page with its items, and the one-step
// undo of a whole set: each item goes back to the revision it had before the set, as a new
// revision based on the set's own revision, so an item someone changed since is left alone.
import type { ContentKind, PlaceStatus } from '../../../db/schema/index.ts';
import type { Staff } from '../auth/guards.ts';
import { hasRole } from '../auth/roles.ts';
import { ForbiddenError, NotFoundError } from '../errors.ts';
import { STATUS_PRESENTATION } from '../places/status.ts';
import type { AnyDraft } from '../revisions/content.ts';
import { staffAuthor, withoutHtml } from '../revisions/editing.ts';
import { publishChangeSet, type ChangeSetItem } from '../revisions/service.ts';
import { getDb } from '../server/db.ts';
import { getCouncil } from '../settings/repository.ts';
import { findChangeSet, listChangeSetRevisions, listChangeSets, placeNames, type ChangeSetRevision, type ChangeSetRow } from './repository.ts';

export type { ChangeSetRow } from './repository.ts';

function requireEditor(staff: Staff): void {
  if (!hasRole(staff.account.role, 'editor')) throw new ForbiddenError('This needs the editor role');
}

/** A change set's id from the address, or a 404. */
export function parseChangeSetId(param: string | undefined): number {
  const id = Number(param);
  if (!param || !/^\d{1,15}$/.test(param) || !Number.isSafeInteger(id) || id <= 0) throw new NotFoundError(`No change set "${param}"`);
  return id;
}

/** How many sets "Recent changes" lists. */
export const RECENT_LIMIT = 50;

/** "Recent changes": the newest change sets, who made them, when, and whether undone. */
export async function listRecentChanges(staff: Staff): Promise<ChangeSetRow[]> {
  requireEditor(staff);
  return listChangeSets(await getDb(), RECENT_LIMIT);
}

export interface ChangeSetItemView {
  kind: ContentKind;
  targetId: number;
  name: string;
  staffPath: string;
  publicPath: string | null;
  /** For places: the status before and after (labels), and the "until" it was given. */
  before: string | null;
  after: string | null;
  until: Date | null;
  /** Still what is published (nobody has changed it since). */
  stillCurrent: boolean;
}

export interface ChangeSetPage {
  set: ChangeSetRow;
  items: ChangeSetItemView[];
  /** The set this one undid, if it is an undo. */
  undoes: ChangeSetRow | null;
  /** Can be undone now: not undone yet and at least one item still as the set left it. */
  canUndo: boolean;
  /** Items that would be left alone by an undo (changed since). */
  changedSince: ChangeSetItemView[];
  /** Items listed by the redirect after a save or undo as changed meanwhile (left alone). */
  leftAlone: { id: number; name: string; staffPath: string }[];
  banner: 'saved' | 'undone' | 'already-undone' | 'nothing-undone' | null;
}

function statusLabel(content: unknown): string | null {
  const status = (content as { status?: PlaceStatus } | null)?.status;
  return status && Object.hasOwn(STATUS_PRESENTATION, status) ? STATUS_PRESENTATION[status].label : null;
}

/** A place's state in a set's table: its status, or that it was not (or is no longer) on the site. */
function placeState(content: unknown, created: boolean): string | null {
  if (created) return 'Not on the site';
  if ((content as { retired?: boolean } | null)?.retired) return 'Taken off the site';
  return statusLabel(content);
}

function itemView(r: ChangeSetRevision): ChangeSetItemView {
  const staffPath = { place: `/staff/places/${r.targetId}`, alert: `/staff/alerts/${r.targetId}`, page: `/staff/pages/${r.targetId}` }[r.kind];
  const publicPath = r.kind === 'place' ? (r.serviceSlug ? `/services/${r.serviceSlug}/${r.slug}` : null) : r.kind === 'alert' ? `/alerts/${r.targetId}` : `/pages/${r.slug}`;
  const until = r.kind === 'place' ? (r.content as { statusUntil?: string | null }).statusUntil ?? null : null;
  return {
    kind: r.kind,
    targetId: r.targetId,
    name: r.name,
    staffPath,
    publicPath,
    before: r.kind === 'place' ? placeState(r.parentContent, r.parentId === null) : null,
    after: r.kind === 'place' ? placeState(r.content, false) : null,
    until: until ? new Date(until) : null,
    stillCurrent: r.currentRevisionId === r.id,
  };
}

const MAX_LISTED = 1000;

function idList(value: string | null): number[] {
  if (!value) return [];
  return value.split(',').slice(0, MAX_LISTED).map(Number).filter((id) => Number.isSafeInteger(id) && id > 0);
}

const BANNERS = ['saved', 'undone', 'already-undone', 'nothing-undone'] as const;

/** One change set: what it did to which items, and whether it can still be undone. */
export async function loadChangeSet(staff: Staff, id: number, params: URLSearchParams): Promise<ChangeSetPage> {
  requireEditor(staff);
  const db = await getDb();
  const set = await findChangeSet(db, id);
  if (!set) throw new NotFoundError(`No change set ${id}`);
  const [revisions, undoes] = await Promise.all([
    listChangeSetRevisions(db, id),
    set.undoesChangeSetId === null ? Promise.resolve(undefined) : findChangeSet(db, set.undoesChangeSetId),
  ]);
  const items = revisions.map(itemView);
  // The redirect names items that had changed meanwhile; they are not in this set, so look them up.
  const leftIds = idList(params.get('changed'));
  let leftAlone: ChangeSetPage['leftAlone'] = [];
  if (leftIds.length > 0) {
    const sourceSet = set.undoesChangeSetId ?? id;
    const named = new Map((await listChangeSetRevisions(db, sourceSet)).map((r) => [r.targetId, r.name]));
    const more = await placeNames(db, leftIds.filter((i) => !named.has(i)));
    leftAlone = leftIds.map((placeId) => ({ id: placeId, name: named.get(placeId) ?? more.get(placeId) ?? `Place ${placeId}`, staffPath: `/staff/places/${placeId}` }));
  }
  const changedSince = items.filter((i) => !i.stillCurrent);
  return {
    set,
    items,
    undoes: undoes ?? null,
    canUndo: set.undoneByChangeSetId === null && revisions.some((r) => r.currentRevisionId === r.id && isUndoable(r)),
    changedSince,
    leftAlone,
    banner: BANNERS.find((b) => params.has(b)) ?? null,
  };
}

/**
 * Whether undo can put an item of a set back: a change goes back to the revision before it; a
 * place the set created (an import's new school) is withdrawn — retired, like any removed place,
 * so its page and history stay and a later import of the same reference number brings it back.
 * Nothing is ever deleted.
 */
function isUndoable(r: ChangeSetRevision): boolean {
  return r.parentId === null ? r.kind === 'place' : r.parentContent !== null;
}

/** What an undo publishes for one item: its content before the set, or (a creation) withdrawn. */
function contentBefore(r: ChangeSetRevision): AnyDraft {
  if (r.parentId === null) return { kind: 'place', draft: { ...withoutHtml<'place'>(r.content as never), retired: true } };
  return { kind: r.kind, draft: withoutHtml(r.parentContent as never) } as AnyDraft;
}

export type UndoResult = { redirect: string };

/**
 * Undoes a whole change set in one batch: each item gets a new revision with the content it had
 * before the set, on condition that the set's revision is still the published one. Items changed
 * since are left alone and listed. The undo is itself a change set (kind 'undo'); the unique
 * `undoes_change_set_id` means a set is undone once, even when two editors confirm at once.
 */
export async function undoChangeSet(staff: Staff, id: number, now: Date): Promise<UndoResult> {
  requireEditor(staff);
  const db = await getDb();
  const set = await findChangeSet(db, id);
  if (!set) throw new NotFoundError(`No change set ${id}`);
  if (set.undoneByChangeSetId !== null) return { redirect: `/staff/changes/${id}?already-undone` };
  const revisions = await listChangeSetRevisions(db, id);
  const items: ChangeSetItem[] = [];
  const changed: number[] = [];
  for (const r of revisions) {
    if (!isUndoable(r)) continue;
    if (r.currentRevisionId !== r.id) {
      changed.push(r.targetId);
      continue;
    }
    items.push({ targetId: r.targetId, baseRevisionId: r.id, draft: contentBefore(r) });
  }
  const author = staffAuthor(staff, (await getCouncil(db)).name);
  const summary = `Undid “${set.summary}”`;
  const result = items.length === 0
    ? { ok: true as const, changeSetId: null, conflicts: [], notFound: [] as number[] }
    : await publishChangeSet(db, items, { kind: 'undo', author, summary, at: now, undoesChangeSetId: id });
  if (!result.ok) return { redirect: `/staff/changes/${id}?already-undone` };
  // Changed between the page and the write: the batch's per-item condition caught them.
  changed.push(...result.conflicts.map((c) => c.targetId), ...result.notFound);
  const query = new URLSearchParams();
  if (changed.length > 0) query.set('changed', changed.join(','));
  if (result.changeSetId === null) return { redirect: `/staff/changes/${id}?nothing-undone${changed.length > 0 ? `&${query}` : ''}` };
  return { redirect: `/staff/changes/${result.changeSetId}?undone${changed.length > 0 ? `&${query}` : ''}` };
}
