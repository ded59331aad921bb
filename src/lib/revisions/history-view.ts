// The staff history of any place, alert or page: the read models behind
// /staff/history/{kind}/{id} (every revision, what can be compared and reverted) and its diff
// page, and the revert taken from that history. One view for all three kinds, built on the one
// revision mechanism (history.ts, diff.ts, editing.ts) — nothing here writes except through
// `revertToRevision`.
import { and, eq, inArray, isNotNull } from 'drizzle-orm';
import { accounts, alerts, CONTENT_KINDS, pages, places, revisions as revisionsTable, services, type ContentKind } from '../../../db/schema/index.ts';
import { canPublishToPlace, type Staff } from '../auth/guards.ts';
import { hasRole } from '../auth/roles.ts';
import { ForbiddenError, NotFoundError } from '../errors.ts';
import type { Database } from '../server/database.ts';
import { getDb } from '../server/db.ts';
import { getCouncil } from '../settings/repository.ts';
import { diffContent, type FieldDiff } from './diff.ts';
import { revertToRevision, staffAuthor } from './editing.ts';
import { listRevisions, type RevisionEntry } from './history.ts';

export interface FormIssue {
  field: string;
  message: string;
}

/** The thing whose history is shown. */
export interface HistoryItem {
  kind: ContentKind;
  id: number;
  /** "place", "alert", "information page": for sentences like "Revision 4 is not a version of this place". */
  noun: string;
  title: string;
  /** Where the public sees it now, or null when it is retired. */
  publicPath: string | null;
  currentRevisionId: number | null;
}

export interface HistoryRevision extends RevisionEntry {
  isCurrent: boolean;
  /** Approved and not current: making it current again is a meaningful revert. */
  revertible: boolean;
  /** For a published resident's suggestion: the editor who approved it ("approved by Ed"), else null. */
  approvedBy: string | null;
}

export interface HistoryPage {
  item: HistoryItem;
  /** Newest first. */
  revisions: HistoryRevision[];
  /** The compare form's defaults: the previous version and the current one. */
  compare: { from: number; to: number } | null;
  /** Only editors revert; a trusted reporter may look at its own places' history. */
  canRevert: boolean;
}

const NOUNS: Record<ContentKind, string> = { place: 'place', alert: 'alert', page: 'information page' };

/** The {kind} segment of a history address; anything else is a page that does not exist. */
export function parseContentKind(raw: string | undefined): ContentKind {
  const kind = CONTENT_KINDS.find((k) => k === raw);
  if (!kind) throw new NotFoundError(`No kind of content "${raw ?? ''}"`);
  return kind;
}

/** A positive whole number written plainly ("12", not "12abc" or "1e3"), or null. */
export function parseRevisionNumber(raw: string | null | undefined): number | null {
  if (raw === null || raw === undefined || !/^[1-9]\d{0,15}$/.test(raw.trim())) return null;
  const value = Number(raw.trim());
  return Number.isSafeInteger(value) ? value : null;
}

function parseTargetId(raw: string | undefined): number {
  const id = parseRevisionNumber(raw);
  if (id === null) throw new NotFoundError(`No item "${raw ?? ''}"`);
  return id;
}

/** Retired items are still shown: their history matters most when someone retired one by mistake. */
async function findItem(db: Database, kind: ContentKind, id: number): Promise<HistoryItem> {
  const found = await (async () => {
    switch (kind) {
      case 'place': {
        const [row] = await db
          .select({ title: places.name, slug: places.slug, serviceSlug: services.slug, retired: places.retired, current: places.currentRevisionId })
          .from(places)
          .innerJoin(services, eq(places.serviceId, services.id))
          .where(eq(places.id, id));
        return row && { title: row.title, path: `/services/${row.serviceSlug}/${row.slug}`, retired: row.retired, current: row.current };
      }
      case 'alert': {
        const [row] = await db.select({ title: alerts.headline, retired: alerts.retired, current: alerts.currentRevisionId }).from(alerts).where(eq(alerts.id, id));
        return row && { title: row.title, path: `/alerts/${id}`, retired: row.retired, current: row.current };
      }
      case 'page': {
        const [row] = await db.select({ title: pages.title, slug: pages.slug, retired: pages.retired, current: pages.currentRevisionId }).from(pages).where(eq(pages.id, id));
        return row && { title: row.title, path: `/pages/${row.slug}`, retired: row.retired, current: row.current };
      }
    }
  })();
  if (!found) throw new NotFoundError(`No ${kind} ${id}`);
  return {
    kind,
    id,
    noun: NOUNS[kind],
    title: found.title,
    publicPath: found.retired || found.current === null ? null : found.path,
    currentRevisionId: found.current,
  };
}

/** Reporters see the history of the places granted to them and nothing else. */
async function requireHistoryAccess(staff: Staff, item: HistoryItem): Promise<void> {
  if (hasRole(staff.account.role, 'editor')) return;
  if (item.kind === 'place' && (await canPublishToPlace(staff, item.id))) return;
  throw new ForbiddenError('You can only see the history of the places you are responsible for');
}

async function openItem(staff: Staff, kindParam: string | undefined, idParam: string | undefined): Promise<{ db: Database; item: HistoryItem }> {
  const kind = parseContentKind(kindParam);
  const id = parseTargetId(idParam);
  const db = await getDb();
  const item = await findItem(db, kind, id);
  await requireHistoryAccess(staff, item);
  return { db, item };
}

/**
 * The revision the compare form starts from: the one the current version was published on
 * top of, or else the next older one.
 */
function previousOf(revisions: RevisionEntry[], current: RevisionEntry): number {
  if (current.parentId !== null && revisions.some((r) => r.id === current.parentId)) return current.parentId;
  return revisions.find((r) => r.id < current.id)?.id ?? current.id;
}

/** Who approved each published suggestion among these revisions, by revision id. */
async function approversOf(db: Database, ids: number[]): Promise<Map<number, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({ id: revisionsTable.id, name: accounts.name })
    .from(revisionsTable)
    .innerJoin(accounts, eq(revisionsTable.reviewedByAccountId, accounts.id))
    .where(and(inArray(revisionsTable.id, ids), isNotNull(revisionsTable.suggestionId), isNotNull(revisionsTable.publishSeq)));
  return new Map(rows.map((r) => [r.id, r.name]));
}

async function buildHistoryPage(db: Database, staff: Staff, item: HistoryItem): Promise<HistoryPage> {
  const entries = await listRevisions(db, item.kind, item.id);
  const approvers = await approversOf(db, entries.filter((r) => r.published).map((r) => r.id));
  const revisions = entries.map((r) => ({
    ...r,
    isCurrent: r.id === item.currentRevisionId,
    revertible: r.published && r.id !== item.currentRevisionId,
    approvedBy: approvers.get(r.id) ?? null,
  }));
  const current = entries.find((r) => r.id === item.currentRevisionId) ?? entries[0];
  return {
    item,
    revisions,
    compare: current ? { from: previousOf(entries, current), to: current.id } : null,
    canRevert: hasRole(staff.account.role, 'editor'),
  };
}

/** Every revision of a place, alert or page, newest first. Unknown kind or id: NotFoundError. */
export async function loadHistoryPage(staff: Staff, kindParam: string | undefined, idParam: string | undefined): Promise<HistoryPage> {
  const { db, item } = await openItem(staff, kindParam, idParam);
  return buildHistoryPage(db, staff, item);
}

export interface DiffSide {
  revision: RevisionEntry;
  isCurrent: boolean;
}

export type DiffPage =
  | { ok: true; item: HistoryItem; from: DiffSide; to: DiffSide; diffs: FieldDiff[]; choices: RevisionEntry[] }
  | {
      ok: false;
      item: HistoryItem;
      issues: FormIssue[];
      /** What was asked for, kept for the form. */
      requested: { from: string; to: string };
      choices: RevisionEntry[];
    };

/**
 * The field-by-field difference between any two revisions of one item (`from` → `to`, in that
 * order, so an older version can also be compared against a newer one backwards). Revision
 * numbers that are missing, malformed or belong to something else are expected mistakes (an
 * edited address, an old bookmark): they come back as issues, not errors.
 */
export async function loadDiffPage(
  staff: Staff,
  kindParam: string | undefined,
  idParam: string | undefined,
  params: URLSearchParams,
  now = new Date(),
): Promise<DiffPage> {
  const { db, item } = await openItem(staff, kindParam, idParam);
  const choices = await listRevisions(db, item.kind, item.id);
  const requested = { from: params.get('from') ?? '', to: params.get('to') ?? '' };
  const sides = { from: 'compare from', to: 'compare to' } as const;
  const issues: FormIssue[] = [];
  const found: Partial<Record<'from' | 'to', RevisionEntry>> = {};
  for (const field of ['from', 'to'] as const) {
    const raw = requested[field].trim();
    const id = parseRevisionNumber(raw);
    const revision = id === null ? undefined : choices.find((r) => r.id === id);
    if (raw === '') issues.push({ field, message: `Choose a version to ${sides[field]}` });
    else if (id === null) issues.push({ field, message: `The version to ${sides[field]} must be a revision number, like 12` });
    else if (!revision) issues.push({ field, message: `Revision ${id} is not a version of this ${item.noun}` });
    else found[field] = revision;
  }
  if (!found.from || !found.to) return { ok: false, item, issues, requested, choices };
  return {
    ok: true,
    item,
    from: { revision: found.from, isCurrent: found.from.id === item.currentRevisionId },
    to: { revision: found.to, isCurrent: found.to.id === item.currentRevisionId },
    diffs: diffContent(item.kind, found.from.content, found.to.content, now),
    choices,
  };
}

export type RevertOutcome =
  | { ok: true; location: string }
  | { ok: false; status: 400; page: HistoryPage; issues: FormIssue[] }
  | {
      ok: false;
      status: 409;
      page: HistoryPage;
      /** The version published since the history page was opened, and what it changed. */
      conflict: { currentRevisionId: number; theirChanges: FieldDiff[] };
    };

/**
 * Makes an approved earlier revision current again, as a new revision on top of `base` (the
 * version the person was looking at). Only from the confirmation page (`confirm=yes`): any other
 * post is sent there and changes nothing. If someone published meanwhile nothing is saved and the
 * history is shown again with their change, so the person decides with the facts in front of
 * them. The caller has already required the editor role.
 */
export async function revertFromHistory(
  staff: Staff,
  kindParam: string | undefined,
  idParam: string | undefined,
  form: FormData,
): Promise<RevertOutcome> {
  const { db, item } = await openItem(staff, kindParam, idParam);
  if (!hasRole(staff.account.role, 'editor')) throw new ForbiddenError('Only editors can revert');
  const invalid = async (issues: FormIssue[]): Promise<RevertOutcome> => ({ ok: false, status: 400, page: await buildHistoryPage(db, staff, item), issues });
  const revision = parseRevisionNumber(String(form.get('revision') ?? ''));
  const base = parseRevisionNumber(String(form.get('base') ?? ''));
  // Both come from hidden fields: a bad value means a tampered or very old form, not a typo.
  if (revision === null) return invalid([{ field: 'revisions', message: 'Choose a version to revert to' }]);
  if (base === null) return invalid([{ field: 'revisions', message: 'The history page was out of date. Try again' }]);
  if (revision === item.currentRevisionId) return invalid([{ field: 'revisions', message: `Revision ${revision} is already the current version` }]);
  // Not confirmed (the history page's old one-step form, say): show what would change first.
  if (form.get('confirm') !== 'yes') return { ok: true, location: revertConfirmationPath(item.kind, item.id, revision) };

  const author = staffAuthor(staff, (await getCouncil(db)).name);
  const result = await revertToRevision(db, item.kind, item.id, revision, base, author);
  if (result.ok) return { ok: true, location: `${historyPath(item.kind, item.id)}?reverted=${revision}` };
  if (result.reason === 'not_found') {
    return invalid([{ field: 'revisions', message: `Revision ${revision} is not an approved version of this ${item.noun}` }]);
  }
  // Re-read the item: the page must offer the revert again on top of what is current now.
  const fresh = await findItem(db, item.kind, item.id);
  return {
    ok: false,
    status: 409,
    page: await buildHistoryPage(db, staff, fresh),
    conflict: { currentRevisionId: result.current.id, theirChanges: result.theirChanges },
  };
}

export function historyPath(kind: ContentKind, id: number): string {
  return `/staff/history/${kind}/${id}`;
}


export type RevertConfirmation =
  | {
      ok: true;
      item: HistoryItem;
      /** The version that would be published again. */
      target: RevisionEntry;
      /** What is published now: the revert is made on top of it. */
      current: RevisionEntry;
      /** What the revert changes, from the current version to the chosen one. */
      diffs: FieldDiff[];
    }
  | { ok: false; item: HistoryItem; issues: FormIssue[] };

/**
 * The confirmation step before a revert: what the item would change from (the current version)
 * and to (the chosen one), field by field. Only editors revert, so only editors see it.
 */
export async function loadRevertConfirmation(
  staff: Staff,
  kindParam: string | undefined,
  idParam: string | undefined,
  params: URLSearchParams,
  now = new Date(),
): Promise<RevertConfirmation> {
  const { db, item } = await openItem(staff, kindParam, idParam);
  if (!hasRole(staff.account.role, 'editor')) throw new ForbiddenError('Only editors can revert');
  const entries = await listRevisions(db, item.kind, item.id);
  const id = parseRevisionNumber(params.get('revision'));
  const target = id === null ? undefined : entries.find((r) => r.id === id && r.published);
  const current = entries.find((r) => r.id === item.currentRevisionId);
  if (id === null) return { ok: false, item, issues: [{ field: 'revisions', message: 'Choose a version to revert to' }] };
  if (!target) return { ok: false, item, issues: [{ field: 'revisions', message: `Revision ${id} is not an approved version of this ${item.noun}` }] };
  if (!current) return { ok: false, item, issues: [{ field: 'revisions', message: `This ${item.noun} has no published version to revert` }] };
  if (target.id === current.id) return { ok: false, item, issues: [{ field: 'revisions', message: `Revision ${id} is already the current version` }] };
  return { ok: true, item, target, current, diffs: diffContent(item.kind, current.content, target.content, now) };
}

/** The confirmation page of a revert to `revision`. */
export function revertConfirmationPath(kind: ContentKind, id: number, revision: number): string {
  return `${historyPath(kind, id)}/revert?revision=${revision}`;
}
