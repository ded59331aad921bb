// The home of snow-day mode: one admin switch that publishes the prepared site-wide alert from
// its template page and puts the closures service first on the home page, and switches both off
// again. The alert is a normal revisioned alert written inside a change set of kind 'snow_day';
// the mode itself is the settings row 'snow_day' (settings are not revisioned), written in the
// same batch when switching on. The history of a snow day is therefore the alert's revisions
// plus the change sets in Recent changes. The mode reads as on only while that alert is still
// published, so a hand-withdrawn alert (or a crash between the two writes of switching off)
// never leaves the home page stuck in snow-day order.
import { auditStatement } from '../audit/service.ts';
import { and, eq, sql } from 'drizzle-orm';
import { alerts, changeSets, settings } from '../../../db/schema/index.ts';
import type { Staff } from '../auth/guards.ts';
import type { FormIssue } from '../auth/service.ts';
import { ForbiddenError } from '../errors.ts';
import { hasRole } from '../auth/roles.ts';
import { findPublishedPage } from '../pages/repository.ts';
import { findRevision } from '../revisions/history.ts';
import { staffAuthor, withoutHtml } from '../revisions/editing.ts';
import { completeDraft, type AlertDraft } from '../revisions/content.ts';
import { createContentStatements, publishChangeSet } from '../revisions/service.ts';
import { markContentChanged } from '../http/page-cache.ts';
import type { Database } from '../server/database.ts';
import { getDb } from '../server/db.ts';
import { listServices, type ServiceRow } from '../services/repository.ts';
import { getCouncil } from '../settings/repository.ts';

/** The information page whose title and text become the snow-day alert. */
export const SNOW_DAY_TEMPLATE_SLUG = 'template-snow-day';
/** The service put first on the home page: schools if there is one, else the first service. */
export const CLOSURES_SERVICE_SLUG = 'schools';
const SETTING_KEY = 'snow_day';


/** What the settings row holds while the mode is on. */
interface SnowDaySetting {
  on: boolean;
  alertId: number;
  changeSetId: number;
  since: string;
}

export interface SnowDayState {
  on: boolean;
  alertId: number | null;
  since: Date | null;
}

async function readSetting(db: Database): Promise<SnowDaySetting | null> {
  const [row] = await db.select({ value: settings.value }).from(settings).where(eq(settings.key, SETTING_KEY));
  const value = row?.value as SnowDaySetting | undefined;
  return value?.on ? value : null;
}

/** Whether snow-day mode is on: the setting says so and its alert is still published. */
export async function readSnowDay(db: Database): Promise<SnowDayState> {
  const setting = await readSetting(db);
  if (!setting) return { on: false, alertId: null, since: null };
  const [alert] = await db.select({ retired: alerts.retired }).from(alerts).where(eq(alerts.id, Number(setting.alertId)));
  if (!alert || alert.retired) return { on: false, alertId: null, since: null };
  return { on: true, alertId: Number(setting.alertId), since: new Date(setting.since) };
}

/** The closures service the home page puts first. */
export function closuresService<T extends Pick<ServiceRow, 'slug'>>(services: T[]): T | undefined {
  return services.find((s) => s.slug === CLOSURES_SERVICE_SLUG) ?? services[0];
}

/** The alert the template page prepares: its title is the headline, its text the details. */
function alertFromTemplate(page: { title: string; bodyMarkdown: string }, closures: string | undefined, now: Date): AlertDraft {
  return {
    severity: 'warning',
    headline: page.title,
    bodyMarkdown: page.bodyMarkdown,
    area: '',
    serviceSlugs: closures ? [closures] : [],
    startsAt: now.toISOString(),
    expiresAt: null,
    retired: false,
  };
}

export interface SnowDayPage {
  state: SnowDayState;
  /** The template, or null when its page is missing or retired (the switch cannot be used). */
  template: { id: number; title: string; bodyHtml: string } | null;
  issues: FormIssue[];
  banner: 'on' | 'off' | 'already-on' | 'already-off' | null;
}

export type SnowDayOutcome = { ok: true; redirect: string } | { ok: false; status: 400 | 409; page: SnowDayPage };

function requireAdmin(staff: Staff) {
  if (!hasRole(staff.account.role, 'admin')) throw new ForbiddenError('Only administrators switch snow-day mode');
}

const BANNERS = ['on', 'off', 'already-on', 'already-off'] as const;

/** The switch page: whether the mode is on, and the alert the template would publish. */
export async function loadSnowDayPage(staff: Staff, params: URLSearchParams): Promise<SnowDayPage> {
  requireAdmin(staff);
  const db = await getDb();
  const [state, page] = await Promise.all([readSnowDay(db), findPublishedPage(db, SNOW_DAY_TEMPLATE_SLUG)]);
  return {
    state,
    template: page ? { id: page.id, title: page.title, bodyHtml: page.bodyHtml } : null,
    issues: [],
    banner: BANNERS.find((b) => params.get('done') === b) ?? null,
  };
}

/**
 * Switches snow-day mode on or off from the switch page's form. Nothing changes unless the form
 * carries the confirmation tick (`confirm=yes`).
 */
export async function switchSnowDay(staff: Staff, form: FormData, now: Date): Promise<SnowDayOutcome> {
  requireAdmin(staff);
  const action = form.get('action');
  const again = async (status: 400 | 409, issues: FormIssue[]): Promise<SnowDayOutcome> => ({ ok: false, status, page: { ...(await loadSnowDayPage(staff, new URLSearchParams())), issues } });
  if (action !== 'on' && action !== 'off') return again(400, [{ field: 'confirm', message: 'Choose whether to switch snow-day mode on or off' }]);
  if (form.get('confirm') !== 'yes') {
    return again(400, [{ field: 'confirm', message: `Tick the box to confirm you want to switch snow-day mode ${action}` }]);
  }
  return action === 'on' ? switchOn(staff, now, again) : switchOff(staff, now, again);
}

type Again = (status: 400 | 409, issues: FormIssue[]) => Promise<SnowDayOutcome>;

async function switchOn(staff: Staff, now: Date, again: Again): Promise<SnowDayOutcome> {
  const db = await getDb();
  if ((await readSnowDay(db)).on) return { ok: true, redirect: '/staff/snow-day?done=already-on' };
  const [template, services, council] = await Promise.all([findPublishedPage(db, SNOW_DAY_TEMPLATE_SLUG), listServices(db), getCouncil(db)]);
  if (!template) return again(400, [{ field: 'confirm', message: `The snow-day alert template (the information page “${SNOW_DAY_TEMPLATE_SLUG}”) is missing: add it first` }]);
  const draft = alertFromTemplate(template, closuresService(services)?.slug, now);
  const author = staffAuthor(staff, council.name);
  // A row left by a mode whose alert was withdrawn by hand reads as off: clear it first.
  await db.delete(settings).where(and(eq(settings.key, SETTING_KEY), sql`NOT EXISTS (SELECT 1 FROM alerts WHERE id = json_extract(${settings.value}, '$.alertId') AND retired = 0)`));
  // One batch: the mode's row (its plain INSERT fails if another admin switched on a moment
  // ago, and the whole batch rolls back), the alert and its first revision, the change set
  // holding that revision, then the row's value. The write lock is held for the whole batch and
  // ids only grow, so the newest rows are ours.
  const claim = db.insert(settings).values({ key: SETTING_KEY, value: { on: true }, updatedAt: now });
  const alsoRun = [
    db.insert(changeSets).values({ kind: 'snow_day', summary: `Snow-day mode on: published “${draft.headline}”`, authorAccountId: staff.account.id, createdAt: now }),
    db.run(sql`UPDATE revisions SET change_set_id = (SELECT max(id) FROM change_sets) WHERE id = (SELECT max(id) FROM revisions)`),
    db.run(sql`UPDATE settings
      SET value = json_object('on', json('true'), 'alertId', (SELECT max(id) FROM alerts), 'changeSetId', (SELECT max(id) FROM change_sets), 'since', ${now.toISOString()})
      WHERE key = ${SETTING_KEY}`),
    auditStatement(db, 'snow-day-on', staff.account.id, draft.headline),
  ];
  const created = createContentStatements(db, completeDraft({ kind: 'alert', draft }), {
    author,
    summary: 'Snow-day mode switched on: published the snow-day alert',
    at: now,
    alsoRun,
  });
  try {
    await db.batch([claim, ...created]);
  } catch (error) {
    if (isClaimTaken(error)) return { ok: true, redirect: '/staff/snow-day?done=already-on' };
    throw error;
  }
  markContentChanged();
  return { ok: true, redirect: '/staff/snow-day?done=on' };
}

async function switchOff(staff: Staff, now: Date, again: Again): Promise<SnowDayOutcome> {
  const db = await getDb();
  const setting = await readSetting(db);
  if (!setting) return { ok: true, redirect: '/staff/snow-day?done=already-off' };
  const alertId = Number(setting.alertId);
  const [row] = await db.select({ currentRevisionId: alerts.currentRevisionId, retired: alerts.retired }).from(alerts).where(eq(alerts.id, alertId));
  if (row?.currentRevisionId && !row.retired) {
    const current = await findRevision(db, 'alert', alertId, row.currentRevisionId);
    if (current) {
      const author = staffAuthor(staff, (await getCouncil(db)).name);
      const result = await publishChangeSet(db, [{
        targetId: alertId,
        baseRevisionId: current.id,
        draft: { kind: 'alert', draft: { ...withoutHtml<'alert'>(current.content), retired: true } },
        summary: 'Snow-day mode switched off: withdrew the snow-day alert',
      }], { kind: 'snow_day', author, summary: `Snow-day mode off: withdrew “${current.content.headline}”`, at: now });
      if (!result.ok || result.published.length === 0) {
        return again(409, [{ field: 'confirm', message: 'Someone changed the snow-day alert just now. Nothing was switched off: check the alert, then try again' }]);
      }
    }
  }
  // The mode reads as off as soon as its alert is withdrawn (above); clearing the row records it.
  await db.batch([db.delete(settings).where(eq(settings.key, SETTING_KEY)), auditStatement(db, 'snow-day-off', staff.account.id, `alert ${alertId}`)]);
  markContentChanged();
  return { ok: true, redirect: '/staff/snow-day?done=off' };
}

function isClaimTaken(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (/UNIQUE constraint failed: settings\.key/.test(e.message)) return true;
  }
  return false;
}
