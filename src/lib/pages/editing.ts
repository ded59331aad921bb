// Staff editing of information pages: the list, the new-page and edit forms, and the use cases
// behind them (publish, save changes, retire, publish again). Every write goes through the one
// revision mechanism; an edit on an outdated version comes back as a conflict showing both
// sides, with what the person typed kept, and writes nothing.
import { readBaseRevision } from '../http/forms.ts';
import { asc, eq } from 'drizzle-orm';
import { pages } from '../../../db/schema/index.ts';
import type { Staff } from '../auth/guards.ts';
import type { FormIssue } from '../auth/service.ts';
import { NotFoundError } from '../errors.ts';
import { saveRevision, staffAuthor, withoutHtml, type SaveOutcome, summariseConflict, type ConflictSummary } from '../revisions/editing.ts';
import { findRevision } from '../revisions/history.ts';
import { createContent } from '../revisions/service.ts';
import type { Database } from '../server/database.ts';
import { getDb } from '../server/db.ts';
import { getCouncil } from '../settings/repository.ts';
import { newPageFormValues, pageFormValuesFrom, parsePageForm, readPageForm, type PageFormValues } from './validation.ts';

export interface PageListItem {
  id: number;
  slug: string;
  title: string;
  retired: boolean;
  updatedAt: Date;
}

/** The success banner after a POST → redirect → GET, from the query string. */
export interface SuccessBanner {
  heading: string;
  link: { href: string; text: string } | null;
}

export interface PageList {
  pages: PageListItem[];
  banner: SuccessBanner | null;
}

const BANNERS = {
  published: (title: string) => `Page published: ${title}`,
  updated: (title: string) => `Your changes to “${title}” are published`,
  retired: (title: string) => `Page retired: ${title}`,
  restored: (title: string) => `Page published again: ${title}`,
} as const;

/** Every page, retired ones included (they can be published again), by title. */
export async function loadPageList(params: URLSearchParams): Promise<PageList> {
  const db = await getDb();
  const rows = await db
    .select({ id: pages.id, slug: pages.slug, title: pages.title, retired: pages.retired, updatedAt: pages.updatedAt })
    .from(pages)
    .orderBy(asc(pages.retired), asc(pages.title));
  let banner: SuccessBanner | null = null;
  for (const [key, heading] of Object.entries(BANNERS)) {
    const page = rows.find((p) => p.id === Number(params.get(key)));
    if (!page) continue;
    banner = { heading: heading(page.title), link: page.retired ? null : { href: `/pages/${page.slug}`, text: 'View the page on the public site' } };
    break;
  }
  return { pages: rows, banner };
}

export type PageConflict = ConflictSummary;

/** Everything the new-page and edit-page forms render. */
export interface PageEditor {
  /** Null for a new page. */
  pageId: number | null;
  /** The revision the form is based on: sent back as the hidden `base` field. */
  baseRevisionId: number | null;
  values: PageFormValues;
  /** The published version (edit pages only). */
  published: { title: string; slug: string; retired: boolean } | null;
  issues: FormIssue[];
  conflict: PageConflict | null;
}

export type PageFormOutcome = { ok: true; pageId: number; redirect: string } | { ok: false; status: 400 | 409; editor: PageEditor };

export function loadNewPageForm(): PageEditor {
  return { pageId: null, baseRevisionId: null, values: newPageFormValues(), published: null, issues: [], conflict: null };
}

const SLUG_TAKEN: FormIssue = { field: 'slug', message: 'There is already a page at this web address. Choose a different one' };

/** The unique index on pages.slug refused the insert: another page took the address first. */
function isSlugTaken(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (e.message.includes('UNIQUE constraint failed: pages.slug')) return true;
  }
  return false;
}

/** Publishes a new page from the form, or gives the form back with its problems. */
export async function publishNewPage(staff: Staff, form: FormData): Promise<PageFormOutcome> {
  const db = await getDb();
  const values = readPageForm(form);
  const parsed = parsePageForm(values);
  const invalid = (issues: FormIssue[]): PageFormOutcome => ({
    ok: false,
    status: 400,
    editor: { pageId: null, baseRevisionId: null, values, published: null, issues, conflict: null },
  });
  if (!parsed.ok) return invalid(parsed.issues);
  const [taken] = await db.select({ id: pages.id }).from(pages).where(eq(pages.slug, parsed.draft.slug));
  if (taken) return invalid([SLUG_TAKEN]);
  const author = staffAuthor(staff, (await getCouncil(db)).name);
  try {
    const { targetId } = await createContent(db, { kind: 'page', draft: parsed.draft }, { author, summary: parsed.summary });
    return { ok: true, pageId: targetId, redirect: `/staff/pages?published=${targetId}` };
  } catch (error) {
    // Two people creating the same address at once: the second is told, not shown an error page.
    if (isSlugTaken(error)) return invalid([SLUG_TAKEN]);
    throw error;
  }
}

function parseId(param: string | undefined): number {
  if (!param || !/^\d{1,12}$/.test(param) || Number(param) < 1) throw new NotFoundError(`No page "${param ?? ''}"`);
  return Number(param);
}

async function loadCurrent(db: Database, id: number) {
  const [row] = await db.select({ currentRevisionId: pages.currentRevisionId }).from(pages).where(eq(pages.id, id));
  if (!row?.currentRevisionId) throw new NotFoundError(`No page ${id}`);
  const revision = await findRevision(db, 'page', id, row.currentRevisionId);
  if (!revision) throw new NotFoundError(`No page ${id}`);
  return revision;
}

const publishedOf = (content: { title: string; slug: string; retired: boolean }) => ({ title: content.title, slug: content.slug, retired: content.retired });

/** The edit form of one page, filled in with its published version. */
export async function loadPageEditor(idParam: string | undefined): Promise<PageEditor> {
  const id = parseId(idParam);
  const revision = await loadCurrent(await getDb(), id);
  return {
    pageId: id,
    baseRevisionId: revision.id,
    values: pageFormValuesFrom(revision.content),
    published: publishedOf(revision.content),
    issues: [],
    conflict: null,
  };
}

async function settle(id: number, outcome: SaveOutcome<'page'>, values: PageFormValues | null, redirect: string): Promise<PageFormOutcome> {
  if (outcome.ok) return { ok: true, pageId: id, redirect };
  if (outcome.reason === 'not_found') throw new NotFoundError(`No page ${id}`);
  const editor = await loadPageEditor(String(id));
  return {
    ok: false,
    status: 409,
    editor: {
      ...editor,
      // Their version is now the base: saving again publishes on top of it, knowingly.
      baseRevisionId: outcome.current.id,
      values: values ? { ...values, slug: editor.values.slug } : editor.values,
      conflict: summariseConflict(outcome),
    },
  };
}

/** Publishes the edited page on top of the version the form was based on. Its address stays. */
export async function savePageChanges(staff: Staff, idParam: string | undefined, form: FormData): Promise<PageFormOutcome> {
  const id = parseId(idParam);
  const db = await getDb();
  const base = readBaseRevision(form);
  const values = readPageForm(form);
  const revision = await loadCurrent(db, id);
  const parsed = parsePageForm(values, revision.content);
  if (!parsed.ok) {
    return {
      ok: false,
      status: 400,
      editor: { pageId: id, baseRevisionId: base, values: { ...values, slug: revision.content.slug }, published: publishedOf(revision.content), issues: parsed.issues, conflict: null },
    };
  }
  const author = staffAuthor(staff, (await getCouncil(db)).name);
  const outcome = await saveRevision(db, 'page', id, base, parsed.draft, author, parsed.summary);
  return settle(id, outcome, values, `/staff/pages?updated=${id}`);
}

/** Sets a page's retired flag as a new revision, based on the version the person saw. */
async function setRetired(staff: Staff, idParam: string | undefined, form: FormData, retired: boolean): Promise<PageFormOutcome> {
  const id = parseId(idParam);
  const db = await getDb();
  const base = readBaseRevision(form);
  const revision = await loadCurrent(db, id);
  const draft = { ...withoutHtml<'page'>(revision.content), retired };
  const author = staffAuthor(staff, (await getCouncil(db)).name);
  const outcome = await saveRevision(db, 'page', id, base, draft, author, retired ? 'Retired the page' : 'Published the page again');
  return settle(id, outcome, null, `/staff/pages?${retired ? 'retired' : 'restored'}=${id}`);
}

/** Takes a page off the site (its address then answers 404; history keeps every version). */
export function retirePage(staff: Staff, idParam: string | undefined, form: FormData): Promise<PageFormOutcome> {
  return setRetired(staff, idParam, form, true);
}

/** Puts a retired page back at its address. */
export function restorePage(staff: Staff, idParam: string | undefined, form: FormData): Promise<PageFormOutcome> {
  return setRetired(staff, idParam, form, false);
}
