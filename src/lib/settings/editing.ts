// Administrators' council settings (/staff/settings): the hashtag share texts end with, the time
// places are asked to confirm by each morning, and the advice page "not confirmed" points to.
// Saving bumps the content version in the same batch: public pages show these settings, so every
// server's page cache must empty.
import { auditStatement } from '../audit/service.ts';
import type { Staff } from '../auth/guards.ts';
import { hasRole } from '../auth/roles.ts';
import { ForbiddenError } from '../errors.ts';
import { markContentChanged } from '../http/page-cache.ts';
import { listPublishedPages } from '../pages/repository.ts';
import { readFormValues, type FormIssue, type FormValues } from '../places/validation.ts';
import { bumpContentVersion } from '../revisions/service.ts';
import { getDb } from '../server/db.ts';
import { getCouncil, saveCouncilStatement, type Council } from './repository.ts';
import { COUNCIL_SETTINGS_FIELDS, parseCouncilSettings } from './validation.ts';

export interface CouncilSettingsForm {
  council: Council;
  values: FormValues;
  issues: FormIssue[];
  pages: { slug: string; title: string }[];
  saved: boolean;
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
  const [council, pages] = await Promise.all([getCouncil(db), listPublishedPages(db)]);
  return { council, values: valuesOf(council), issues: [], pages, saved: params.has('saved') };
}

export type CouncilSettingsResult = { ok: true; redirect: string } | { ok: false; status: 400; form: CouncilSettingsForm };

/** Saves the hashtag, confirm-by time and advice page; a blank field removes that setting. */
export async function updateCouncilSettings(staff: Staff, form: FormData, now: Date): Promise<CouncilSettingsResult> {
  requireAdmin(staff);
  const db = await getDb();
  const [council, pages] = await Promise.all([getCouncil(db), listPublishedPages(db)]);
  const values = readFormValues(form, COUNCIL_SETTINGS_FIELDS);
  const parsed = parseCouncilSettings(values, pages.map((p) => p.slug));
  if (!parsed.ok) return { ok: false, status: 400, form: { council, values, issues: parsed.issues, pages, saved: false } };
  const { hashtag, confirmBy, advicePage } = parsed.value;
  const { hashtag: _h, confirmBy: _c, advicePage: _a, ...identity } = council;
  const next: Council = {
    ...identity,
    ...(hashtag ? { hashtag } : {}),
    ...(confirmBy ? { confirmBy } : {}),
    ...(advicePage ? { advicePage } : {}),
  };
  await db.batch([
    saveCouncilStatement(db, next, now),
    bumpContentVersion(db, now),
    auditStatement(db, 'council-settings-changed', staff.account.id, council.name, { hashtag, confirmBy, advicePage }),
  ]);
  markContentChanged();
  return { ok: true, redirect: '/staff/settings?saved' };
}
