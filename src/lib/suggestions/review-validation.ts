// What an editor may send from the review queue and the review page: the queue's filters, the
// ticked suggestions of the "Decline as spam" action, the decline form and the "Edit, then
// approve" form. Pure: zod over the submitted strings, every problem against the id of its input.
// The place, alert and page rules are the ones their own staff forms use.
import { z } from 'zod';
import { ALERT_SEVERITIES, type AlertSeverity, type PlaceStatus } from '../../../db/schema/index.ts';
import { ALERT_BODY_MAX, HEADLINE_MAX } from '../alerts/validation.ts';
import { PAGE_BODY_MAX } from '../pages/validation.ts';
import { parsePlaceDetails, parseStatusChange, type FormIssue, type FormValues, type Parsed, type PlaceDetails } from '../places/validation.ts';

export type { FormIssue, FormValues, Parsed } from '../places/validation.ts';

// ─── The queue ───────────────────────────────────────────────────────────────────────────────

/** What a suggestion is about, as the queue's filter names it. */
export const QUEUE_KINDS = ['place', 'alert', 'page', 'missing'] as const;
export type QueueKind = (typeof QUEUE_KINDS)[number];

export const QUEUE_KIND_LABEL: Record<QueueKind, string> = {
  place: 'Place',
  alert: 'Alert',
  page: 'Information page',
  missing: 'Something missing',
};

export interface QueueFilters {
  /** A service slug, or null for every service. */
  service: string | null;
  kind: QueueKind | null;
}

/**
 * The queue's GET filters. Unknown values (an old bookmark, a service since renamed) are
 * reported and ignored, so the person still sees the whole queue.
 */
export function parseQueueFilters(params: URLSearchParams, serviceSlugs: readonly string[]): { filters: QueueFilters; issues: FormIssue[] } {
  const issues: FormIssue[] = [];
  const service = (params.get('service') ?? '').trim();
  const kind = (params.get('kind') ?? '').trim();
  const filters: QueueFilters = { service: null, kind: null };
  if (service !== '') {
    if (serviceSlugs.includes(service)) filters.service = service;
    else issues.push({ field: 'filter-service', message: 'Choose a service from the list' });
  }
  if (kind !== '') {
    const known = QUEUE_KINDS.find((k) => k === kind);
    if (known) filters.kind = known;
    else issues.push({ field: 'filter-kind', message: 'Choose what the suggestions are about from the list' });
  }
  return { filters, issues };
}

/** Most suggestions one "Decline as spam" takes: a page of the queue. */
export const SPAM_MAX = 500;

/** The ticked suggestions (`suggestion` checkboxes) of the "Decline as spam" action. */
export function parseTickedSuggestions(ticked: readonly string[]): Parsed<number[]> {
  if (ticked.length === 0) return { ok: false, issues: [{ field: 'suggestions', message: 'Select the suggestions to decline as spam' }] };
  if (!ticked.every((v) => /^[1-9]\d{0,14}$/.test(v))) return { ok: false, issues: [{ field: 'suggestions', message: 'Select suggestions from the list' }] };
  const ids = [...new Set(ticked.map(Number))];
  if (ids.length > SPAM_MAX) return { ok: false, issues: [{ field: 'suggestions', message: `Select ${SPAM_MAX} suggestions or fewer at a time` }] };
  return { ok: true, value: ids };
}

// ─── Declining ───────────────────────────────────────────────────────────────────────────────

export const DECLINE_REASONS = [
  { value: 'not-accurate', label: 'Not accurate' },
  { value: 'already-up-to-date', label: 'Already up to date' },
  { value: 'not-council', label: 'Not about a council service' },
  { value: 'spam', label: 'Spam' },
  { value: 'other', label: 'Other' },
] as const;
export type DeclineReasonCode = (typeof DECLINE_REASONS)[number]['value'];

/** The reason recorded when suggestions are declined in bulk from the queue. */
export const SPAM_REASON = 'Spam';

export const DECLINE_DETAILS_MAX = 500;
export const DECLINE_FIELDS = ['reason', 'reason-details'] as const;

const declineSchema = z
  .object({
    reason: z.enum(DECLINE_REASONS.map((r) => r.value) as [DeclineReasonCode, ...DeclineReasonCode[]], {
      error: 'Select why you are declining this suggestion',
    }),
    'reason-details': z
      .string()
      .transform((v) => v.replace(/\r\n?/g, '\n').trim())
      .pipe(z.string().max(DECLINE_DETAILS_MAX, { error: `Reason must be ${DECLINE_DETAILS_MAX} characters or fewer` })),
  })
  .superRefine((value, ctx) => {
    if (value.reason === 'other' && value['reason-details'] === '') {
      ctx.addIssue({ code: 'custom', path: ['reason-details'], message: 'Enter why you are declining this suggestion' });
    }
  });

/**
 * The decline form: one of the standard reasons, with optional words of explanation ("Other"
 * must say why). Gives the reason as it is recorded, e.g. "Already up to date: reopened at 10am".
 */
export function parseDecline(values: FormValues): Parsed<string> {
  const parsed = declineSchema.safeParse({ reason: values.reason ?? '', 'reason-details': values['reason-details'] ?? '' });
  if (!parsed.success) return { ok: false, issues: firstPerField(parsed.error.issues, DECLINE_FIELDS) };
  const { reason, 'reason-details': details } = parsed.data;
  if (reason === 'other') return { ok: true, value: details };
  const label = DECLINE_REASONS.find((r) => r.value === reason)!.label;
  return { ok: true, value: details === '' ? label : `${label}: ${details}` };
}

// ─── Edit, then approve ──────────────────────────────────────────────────────────────────────

/**
 * Which fields the "Edit, then approve" form has: residents suggest a place's status and note,
 * the text of an alert or page, or something missing (a place's details, or information).
 */
export type EditFormKind = 'place-status' | 'alert-body' | 'page-body' | 'new-place' | 'new-alert';

export const EDIT_FIELDS: Record<EditFormKind, readonly string[]> = {
  'place-status': ['status', 'note'],
  'alert-body': ['body'],
  'page-body': ['body'],
  'new-place': ['name', 'category', 'address', 'postcode', 'ward', 'identifier', 'latitude', 'longitude', 'status', 'note'],
  'new-alert': ['severity', 'headline', 'body'],
};

/** What the edit form can change, by kind. Only these fields are laid over the proposal. */
export type ReviewEdit =
  | { form: 'place-status'; status: PlaceStatus; noteMarkdown: string }
  | { form: 'alert-body'; bodyMarkdown: string }
  | { form: 'page-body'; bodyMarkdown: string }
  | { form: 'new-place'; details: PlaceDetails; status: PlaceStatus; noteMarkdown: string }
  | { form: 'new-alert'; severity: AlertSeverity; headline: string; bodyMarkdown: string };

const multiline = (v: string) => v.replace(/\r\n?/g, '\n');

const alertBody = z
  .string()
  .transform((v) => multiline(v).trim())
  .pipe(z.string().max(ALERT_BODY_MAX, { error: 'Details must be 5,000 characters or fewer' }));

const pageBody = z
  .string()
  .transform((v) => multiline(v).trim())
  .pipe(
    z
      .string()
      .min(1, { error: 'Enter the text of the page' })
      .max(PAGE_BODY_MAX, { error: 'The text of the page must be 50,000 characters or fewer' }),
  );

const newAlertSchema = z.object({
  severity: z.enum(ALERT_SEVERITIES, { error: 'Select how serious the information is' }),
  headline: z
    .string()
    .trim()
    .min(1, { error: 'Enter a headline' })
    .max(HEADLINE_MAX, { error: `Headline must be ${HEADLINE_MAX} characters or fewer` }),
  body: alertBody,
});

/** Status and note of a place, without its period (the review form keeps the proposal's). */
function statusAndNote(values: FormValues): Parsed<{ status: PlaceStatus; noteMarkdown: string }> {
  const parsed = parseStatusChange({ status: values.status ?? '', note: multiline(values.note ?? ''), 'status-from': '', 'status-until': '' });
  return parsed.ok ? { ok: true, value: { status: parsed.value.status, noteMarkdown: parsed.value.noteMarkdown } } : parsed;
}

/** The "Edit, then approve" form of one kind, checked with the rules of that content's own form. */
export function parseReviewEdit(form: EditFormKind, values: FormValues): Parsed<ReviewEdit> {
  switch (form) {
    case 'place-status': {
      const parsed = statusAndNote(values);
      return parsed.ok ? { ok: true, value: { form, ...parsed.value } } : parsed;
    }
    case 'alert-body':
    case 'page-body': {
      const parsed = (form === 'alert-body' ? alertBody : pageBody).safeParse(values.body ?? '');
      if (!parsed.success) return { ok: false, issues: [{ field: 'body', message: parsed.error.issues[0]!.message }] };
      return { ok: true, value: { form, bodyMarkdown: parsed.data } };
    }
    case 'new-place': {
      const details = parsePlaceDetails(values);
      const status = statusAndNote(values);
      if (!details.ok || !status.ok) {
        const issues = [...(details.ok ? [] : details.issues), ...(status.ok ? [] : status.issues)];
        return { ok: false, issues: sortByField(issues, EDIT_FIELDS[form]) };
      }
      return { ok: true, value: { form, details: details.value, ...status.value } };
    }
    case 'new-alert': {
      const parsed = newAlertSchema.safeParse({ severity: values.severity ?? '', headline: values.headline ?? '', body: values.body ?? '' });
      if (!parsed.success) return { ok: false, issues: firstPerField(parsed.error.issues, EDIT_FIELDS[form]) };
      return { ok: true, value: { form, severity: parsed.data.severity, headline: parsed.data.headline, bodyMarkdown: parsed.data.body } };
    }
  }
}

/**
 * Whether the editor changed anything in the pre-filled form. Compared as typed (line endings
 * and surrounding spaces aside: browsers send textarea lines as CRLF), so sending the form
 * untouched is a plain approval even where the form's rules would tidy the resident's text.
 */
export function isEdited(form: EditFormKind, sent: FormValues, prefilled: FormValues): boolean {
  const norm = (v: string | undefined) => multiline(v ?? '').trim();
  return EDIT_FIELDS[form].some((field) => norm(sent[field]) !== norm(prefilled[field]));
}

// ─── Helpers ─────────────────────────────────────────────────────────────────────────────────

function sortByField(issues: FormIssue[], order: readonly string[]): FormIssue[] {
  const rank = (field: string) => (order.includes(field) ? order.indexOf(field) : order.length);
  return [...issues].sort((a, b) => rank(a.field) - rank(b.field));
}

/** One message per field (the first), in the order the fields are on the page. */
function firstPerField(zodIssues: readonly z.core.$ZodIssue[], order: readonly string[]): FormIssue[] {
  const issues: FormIssue[] = [];
  for (const issue of zodIssues) {
    const field = String(issue.path[0] ?? order[0]);
    if (!issues.some((i) => i.field === field)) issues.push({ field, message: issue.message });
  }
  return sortByField(issues, order);
}
