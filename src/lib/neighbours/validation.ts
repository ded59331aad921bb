// The admin forms for neighbouring councils and their feeds: what the person typed (kept
// verbatim so a form with errors comes back as it was sent) and its validation. Pure: whether
// a slug or feed address is already taken is the database's question (service.ts).
import { z } from 'zod';
import type { FormIssue } from '../auth/service.ts';
import type { NeighbourSourceRow } from './repository.ts';

export const COUNCIL_NAME_MAX = 100;
export const FEED_TITLE_MAX = 100;
export const URL_MAX = 2_000;
export const KEYWORD_MAX = 60;
export const KEYWORDS_MAX = 50;

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

export function readNeighbourSourceForm(form: FormData): NeighbourSourceFormValues {
  return { councilId: text(form, 'councilId'), title: text(form, 'title'), url: text(form, 'url') };
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

// ——— the staff screens (/staff/neighbours, /staff/coverage) ———

/** The value of the council list's "a council not listed here" choice. */
export const NEW_COUNCIL = 'new';

/**
 * The "add a feed" form as typed: a council from the list, or a new council named in the same
 * form (so an admin adds a neighbour and its first feed in one step).
 */
export interface AddNeighbourFeedFormValues {
  /** A council's id, or NEW_COUNCIL. */
  councilId: string;
  newCouncilName: string;
  newCouncilWebsite: string;
  title: string;
  url: string;
}

export function readAddNeighbourFeedForm(form: FormData): AddNeighbourFeedFormValues {
  return {
    councilId: text(form, 'councilId'),
    newCouncilName: text(form, 'newCouncilName'),
    newCouncilWebsite: text(form, 'newCouncilWebsite'),
    title: text(form, 'title'),
    url: text(form, 'url'),
  };
}

export function blankAddNeighbourFeedForm(): AddNeighbourFeedFormValues {
  return { councilId: '', newCouncilName: '', newCouncilWebsite: '', title: '', url: '' };
}

export type AddNeighbourFeedFormResult =
  | {
      ok: true;
      /** An existing council's id, or the new council's form values (checked already). */
      council: { kind: 'existing'; id: number } | { kind: 'new'; values: NeighbourCouncilFormValues };
      feed: { title: string; url: string };
    }
  | { ok: false; issues: FormIssue[] };

const ADD_FEED_ORDER: readonly string[] = ['councilId', 'newCouncilName', 'newCouncilWebsite', 'title', 'url'];
/** The council form's fields as they are named in the add-feed form. */
const NEW_COUNCIL_FIELD: Record<string, string> = { name: 'newCouncilName', slug: 'newCouncilName', websiteUrl: 'newCouncilWebsite', sortOrder: 'newCouncilName' };

/**
 * Checks the add-feed form whole, new council included, so nothing is written when any part
 * of it is wrong (no council left behind without the feed it was added for).
 */
export function parseAddNeighbourFeedForm(values: AddNeighbourFeedFormValues): AddNeighbourFeedFormResult {
  const choice = values.councilId.trim();
  const isNew = choice === NEW_COUNCIL;
  const issues: FormIssue[] = [];
  if (!isNew && !/^\d{1,12}$/.test(choice)) issues.push({ field: 'councilId', message: 'Select a council, or “A council not listed here”' });

  let council: NeighbourCouncilFormValues | null = null;
  if (isNew) {
    council = { name: values.newCouncilName, slug: '', websiteUrl: values.newCouncilWebsite, sortOrder: '' };
    const parsedCouncil = parseNeighbourCouncilForm(council);
    if (!parsedCouncil.ok) {
      for (const issue of parsedCouncil.issues) {
        const field = NEW_COUNCIL_FIELD[issue.field] ?? 'newCouncilName';
        if (!issues.some((i) => i.field === field)) issues.push({ field, message: issue.message });
      }
    }
  }

  // The feed's own fields; its council was checked above.
  const parsedFeed = parseNeighbourSourceForm({ councilId: '0', title: values.title, url: values.url });
  if (!parsedFeed.ok) issues.push(...parsedFeed.issues.filter((i) => i.field !== 'councilId'));

  if (issues.length > 0 || !parsedFeed.ok) {
    return { ok: false, issues: issues.sort((a, b) => ADD_FEED_ORDER.indexOf(a.field) - ADD_FEED_ORDER.indexOf(b.field)) };
  }
  return {
    ok: true,
    council: council ? { kind: 'new', values: council } : { kind: 'existing', id: Number(choice) },
    feed: { title: parsedFeed.values.title, url: parsedFeed.values.url },
  };
}

/** The keywords form of one service: which service, and its phrases as typed. */
export interface ServiceKeywordsFormValues {
  service: string;
  keywords: string;
}

export function readServiceKeywordsForm(form: FormData): ServiceKeywordsFormValues {
  return { service: text(form, 'service'), keywords: text(form, 'keywords') };
}

/** The id of a service's keywords textarea (one per service on the page). */
export function keywordsFieldId(serviceSlug: string): string {
  return `keywords-${serviceSlug}`;
}

/** The windows the coverage screen offers, in hours. */
export const COVERAGE_HOURS = [6, 12, 24, 48, 72] as const;
export const DEFAULT_COVERAGE_HOURS = 24;
/** The service filter's value for items that matched none of our services. */
export const UNMATCHED_SERVICE = 'none';

export interface CoverageQuery {
  hours: number;
  /** A neighbour's slug, or '' for every council. */
  council: string;
  /** A service slug, UNMATCHED_SERVICE, or '' for every service. */
  service: string;
  /** Values that make no sense (the page says so, answers 400 and shows the defaults). */
  problems: FormIssue[];
}

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

/**
 * The coverage screen's GET form. Only the shape is checked here; whether a council or service
 * exists is checked against the loaded matrix.
 */
export function parseCoverageQuery(params: URLSearchParams): CoverageQuery {
  const problems: FormIssue[] = [];
  const rawHours = (params.get('hours') ?? '').trim();
  let hours: number = DEFAULT_COVERAGE_HOURS;
  if (rawHours !== '') {
    const asNumber = /^\d{1,3}$/.test(rawHours) ? Number(rawHours) : NaN;
    if ((COVERAGE_HOURS as readonly number[]).includes(asNumber)) hours = asNumber;
    else problems.push({ field: 'hours', message: `Select how far back to look: ${COVERAGE_HOURS.join(', ')} hours` });
  }
  const council = (params.get('council') ?? '').trim();
  const service = (params.get('service') ?? '').trim();
  const validCouncil = council === '' || (council.length <= 60 && SLUG.test(council));
  const validService = service === '' || (service.length <= 60 && SLUG.test(service));
  if (!validCouncil) problems.push({ field: 'council', message: 'Select a council from the list' });
  if (!validService) problems.push({ field: 'service', message: 'Select a service from the list' });
  return { hours, council: validCouncil ? council : '', service: validService ? service : '', problems };
}
