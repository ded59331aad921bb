// Residents' suggestions through the one revision mechanism. A suggestion is a *pending*
// revision (the resident's full proposed content) plus a row for tracking and review. Approval
// publishes a new approved revision credited to "a resident" (the reviewer recorded
// internally); decline rejects the pending one with a reason. Every step is one atomic batch,
// and approval is guarded so two editors can never both publish, or overwrite each other.
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeHexLowerCase } from '@oslojs/encoding';
import { and, eq, sql } from 'drizzle-orm';
import { revisions, suggestions, type ContentKind } from '../../../db/schema/index.ts';
import { generateSessionToken } from '../auth/sessions.ts';
import { completeDraft, type AnyDraft, type ContentByKind, type DraftByKind } from '../revisions/content.ts';
import { markContentChanged } from '../http/page-cache.ts';
import { recordSuggestionOutcomeEvent } from '../notifications/outbox.ts';
import { createContentStatements, publishRevision, type Statement } from '../revisions/service.ts';
import type { Database } from '../server/database.ts';

/** How residents are credited in public. */
export const RESIDENT_LABEL = 'a resident';

export type SuggestionOutcome = 'waiting' | 'approved' | 'approved_with_changes' | 'declined';

export function tokenHash(token: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
}

export interface NewSuggestion {
  kind: 'change' | 'new';
  /** What the suggestion proposes: the full content (for a change: the current content with the resident's fields). */
  draft: AnyDraft;
  /** For a change: the published thing and the revision the resident saw. */
  targetId: number | null;
  baseRevisionId: number | null;
  serviceId: number | null;
  howKnown: string;
  contactEmail: string | null;
  /** Keyed hash of the client address (never the address). */
  clientHash: string;
}

/**
 * Records a suggestion and its pending revision in one batch. Returns the private tracking token
 * (only its hash is stored — and, when the resident left an email address, the token itself until
 * the outcome email with its link has been sent).
 */
export async function recordSuggestion(db: Database, input: NewSuggestion, now = new Date()): Promise<{ token: string; suggestionId: number }> {
  const token = generateSessionToken();
  const completed = completeDraft(input.draft);
  const [inserted] = await db.batch([
    db
      .insert(suggestions)
      .values({
        tokenHash: tokenHash(token),
        targetKind: completed.kind,
        kind: input.kind,
        targetId: input.targetId,
        serviceId: input.serviceId,
        howKnown: input.howKnown,
        contactEmail: input.contactEmail,
        contactToken: input.contactEmail ? token : null,
        clientHash: input.clientHash,
        createdAt: now,
      })
      .returning({ id: suggestions.id }),
    db.insert(revisions).values({
      targetKind: completed.kind,
      targetId: input.targetId,
      parentId: input.baseRevisionId,
      content: completed.content,
      summary: input.kind === 'new' ? 'Suggested by a resident: something is missing' : 'Suggested by a resident',
      authorAccountId: null,
      authorLabel: RESIDENT_LABEL,
      suggestionId: sql`last_insert_rowid()`,
      state: 'pending',
      createdAt: now,
    }),
  ]);
  return { token, suggestionId: inserted[0]!.id };
}

export type SuggestionRow = typeof suggestions.$inferSelect;

export async function findSuggestionByToken(db: Database, token: string): Promise<SuggestionRow | undefined> {
  if (!/^[a-z2-7]{32}$/.test(token)) return undefined;
  const [row] = await db.select().from(suggestions).where(eq(suggestions.tokenHash, tokenHash(token)));
  return row;
}

/** The resident's pending revision of a suggestion (its proposal, as first sent). */
export async function findProposal<K extends ContentKind>(db: Database, suggestionId: number): Promise<{ id: number; parentId: number | null; content: ContentByKind[K] } | undefined> {
  const [row] = await db
    .select({ id: revisions.id, parentId: revisions.parentId, content: revisions.content })
    .from(revisions)
    .where(and(eq(revisions.suggestionId, suggestionId), sql`${revisions.publishSeq} IS NULL`));
  return row as { id: number; parentId: number | null; content: ContentByKind[K] } | undefined;
}

/**
 * A proposal applied to content that may have changed since the resident saw it: the fields the
 * resident changed (base → proposal) taken from the proposal, everything else from the current
 * version — so approving never undoes what someone else published meanwhile.
 */
export function applyProposal<C extends object>(base: C | null, proposal: C, current: C | null): C {
  if (!base || !current) return proposal;
  const merged = { ...current } as Record<string, unknown>;
  for (const key of Object.keys(proposal) as (keyof C & string)[]) {
    if (JSON.stringify(proposal[key]) !== JSON.stringify(base[key])) merged[key] = proposal[key];
  }
  return merged as C;
}

const stillWaiting = (suggestionId: number) => sql`EXISTS (SELECT 1 FROM suggestions WHERE id = ${suggestionId} AND outcome = 'waiting')`;

/** Closes a suggestion and its pending revision — only if the approval was really published. */
function closeAfterPublishing(db: Database, suggestionId: number, outcome: 'approved' | 'approved_with_changes', reviewerId: number, at: Date): Statement[] {
  const published = sql`EXISTS (SELECT 1 FROM revisions WHERE suggestion_id = ${suggestionId} AND publish_seq IS NOT NULL)`;
  return [
    db
      .update(suggestions)
      .set({ outcome, reviewedAt: at, reviewedByAccountId: reviewerId })
      .where(and(eq(suggestions.id, suggestionId), eq(suggestions.outcome, 'waiting'), published)),
    db
      .update(revisions)
      .set({ state: 'approved', reviewedAt: at, reviewedByAccountId: reviewerId })
      .where(and(eq(revisions.suggestionId, suggestionId), eq(revisions.state, 'pending'), published)),
    recordSuggestionOutcomeEvent(db, suggestionId, at),
  ];
}

export type ReviewResult =
  | { ok: true; revisionId: number; targetId: number }
  | { ok: false; reason: 'conflict'; currentRevisionId: number | null }
  | { ok: false; reason: 'already_reviewed' }
  | { ok: false; reason: 'not_found' };

export interface Approval<K extends ContentKind> {
  suggestion: SuggestionRow;
  /** The content to publish (the proposal as merged and perhaps edited by the reviewer). */
  draft: DraftByKind[K];
  /** For a change: the published revision the reviewer saw. */
  baseRevisionId: number | null;
  /** The reviewer changed the proposal before approving. */
  edited: boolean;
  reviewerId: number;
  summary: string;
}

/** Publishes a suggestion. Two editors at once: one wins, the other is told (conflict or already reviewed). */
export async function approveSuggestion<K extends ContentKind>(db: Database, approval: Approval<K>, now = new Date()): Promise<ReviewResult> {
  const { suggestion } = approval;
  if (suggestion.outcome !== 'waiting') return { ok: false, reason: 'already_reviewed' };
  const outcome = approval.edited ? 'approved_with_changes' : 'approved';
  const draft = { kind: suggestion.targetKind, draft: approval.draft } as AnyDraft;
  const options = {
    author: { accountId: null, label: RESIDENT_LABEL },
    summary: approval.summary,
    at: now,
    suggestionId: suggestion.id,
    reviewerAccountId: approval.reviewerId,
    requireSql: stillWaiting(suggestion.id),
    alsoRun: closeAfterPublishing(db, suggestion.id, outcome, approval.reviewerId, now),
  };
  if (suggestion.targetId !== null) {
    if (approval.baseRevisionId === null) return { ok: false, reason: 'not_found' };
    const result = await publishRevision(db, suggestion.targetId, approval.baseRevisionId, draft, options);
    if (result.ok) return { ok: true, revisionId: result.revisionId, targetId: suggestion.targetId };
    if (result.reason === 'refused') return { ok: false, reason: 'already_reviewed' };
    return result;
  }
  // Something new: create it. The unique index on a suggestion's published revision stops a
  // second approval at the same moment; the batch then fails as a whole.
  try {
    const statements = createContentStatements(db, completeDraft(draft), options);
    const results = await db.batch([statements[0]!, ...statements.slice(1)]);
    markContentChanged();
    const [row] = results[1] as { id: number; targetId: number }[];
    return { ok: true, revisionId: row!.id, targetId: row!.targetId };
  } catch (error) {
    // Only the index on a suggestion's published revision means "someone approved it first";
    // any other clash (a place's address already taken) is the caller's to report.
    if (/UNIQUE constraint failed: revisions\.suggestion_id/i.test(String((error as Error).message ?? error))) return { ok: false, reason: 'already_reviewed' };
    throw error;
  }
}

/**
 * Declines waiting suggestions with a reason; returns how many were still waiting. Residents who
 * left an email address are told, with the reason, unless `tellResidents` is false (spam).
 */
export async function declineSuggestions(
  db: Database,
  suggestionIds: number[],
  reason: string,
  reviewerId: number,
  now = new Date(),
  { tellResidents = true }: { tellResidents?: boolean } = {},
): Promise<number> {
  let declined = 0;
  for (const id of suggestionIds) {
    const [closed] = await db.batch([
      db
        .update(suggestions)
        .set({ outcome: 'declined', declineReason: reason, reviewedAt: now, reviewedByAccountId: reviewerId })
        .where(and(eq(suggestions.id, id), eq(suggestions.outcome, 'waiting')))
        .returning({ id: suggestions.id }),
      db
        .update(revisions)
        .set({ state: 'rejected', rejectionReason: reason, reviewedAt: now, reviewedByAccountId: reviewerId })
        .where(and(eq(revisions.suggestionId, id), eq(revisions.state, 'pending'), sql`EXISTS (SELECT 1 FROM suggestions WHERE id = ${id} AND outcome = 'declined' AND reviewed_at = ${now.getTime()})`)),
      ...(tellResidents ? [recordSuggestionOutcomeEvent(db, id, now)] : []),
    ]);
    declined += closed.length;
  }
  return declined;
}
