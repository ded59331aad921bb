// What an administrator may type into the council settings forms: the hashtag for share texts,
// the time places are asked to confirm by, and the advice page "not confirmed" points to; and the
// council's details — its names, website, phone lines and brand colour (contrast-checked). Pure.
import { z } from 'zod';
import { normalisePhone, PHONE_MESSAGE, websiteField, type FormIssue, type FormValues, type Parsed } from '../places/validation.ts';
import { contrastWithWhite, MINIMUM_CONTRAST, parseHexColour } from './contrast.ts';

export const COUNCIL_SETTINGS_FIELDS = ['hashtag', 'confirm-by', 'advice-page'] as const;

export interface CouncilSettingsChange {
  /** With its "#", or null for none. */
  hashtag: string | null;
  /** "HH:MM", 24-hour London time, or null for none. */
  confirmBy: string | null;
  /** A published page's slug, or null for none. */
  advicePage: string | null;
}

const HASHTAG = /^[A-Za-z][A-Za-z0-9_]{0,49}$/;

const hashtagField = z.string().transform((value, ctx) => {
  const tag = value.trim().replace(/^#/, '');
  if (tag === '') return null;
  if (!HASHTAG.test(tag)) {
    ctx.addIssue({ code: 'custom', message: 'Enter a hashtag of letters, numbers and underscores that starts with a letter, like #KirkleesSnow' });
    return z.NEVER;
  }
  return `#${tag}`;
});

/** "07:30", "7:30", "7.30", "7:30am", "7:30 pm": a time of day; blank for none. */
const confirmByField = z.string().transform((value, ctx) => {
  const text = value.trim().toLowerCase();
  if (text === '') return null;
  const match = /^(\d{1,2})[:.](\d{2})\s*(am|pm)?$/.exec(text);
  let hours = match ? Number(match[1]) : NaN;
  const minutes = match ? Number(match[2]) : NaN;
  const half = match?.[3];
  if (half && (hours < 1 || hours > 12)) hours = NaN;
  else if (half) hours = (hours % 12) + (half === 'pm' ? 12 : 0);
  if (!(hours >= 0 && hours <= 23 && minutes >= 0 && minutes <= 59)) {
    ctx.addIssue({ code: 'custom', message: 'Enter a time of day, like 07:30' });
    return z.NEVER;
  }
  return `${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}`;
});

/** The settings form, every problem reported against its input, in the order the form shows them. */
export function parseCouncilSettings(values: FormValues, pageSlugs: readonly string[]): Parsed<CouncilSettingsChange> {
  const schema = z.object({
    hashtag: hashtagField,
    'confirm-by': confirmByField,
    'advice-page': z.string().refine((slug) => slug === '' || pageSlugs.includes(slug), { error: 'Choose a page from the list' }),
  });
  const parsed = schema.safeParse(Object.fromEntries(COUNCIL_SETTINGS_FIELDS.map((f) => [f, values[f] ?? ''])));
  if (!parsed.success) {
    const issues: FormIssue[] = parsed.error.issues.map((i) => ({ field: String(i.path[0] ?? ''), message: i.message }));
    return { ok: false, issues: COUNCIL_SETTINGS_FIELDS.flatMap((f) => issues.filter((i) => i.field === f).slice(0, 1)) };
  }
  const d = parsed.data;
  return { ok: true, value: { hashtag: d.hashtag, confirmBy: d['confirm-by'], advicePage: d['advice-page'] || null } };
}

// ─── The council's details: its name, contact lines and brand colour ───────────────────────

export const COUNCIL_DETAILS_FIELDS = ['name', 'short-name', 'site-name', 'website', 'phone', 'out-of-hours-phone', 'brand-colour'] as const;

export interface CouncilDetailsChange {
  name: string;
  shortName: string;
  siteName: string;
  /** An https (or http) address, or '' for none. */
  websiteUrl: string;
  contactPhone: string;
  /** Null for none. */
  outOfHoursPhone: string | null;
  /** "#rrggbb" in lower case, or null for the site's own colour. */
  brandColour: string | null;
}

const required = (label: string, max: number, example: string) =>
  z.string().trim().min(1, { error: `Enter ${label}, like ${example}` }).max(max, { error: `${label[0]!.toUpperCase()}${label.slice(1)} must be ${max} characters or fewer` });

const optionalPhone = (label: string) => z.string().transform((value, ctx) => {
  const phone = normalisePhone(value);
  if (phone === undefined) {
    ctx.addIssue({ code: 'custom', message: `Enter ${label} using only numbers, spaces and +, like 01484 221000` });
    return z.NEVER;
  }
  return phone;
});

/** The header colour: six-digit hex, with enough contrast for the white text on it. */
const brandColourField = z.string().transform((value, ctx) => {
  const text = value.trim().toLowerCase();
  if (text === '') return null;
  const hex = text.startsWith('#') ? text : `#${text}`;
  const rgb = parseHexColour(hex);
  if (!rgb) {
    ctx.addIssue({ code: 'custom', message: 'Enter the brand colour as # and 6 letters or numbers, like #00526c' });
    return z.NEVER;
  }
  const ratio = contrastWithWhite(rgb);
  if (ratio < MINIMUM_CONTRAST) {
    ctx.addIssue({
      code: 'custom',
      message: `The brand colour ${hex} is too light for the white text on it: its contrast is ${(Math.floor(ratio * 100) / 100).toFixed(2)} to 1 and must be at least ${MINIMUM_CONTRAST} to 1. Choose a darker colour`,
    });
    return z.NEVER;
  }
  return hex;
});

/** The council details form, every problem against its input, in form order. */
export function parseCouncilDetails(values: FormValues): Parsed<CouncilDetailsChange> {
  const schema = z.object({
    name: required('the council’s name', 100, 'Kirklees Council'),
    'short-name': required('a short name', 40, 'Kirklees'),
    'site-name': required('the site’s name', 100, 'Kirklees service alerts'),
    website: z.string().transform((value, ctx) => {
      const text = value.trim();
      if (text === '') return '';
      const checked = websiteField.safeParse(text);
      if (!checked.success) {
        ctx.addIssue({ code: 'custom', message: 'Enter the council’s website address, starting with https://, like https://www.kirklees.gov.uk' });
        return z.NEVER;
      }
      return checked.data ?? '';
    }),
    phone: z.string().transform((value, ctx) => {
      const phone = normalisePhone(value);
      if (!phone) {
        ctx.addIssue({ code: 'custom', message: phone === null ? 'Enter the council’s phone number, like 01484 221000' : PHONE_MESSAGE });
        return z.NEVER;
      }
      return phone;
    }),
    'out-of-hours-phone': optionalPhone('the out-of-hours number'),
    'brand-colour': brandColourField,
  });
  const parsed = schema.safeParse(Object.fromEntries(COUNCIL_DETAILS_FIELDS.map((f) => [f, values[f] ?? ''])));
  if (!parsed.success) {
    const issues: FormIssue[] = parsed.error.issues.map((i) => ({ field: String(i.path[0] ?? ''), message: i.message }));
    return { ok: false, issues: COUNCIL_DETAILS_FIELDS.flatMap((f) => issues.filter((i) => i.field === f).slice(0, 1)) };
  }
  const d = parsed.data;
  return {
    ok: true,
    value: { name: d.name, shortName: d['short-name'], siteName: d['site-name'], websiteUrl: d.website, contactPhone: d.phone, outOfHoursPhone: d['out-of-hours-phone'], brandColour: d['brand-colour'] },
  };
}
