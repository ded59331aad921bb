// The staff alert form: what the person typed (kept verbatim, so a form with errors comes back
// exactly as it was sent) and its validation into an AlertDraft. Pure: no database, no clock
// except the `now` passed in.
import { z } from 'zod';
import { ALERT_SEVERITIES, type AlertSeverity } from '../../../db/schema/index.ts';
import type { AlertContent, AlertDraft } from '../revisions/content.ts';
import type { FormIssue } from '../auth/service.ts';
import { parseLondonLocal, toLondonLocalInput } from '../time/london.ts';

/** The alert form as typed: every value a string, services as the ticked slugs. */
export interface AlertFormValues {
  severity: string;
  headline: string;
  body: string;
  area: string;
  services: string[];
  /** London local time, as an `<input type="datetime-local">` sends it. */
  starts: string;
  expires: string;
  /** What changed and why, for the revision history. */
  editSummary: string;
}

export const HEADLINE_MAX = 120;
export const ALERT_BODY_MAX = 5_000;
export const AREA_MAX = 120;
export const SUMMARY_MAX = 200;

const text = (form: FormData | URLSearchParams, name: string): string => {
  const value = form.get(name);
  return typeof value === 'string' ? value : '';
};

/** Every ticked service, whether sent as repeated fields or (from a link) comma-separated. */
const serviceList = (form: FormData | URLSearchParams): string[] =>
  form
    .getAll('services')
    .flatMap((v) => (typeof v === 'string' ? v.split(',') : []))
    .map((v) => v.trim())
    .filter((v) => v !== '');

export function readAlertForm(form: FormData): AlertFormValues {
  return {
    severity: text(form, 'severity'),
    headline: text(form, 'headline'),
    body: text(form, 'body'),
    area: text(form, 'area'),
    services: serviceList(form),
    starts: text(form, 'starts'),
    expires: text(form, 'expires'),
    editSummary: text(form, 'editSummary'),
  };
}

/** A blank new-alert form: information, starting now. */
export function newAlertFormValues(now: Date): AlertFormValues {
  return { severity: 'info', headline: '', body: '', area: '', services: [], starts: toLondonLocalInput(now), expires: '', editSummary: 'New alert' };
}

/**
 * A new-alert form filled in from a link (`?headline=&body=&services=&severity=&area=`), e.g.
 * "draft an alert from a neighbour's item". Nothing is checked here: the person reviews it and
 * the usual validation runs when they publish. Oversized values are cut so a link cannot make
 * the page huge.
 */
export function prefilledAlertFormValues(params: URLSearchParams, now: Date): AlertFormValues {
  const blank = newAlertFormValues(now);
  const severity = text(params, 'severity');
  return {
    ...blank,
    severity: (ALERT_SEVERITIES as readonly string[]).includes(severity) ? severity : blank.severity,
    headline: text(params, 'headline').slice(0, HEADLINE_MAX * 2),
    body: text(params, 'body').slice(0, ALERT_BODY_MAX * 2),
    area: text(params, 'area').slice(0, AREA_MAX * 2),
    services: serviceList(params).slice(0, 50),
  };
}

/** The published content of an alert as the form shows it for editing. */
export function alertFormValuesFrom(content: AlertContent): AlertFormValues {
  return {
    severity: content.severity,
    headline: content.headline,
    body: content.bodyMarkdown,
    area: content.area,
    services: [...content.serviceSlugs],
    starts: toLondonLocalInput(new Date(content.startsAt)),
    expires: content.expiresAt ? toLondonLocalInput(new Date(content.expiresAt)) : '',
    editSummary: '',
  };
}

const londonTime = (missing: string | null, invalid: string) =>
  z.string().trim().transform((value, ctx) => {
    if (value === '') {
      if (missing) ctx.addIssue({ code: 'custom', message: missing });
      return null;
    }
    const date = parseLondonLocal(value);
    if (!date) {
      ctx.addIssue({ code: 'custom', message: invalid });
      return z.NEVER;
    }
    return date;
  });

function alertSchema(serviceSlugs: readonly string[]) {
  return z.object({
    severity: z.enum(ALERT_SEVERITIES, { error: 'Select how serious the alert is' }),
    headline: z
      .string()
      .trim()
      .min(1, { error: 'Enter a headline' })
      .max(HEADLINE_MAX, { error: `Headline must be ${HEADLINE_MAX} characters or fewer` }),
    body: z.string().trim().max(ALERT_BODY_MAX, { error: 'Details must be 5,000 characters or fewer' }),
    area: z.string().trim().max(AREA_MAX, { error: `Area must be ${AREA_MAX} characters or fewer` }),
    services: z
      .array(z.string())
      .refine((list) => list.every((slug) => serviceSlugs.includes(slug)), { error: 'Select services from the list' }),
    starts: londonTime('Enter when the alert starts', 'Start must be a real date and time, for example 21/11/2026 07:30'),
    expires: londonTime(null, 'Expiry must be a real date and time, for example 21/11/2026 18:00'),
    editSummary: z
      .string()
      .trim()
      .min(1, { error: 'Enter a summary of your change' })
      .max(SUMMARY_MAX, { error: `Summary of your change must be ${SUMMARY_MAX} characters or fewer` }),
  });
}

const FIELD_ORDER = ['severity', 'headline', 'body', 'area', 'services', 'starts', 'expires', 'editSummary'];

export type AlertFormResult =
  | { ok: true; draft: AlertDraft; summary: string }
  | { ok: false; issues: FormIssue[] };

/**
 * Checks the alert form against the services that exist and gives the draft to publish.
 * `retired` carries over from the version being edited (false for a new alert).
 */
export function parseAlertForm(values: AlertFormValues, serviceSlugs: readonly string[], retired = false): AlertFormResult {
  const parsed = alertSchema(serviceSlugs).safeParse(values);
  const issues: FormIssue[] = [];
  // One message per field, in the order the fields are on the page.
  for (const issue of parsed.error?.issues ?? []) {
    const field = String(issue.path[0] ?? 'headline');
    if (!issues.some((i) => i.field === field)) issues.push({ field, message: issue.message });
  }
  // Checked here rather than in the schema so it is reported alongside any other problem.
  const starts = parseLondonLocal(values.starts);
  const expires = parseLondonLocal(values.expires);
  if (starts && expires && expires.getTime() <= starts.getTime() && !issues.some((i) => i.field === 'expires')) {
    issues.push({ field: 'expires', message: 'Expiry must be after the start' });
  }
  if (!parsed.success || issues.length > 0) {
    issues.sort((a, b) => FIELD_ORDER.indexOf(a.field) - FIELD_ORDER.indexOf(b.field));
    return { ok: false, issues };
  }
  const v = parsed.data;
  return {
    ok: true,
    summary: v.editSummary,
    draft: {
      severity: v.severity as AlertSeverity,
      headline: v.headline,
      bodyMarkdown: v.body,
      area: v.area,
      // In the order services are listed, without repeats.
      serviceSlugs: serviceSlugs.filter((slug) => v.services.includes(slug)),
      startsAt: v.starts!.toISOString(),
      expiresAt: v.expires ? v.expires.toISOString() : null,
      retired,
    },
  };
}
