// Administrators' council settings: on /staff/settings the hashtag share texts end with, the time
// places are asked to confirm by each morning and the advice page "not confirmed" points to; on
// /staff/settings/council the council's names, website, phone lines, logo and brand colour. Every save
// is a revision (setting_revisions: who changed what, when) and bumps the content version in the
// same batch: public pages and feeds show these settings, so every server's page cache must empty.
import { auditStatement } from '../audit/service.ts';
import type { Staff } from '../auth/guards.ts';
import { hasRole } from '../auth/roles.ts';
import { ForbiddenError } from '../errors.ts';
import { markContentChanged } from '../http/page-cache.ts';
import { listPublishedPages } from '../pages/repository.ts';
import { readFormValues, type FormIssue, type FormValues } from '../places/validation.ts';
import { bumpContentVersion, type Statement } from '../revisions/service.ts';
import { getDb } from '../server/db.ts';
import type { Database } from '../server/database.ts';
import { logoAddress, logoProblem, saveLogoStatement } from './brand.ts';
import { getCouncil, listCouncilRevisions, saveCouncilStatements, type Council } from './repository.ts';
import { COUNCIL_DETAILS_FIELDS, COUNCIL_SETTINGS_FIELDS, parseCouncilDetails, parseCouncilSettings } from './validation.ts';

export interface CouncilSettingsForm {
  council: Council;
  values: FormValues;
  issues: FormIssue[];
  pages: { slug: string; title: string }[];
  saved: boolean;
  /** Recent saves of the council setting (either form), newest first. */
  history: SettingsHistoryEntry[];
}

function requireAdmin(staff: Staff): void {
  if (!hasRole(staff.account.role, 'admin')) throw new ForbiddenError('This needs the admin role');
}

function valuesOf(council: Council): FormValues {
  return { hashtag: council.hashtag ?? '', 'confirm-by': council.confirmBy ?? '', 'advice-page': council.advicePage ?? '' };
}

/** The settings form, filled in from the saved council. */
export async function loadCouncilSettingsForm(staff: Staff, params: URLSearchParams): Promise<CouncilSettingsForm> {
  requireAdmin(staff);
  const db = await getDb();
  const [council, pages, history] = await Promise.all([getCouncil(db), listPublishedPages(db), listHistory(db)]);
  return { council, values: valuesOf(council), issues: [], pages, saved: params.has('saved'), history };
}

export type CouncilSettingsResult = { ok: true; redirect: string } | { ok: false; status: 400; form: CouncilSettingsForm };

/** Saves the hashtag, confirm-by time and advice page; a blank field removes that setting. */
export async function updateCouncilSettings(staff: Staff, form: FormData, now: Date): Promise<CouncilSettingsResult> {
  requireAdmin(staff);
  const db = await getDb();
  const [council, pages] = await Promise.all([getCouncil(db), listPublishedPages(db)]);
  const values = readFormValues(form, COUNCIL_SETTINGS_FIELDS);
  const parsed = parseCouncilSettings(values, pages.map((p) => p.slug));
  if (!parsed.ok) return { ok: false, status: 400, form: { council, values, issues: parsed.issues, pages, saved: false, history: await listHistory(db) } };
  const { hashtag, confirmBy, advicePage } = parsed.value;
  const { hashtag: _h, confirmBy: _c, advicePage: _a, ...identity } = council;
  const next: Council = {
    ...identity,
    ...(hashtag ? { hashtag } : {}),
    ...(confirmBy ? { confirmBy } : {}),
    ...(advicePage ? { advicePage } : {}),
  };
  await saveCouncil(db, staff, council, next, now);
  return { ok: true, redirect: '/staff/settings?saved' };
}

/** Field names in the history's words. */
const SETTING_LABELS: Record<keyof Council, string> = {
  name: 'name', shortName: 'short name', siteName: 'site name', websiteUrl: 'website', contactPhone: 'phone number',
  outOfHoursPhone: 'out-of-hours number', brandColour: 'brand colour', logoPath: 'logo', hashtag: 'hashtag', confirmBy: 'confirm-by time', advicePage: 'advice page',
};

/** "Changed the name and phone number" — what a save changed, for the history. */
export function describeCouncilChange(before: Council, after: Council): string {
  const changed = (Object.keys(SETTING_LABELS) as (keyof Council)[]).filter((k) => (before[k] ?? '') !== (after[k] ?? '')).map((k) => SETTING_LABELS[k]);
  if (changed.length === 0) return 'Saved with no changes';
  const list = changed.length === 1 ? changed[0]! : `${changed.slice(0, -1).join(', ')} and ${changed.at(-1)}`;
  return `Changed the ${list}`;
}

/**
 * Saves the council setting as a new revision — the history row, the current value, the
 * content-version bump (every server's page cache empties: the header, footer and feeds show
 * these) and the audit event — in one batch.
 */
async function saveCouncil(db: Database, staff: Staff, before: Council, next: Council, now: Date, alsoRun: Statement[] = []): Promise<void> {
  const summary = describeCouncilChange(before, next);
  const [revision, current] = saveCouncilStatements(db, next, { summary, accountId: staff.account.id, at: now });
  await db.batch([revision, ...alsoRun, current, bumpContentVersion(db, now), auditStatement(db, 'council-settings-changed', staff.account.id, next.name, { summary })]);
  markContentChanged();
}

export interface CouncilDetailsForm {
  council: Council;
  values: FormValues;
  issues: FormIssue[];
  saved: boolean;
}

function detailValuesOf(council: Council): FormValues {
  return {
    name: council.name, 'short-name': council.shortName, 'site-name': council.siteName, website: council.websiteUrl,
    phone: council.contactPhone, 'out-of-hours-phone': council.outOfHoursPhone ?? '', 'brand-colour': council.brandColour ?? '',
  };
}

/** The council details form (name, short name, site name, website, phones, brand colour). */
export async function loadCouncilDetailsForm(staff: Staff, params: URLSearchParams): Promise<CouncilDetailsForm> {
  requireAdmin(staff);
  const council = await getCouncil(await getDb());
  return { council, values: detailValuesOf(council), issues: [], saved: params.has('saved') };
}

export type CouncilDetailsResult = { ok: true; redirect: string } | { ok: false; status: 400; form: CouncilDetailsForm };

/** Saves the council's details as a new revision of the council setting. */
export async function updateCouncilDetails(staff: Staff, form: FormData, now: Date): Promise<CouncilDetailsResult> {
  requireAdmin(staff);
  const db = await getDb();
  const council = await getCouncil(db);
  const values = readFormValues(form, COUNCIL_DETAILS_FIELDS);
  const parsed = parseCouncilDetails(values);
  const logo = await readLogo(form, council.logoPath, now, db);
  const issues = [...(parsed.ok ? [] : parsed.issues), ...(logo.ok ? [] : [{ field: 'logo', message: logo.message }])];
  if (!parsed.ok || !logo.ok) return { ok: false, status: 400, form: { council, values, issues, saved: false } };
  const { outOfHoursPhone, brandColour, ...identity } = parsed.value;
  const { outOfHoursPhone: _o, brandColour: _b, logoPath: _l, ...rest } = council;
  const next: Council = {
    ...rest, ...identity, ...(outOfHoursPhone ? { outOfHoursPhone } : {}), ...(brandColour ? { brandColour } : {}), ...(logo.path ? { logoPath: logo.path } : {}),
  };
  await saveCouncil(db, staff, council, next, now, logo.statements);
  return { ok: true, redirect: '/staff/settings/council?saved' };
}

type LogoChange = { ok: true; path: string | undefined; statements: Statement[] } | { ok: false; message: string };

/** The logo after this save: a new upload (checked, kept by its hash), removed, or as it was. */
async function readLogo(form: FormData, current: string | undefined, now: Date, db: Database): Promise<LogoChange> {
  const file = form.get('logo');
  if (file instanceof File && file.size > 0) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    const problem = logoProblem(bytes);
    if (problem) return { ok: false, message: problem };
    return { ok: true, path: logoAddress(bytes).path, statements: [saveLogoStatement(db, bytes, now)] };
  }
  if (form.get('remove-logo') === 'yes') return { ok: true, path: undefined, statements: [] };
  return { ok: true, path: current, statements: [] };
}

export interface SettingsHistoryEntry {
  summary: string;
  by: string;
  at: Date;
}

/** How many saves the settings page lists. */
export const HISTORY_LIMIT = 20;

/** The council setting's history, newest first: what changed, who, when. */
async function listHistory(db: Database): Promise<SettingsHistoryEntry[]> {
  const rows = await listCouncilRevisions(db, HISTORY_LIMIT);
  return rows.map((r) => ({ summary: r.summary, by: r.authorName ?? 'The council (first start)', at: r.createdAt }));
}
