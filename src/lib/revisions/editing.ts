// Staff edits through the one revision mechanism: save on top of a base revision (an edit
// conflict is reported with both sides, never overwritten), revert to an earlier revision, and
// who a change is publicly credited to.
import type { ContentKind } from '../../../db/schema/index.ts';
import type { Staff } from '../auth/guards.ts';
import { hasRole } from '../auth/roles.ts';
import type { Database } from '../server/database.ts';
import { completeDraft, type ContentByKind, type DraftByKind } from './content.ts';
import { changedFields, diffContent, type FieldDiff } from './diff.ts';
import { findRevision, type RevisionEntry } from './history.ts';
import { publishRevision, type Author } from './service.ts';

/** Editors publish as the council; a trusted reporter (a school office) under its own name. */
export function staffAuthor(staff: Staff, councilName: string): Author {
  return { accountId: staff.account.id, label: hasRole(staff.account.role, 'editor') ? councilName : staff.account.name };
}

export type SaveOutcome<K extends ContentKind> =
  | { ok: true; revisionId: number }
  | { ok: false; reason: 'not_found' }
  | {
      ok: false;
      reason: 'conflict';
      /** The revision the form was based on, and the one published since. */
      base: RevisionEntry<K> | undefined;
      current: RevisionEntry<K>;
      /** What the other person changed (base → current). */
      theirChanges: FieldDiff[];
      /** What this save would change on top of the current version. */
      yourChanges: FieldDiff[];
    };

/** A revision's content as a draft again (the rendered HTML is made anew on save). */
export function withoutHtml<K extends ContentKind>(content: ContentByKind[K]): DraftByKind[K] {
  const { noteHtml: _n, bodyHtml: _b, ...draft } = content as ContentByKind[K] & { noteHtml?: string; bodyHtml?: string };
  return draft as unknown as DraftByKind[K];
}

/** Publishes `draft` as a new revision on top of `baseRevisionId`, or explains the conflict. */
export async function saveRevision<K extends ContentKind>(
  db: Database,
  kind: K,
  targetId: number,
  baseRevisionId: number,
  draft: DraftByKind[K],
  author: Author,
  summary: string,
): Promise<SaveOutcome<K>> {
  const result = await publishRevision(db, targetId, baseRevisionId, { kind, draft } as Parameters<typeof publishRevision>[3], { author, summary });
  if (result.ok) return result;
  if (result.reason !== 'conflict' || result.currentRevisionId === null) return { ok: false, reason: 'not_found' };
  const [base, current] = await Promise.all([
    findRevision(db, kind, targetId, baseRevisionId),
    findRevision(db, kind, targetId, result.currentRevisionId),
  ]);
  if (!current) return { ok: false, reason: 'not_found' };
  const mine = completeDraft({ kind, draft } as Parameters<typeof completeDraft>[0]).content as ContentByKind[K];
  return {
    ok: false,
    reason: 'conflict',
    base,
    current,
    theirChanges: base ? diffContent(kind, base.content, current.content) : [],
    yourChanges: diffContent(kind, current.content, mine),
  };
}

/**
 * Makes an earlier revision's content current again, as a new revision (history is never
 * rewritten). Based on the currently published revision, so it too can conflict.
 */
export async function revertToRevision<K extends ContentKind>(
  db: Database,
  kind: K,
  targetId: number,
  revisionId: number,
  baseRevisionId: number,
  author: Author,
): Promise<SaveOutcome<K>> {
  const target = await findRevision(db, kind, targetId, revisionId);
  if (!target || !target.published) return { ok: false, reason: 'not_found' };
  return saveRevision(db, kind, targetId, baseRevisionId, withoutHtml<K>(target.content), author, `Reverted to revision ${revisionId}`);
}

/** An edit conflict as the forms show it: who published in between, when, and the changes on each side. */
export interface ConflictSummary {
  by: string;
  at: Date;
  theirChanges: FieldDiff[];
  yourChanges: FieldDiff[];
}

export function summariseConflict<K extends ContentKind>(outcome: Extract<SaveOutcome<K>, { reason: 'conflict' }>): ConflictSummary {
  return {
    by: outcome.current.authorName ?? outcome.current.authorLabel,
    at: outcome.current.createdAt,
    theirChanges: changedFields(outcome.theirChanges),
    yourChanges: changedFields(outcome.yourChanges),
  };
}
