// The staff information-page form: what the person typed (kept verbatim for a form with errors)
// and its validation into a PageDraft, including the web address (slug) of a new page. Pure:
// whether a slug is already taken is the database's question (src/lib/pages/editing.ts).
import { z } from 'zod';
import type { FormIssue } from '../auth/service.ts';
import type { PageContent, PageDraft } from '../revisions/content.ts';

/** The page form as typed. `slug` is only used when creating a page. */
export interface PageFormValues {
  title: string;
  summary: string;
  slug: string;
  body: string;
  /** What changed and why, for the revision history. */
  editSummary: string;
}

export const TITLE_MAX = 120;
export const PAGE_SUMMARY_MAX = 300;
export const SLUG_MAX = 80;
export const PAGE_BODY_MAX = 50_000;
export const EDIT_SUMMARY_MAX = 200;

const SLUG_PATTERN = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

const text = (form: FormData, name: string): string => {
  const value = form.get(name);
  return typeof value === 'string' ? value : '';
};

export function readPageForm(form: FormData): PageFormValues {
  return { title: text(form, 'title'), summary: text(form, 'summary'), slug: text(form, 'slug'), body: text(form, 'body'), editSummary: text(form, 'editSummary') };
}

export function newPageFormValues(): PageFormValues {
  return { title: '', summary: '', slug: '', body: '', editSummary: 'New page' };
}

/** The published content of a page as the form shows it for editing. */
export function pageFormValuesFrom(content: PageContent): PageFormValues {
  return { title: content.title, summary: content.summary, slug: content.slug, body: content.bodyMarkdown, editSummary: '' };
}

/**
 * A web address made from a title: "Gritting & roads — winter 2026" → "gritting-roads-winter-2026".
 * Accents are dropped, anything else that is not a letter or digit becomes a hyphen.
 */
export function slugFromTitle(title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/['’]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug.slice(0, SLUG_MAX).replace(/-+$/, '');
}

const pageSchema = z.object({
  title: z
    .string()
    .trim()
    .min(1, { error: 'Enter a title' })
    .max(TITLE_MAX, { error: `Title must be ${TITLE_MAX} characters or fewer` }),
  summary: z.string().trim().max(PAGE_SUMMARY_MAX, { error: `Summary must be ${PAGE_SUMMARY_MAX} characters or fewer` }),
  body: z
    .string()
    .trim()
    .min(1, { error: 'Enter the text of the page' })
    .max(PAGE_BODY_MAX, { error: 'The text of the page must be 50,000 characters or fewer' }),
  editSummary: z
    .string()
    .trim()
    .min(1, { error: 'Enter a summary of your change' })
    .max(EDIT_SUMMARY_MAX, { error: `Summary of your change must be ${EDIT_SUMMARY_MAX} characters or fewer` }),
});

const slugSchema = z
  .string()
  .max(SLUG_MAX, { error: `Web address must be ${SLUG_MAX} characters or fewer` })
  .regex(SLUG_PATTERN, { error: 'Web address must only include lowercase letters, numbers and hyphens, like bad-weather-advice' });

const FIELD_ORDER = ['title', 'summary', 'slug', 'body', 'editSummary'];

export type PageFormResult = { ok: true; draft: PageDraft; summary: string } | { ok: false; issues: FormIssue[] };

/**
 * Checks the page form and gives the draft to publish. For a new page (`existing` undefined) the
 * slug is taken from the form, or made from the title when left blank; an existing page keeps
 * its slug and retired state whatever the form says.
 */
export function parsePageForm(values: PageFormValues, existing?: Pick<PageContent, 'slug' | 'retired'>): PageFormResult {
  const parsed = pageSchema.safeParse(values);
  const issues: FormIssue[] = [];
  for (const issue of parsed.error?.issues ?? []) {
    const field = String(issue.path[0] ?? 'title');
    if (!issues.some((i) => i.field === field)) issues.push({ field, message: issue.message });
  }
  let slug = existing?.slug ?? '';
  if (!existing) {
    const typed = values.slug.trim();
    slug = typed === '' ? slugFromTitle(values.title) : typed;
    const checked = slugSchema.safeParse(slug);
    if (!checked.success) {
      // A blank address with a title that makes none (only symbols) needs one typed in.
      const message = typed === '' && values.title.trim() !== '' ? 'Enter a web address for the page, like bad-weather-advice' : checked.error.issues[0]!.message;
      if (typed !== '' || values.title.trim() !== '') issues.push({ field: 'slug', message });
    }
  }
  if (!parsed.success || issues.length > 0) {
    issues.sort((a, b) => FIELD_ORDER.indexOf(a.field) - FIELD_ORDER.indexOf(b.field));
    return { ok: false, issues };
  }
  const v = parsed.data;
  return {
    ok: true,
    summary: v.editSummary,
    draft: { slug, title: v.title, summary: v.summary, bodyMarkdown: v.body, retired: existing?.retired ?? false },
  };
}
