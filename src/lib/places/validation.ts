// What staff may type into the place forms (edit one place, add a place, update many at once),
// read into the parts of a PlaceDraft. Pure: zod schemas over the submitted strings, with every
// problem reported against the id of the input it belongs to, in the order the form shows them.
import { z } from 'zod';
import { PLACE_STATUSES, STATUS_REASONS, type PlaceStatus } from '../../../db/schema/index.ts';
import type { StatusReason } from '../revisions/content.ts';
import { parseLondonLocal } from '../time/london.ts';

/** What the person typed, by input name, exactly as sent (so a form with errors shows it again). */
export type FormValues = Record<string, string>;

export interface FormIssue {
  field: string;
  message: string;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; issues: FormIssue[] };

/** The status part of a place: what residents are told. Times are ISO-8601 UTC, as in revisions. */
export interface StatusChange {
  status: PlaceStatus;
  noteMarkdown: string;
  statusFrom: string | null;
  statusUntil: string | null;
}

/** Why the status is what it is and when the place expects to reopen, both optional. */
export interface StatusDetails {
  reason: StatusReason | null;
  expectedReopeningAt: string | null;
}

/** The descriptive part of a place, which only editors may change. */
export interface PlaceDetails {
  name: string;
  category: string;
  address: string;
  postcode: string;
  ward: string;
  identifier: string | null;
  latitude: number | null;
  longitude: number | null;
  phone: string | null;
  website: string | null;
}

export const NOTE_MAX = 1000;
export const SUMMARY_MAX = 200;

/** Inputs of the place form, in the order they appear on the page. */
export const STATUS_FIELDS = ['status', 'note', 'status-from', 'status-until'] as const;
/** The reason and expected-reopening inputs of the single-place form. */
export const STATUS_DETAIL_FIELDS = { reason: 'status-reason', reopening: 'expected-reopening' } as const;
export const DETAIL_FIELDS = ['name', 'category', 'address', 'postcode', 'ward', 'identifier', 'latitude', 'longitude', 'phone', 'website'] as const;
export const PLACE_FORM_FIELDS = [...STATUS_FIELDS, STATUS_DETAIL_FIELDS.reason, STATUS_DETAIL_FIELDS.reopening, ...DETAIL_FIELDS, 'summary', 'base'] as const;
export const BULK_FIELDS = ['bulk-status', 'bulk-note', 'bulk-until', 'bulk-summary'] as const;

/** Reads the named fields of a form as strings ('' when missing; a file upload counts as missing). */
export function readFormValues(form: FormData, names: readonly string[]): FormValues {
  const values: FormValues = {};
  for (const name of names) {
    const value = form.get(name);
    values[name] = typeof value === 'string' ? value : '';
  }
  return values;
}

const statusField = z.enum(PLACE_STATUSES, { error: 'Choose a status' });

const noteField = z
  .string()
  .trim()
  .max(NOTE_MAX, { error: `Note must be ${NOTE_MAX.toLocaleString('en-GB')} characters or fewer` });

const summaryField = z
  .string()
  .trim()
  .min(1, { error: 'Enter a summary of your changes' })
  .max(SUMMARY_MAX, { error: `Summary of changes must be ${SUMMARY_MAX} characters or fewer` });

/** An optional `datetime-local` value, read as London time, as an ISO instant or null. */
const londonDateTime = (name: string) =>
  z.string().transform((value, ctx) => {
    if (value.trim() === '') return null;
    const date = parseLondonLocal(value);
    if (!date) {
      ctx.addIssue({ code: 'custom', message: `Enter a real date and time for ‘${name}’, like 21/11/2026 09:00` });
      return z.NEVER;
    }
    return date.toISOString();
  });

const text = (label: string, max: number, whenEmpty?: string) => {
  const base = z.string().trim().max(max, { error: `${label} must be ${max} characters or fewer` });
  return whenEmpty ? base.min(1, { error: whenEmpty }) : base;
};

const POSTCODE = /^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$/;

/** A UK postcode, upper case with one space before the inward code ("HD5 3EE"); may be blank (roads). */
const postcodeField = z.string().transform((value, ctx) => {
  const compact = value.toUpperCase().replace(/\s+/g, '');
  if (compact === '') return '';
  if (!POSTCODE.test(compact)) {
    ctx.addIssue({ code: 'custom', message: 'Enter a real postcode, like HD1 2TA' });
    return z.NEVER;
  }
  return `${compact.slice(0, -3)} ${compact.slice(-3)}`;
});

const identifierField = z
  .string()
  .trim()
  .max(40, { error: 'Reference number must be 40 characters or fewer' })
  .regex(/^[A-Za-z0-9-]*$/, { error: 'Reference number must only include letters, numbers and hyphens' })
  .transform((value) => (value === '' ? null : value));

/**
 * Coordinates are bounded to the UK (with a margin): a council's places are all there, and the
 * bound catches the usual slip of typing latitude and longitude the wrong way round.
 */
export const UK_BOUNDS = { latitude: [49.5, 61], longitude: [-8.7, 2] } as const;

const coordinate = (label: 'Latitude' | 'Longitude', [min, max]: readonly [number, number], example: string) =>
  z.string().transform((value, ctx) => {
    const trimmed = value.trim();
    if (trimmed === '') return null;
    if (!/^[+-]?\d{1,3}(\.\d+)?$/.test(trimmed)) {
      ctx.addIssue({ code: 'custom', message: `${label} must be a number in decimal degrees, like ${example}` });
      return z.NEVER;
    }
    const number = Number(trimmed);
    if (number < min || number > max) {
      ctx.addIssue({ code: 'custom', message: `${label} must be between ${min} and ${max} (a place in the UK)` });
      return z.NEVER;
    }
    return number;
  });

export const PHONE_MESSAGE = 'Enter a UK phone number using only numbers, spaces and +, like 01484 221000';

/**
 * A UK phone number as people dial it: digits and spaces, optionally starting "+44" — 10 or 11
 * digits from the leading 0 ("01484 221000", "0800 123 4567"), or +44 and 9 or 10 more
 * ("+44 1484 221000"). Gives it with runs of spaces made one; null when blank (none given);
 * undefined when it is not a UK phone number.
 */
export function normalisePhone(value: string): string | null | undefined {
  const phone = value.trim().replace(/\s+/g, ' ');
  if (phone === '') return null;
  if (!/^\+?[0-9 ]+$/.test(phone)) return undefined;
  const digits = phone.replace(/\D/g, '');
  const national = phone.startsWith('+') ? (digits.startsWith('44') ? `0${digits.slice(2)}` : '') : digits;
  return /^0[1-9][0-9]{8,9}$/.test(national) ? phone : undefined;
}

/** The phone input (and the demo content's `phone` column): a UK number, or null when blank. */
export const phoneField = z.string().transform((value, ctx) => {
  const phone = normalisePhone(value);
  if (phone === undefined) {
    ctx.addIssue({ code: 'custom', message: PHONE_MESSAGE });
    return z.NEVER;
  }
  return phone;
});

export const WEBSITE_MAX = 200;

/**
 * A website: an absolute http or https address with a host name, no user name or password
 * (links like "https://trusted.example@elsewhere.example" mislead). Blank: none given.
 */
export const websiteField = z.string().transform((value, ctx) => {
  const text = value.trim();
  if (text === '') return null;
  const fail = (message: string) => {
    ctx.addIssue({ code: 'custom', message });
    return z.NEVER;
  };
  if (text.length > WEBSITE_MAX) return fail(`Website must be ${WEBSITE_MAX} characters or fewer`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return fail('Enter the website’s full address, starting with https://, like https://www.example.sch.uk');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return fail('Enter a website address that starts with https:// or http://');
  if (!/^https?:\/\//i.test(text) || !url.hostname.includes('.') || url.username || url.password || /\s/.test(text)) {
    return fail('Enter the website’s full address, starting with https://, like https://www.example.sch.uk');
  }
  return text;
});

const statusSchema = z.object({
  status: statusField,
  note: noteField,
  'status-from': londonDateTime('from'),
  'status-until': londonDateTime('until'),
});

const detailsSchema = z.object({
  name: text('Name', 120, 'Enter a name'),
  category: text('Type', 60),
  address: text('Address', 200),
  postcode: postcodeField,
  ward: text('Ward', 60),
  identifier: identifierField,
  latitude: coordinate('Latitude', UK_BOUNDS.latitude, '53.6458'),
  longitude: coordinate('Longitude', UK_BOUNDS.longitude, '-1.7850'),
  phone: phoneField,
  website: websiteField,
});

const bulkSchema = z.object({
  'bulk-status': statusField,
  'bulk-note': noteField,
  'bulk-until': londonDateTime('until'),
  'bulk-summary': summaryField,
});

const FIELD_ORDER: readonly string[] = [...PLACE_FORM_FIELDS, 'bulk-places', ...BULK_FIELDS, 'bulk-reason', 'bulk-reopening'];

function issuesOf(error: z.ZodError): FormIssue[] {
  return error.issues.map((issue) => ({ field: String(issue.path[0] ?? ''), message: issue.message }));
}

/** One message per field (the first), in the order the fields appear on the page. */
function tidy(issues: FormIssue[]): FormIssue[] {
  const first = new Map<string, FormIssue>();
  for (const issue of issues) if (!first.has(issue.field)) first.set(issue.field, issue);
  const rank = (field: string) => (FIELD_ORDER.includes(field) ? FIELD_ORDER.indexOf(field) : FIELD_ORDER.length);
  return [...first.values()].sort((a, b) => rank(a.field) - rank(b.field));
}

function pick(values: FormValues, names: readonly string[]): FormValues {
  return Object.fromEntries(names.map((name) => [name, values[name] ?? '']));
}

/** Status, note and the optional period it applies for; `until` must come after `from`. */
export function parseStatusChange(values: FormValues): Parsed<StatusChange> {
  const parsed = statusSchema.safeParse(pick(values, STATUS_FIELDS));
  if (!parsed.success) return { ok: false, issues: tidy(issuesOf(parsed.error)) };
  const { status, note, 'status-from': statusFrom, 'status-until': statusUntil } = parsed.data;
  if (statusFrom && statusUntil && statusUntil <= statusFrom) {
    return { ok: false, issues: [{ field: 'status-until', message: '‘Until’ must be later than ‘from’' }] };
  }
  return { ok: true, value: { status, noteMarkdown: note, statusFrom, statusUntil } };
}

export interface StatusDetailNames {
  reason: string;
  reopening: string;
}

/**
 * The optional reason (one of STATUS_REASONS, blank for none) and expected reopening time (a
 * London `datetime-local`, blank for none; it must be later than `now`), read from the inputs
 * named in `names` — the single-place form's by default; a bulk form passes its own.
 */
export function parseStatusDetails(values: FormValues, now: Date, names: StatusDetailNames = STATUS_DETAIL_FIELDS): Parsed<StatusDetails> {
  const issues: FormIssue[] = [];
  const reasonText = (values[names.reason] ?? '').trim();
  let reason: StatusReason | null = null;
  if (reasonText !== '') {
    if ((STATUS_REASONS as readonly string[]).includes(reasonText)) reason = reasonText as StatusReason;
    else issues.push({ field: names.reason, message: 'Choose a reason from the list, or ‘No reason given’' });
  }
  const reopeningText = (values[names.reopening] ?? '').trim();
  let expectedReopeningAt: string | null = null;
  if (reopeningText !== '') {
    const date = parseLondonLocal(reopeningText);
    if (!date) issues.push({ field: names.reopening, message: 'Enter a real date and time for ‘expected to reopen’, like 21/11/2026 09:00' });
    else if (date.getTime() <= now.getTime()) issues.push({ field: names.reopening, message: '‘Expected to reopen’ must be in the future' });
    else expectedReopeningAt = date.toISOString();
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value: { reason, expectedReopeningAt } };
}

/**
 * `parseStatusDetails` straight from a submitted form, for any form that sets a status (the
 * bulk update passes `{ reason: 'bulk-reason', reopening: 'bulk-reopening' }`).
 */
export function readStatusDetails(form: FormData, now: Date, names: StatusDetailNames = STATUS_DETAIL_FIELDS): Parsed<StatusDetails> {
  return parseStatusDetails(readFormValues(form, [names.reason, names.reopening]), now, names);
}

/** Name, type, address, postcode, ward, reference number, coordinates (both or neither), phone and website. */
export function parsePlaceDetails(values: FormValues): Parsed<PlaceDetails> {
  const parsed = detailsSchema.safeParse(pick(values, DETAIL_FIELDS));
  if (!parsed.success) return { ok: false, issues: tidy(issuesOf(parsed.error)) };
  const d = parsed.data;
  if ((d.latitude === null) !== (d.longitude === null)) {
    const missing = d.latitude === null ? 'latitude' : 'longitude';
    return { ok: false, issues: [{ field: missing, message: `Enter a ${missing} as well as a ${missing === 'latitude' ? 'longitude' : 'latitude'}, or neither` }] };
  }
  return {
    ok: true,
    value: {
      name: d.name, category: d.category, address: d.address, postcode: d.postcode, ward: d.ward,
      identifier: d.identifier, latitude: d.latitude, longitude: d.longitude, phone: d.phone, website: d.website,
    },
  };
}

/** The edit summary: why this change was made, shown in the history. */
export function parseEditSummary(values: FormValues): Parsed<string> {
  const parsed = summaryField.safeParse(values.summary ?? '');
  if (!parsed.success) return { ok: false, issues: parsed.error.issues.map((i) => ({ field: 'summary', message: i.message })) };
  return { ok: true, value: parsed.data };
}

export interface PlaceEdit {
  status: StatusChange;
  /** The reason and expected reopening (both null when not given). */
  statusDetails: StatusDetails;
  /** Absent when the person may not change the details (a trusted reporter). */
  details: PlaceDetails | null;
  summary: string;
}

/** The whole edit form at once, so every problem is reported together. */
export function parsePlaceEdit(values: FormValues, options: { details: boolean; summaryRequired?: boolean; now?: Date }): Parsed<PlaceEdit> {
  const status = parseStatusChange(values);
  const statusDetails = parseStatusDetails(values, options.now ?? new Date());
  const details = options.details ? parsePlaceDetails(values) : null;
  const summary: Parsed<string> =
    options.summaryRequired === false && (values.summary ?? '').trim() === '' ? { ok: true, value: '' } : parseEditSummary(values);
  const issues = [status, statusDetails, details, summary].flatMap((p) => (p && !p.ok ? p.issues : []));
  if (issues.length > 0 || !status.ok || !statusDetails.ok || !summary.ok || (details && !details.ok)) return { ok: false, issues: tidy(issues) };
  return { ok: true, value: { status: status.value, statusDetails: statusDetails.value, details: details ? details.value : null, summary: summary.value } };
}

export interface BulkStatusChange {
  placeIds: number[];
  status: PlaceStatus;
  noteMarkdown: string;
  statusUntil: string | null;
  summary: string;
}

/** Most places a bulk update takes at once: far more than a council has of any one kind. */
export const BULK_MAX = 1000;

/** The bulk status form: the ticked places (`place` checkboxes) and the one status they get. */
export function parseBulkStatus(values: FormValues, ticked: readonly string[], now: Date): Parsed<BulkStatusChange> {
  const issues: FormIssue[] = [];
  const placeIds = [...new Set(ticked.map((id) => Number(id)))];
  if (placeIds.length === 0) issues.push({ field: 'bulk-places', message: 'Select the places to update' });
  else if (placeIds.some((id) => !Number.isSafeInteger(id) || id <= 0)) issues.push({ field: 'bulk-places', message: 'Select places from the list' });
  else if (placeIds.length > BULK_MAX) issues.push({ field: 'bulk-places', message: `Select ${BULK_MAX} places or fewer at a time` });
  const parsed = bulkSchema.safeParse(pick(values, BULK_FIELDS));
  if (!parsed.success) issues.push(...issuesOf(parsed.error));
  else if (parsed.data['bulk-until'] && new Date(parsed.data['bulk-until']) <= now) {
    // A new status that has already lapsed would read "not confirmed" at once: surely a slip.
    issues.push({ field: 'bulk-until', message: '‘Until’ must be in the future' });
  }
  if (issues.length > 0 || !parsed.success) return { ok: false, issues: tidy(issues) };
  return {
    ok: true,
    value: {
      placeIds,
      status: parsed.data['bulk-status'],
      noteMarkdown: parsed.data['bulk-note'],
      statusUntil: parsed.data['bulk-until'],
      summary: parsed.data['bulk-summary'],
    },
  };
}

/**
 * The web address of a place, from its name: "St Mary's C of E (VA) School" →
 * "st-marys-c-of-e-va-school". Empty when the name has no letters or digits.
 */
export function slugFromName(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/['’]/g, '')
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80)
    .replace(/-+$/, '');
}
