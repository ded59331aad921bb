// Staff editing of alerts: the list, the new-alert and edit forms, and the use cases behind
// them (publish, save changes, withdraw, publish again). Every write goes through the one
// revision mechanism; an edit on an outdated version comes back as a conflict showing both
// sides, with what the person typed kept, and writes nothing. Publishing takes two steps: the
// form's first submit shows a preview (the banner, the alert page and the feed entry as they
// will read), whose "Publish" button sends the same values back with `step=publish`.
import { readBaseRevision } from '../http/forms.ts';
import { desc, eq } from 'drizzle-orm';
import { alerts } from '../../../db/schema/index.ts';
import type { Staff } from '../auth/guards.ts';
import type { FormIssue } from '../auth/service.ts';
import { NotFoundError } from '../errors.ts';
import { staffAuthor, saveRevision, withoutHtml, type SaveOutcome, summariseConflict, type ConflictSummary } from '../revisions/editing.ts';
import { findRevision } from '../revisions/history.ts';
import { createContent } from '../revisions/service.ts';
import type { AlertContent } from '../revisions/content.ts';
import type { Database } from '../server/database.ts';
import { config } from '../server/config.ts';
import { getDb } from '../server/db.ts';
import { shareAlert } from '../sharing/share.ts';
import { listServices } from '../services/repository.ts';
import { getCouncil } from '../settings/repository.ts';
import { completeDraft, type AlertDraft } from '../revisions/content.ts';
import { toApiChange } from '../open-data/serialize.ts';
import type { AlertRow } from './repository.ts';
import { alertPhase, orderAlerts, type AlertPhase } from './service.ts';
import {
  alertFormValuesFrom,
  parseAlertForm,
  prefilledAlertFormValues,
  readAlertForm,
  type AlertFormValues,
} from './validation.ts';

export type AlertState = 'active' | 'scheduled' | 'expired' | 'withdrawn';

export const ALERT_STATE_LABEL: Record<AlertState, string> = {
  active: 'Showing now',
  scheduled: 'Scheduled',
  expired: 'Expired',
  withdrawn: 'Withdrawn',
};

export interface AlertListItem {
  id: number;
  severity: AlertContent['severity'];
  headline: string;
  area: string;
  startsAt: Date;
  expiresAt: Date | null;
  state: AlertState;
}

/** The success banner after a POST → redirect → GET, from the query string. */
export interface SuccessBanner {
  heading: string;
  link: { href: string; text: string } | null;
}

export interface AlertList {
  alerts: AlertListItem[];
  banner: SuccessBanner | null;
}

const STATE_ORDER: Record<AlertState, number> = { active: 0, scheduled: 1, expired: 2, withdrawn: 3 };

/**
 * Every alert, whatever its state: showing now first (most severe first, as residents see
 * them), then scheduled, expired and withdrawn, newest first.
 */
export async function loadAlertList(params: URLSearchParams, now: Date): Promise<AlertList> {
  const db = await getDb();
  const rows = await db
    .select({
      id: alerts.id,
      severity: alerts.severity,
      headline: alerts.headline,
      area: alerts.area,
      startsAt: alerts.startsAt,
      expiresAt: alerts.expiresAt,
      retired: alerts.retired,
    })
    .from(alerts)
    .orderBy(desc(alerts.startsAt), desc(alerts.id));
  const items: AlertListItem[] = orderAlerts(rows).map(({ retired, ...row }) => ({
    ...row,
    state: retired ? 'withdrawn' : alertPhase(row, now),
  }));
  items.sort((a, b) => STATE_ORDER[a.state] - STATE_ORDER[b.state]);
  return { alerts: items, banner: bannerFor(params, items) };
}

const BANNERS = {
  published: (headline: string) => `Alert published: ${headline}`,
  updated: (headline: string) => `Your changes to “${headline}” are published`,
  withdrawn: (headline: string) => `Alert withdrawn: ${headline}`,
  restored: (headline: string) => `Alert published again: ${headline}`,
} as const;

function bannerFor(params: URLSearchParams, items: AlertListItem[]): SuccessBanner | null {
  for (const [key, heading] of Object.entries(BANNERS)) {
    const id = Number(params.get(key));
    const item = items.find((i) => i.id === id);
    if (!item) continue;
    const showing = item.state === 'active' || item.state === 'scheduled';
    return { heading: heading(item.headline), link: showing ? { href: `/alerts/${item.id}`, text: 'View the alert on the public site' } : null };
  }
  return null;
}

export type AlertConflict = ConflictSummary;

/** Everything the new-alert and edit-alert pages render. */
export interface AlertEditor {
  /** Null for a new alert. */
  alertId: number | null;
  /** The revision the form is based on: sent back as the hidden `base` field. */
  baseRevisionId: number | null;
  values: AlertFormValues;
  services: { slug: string; name: string }[];
  /** The published version (edit pages only). */
  published: { headline: string; state: AlertState } | null;
  issues: FormIssue[];
  conflict: AlertConflict | null;
  /** What to paste into a social media post about the published alert (edit pages, not withdrawn). */
  shareText?: string | null;
}

/** The preview before publishing: what residents will read, and the values to send back. */
export interface AlertPreview {
  /** Null for a new alert. */
  alertId: number | null;
  baseRevisionId: number | null;
  /** Carried in hidden fields to "Publish" (step=publish) or "Change" (step=change). */
  values: AlertFormValues;
  /** The alert as the site banner and the alert page show it. */
  alert: AlertRow;
  phase: AlertPhase;
  services: { slug: string; name: string }[];
  /** The entry the change feeds (RSS, Atom, JSON Feed) will carry. */
  feed: { title: string; summary: string; author: string; contentHtml: string };
  /** An edit of a withdrawn alert: published, but not shown until it is published again. */
  withdrawn: boolean;
}

export type AlertFormOutcome =
  | { ok: true; alertId: number; redirect: string }
  | { ok: false; status: 200 | 400 | 409; editor: AlertEditor; preview?: undefined }
  | { ok: false; status: 200; preview: AlertPreview; editor?: undefined };

/** Which step a post of the alert form is: the first submit previews; only "Publish" publishes. */
function readStep(form: FormData): 'preview' | 'publish' | 'change' {
  const step = form.get('step');
  return step === 'publish' || step === 'change' ? step : 'preview';
}

function buildPreview(
  alertId: number | null,
  baseRevisionId: number | null,
  values: AlertFormValues,
  draft: AlertDraft,
  summary: string,
  authorLabel: string,
  services: { slug: string; name: string }[],
  now: Date,
): AlertPreview {
  const { content } = completeDraft({ kind: 'alert', draft }) as { content: AlertContent };
  const startsAt = new Date(content.startsAt);
  const expiresAt = content.expiresAt ? new Date(content.expiresAt) : null;
  const alert: AlertRow = {
    id: alertId ?? 0, severity: content.severity, headline: content.headline, bodyMarkdown: content.bodyMarkdown, bodyHtml: content.bodyHtml,
    area: content.area, serviceSlugs: content.serviceSlugs, startsAt, expiresAt, retired: content.retired, currentRevisionId: baseRevisionId, updatedAt: now,
  };
  const entry = toApiChange(
    { seq: 0, revisionId: 0, kind: 'alert', targetId: alertId ?? 0, content, summary, authorLabel, publishedAt: now },
    new Map(),
    config.siteUrl,
  );
  return {
    alertId,
    baseRevisionId,
    values,
    alert,
    phase: alertPhase(alert, now),
    services: services.filter((s) => content.serviceSlugs.includes(s.slug)),
    feed: { title: entry.title, summary: entry.summary, author: entry.author, contentHtml: entry.contentHtml },
    withdrawn: content.retired,
  };
}

async function serviceChoices(db: Database) {
  return (await listServices(db)).map((s) => ({ slug: s.slug, name: s.name }));
}

/** The new-alert form, filled in from the link that led here if it carries values. */
export async function loadNewAlertForm(params: URLSearchParams, now: Date): Promise<AlertEditor> {
  const db = await getDb();
  return {
    alertId: null,
    baseRevisionId: null,
    values: prefilledAlertFormValues(params, now),
    services: await serviceChoices(db),
    published: null,
    issues: [],
    conflict: null,
  };
}

/**
 * The new-alert form posted: the first submit previews the alert, "Change" gives the form back
 * as typed, and "Publish" (step=publish) publishes it. Problems give the form back at any step.
 */
export async function publishNewAlert(staff: Staff, form: FormData, now = new Date()): Promise<AlertFormOutcome> {
  const db = await getDb();
  const values = readAlertForm(form);
  const services = await serviceChoices(db);
  const step = readStep(form);
  const editor = (issues: FormIssue[]): AlertEditor => ({ alertId: null, baseRevisionId: null, values, services, published: null, issues, conflict: null });
  if (step === 'change') return { ok: false, status: 200, editor: editor([]) };
  const parsed = parseAlertForm(values, services.map((s) => s.slug));
  if (!parsed.ok) return { ok: false, status: 400, editor: editor(parsed.issues) };
  const author = staffAuthor(staff, (await getCouncil(db)).name);
  if (step === 'preview') return { ok: false, status: 200, preview: buildPreview(null, null, values, parsed.draft, parsed.summary, author.label, services, now) };
  const { targetId } = await createContent(db, { kind: 'alert', draft: parsed.draft }, { author, summary: parsed.summary });
  return { ok: true, alertId: targetId, redirect: `/staff/alerts?published=${targetId}` };
}

function parseId(param: string | undefined): number {
  if (!param || !/^\d{1,12}$/.test(param) || Number(param) < 1) throw new NotFoundError(`No alert "${param ?? ''}"`);
  return Number(param);
}

/** The published alert and the revision it is at; unknown ids are not found. */
async function loadCurrent(db: Database, id: number) {
  const [row] = await db.select({ currentRevisionId: alerts.currentRevisionId, retired: alerts.retired, startsAt: alerts.startsAt, expiresAt: alerts.expiresAt }).from(alerts).where(eq(alerts.id, id));
  if (!row?.currentRevisionId) throw new NotFoundError(`No alert ${id}`);
  const revision = await findRevision(db, 'alert', id, row.currentRevisionId);
  if (!revision) throw new NotFoundError(`No alert ${id}`);
  return { revision, state: (row.retired ? 'withdrawn' : alertPhase(row, new Date())) as AlertState };
}

/** The edit form of one alert, filled in with its published version. */
export async function loadAlertEditor(idParam: string | undefined): Promise<AlertEditor> {
  const id = parseId(idParam);
  const db = await getDb();
  const [{ revision, state }, services, council] = await Promise.all([loadCurrent(db, id), serviceChoices(db), getCouncil(db)]);
  const c = revision.content;
  const startsAt = new Date(c.startsAt);
  const expiresAt = c.expiresAt ? new Date(c.expiresAt) : null;
  return {
    alertId: id,
    baseRevisionId: revision.id,
    values: alertFormValuesFrom(revision.content),
    services,
    published: { headline: revision.content.headline, state },
    issues: [],
    conflict: null,
    shareText: state === 'withdrawn' ? null : shareAlert({ ...c, id, startsAt, expiresAt }, state, council, config.siteUrl).text,
  };
}

/** Turns a save outcome into where to go next, or the form again (conflict: 409). */
async function settle(id: number, outcome: SaveOutcome<'alert'>, values: AlertFormValues | null, redirect: string): Promise<AlertFormOutcome> {
  if (outcome.ok) return { ok: true, alertId: id, redirect };
  if (outcome.reason === 'not_found') throw new NotFoundError(`No alert ${id}`);
  const editor = await loadAlertEditor(String(id));
  return {
    ok: false,
    status: 409,
    editor: {
      ...editor,
      // Their version is now the base: saving again publishes on top of it, knowingly.
      baseRevisionId: outcome.current.id,
      values: values ?? editor.values,
      conflict: summariseConflict(outcome),
    },
  };
}

/**
 * The edit form posted: previewed first, then published (step=publish) on top of the version
 * the form was based on; "Change" gives the form back as typed.
 */
export async function saveAlertChanges(staff: Staff, idParam: string | undefined, form: FormData, now = new Date()): Promise<AlertFormOutcome> {
  const id = parseId(idParam);
  const db = await getDb();
  const base = readBaseRevision(form);
  const values = readAlertForm(form);
  const step = readStep(form);
  const [{ revision, state }, services] = await Promise.all([loadCurrent(db, id), serviceChoices(db)]);
  const editor = (issues: FormIssue[]): AlertEditor => ({
    alertId: id, baseRevisionId: base, values, services, published: { headline: revision.content.headline, state }, issues, conflict: null,
  });
  if (step === 'change') return { ok: false, status: 200, editor: editor([]) };
  const parsed = parseAlertForm(values, services.map((s) => s.slug), revision.content.retired);
  if (!parsed.ok) return { ok: false, status: 400, editor: editor(parsed.issues) };
  const author = staffAuthor(staff, (await getCouncil(db)).name);
  if (step === 'preview') return { ok: false, status: 200, preview: buildPreview(id, base, values, parsed.draft, parsed.summary, author.label, services, now) };
  const outcome = await saveRevision(db, 'alert', id, base, parsed.draft, author, parsed.summary);
  return settle(id, outcome, values, `/staff/alerts?updated=${id}`);
}

/**
 * Sets an alert's withdrawn flag as a new revision. Based on the version the person saw, like
 * any edit: if someone changed the alert meanwhile they see what changed before deciding.
 */
async function setWithdrawn(staff: Staff, idParam: string | undefined, form: FormData, withdrawn: boolean): Promise<AlertFormOutcome> {
  const id = parseId(idParam);
  const db = await getDb();
  const base = readBaseRevision(form);
  const { revision } = await loadCurrent(db, id);
  const draft = { ...withoutHtml<'alert'>(revision.content), retired: withdrawn };
  const author = staffAuthor(staff, (await getCouncil(db)).name);
  const summary = withdrawn ? 'Withdrew the alert' : 'Published the alert again';
  const outcome = await saveRevision(db, 'alert', id, base, draft, author, summary);
  return settle(id, outcome, null, `/staff/alerts?${withdrawn ? 'withdrawn' : 'restored'}=${id}`);
}

/** Takes an alert off the site at once (a new revision: history keeps it). */
export function withdrawAlert(staff: Staff, idParam: string | undefined, form: FormData): Promise<AlertFormOutcome> {
  return setWithdrawn(staff, idParam, form, true);
}

/** Puts a withdrawn alert back, with the times it had. */
export function restoreAlert(staff: Staff, idParam: string | undefined, form: FormData): Promise<AlertFormOutcome> {
  return setWithdrawn(staff, idParam, form, false);
}
