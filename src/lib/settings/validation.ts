// What an administrator may type into the council settings form: the hashtag for share texts,
// the time places are asked to confirm by, and the advice page "not confirmed" points to. Pure.
import { z } from 'zod';
import type { FormIssue, FormValues, Parsed } from '../places/validation.ts';

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
