// The admin forms for neighbouring councils and their feeds: what the person typed (kept
// verbatim so a form with errors comes back as it was sent) and its validation. Pure: whether
// a slug or feed address is already taken is the database's question (service.ts).
import { z } from 'zod';
import type { FormIssue } from '../auth/service.ts';
import type { NeighbourCouncilRow, NeighbourSourceRow } from './repository.ts';

export const COUNCIL_NAME_MAX = 100;
export const FEED_TITLE_MAX = 100;
export const URL_MAX = 2_000;
export const KEYWORD_MAX = 60;
export const KEYWORDS_MAX = 100;

/** The council form as typed. Field names are the inputs' ids. */
export interface NeighbourCouncilFormValues {
  name: string;
  /** Optional: made from the name when left blank. */
  slug: string;
  websiteUrl: string;
  sortOrder: string;
}

/** The feed form as typed. */
export interface NeighbourSourceFormValues {
  councilId: string;
  title: string;
  url: string;
}

const text = (form: FormData | URLSearchParams, name: string): string => {
  const value = form.get(name);
  return typeof value === 'string' ? value : '';
};

export function readNeighbourCouncilForm(form: FormData): NeighbourCouncilFormValues {
  return { name: text(form, 'name'), slug: text(form, 'slug'), websiteUrl: text(form, 'websiteUrl'), sortOrder: text(form, 'sortOrder') };
}

export function readNeighbourSourceForm(form: FormData): NeighbourSourceFormValues {
  return { councilId: text(form, 'councilId'), title: text(form, 'title'), url: text(form, 'url') };
}

export function neighbourCouncilFormValuesFrom(row: NeighbourCouncilRow): NeighbourCouncilFormValues {
  return { name: row.name, slug: row.slug, websiteUrl: row.websiteUrl, sortOrder: String(row.sortOrder) };
}

export function neighbourSourceFormValuesFrom(row: NeighbourSourceRow): NeighbourSourceFormValues {
  return { councilId: String(row.councilId), title: row.title, url: row.url };
}

/** "Calderdale Council" → "calderdale-council". */
export function slugFromName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/['’]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
}

function isWebAddress(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' && !url.username && !url.password;
  } catch {
    return false;
  }
}

/** A full http(s) address; `missing` is the message for a blank one, or null when blank is fine. */
const webAddress = (missing: string | null, example: string) =>
  z
    .string()
    .trim()
    .max(URL_MAX, { error: `Web address must be ${URL_MAX.toLocaleString('en-GB')} characters or fewer` })
    .superRefine((value, ctx) => {
      if (value === '') {
        if (missing) ctx.addIssue({ code: 'custom', message: missing });
        return;
      }
      if (!isWebAddress(value)) ctx.addIssue({ code: 'custom', message: `Enter a full web address starting with https://, like ${example}` });
    });

const councilSchema = z.object({
  name: z
    .string()
    .trim()
    .min(1, { error: "Enter the council's name" })
    .max(COUNCIL_NAME_MAX, { error: `Name must be ${COUNCIL_NAME_MAX} characters or fewer` }),
  slug: z
    .string()
    .trim()
    .max(60, { error: 'Short name must be 60 characters or fewer' })
    .refine((v) => v === '' || /^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(v), { error: 'Short name must be lowercase letters, numbers and hyphens, like calderdale' }),
  websiteUrl: webAddress(null, 'https://www.calderdale.gov.uk'),
  sortOrder: z
    .string()
    .trim()
    .refine((v) => v === '' || (/^-?\d{1,4}$/.test(v)), { error: 'Position must be a whole number, like 3' }),
});

const sourceSchema = z.object({
  councilId: z.string().trim().regex(/^\d{1,12}$/, { error: 'Select a council' }),
  title: z
    .string()
    .trim()
    .min(1, { error: 'Enter a name for the feed, like School closures' })
    .max(FEED_TITLE_MAX, { error: `Name of the feed must be ${FEED_TITLE_MAX} characters or fewer` }),
  url: webAddress("Enter the feed's web address", 'https://www.calderdale.gov.uk/news/rss'),
});

/** One message per field, in form order. */
function issuesOf(error: z.ZodError | undefined, order: readonly string[]): FormIssue[] {
  const issues: FormIssue[] = [];
  for (const issue of error?.issues ?? []) {
    const field = String(issue.path[0] ?? order[0]);
    if (!issues.some((i) => i.field === field)) issues.push({ field, message: issue.message });
  }
  return issues.sort((a, b) => order.indexOf(a.field) - order.indexOf(b.field));
}

export type NeighbourCouncilFormResult =
  | { ok: true; values: { slug: string; name: string; websiteUrl: string; sortOrder: number | null } }
  | { ok: false; issues: FormIssue[] };

/** Checks the council form. A blank short name is made from the name; a blank position means "last". */
export function parseNeighbourCouncilForm(values: NeighbourCouncilFormValues): NeighbourCouncilFormResult {
  const parsed = councilSchema.safeParse(values);
  const issues = issuesOf(parsed.error, ['name', 'slug', 'websiteUrl', 'sortOrder']);
  if (!parsed.success || issues.length > 0) return { ok: false, issues };
  const slug = parsed.data.slug || slugFromName(parsed.data.name);
  if (!slug) return { ok: false, issues: [{ field: 'slug', message: 'Enter a short name, like calderdale' }] };
  return {
    ok: true,
    values: {
      slug,
      name: parsed.data.name,
      websiteUrl: parsed.data.websiteUrl,
      sortOrder: parsed.data.sortOrder === '' ? null : Number(parsed.data.sortOrder),
    },
  };
}

export type NeighbourSourceFormResult =
  | { ok: true; values: { councilId: number; title: string; url: string } }
  | { ok: false; issues: FormIssue[] };

/** Checks the feed form (only its shape: whether the feed can be read is the poller's job). */
export function parseNeighbourSourceForm(values: NeighbourSourceFormValues): NeighbourSourceFormResult {
  const parsed = sourceSchema.safeParse(values);
  const issues = issuesOf(parsed.error, ['councilId', 'title', 'url']);
  if (!parsed.success || issues.length > 0) return { ok: false, issues };
  return { ok: true, values: { councilId: Number(parsed.data.councilId), title: parsed.data.title, url: new URL(parsed.data.url).href } };
}

export type KeywordsFormResult = { ok: true; phrases: string[] } | { ok: false; issues: FormIssue[] };

/** A service's keywords as typed: one phrase a line (or comma-separated), field `keywords`. */
export function parseKeywordsForm(value: string): KeywordsFormResult {
  const phrases = [...new Set(value.split(/[\n,]/).map((p) => p.trim().replace(/\s+/g, ' ').toLowerCase()).filter(Boolean))];
  if (phrases.length > KEYWORDS_MAX) return { ok: false, issues: [{ field: 'keywords', message: `Enter ${KEYWORDS_MAX} words or phrases or fewer` }] };
  const long = phrases.find((p) => p.length > KEYWORD_MAX);
  if (long) return { ok: false, issues: [{ field: 'keywords', message: `Each word or phrase must be ${KEYWORD_MAX} characters or fewer` }] };
  return { ok: true, phrases };
}
