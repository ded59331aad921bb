// What a resident may type into the suggestion forms, and the checks that keep the form open to
// people while making it dull for spammers: length limits, a cap on links, and a signed "form
// started at" stamp that proves the form was ours and not filled in by a script in an instant.
// Pure: zod schemas over the submitted strings and node:crypto, no database, no clock but the
// `now` passed in. Every problem is reported against the id of the input it belongs to.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { PLACE_STATUSES, type PlaceStatus } from '../../../db/schema/index.ts';

/** What the person typed, by input name, exactly as sent (so a form with errors shows it again). */
export type FormValues = Record<string, string>;

export interface FormIssue {
  field: string;
  message: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; issues: FormIssue[] };

export const NOTE_MAX = 500;
export const HOW_KNOWN_MAX = 500;
export const ALERT_TEXT_MAX = 5_000;
export const PAGE_TEXT_MAX = 20_000;
export const HEADLINE_MAX = 120;
export const DETAILS_MAX = 2_000;
export const NAME_MAX = 120;
export const ADDRESS_MAX = 200;
export const EMAIL_MAX = 254;
export const LINKS_MAX = 3;
/** Far more than the longest form a person can fill in (a page's 20,000 characters, encoded). */
export const SUGGESTION_BODY_MAX_BYTES = 64 * 1024;

/** The message for anything that looks automated: it must not tell a script what it got wrong. */
export const CHECK_AND_RESEND = 'Please check your suggestion, then send it again';

/** Every input any suggestion form has, in the order the forms show them (for the error summary). */
export const SUGGESTION_FIELDS = [
  'missing', 'service', 'name', 'address', 'postcode', 'status', 'note', 'body', 'headline', 'details', 'services',
  'how-known', 'email', 'website', 'started', 'target', 'base',
] as const;

/**
 * Reads the named fields of a form as strings ('' when missing; a file upload counts as missing).
 * Browsers send line breaks in a textarea as CRLF: they are read as LF, so text a resident did
 * not touch compares equal to what was published. (A form read by src/lib/http/forms.ts is
 * already clean — NFC, LF, no control characters or direction overrides, invisible-only values
 * empty — the LF step is kept so this holds for any FormData.)
 */
export function readSuggestionValues(form: FormData): FormValues {
  const values: FormValues = {};
  for (const name of SUGGESTION_FIELDS) {
    const value = form.get(name);
    values[name] = typeof value === 'string' ? value.replace(/\r\n?/g, '\n') : '';
  }
  return values;
}

/** Every ticked checkbox of a group. */
export function readTicked(form: FormData, name: string): string[] {
  return form.getAll(name).filter((v): v is string => typeof v === 'string' && v !== '');
}

/** Statuses a resident can report for a listed place: "not confirmed" is not something anyone sees. */
export const REPORTABLE_STATUSES: readonly PlaceStatus[] = PLACE_STATUSES.filter((s) => s !== 'unknown');

const formatted = (n: number) => n.toLocaleString('en-GB');

const text = (label: string, max: number, whenEmpty?: string) => {
  const base = z.string().trim().max(max, { error: `${label} must be ${formatted(max)} characters or fewer` });
  return whenEmpty ? base.min(1, { error: whenEmpty }) : base;
};

const howKnownField = text('How you know', HOW_KNOWN_MAX, 'Enter how you know, for example ‘I saw a sign on the door’');

const emailField = z
  .string()
  .trim()
  .max(EMAIL_MAX, { error: `Email address must be ${EMAIL_MAX} characters or fewer` })
  .transform((value, ctx) => {
    if (value === '') return null;
    if (!z.email().safeParse(value).success) {
      ctx.addIssue({ code: 'custom', message: 'Enter an email address in the correct format, like name@example.com' });
      return z.NEVER;
    }
    return value;
  });

const statusField = (allowed: readonly PlaceStatus[]) =>
  z.string().refine((value) => (allowed as readonly string[]).includes(value), { error: 'Select what the status is now' }).transform((v) => v as PlaceStatus);

const noteField = text('Details', NOTE_MAX);

const POSTCODE = /^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$/;

/** A UK postcode, upper case with one space before the inward code ("HD5 3EE"); may be blank. */
const postcodeField = z.string().transform((value, ctx) => {
  const compact = value.toUpperCase().replace(/\s+/g, '');
  if (compact === '') return '';
  if (!POSTCODE.test(compact)) {
    ctx.addIssue({ code: 'custom', message: 'Enter a real postcode, like HD1 2TA' });
    return z.NEVER;
  }
  return `${compact.slice(0, -3)} ${compact.slice(-3)}`;
});

function issuesOf(error: z.ZodError): FormIssue[] {
  return error.issues.map((issue) => ({ field: String(issue.path[0] ?? ''), message: issue.message }));
}

/** One message per field (the first), in the order the fields appear on the page. */
export function tidyIssues(issues: FormIssue[]): FormIssue[] {
  const first = new Map<string, FormIssue>();
  for (const issue of issues) if (!first.has(issue.field)) first.set(issue.field, issue);
  const order: readonly string[] = SUGGESTION_FIELDS;
  const rank = (field: string) => (order.includes(field) ? order.indexOf(field) : order.length);
  return [...first.values()].sort((a, b) => rank(a.field) - rank(b.field));
}

function parseWith<T>(schema: z.ZodType<T>, input: unknown): Parsed<T> {
  const parsed = schema.safeParse(input);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, issues: issuesOf(parsed.error) };
}

/** What every suggestion carries: how the resident knows, and where to tell them the outcome. */
export interface Provenance {
  howKnown: string;
  contactEmail: string | null;
}

export function parseProvenance(values: FormValues): Parsed<Provenance> {
  const parsed = parseWith(z.object({ 'how-known': howKnownField, email: emailField }), values);
  return parsed.ok ? { ok: true, value: { howKnown: parsed.value['how-known'], contactEmail: parsed.value.email } } : parsed;
}

/** A resident's report on a listed place: what its status is now, and a short note. */
export interface PlaceReport {
  status: PlaceStatus;
  noteMarkdown: string;
}

export function parsePlaceReport(values: FormValues): Parsed<PlaceReport> {
  const parsed = parseWith(z.object({ status: statusField(REPORTABLE_STATUSES), note: noteField }), values);
  return parsed.ok ? { ok: true, value: { status: parsed.value.status, noteMarkdown: parsed.value.note } } : parsed;
}

/** Proposed new text of an alert or page; it must differ from what is published. */
export function parseTextProposal(values: FormValues, max: number, current: string): Parsed<string> {
  const parsed = parseWith(
    z.object({ body: text('Your text', max, 'Enter the text you think we should publish') }),
    values,
  );
  if (!parsed.ok) return parsed;
  if (parsed.value.body === current.trim()) {
    return { ok: false, issues: [{ field: 'body', message: 'Change the text to show what you think it should say' }] };
  }
  return { ok: true, value: parsed.value.body };
}

/** A place a service's list does not have yet. */
export interface MissingPlace {
  serviceSlug: string;
  name: string;
  address: string;
  postcode: string;
  status: PlaceStatus;
  noteMarkdown: string;
}

export function parseMissingPlace(values: FormValues, serviceSlugs: readonly string[]): Parsed<MissingPlace> {
  const parsed = parseWith(
    z.object({
      service: z.string().refine((v) => serviceSlugs.includes(v), { error: 'Select the list the place is missing from' }),
      name: text('Name', NAME_MAX, 'Enter the name of the place'),
      address: text('Address', ADDRESS_MAX),
      postcode: postcodeField,
      status: statusField(PLACE_STATUSES),
      note: noteField,
    }),
    values,
  );
  if (!parsed.ok) return parsed;
  const v = parsed.value;
  return { ok: true, value: { serviceSlug: v.service, name: v.name, address: v.address, postcode: v.postcode, status: v.status, noteMarkdown: v.note } };
}

/** Information the council does not publish yet: a headline, details and what it is about. */
export interface MissingInformation {
  headline: string;
  details: string;
  serviceSlugs: string[];
}

export function parseMissingInformation(values: FormValues, ticked: readonly string[], serviceSlugs: readonly string[]): Parsed<MissingInformation> {
  const parsed = parseWith(
    z.object({
      headline: text('Headline', HEADLINE_MAX, 'Enter a headline'),
      details: text('Details', DETAILS_MAX, 'Enter the details'),
    }),
    values,
  );
  const issues = parsed.ok ? [] : parsed.issues;
  if (ticked.some((slug) => !serviceSlugs.includes(slug))) issues.push({ field: 'services', message: 'Select services from the list' });
  if (!parsed.ok || issues.length > 0) return { ok: false, issues };
  // Keep the order the services are listed in, and each once.
  return { ok: true, value: { ...parsed.value, serviceSlugs: serviceSlugs.filter((slug) => ticked.includes(slug)) } };
}

const LINK = /\bhttps?:\/\/|\bwww\./gi;

/** How many web links a text holds ("http://", "https://" or "www." each count once). */
export function countLinks(text: string): number {
  return text.match(LINK)?.length ?? 0;
}

/**
 * At most LINKS_MAX links in everything a resident wrote, taken together. Links already in the
 * published text a resident is correcting are not theirs, so only links added to it count.
 */
export function checkLinks(texts: { field: string; text: string; alreadyThere?: string }[]): FormIssue | null {
  const added = texts.map(({ field, text, alreadyThere }) => ({ field, n: Math.max(0, countLinks(text) - countLinks(alreadyThere ?? '')) }));
  const total = added.reduce((sum, t) => sum + t.n, 0);
  if (total <= LINKS_MAX) return null;
  const field = added.find((t) => t.n > 0)?.field ?? texts[0]?.field ?? '';
  return { field, message: `Remove some links: you can include up to ${LINKS_MAX}` };
}

// ─── The signed "form started at" stamp ───────────────────────────────────────────────────

const STAMP_PURPOSE = 'suggestion-form-started:';
/** A form left open longer than this is stale: its stamp no longer counts (reload the page). */
const STAMP_MAX_AGE_MS = 7 * 24 * 3_600_000;
/** Clocks of several server processes may disagree a little. */
const STAMP_CLOCK_SKEW_MS = 60_000;

function sign(ms: string, secret: string): string {
  return createHmac('sha256', secret).update(STAMP_PURPOSE + ms).digest('base64url');
}

/** `<unix ms>.<HMAC>`: when the form was served, signed so it cannot be made up. */
export function issueStartedStamp(secret: string, now: Date): string {
  const ms = String(now.getTime());
  return `${ms}.${sign(ms, secret)}`;
}

export type StampCheck = 'ok' | 'invalid' | 'too_fast';

/** Whether a posted stamp is ours, and whether a person could have filled the form in that time. */
export function checkStartedStamp(value: string, secret: string, now: Date, minFillSeconds: number): StampCheck {
  const match = /^(\d{1,15})\.([A-Za-z0-9_-]{43})$/.exec(value);
  if (!match) return 'invalid';
  const [, ms, signature] = match as unknown as [string, string, string];
  const expected = Buffer.from(sign(ms, secret));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return 'invalid';
  const age = now.getTime() - Number(ms);
  if (age < -STAMP_CLOCK_SKEW_MS || age > STAMP_MAX_AGE_MS) return 'invalid';
  if (age < minFillSeconds * 1000) return 'too_fast';
  return 'ok';
}
