// The web team's review of residents' suggestions: the read models behind /staff/review (the
// queue, oldest first) and /staff/review/{id} (one suggestion with its three-way view), and the
// use cases behind their forms — approve, edit then approve, decline, decline many as spam.
// Every write goes through src/lib/suggestions/service.ts, whose approval is guarded in the
// database: two editors at once never both publish, and nothing published meanwhile is undone.
import type { ContentKind } from '../../../db/schema/index.ts';
import type { Staff } from '../auth/guards.ts';
import { hasRole } from '../auth/roles.ts';
import { BadRequestError, ForbiddenError, NotFoundError } from '../errors.ts';
import { markContentChanged } from '../http/page-cache.ts';
import { STATUS_PRESENTATION } from '../places/status.ts';
import { parseStatusDetails, readFormValues, slugFromName, type Parsed } from '../places/validation.ts';
import type { AlertContent, AnyDraft, ContentByKind, PageContent, PlaceContent } from '../revisions/content.ts';
import { changedFields, diffContent, type FieldDiff } from '../revisions/diff.ts';
import { withoutHtml } from '../revisions/editing.ts';
import { findRevision, type RevisionEntry } from '../revisions/history.ts';
import type { Database } from '../server/database.ts';
import { getDb } from '../server/db.ts';
import { listServices, type ServiceRow } from '../services/repository.ts';
import { formatDateTime, parseLondonLocal } from '../time/london.ts';
import {
  countOtherWaiting,
  findPlaceClash,
  findPublishedRevisionOf,
  findPublishedTarget,
  findServiceById,
  findSuggestionForReview,
  listWaitingSuggestions,
  type PublishedTarget,
  type SuggestionForReview,
  type WaitingSuggestionRow,
} from './review-repository.ts';
import {
  DECLINE_FIELDS,
  EDIT_FIELDS,
  isEdited,
  parseDecline,
  parseQueueFilters,
  parseReviewEdit,
  parseTickedSuggestions,
  QUEUE_KIND_LABEL,
  SPAM_REASON,
  type EditFormKind,
  type FormIssue,
  type FormValues,
  type QueueFilters,
  type QueueKind,
  type ReviewEdit,
} from './review-validation.ts';
import { applyProposal, approveSuggestion, declineSuggestions, findProposal, RESIDENT_LABEL, type SuggestionOutcome } from './service.ts';

/** The queue shows this many at once, oldest first: the rest wait their turn. */
export const QUEUE_LIMIT = 200;

/** Public edit summaries of approved suggestions (they appear in the feeds). */
const APPROVED_SUMMARY = 'Suggested by a resident';
const EDITED_SUMMARY = 'Suggested by a resident, with changes by the web team';

// ─── Small pure helpers ──────────────────────────────────────────────────────────────────────

/** How long ago, in plain words: "just now", "1 minute ago", "12 minutes ago", "3 hours ago", "2 days ago". */
export function formatAge(then: Date, now: Date): string {
  const minutes = Math.floor((now.getTime() - then.getTime()) / 60_000);
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'} ago`;
  if (minutes < 1) return 'just now';
  if (minutes < 60) return plural(minutes, 'minute');
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return plural(hours, 'hour');
  return plural(Math.floor(hours / 24), 'day');
}

/** One line of plain text, cut to `max` characters. Markdown stays as typed: it is shown as text. */
function oneLine(text: string, max = 100): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1).trimEnd()}…`;
}

export function parseSuggestionId(raw: string | undefined): number {
  if (!raw || !/^[1-9]\d{0,14}$/.test(raw)) throw new NotFoundError(`No suggestion "${raw ?? ''}"`);
  return Number(raw);
}

function requireEditor(staff: Staff): void {
  if (!hasRole(staff.account.role, 'editor')) throw new ForbiddenError('Only editors review suggestions');
}

function queueKindOf(s: { kind: 'change' | 'new'; targetKind: ContentKind }): QueueKind {
  return s.kind === 'new' ? 'missing' : s.targetKind;
}

const NOUN: Record<ContentKind, string> = { place: 'place', alert: 'alert', page: 'information page' };

// ─── The queue ───────────────────────────────────────────────────────────────────────────────

export interface QueueItem {
  id: number;
  kindLabel: string;
  /** What it is about, linked to the public page when there is one. */
  about: { text: string; href: string | null };
  serviceName: string | null;
  /** For places: the proposed status, shown as a tag like on the public pages. */
  status: { label: string; tagClass: string } | null;
  /** The proposal in one line of plain text. */
  summary: string;
  createdAt: Date;
  age: string;
  reviewPath: string;
}

export interface SuccessBanner {
  heading: string;
  body: string | null;
  link: { href: string; text: string } | null;
}

export interface ReviewQueue {
  items: QueueItem[];
  /** Waiting suggestions matching the filters, including any beyond the first QUEUE_LIMIT. */
  total: number;
  services: { slug: string; name: string }[];
  kinds: { value: QueueKind; label: string }[];
  filters: QueueFilters;
  issues: FormIssue[];
  /** Suggestions ticked in a "Decline as spam" form sent back with a problem. */
  ticked: number[];
  banner: SuccessBanner | null;
}

function aboutOf(row: WaitingSuggestionRow): QueueItem['about'] {
  if (row.kind === 'new') {
    switch (row.targetKind) {
      case 'place':
        return { text: `New ${(row.placeLabel ?? 'place').toLowerCase()}: ${(row.proposal as PlaceContent).name}`, href: null };
      case 'alert':
        return { text: `New information: ${(row.proposal as AlertContent).headline}`, href: null };
      case 'page':
        return { text: `New page: ${(row.proposal as PageContent).title}`, href: null };
    }
  }
  switch (row.targetKind) {
    case 'place':
      return { text: row.placeName ?? `Place ${row.targetId}`, href: row.serviceSlug && row.placeSlug ? `/services/${row.serviceSlug}/${row.placeSlug}` : null };
    case 'alert':
      return { text: row.alertHeadline ?? `Alert ${row.targetId}`, href: `/alerts/${row.targetId}` };
    case 'page':
      return { text: row.pageTitle ?? `Page ${row.targetId}`, href: row.pageSlug ? `/pages/${row.pageSlug}` : null };
  }
}

/** What the resident changed, in one line: the first changed field and the words they added. */
function describeChanges(diffs: FieldDiff[]): string {
  const changed = changedFields(diffs);
  const first = changed[0];
  if (!first) return 'No changes';
  const added = first.parts ? first.parts.filter((p) => p.added).map((p) => p.value).join(' ') : first.after;
  const what = added.trim() === '' ? `${first.label}: text removed` : `${first.label}: “${oneLine(added, 80)}”`;
  return changed.length > 1 ? `${what} and ${changed.length - 1} more` : what;
}

function summaryOf(row: WaitingSuggestionRow, now: Date): string {
  if (row.targetKind === 'place') return oneLine((row.proposal as PlaceContent).noteMarkdown);
  if (row.kind === 'new') {
    const text = row.targetKind === 'alert' ? (row.proposal as AlertContent).bodyMarkdown : (row.proposal as PageContent).bodyMarkdown;
    return oneLine(text) || 'No details';
  }
  return describeChanges(diffContent(row.targetKind, (row.base as ContentByKind[typeof row.targetKind] | null) ?? null, row.proposal as never, now));
}

async function queueBanner(db: Database, params: URLSearchParams): Promise<SuccessBanner | null> {
  const spam = params.get('spam');
  if (spam !== null && /^\d{1,6}$/.test(spam)) {
    const n = Number(spam);
    return { heading: `${n} ${n === 1 ? 'suggestion' : 'suggestions'} declined as spam`, body: null, link: null };
  }
  for (const key of ['approved', 'declined'] as const) {
    const raw = params.get(key);
    if (raw === null || !/^[1-9]\d{0,14}$/.test(raw)) continue;
    const suggestion = await findSuggestionForReview(db, Number(raw));
    if (!suggestion || suggestion.outcome === 'waiting') return null;
    const about = await describeTarget(db, suggestion);
    if (key === 'declined' && suggestion.outcome === 'declined') {
      return { heading: `Suggestion declined: ${about.title}`, body: suggestion.declineReason ? `Reason: ${suggestion.declineReason}` : null, link: null };
    }
    if (key === 'approved' && suggestion.outcome !== 'declined') {
      return {
        heading: `${suggestion.outcome === 'approved_with_changes' ? 'Published with your changes' : 'Published'}: ${about.title}`,
        body: `It is on the public site now, credited to ${RESIDENT_LABEL}.`,
        link: about.publicPath ? { href: about.publicPath, text: 'See it on the public site' } : null,
      };
    }
  }
  return null;
}

async function buildQueue(db: Database, params: URLSearchParams, now: Date, extra: { issues?: FormIssue[]; ticked?: number[] } = {}): Promise<ReviewQueue> {
  const serviceRows = await listServices(db);
  const { filters, issues } = parseQueueFilters(params, serviceRows.map((s) => s.slug));
  const serviceId = filters.service === null ? null : (serviceRows.find((s) => s.slug === filters.service)?.id ?? null);
  const [{ rows, total }, banner] = await Promise.all([listWaitingSuggestions(db, filters, serviceId, QUEUE_LIMIT), extra.issues ? null : queueBanner(db, params)]);
  return {
    items: rows.map((row) => ({
      id: row.id,
      kindLabel: QUEUE_KIND_LABEL[queueKindOf(row)],
      about: aboutOf(row),
      serviceName: row.serviceName,
      status: row.targetKind === 'place' ? STATUS_PRESENTATION[(row.proposal as PlaceContent).status] : null,
      summary: summaryOf(row, now),
      createdAt: row.createdAt,
      age: formatAge(row.createdAt, now),
      reviewPath: `/staff/review/${row.id}`,
    })),
    total,
    services: serviceRows.map((s) => ({ slug: s.slug, name: s.name })),
    kinds: (Object.keys(QUEUE_KIND_LABEL) as QueueKind[]).map((value) => ({ value, label: QUEUE_KIND_LABEL[value] })),
    filters,
    issues: [...issues, ...(extra.issues ?? [])],
    ticked: extra.ticked ?? [],
    banner,
  };
}

/** Waiting suggestions, oldest first, filtered by service and kind (`?service=&kind=`). */
export async function loadReviewQueue(params: URLSearchParams, now = new Date()): Promise<ReviewQueue> {
  return buildQueue(await getDb(), params, now);
}

export type SpamOutcome = { ok: true; redirect: string } | { ok: false; status: 400; queue: ReviewQueue };

/** Declines every ticked suggestion with the reason "Spam" (those someone reviewed meanwhile are left as they are). */
export async function declineAsSpam(staff: Staff, form: FormData, now = new Date()): Promise<SpamOutcome> {
  requireEditor(staff);
  const db = await getDb();
  // The queue's filters come back as hidden fields, so the person returns to the same view.
  const filters = new URLSearchParams();
  for (const name of ['service', 'kind']) {
    const value = form.get(name);
    if (typeof value === 'string' && value !== '') filters.set(name, value);
  }
  const ticked = form.getAll('suggestion').filter((v): v is string => typeof v === 'string');
  const parsed = parseTickedSuggestions(ticked);
  if (!parsed.ok) {
    return { ok: false, status: 400, queue: await buildQueue(db, filters, now, { issues: parsed.issues, ticked: ticked.map(Number).filter(Number.isSafeInteger) }) };
  }
  const declined = await declineSuggestions(db, parsed.value, SPAM_REASON, staff.account.id, now, { tellResidents: false });
  filters.set('spam', String(declined));
  return { ok: true, redirect: `/staff/review?${filters}` };
}

// ─── One suggestion ──────────────────────────────────────────────────────────────────────────

export interface ReviewedState {
  outcome: Exclude<SuggestionOutcome, 'waiting'>;
  /** "approved", "approved with changes", "declined". */
  outcomeText: string;
  by: string;
  at: Date | null;
  reason: string | null;
}

export interface ReviewConflict {
  reason: 'changed' | 'reviewed';
  /** Plain words for the person: what happened and that nothing was published. */
  message: string;
}

export interface ReviewPage {
  suggestion: {
    id: number;
    kind: QueueKind;
    kindLabel: string;
    isNew: boolean;
    howKnown: string;
    createdAt: Date;
    age: string;
    /** Whether the resident left an email address (the address itself is never shown). */
    hasEmail: boolean;
  };
  about: {
    title: string;
    /** "school", "alert", "information page". */
    noun: string;
    serviceName: string | null;
    publicPath: string | null;
    historyPath: string | null;
    retired: boolean;
  };
  /** Null while waiting. */
  reviewed: ReviewedState | null;
  /** The published revision every form is based on ('' for something new). */
  base: string;
  /** Someone published since the resident looked: the three-way view is shown. */
  changedMeanwhile: { by: string; at: Date; summary: string } | null;
  /** What approving publishes, against the version published now (for something new: everything). */
  approving: FieldDiff[];
  /** Three-way view only: the resident's changes (their version → proposal) and the others' (their version → now). */
  residentChanges: FieldDiff[] | null;
  theirChanges: FieldDiff[] | null;
  editForm: { kind: EditFormKind; values: FormValues; placeLabel: string };
  /**
   * For a place: what the approve forms' "until" and "expected to reopen" inputs hold
   * (`approve-until`, `approve-reopening`, `edit-until`, `edit-reopening`), so a status a
   * resident reports ("the library is closed") does not stay set for ever.
   */
  periodValues: FormValues;
  declineValues: FormValues;
  issues: FormIssue[];
  /** The form whose problems are shown, kept open. */
  openForm: 'edit' | 'decline' | null;
  conflict: ReviewConflict | null;
  /** Other suggestions waiting about the same thing. */
  otherWaiting: number;
}

interface Opened {
  suggestion: SuggestionForReview;
  proposal: ContentByKind[ContentKind];
  /** The version the resident saw, the one published now (both null for something new). */
  base: RevisionEntry | null;
  current: RevisionEntry | null;
  target: PublishedTarget | null;
  service: ServiceRow | null;
  /** applyProposal(base, proposal, current): what approving publishes. */
  merged: ContentByKind[ContentKind];
  editKind: EditFormKind;
}

function editKindOf(s: { kind: 'change' | 'new'; targetKind: ContentKind }): EditFormKind {
  if (s.kind === 'new') return s.targetKind === 'place' ? 'new-place' : s.targetKind === 'alert' ? 'new-alert' : 'page-body';
  return s.targetKind === 'place' ? 'place-status' : s.targetKind === 'alert' ? 'alert-body' : 'page-body';
}

async function openSuggestion(db: Database, id: number): Promise<Opened> {
  const suggestion = await findSuggestionForReview(db, id);
  if (!suggestion) throw new NotFoundError(`No suggestion ${id}`);
  const pending = await findProposal(db, id);
  if (!pending) throw new NotFoundError(`Suggestion ${id} has no proposal`);
  const kind = suggestion.targetKind;
  const proposal = pending.content as ContentByKind[ContentKind];
  let base: RevisionEntry | null = null;
  let current: RevisionEntry | null = null;
  let target: PublishedTarget | null = null;
  if (suggestion.targetId !== null) {
    target = (await findPublishedTarget(db, kind, suggestion.targetId)) ?? null;
    if (!target || target.currentRevisionId === null) throw new NotFoundError(`Suggestion ${id} is about something that does not exist`);
    [base, current] = await Promise.all([
      pending.parentId === null ? undefined : findRevision(db, kind, suggestion.targetId, pending.parentId),
      findRevision(db, kind, suggestion.targetId, target.currentRevisionId),
    ]).then(([b, c]) => [b ?? null, c ?? null]);
  }
  const serviceId = target?.service?.id ?? suggestion.serviceId ?? (kind === 'place' ? (proposal as PlaceContent).serviceId : null);
  const service = target?.service ?? (serviceId === null ? null : ((await findServiceById(db, serviceId)) ?? null));
  return {
    suggestion,
    proposal,
    base,
    current,
    target,
    service,
    merged: applyProposal<ContentByKind[ContentKind]>(base?.content ?? null, proposal, current?.content ?? null),
    editKind: editKindOf(suggestion),
  };
}

function titleOf(kind: ContentKind, content: ContentByKind[ContentKind]): string {
  switch (kind) {
    case 'place':
      return (content as PlaceContent).name;
    case 'alert':
      return (content as AlertContent).headline;
    case 'page':
      return (content as PageContent).title;
  }
}

/** What a suggestion is about and where it is, for the page and the queue's banner. */
async function describeTarget(db: Database, suggestion: SuggestionForReview, opened?: Opened): Promise<{ title: string; publicPath: string | null; historyPath: string | null; retired: boolean }> {
  const kind = suggestion.targetKind;
  const targetId = suggestion.targetId ?? (await findPublishedRevisionOf(db, suggestion.id))?.targetId ?? null;
  const target = targetId === null ? null : opened?.target ?? (await findPublishedTarget(db, kind, targetId)) ?? null;
  if (target && targetId !== null) return { title: target.title, publicPath: target.publicPath, historyPath: `/staff/history/${kind}/${targetId}`, retired: target.retired };
  const proposal = opened?.proposal ?? ((await findProposal(db, suggestion.id))?.content as ContentByKind[ContentKind] | undefined);
  return { title: proposal ? titleOf(kind, proposal) : `Suggestion ${suggestion.id}`, publicPath: null, historyPath: null, retired: false };
}

const OUTCOME_TEXT: Record<Exclude<SuggestionOutcome, 'waiting'>, string> = {
  approved: 'approved',
  approved_with_changes: 'approved with changes',
  declined: 'declined',
};

function reviewedState(s: SuggestionForReview): ReviewedState | null {
  if (s.outcome === 'waiting') return null;
  return { outcome: s.outcome, outcomeText: OUTCOME_TEXT[s.outcome], by: s.reviewerName ?? 'Someone', at: s.reviewedAt, reason: s.declineReason };
}

const coordinate = (value: number | null) => (value === null ? '' : String(value));

/** The "Edit, then approve" form filled in from the merged proposal. */
function prefill(kind: EditFormKind, merged: ContentByKind[ContentKind]): FormValues {
  switch (kind) {
    case 'place-status': {
      const c = merged as PlaceContent;
      return { status: c.status, note: c.noteMarkdown };
    }
    case 'alert-body':
    case 'page-body':
      return { body: (merged as AlertContent | PageContent).bodyMarkdown };
    case 'new-place': {
      const c = merged as PlaceContent;
      return {
        name: c.name, category: c.category, address: c.address, postcode: c.postcode, ward: c.ward, identifier: c.identifier ?? '',
        latitude: coordinate(c.latitude), longitude: coordinate(c.longitude), status: c.status, note: c.noteMarkdown,
      };
    }
    case 'new-alert': {
      const c = merged as AlertContent;
      return { severity: c.severity, headline: c.headline, body: c.bodyMarkdown };
    }
  }
}

/** The merged proposal with the editor's changes laid over it: only the fields the form has. */
function applyEdit(draft: AnyDraft['draft'], edit: ReviewEdit): AnyDraft['draft'] {
  switch (edit.form) {
    case 'place-status':
      return { ...draft, status: edit.status, noteMarkdown: edit.noteMarkdown } as AnyDraft['draft'];
    case 'alert-body':
    case 'page-body':
      return { ...draft, bodyMarkdown: edit.bodyMarkdown } as AnyDraft['draft'];
    case 'new-place': {
      const place = draft as Omit<PlaceContent, 'noteHtml'>;
      const slug = edit.details.name === place.name ? place.slug : slugFromName(edit.details.name) || place.slug;
      return { ...place, ...edit.details, slug, status: edit.status, noteMarkdown: edit.noteMarkdown };
    }
    case 'new-alert':
      return { ...draft, severity: edit.severity, headline: edit.headline, bodyMarkdown: edit.bodyMarkdown } as AnyDraft['draft'];
  }
}

interface PageExtras {
  periodValues?: FormValues;
  editValues?: FormValues;
  declineValues?: FormValues;
  issues?: FormIssue[];
  openForm?: 'edit' | 'decline' | null;
  conflict?: ReviewConflict | null;
}

async function buildReviewPage(db: Database, opened: Opened, now: Date, extra: PageExtras = {}): Promise<ReviewPage> {
  const { suggestion, base, current, proposal, merged } = opened;
  const kind = suggestion.targetKind;
  const about = await describeTarget(db, suggestion, opened);
  const changedMeanwhile = base && current && base.id !== current.id ? current : null;
  const waiting = suggestion.outcome === 'waiting';
  return {
    suggestion: {
      id: suggestion.id,
      kind: queueKindOf(suggestion),
      kindLabel: QUEUE_KIND_LABEL[queueKindOf(suggestion)],
      isNew: suggestion.kind === 'new',
      howKnown: suggestion.howKnown,
      createdAt: suggestion.createdAt,
      age: formatAge(suggestion.createdAt, now),
      hasEmail: Boolean(suggestion.contactEmail),
    },
    about: {
      ...about,
      noun: kind === 'place' ? (opened.service?.placeLabel.toLowerCase() ?? 'place') : NOUN[kind],
      serviceName: opened.service?.name ?? null,
    },
    reviewed: reviewedState(suggestion),
    base: current ? String(current.id) : '',
    changedMeanwhile: changedMeanwhile && { by: changedMeanwhile.authorName ?? changedMeanwhile.authorLabel, at: changedMeanwhile.createdAt, summary: changedMeanwhile.summary },
    // Once reviewed, "what approving would change" means nothing: show what the resident sent.
    approving: waiting ? diffContent(kind, current?.content ?? null, merged, now) : diffContent(kind, base?.content ?? null, proposal, now),
    residentChanges: waiting && changedMeanwhile ? diffContent(kind, base!.content, proposal, now) : null,
    theirChanges: waiting && changedMeanwhile ? diffContent(kind, base!.content, current!.content, now) : null,
    editForm: { kind: opened.editKind, values: extra.editValues ?? prefill(opened.editKind, merged), placeLabel: opened.service?.placeLabel.toLowerCase() ?? 'place' },
    periodValues: extra.periodValues ?? {},
    declineValues: extra.declineValues ?? { reason: '', 'reason-details': '' },
    issues: extra.issues ?? [],
    openForm: extra.openForm ?? null,
    conflict: extra.conflict ?? null,
    otherWaiting: waiting ? await countOtherWaiting(db, suggestion) : 0,
  };
}

/** One suggestion: what it is about, what approving would publish, and the three review forms. */
export async function loadReviewPage(idParam: string | undefined, now = new Date()): Promise<ReviewPage> {
  const db = await getDb();
  return buildReviewPage(db, await openSuggestion(db, parseSuggestionId(idParam)), now);
}

export type ReviewOutcome = { ok: true; redirect: string } | { ok: false; status: 400 | 409; page: ReviewPage };

function reviewedConflict(s: SuggestionForReview, now: Date): ReviewConflict {
  const when = s.reviewedAt ? ` at ${formatDateTime(s.reviewedAt, now)}` : '';
  const outcome = s.outcome === 'waiting' ? 'reviewed' : OUTCOME_TEXT[s.outcome];
  return { reason: 'reviewed', message: `${s.reviewerName ?? 'Someone'} ${outcome} this suggestion${when}, so your review was not saved.` };
}

function changedConflict(opened: Opened, noun: string, now: Date): ReviewConflict {
  const current = opened.current;
  const by = current ? (current.authorName ?? current.authorLabel) : 'Someone';
  const when = current ? ` at ${formatDateTime(current.createdAt, now)}` : '';
  return {
    reason: 'changed',
    message: `${by} published a new version of this ${noun}${when}, after you opened this page. Nothing has been published. The comparison below is up to date: check it, then approve again if the suggestion still makes sense.`,
  };
}

/** The approve forms' inputs for how long a place's status applies, by form. */
export function periodFields(form: 'approve' | 'edit'): readonly [string, string] {
  return [`${form}-until`, `${form}-reopening`];
}

export interface ApprovalPeriod {
  statusUntil: string | null;
  expectedReopeningAt: string | null;
}

/**
 * The optional "until" (after which the status reads "not confirmed") and "expected to reopen"
 * an editor gives when approving a resident's report about a place. Both London times, both
 * later than now; blank leaves the place's own as they are.
 */
export function parseApprovalPeriod(values: FormValues, form: 'approve' | 'edit', now: Date): Parsed<ApprovalPeriod> {
  const [untilName, reopeningName] = periodFields(form);
  const issues: FormIssue[] = [];
  const untilText = (values[untilName] ?? '').trim();
  let statusUntil: string | null = null;
  if (untilText !== '') {
    const date = parseLondonLocal(untilText);
    if (!date) issues.push({ field: untilName, message: 'Enter a real date and time for ‘until’, like 21/11/2026 18:00' });
    else if (date.getTime() <= now.getTime()) issues.push({ field: untilName, message: '‘Until’ must be in the future' });
    else statusUntil = date.toISOString();
  }
  const details = parseStatusDetails(values, now, { reason: `${form}-no-reason`, reopening: reopeningName });
  if (!details.ok) issues.push(...details.issues);
  if (issues.length > 0 || !details.ok) return { ok: false, issues };
  return { ok: true, value: { statusUntil, expectedReopeningAt: details.value.expectedReopeningAt } };
}

/** The `base` hidden field: the published revision the editor saw. Missing on a change means a form we did not send. */
function readBase(form: FormData): number {
  const value = form.get('base');
  if (typeof value !== 'string' || !/^\d{1,15}$/.test(value)) throw new BadRequestError('The form is missing the version it was based on');
  return Number(value);
}

/**
 * Approves a suggestion from the review page: as sent (`action=approve`), or with the editor's
 * changes (`action=edit-approve`, outcome "approved with changes" when anything differs from the
 * merged proposal). Publishes the resident's changes on top of the version the editor saw
 * (`base`); if anyone published since, or another editor reviewed it first, nothing is written
 * and the page comes back (409) with the facts as they are now and what the editor typed.
 */
export async function approveFromReview(staff: Staff, idParam: string | undefined, form: FormData, now = new Date()): Promise<ReviewOutcome> {
  requireEditor(staff);
  const db = await getDb();
  const id = parseSuggestionId(idParam);
  const opened = await openSuggestion(db, id);
  const editing = form.get('action') === 'edit-approve';
  const sent = editing ? readFormValues(form, EDIT_FIELDS[opened.editKind]) : undefined;
  const periodForm = editing ? 'edit' : 'approve';
  const periodValues = readFormValues(form, periodFields(periodForm));
  const keep: PageExtras = { editValues: sent, periodValues, openForm: editing ? 'edit' : null };
  const again = async (status: 400 | 409, extra: PageExtras, state = opened): Promise<ReviewOutcome> => ({
    ok: false,
    status,
    page: await buildReviewPage(db, state, now, { ...keep, ...extra }),
  });
  const noun = () => (opened.suggestion.targetKind === 'place' ? (opened.service?.placeLabel.toLowerCase() ?? 'place') : NOUN[opened.suggestion.targetKind]);

  if (opened.suggestion.outcome !== 'waiting') return again(409, { conflict: reviewedConflict(opened.suggestion, now) });
  const isChange = opened.suggestion.targetId !== null;
  const base = isChange ? readBase(form) : null;
  if (isChange && base !== opened.current!.id) return again(409, { conflict: changedConflict(opened, noun(), now) });

  let draft = withoutHtml(opened.merged) as AnyDraft['draft'];
  let edited = false;
  if (editing && sent) {
    const parsed = parseReviewEdit(opened.editKind, sent);
    if (!parsed.ok) return again(400, { issues: parsed.issues });
    if (isEdited(opened.editKind, sent, prefill(opened.editKind, opened.merged))) {
      draft = applyEdit(draft, parsed.value);
      edited = true;
    }
  }
  if (opened.suggestion.targetKind === 'place') {
    const period = parseApprovalPeriod(periodValues, periodForm, now);
    if (!period.ok) return again(400, { issues: period.issues });
    const place = draft as Omit<PlaceContent, 'noteHtml'>;
    if (period.value.statusUntil) draft = { ...place, statusUntil: period.value.statusUntil };
    if (period.value.expectedReopeningAt) draft = { ...(draft as Omit<PlaceContent, 'noteHtml'>), expectedReopeningAt: period.value.expectedReopeningAt };
  }
  if (!isChange && opened.suggestion.targetKind === 'place') {
    const issues = await newPlaceProblems(db, draft as Omit<PlaceContent, 'noteHtml'>, opened.service);
    if (issues.length > 0) return again(400, { issues, openForm: 'edit', editValues: sent ?? prefill(opened.editKind, opened.merged) });
  }

  const result = await approveSuggestion(db, {
    suggestion: opened.suggestion,
    draft,
    baseRevisionId: base,
    edited,
    reviewerId: staff.account.id,
    summary: edited ? EDITED_SUMMARY : APPROVED_SUMMARY,
  }, now);
  if (result.ok) {
    // Something new is created outside publishRevision, which is what tells this process's page cache.
    markContentChanged();
    return { ok: true, redirect: `/staff/review?approved=${id}` };
  }
  const fresh = await openSuggestion(db, id);
  if (fresh.suggestion.outcome !== 'waiting') return again(409, { conflict: reviewedConflict(fresh.suggestion, now) }, fresh);
  if (!isChange && opened.suggestion.targetKind === 'place') {
    // Still waiting, yet refused: another place took the address in the same moment.
    const issues = await newPlaceProblems(db, draft as Omit<PlaceContent, 'noteHtml'>, opened.service);
    return again(400, { issues: issues.length > 0 ? issues : [{ field: 'name', message: 'The place could not be added. Try again' }], openForm: 'edit', editValues: sent ?? prefill(opened.editKind, opened.merged) }, fresh);
  }
  return again(409, { conflict: changedConflict(fresh, noun(), now) }, fresh);
}

/** A new place must not take the web address or reference number of another in its service. */
async function newPlaceProblems(db: Database, draft: Omit<PlaceContent, 'noteHtml'>, service: ServiceRow | null): Promise<FormIssue[]> {
  const label = service?.placeLabel.toLowerCase() ?? 'place';
  if (draft.slug === '') return [{ field: 'name', message: 'Enter a name that includes letters or numbers' }];
  const clash = await findPlaceClash(db, draft.serviceId, draft.slug, draft.identifier);
  if (!clash) return [];
  return clash.field === 'slug'
    ? [{ field: 'name', message: `There is already a ${label} called ${clash.name}. Change the name, or decline the suggestion if it is the same ${label}` }]
    : [{ field: 'identifier', message: `${clash.name} already has the reference number ${draft.identifier}` }];
}

/** Declines a suggestion with one of the standard reasons (and any words of explanation). */
export async function declineFromReview(staff: Staff, idParam: string | undefined, form: FormData, now = new Date()): Promise<ReviewOutcome> {
  requireEditor(staff);
  const db = await getDb();
  const id = parseSuggestionId(idParam);
  const opened = await openSuggestion(db, id);
  const values = readFormValues(form, DECLINE_FIELDS);
  const again = async (status: 400 | 409, extra: PageExtras, state = opened): Promise<ReviewOutcome> => ({
    ok: false,
    status,
    page: await buildReviewPage(db, state, now, { declineValues: values, openForm: 'decline', ...extra }),
  });
  if (opened.suggestion.outcome !== 'waiting') return again(409, { conflict: reviewedConflict(opened.suggestion, now) });
  const parsed = parseDecline(values);
  if (!parsed.ok) return again(400, { issues: parsed.issues });
  const declined = await declineSuggestions(db, [id], parsed.value, staff.account.id, now);
  if (declined === 0) {
    const fresh = await openSuggestion(db, id);
    return again(409, { conflict: reviewedConflict(fresh.suggestion, now) }, fresh);
  }
  return { ok: true, redirect: `/staff/review?declined=${id}` };
}

// Re-exported for the pages: the choices their forms offer.
export { DECLINE_REASONS, DECLINE_DETAILS_MAX } from './review-validation.ts';
