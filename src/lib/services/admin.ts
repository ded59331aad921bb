// Administrators' services screen (/staff/settings/services): add a service (children's
// centres, bin rounds), rename it, reorder, choose the statuses its places can have, retire it
// and bring it back. Services are rows, not content revisions, but every change also writes the
// service as it now is to setting_revisions (key `service:<id>`), so each one has a history, and
// bumps the content version in the same batch: every public page's navigation shows them.
// A rename keeps the service's address (/services/<slug>): links people saved still work.
import { count, desc, eq, sql } from 'drizzle-orm';
import { places, services, settingRevisions, accounts, type PlaceStatus } from '../../../db/schema/index.ts';
import { auditStatement } from '../audit/service.ts';
import type { Staff } from '../auth/guards.ts';
import { hasRole } from '../auth/roles.ts';
import { ForbiddenError, NotFoundError } from '../errors.ts';
import { markContentChanged } from '../http/page-cache.ts';
import { STATUS_PRESENTATION } from '../places/status.ts';
import { readFormValues, slugFromName, type FormIssue, type FormValues } from '../places/validation.ts';
import { bumpContentVersion, type Statement } from '../revisions/service.ts';
import type { Database } from '../server/database.ts';
import { getDb } from '../server/db.ts';
import { findAnyServiceBySlug, listAllServices, type ServiceRow } from './repository.ts';
import { allowedStatuses } from './statuses.ts';
import { parseService, parseStatusSet, SERVICE_FIELDS } from './validation.ts';

function requireAdmin(staff: Staff): void {
  if (!hasRole(staff.account.role, 'admin')) throw new ForbiddenError('This needs the admin role');
}

export interface ServiceListing {
  slug: string;
  name: string;
  retired: boolean;
  places: number;
  /** The statuses its places can have, in words, or null for all. */
  statuses: string | null;
}

export interface ServicesScreen {
  services: ServiceListing[];
  values: FormValues;
  issues: FormIssue[];
  banner: 'moved' | null;
}

const statusWords = (service: ServiceRow) => (service.statuses === null ? null : allowedStatuses(service).map((s) => STATUS_PRESENTATION[s].label).join(', '));

async function listing(db: Database): Promise<ServiceListing[]> {
  const [rows, counts] = await Promise.all([
    listAllServices(db),
    db.select({ serviceId: places.serviceId, n: count() }).from(places).where(eq(places.retired, false)).groupBy(places.serviceId),
  ]);
  const n = new Map(counts.map((c) => [c.serviceId, c.n]));
  return rows.map((s) => ({ slug: s.slug, name: s.name, retired: s.retired, places: n.get(s.id) ?? 0, statuses: statusWords(s) }));
}

const EMPTY = Object.fromEntries(SERVICE_FIELDS.map((f) => [f, ''])) as FormValues;

export async function loadServicesScreen(staff: Staff, params: URLSearchParams): Promise<ServicesScreen> {
  requireAdmin(staff);
  return { services: await listing(await getDb()), values: EMPTY, issues: [], banner: params.has('moved') ? 'moved' : null };
}

/** The service as its history keeps it. */
function snapshot(s: Pick<ServiceRow, 'slug' | 'name' | 'summary' | 'placeLabel' | 'placeLabelPlural' | 'sortOrder' | 'statuses' | 'retired'>) {
  return { slug: s.slug, name: s.name, summary: s.summary, placeLabel: s.placeLabel, placeLabelPlural: s.placeLabelPlural, sortOrder: s.sortOrder, statuses: s.statuses, retired: s.retired };
}

/** The statements recording a service's new state in its history, with the bump and the audit event. */
function recordStatements(db: Database, staff: Staff, serviceId: number | ReturnType<typeof sql>, state: ReturnType<typeof snapshot>, summary: string, at: Date): Statement[] {
  return [
    // A bound JS number reaches SQLite as a real ("service:5.0"): spell a known id out here.
    db.insert(settingRevisions).values({ key: typeof serviceId === 'number' ? `service:${serviceId}` : sql`'service:' || ${serviceId}`, value: state, summary, authorAccountId: staff.account.id, createdAt: at }),
    bumpContentVersion(db, at),
    auditStatement(db, 'service-changed', staff.account.id, state.name, { summary }),
  ];
}

export type ServicesResult = { ok: true; redirect: string } | { ok: false; status: 400; screen: ServicesScreen };

/** The services screen's forms: add a service, or move one up or down the list. */
export async function changeServices(staff: Staff, form: FormData, now: Date): Promise<ServicesResult> {
  requireAdmin(staff);
  const db = await getDb();
  const move = form.get('move');
  if (move === 'up' || move === 'down') return moveService(db, staff, String(form.get('service') ?? ''), move, now);
  const values = readFormValues(form, SERVICE_FIELDS);
  const invalid = async (issues: FormIssue[]): Promise<ServicesResult> => ({ ok: false, status: 400, screen: { services: await listing(db), values, issues, banner: null } });
  const parsed = parseService(values);
  if (!parsed.ok) return invalid(parsed.issues);
  const slug = slugFromName(parsed.value.name);
  if (slug === '') return invalid([{ field: 'name', message: 'The name must include at least one letter or number' }]);
  if (await findAnyServiceBySlug(db, slug)) return invalid([{ field: 'name', message: `There is already a service called ${parsed.value.name} (or one with the same address): choose another name` }]);
  const [last] = await db.select({ order: sql<number>`coalesce(max(${services.sortOrder}), 0)` }).from(services);
  const row = { slug, ...parsed.value, sortOrder: (last?.order ?? 0) + 1, statuses: null, retired: false };
  await db.batch([
    db.insert(services).values({ ...row, createdAt: now }),
    ...recordStatements(db, staff, sql`(SELECT id FROM services WHERE slug = ${slug})`, snapshot(row), 'Added', now),
  ]);
  markContentChanged();
  return { ok: true, redirect: `/staff/settings/services/${slug}?added` };
}

/** Swaps a service with its neighbour in the order (retired ones count: they keep their place). */
async function moveService(db: Database, staff: Staff, slug: string, direction: 'up' | 'down', now: Date): Promise<ServicesResult> {
  const all = await listAllServices(db);
  const index = all.findIndex((s) => s.slug === slug);
  if (index === -1) throw new NotFoundError(`No service "${slug}"`);
  const other = all[direction === 'up' ? index - 1 : index + 1];
  if (!other) return { ok: true, redirect: '/staff/settings/services?moved' };
  const service = all[index]!;
  // Orders can tie (the demo's are distinct, but nothing enforces it): give the pair distinct ones.
  const [a, b] = direction === 'up' ? [other, service] : [service, other];
  const low = Math.min(a.sortOrder, b.sortOrder);
  const high = Math.max(a.sortOrder, b.sortOrder, low + 1);
  const moved = { ...service, sortOrder: service === a ? high : low };
  await db.batch([
    db.update(services).set({ sortOrder: service === a ? high : low }).where(eq(services.id, service.id)),
    db.update(services).set({ sortOrder: other === a ? high : low }).where(eq(services.id, other.id)),
    ...recordStatements(db, staff, service.id, snapshot(moved), direction === 'up' ? `Moved up, above ${other.name}` : `Moved down, below ${other.name}`, now),
  ]);
  markContentChanged();
  return { ok: true, redirect: '/staff/settings/services?moved' };
}

export interface ServiceHistoryEntry {
  summary: string;
  by: string;
  at: Date;
}

export interface ServiceEditor {
  service: ServiceRow;
  values: FormValues;
  /** The statuses ticked on the form. */
  ticked: PlaceStatus[];
  issues: FormIssue[];
  history: ServiceHistoryEntry[];
  banner: 'added' | 'saved' | 'retired' | 'restored' | null;
}

async function history(db: Database, serviceId: number): Promise<ServiceHistoryEntry[]> {
  const rows = await db
    .select({ summary: settingRevisions.summary, by: accounts.name, at: settingRevisions.createdAt })
    .from(settingRevisions)
    .leftJoin(accounts, eq(accounts.id, settingRevisions.authorAccountId))
    .where(eq(settingRevisions.key, `service:${serviceId}`))
    .orderBy(desc(settingRevisions.id))
    .limit(20);
  return rows.map((r) => ({ summary: r.summary, by: r.by ?? 'The council', at: r.at }));
}

async function serviceOrNotFound(db: Database, slug: string): Promise<ServiceRow> {
  const service = await findAnyServiceBySlug(db, slug);
  if (!service) throw new NotFoundError(`No service "${slug}"`);
  return service;
}

const BANNERS = ['added', 'saved', 'retired', 'restored'] as const;

export async function loadServiceEditor(staff: Staff, slug: string, params: URLSearchParams): Promise<ServiceEditor> {
  requireAdmin(staff);
  const db = await getDb();
  const service = await serviceOrNotFound(db, slug);
  return {
    service,
    values: { name: service.name, summary: service.summary, 'place-label': service.placeLabel, 'place-label-plural': service.placeLabelPlural },
    ticked: allowedStatuses(service),
    issues: [],
    history: await history(db, service.id),
    banner: BANNERS.find((b) => params.has(b)) ?? null,
  };
}

export type ServiceEditResult = { ok: true; redirect: string } | { ok: false; status: 400; editor: ServiceEditor };

/** "Renamed to X, changed the statuses" — what a save changed, for the history. */
function describeServiceChange(before: ServiceRow, after: ReturnType<typeof snapshot>): string {
  const parts: string[] = [];
  if (before.name !== after.name) parts.push(`renamed from ${before.name} to ${after.name}`);
  if (before.summary !== after.summary) parts.push('changed the summary');
  if (before.placeLabel !== after.placeLabel || before.placeLabelPlural !== after.placeLabelPlural) parts.push('changed what its places are called');
  if (JSON.stringify(before.statuses) !== JSON.stringify(after.statuses)) parts.push(`statuses: ${after.statuses === null ? 'all' : allowedStatuses(after).map((s) => STATUS_PRESENTATION[s].label).join(', ')}`);
  if (parts.length === 0) return 'Saved with no changes';
  const text = parts.join('; ');
  return text[0]!.toUpperCase() + text.slice(1);
}

/** Saves the service's name, summary, labels and statuses, or retires it, or brings it back. */
export async function updateService(staff: Staff, slug: string, form: FormData, now: Date): Promise<ServiceEditResult> {
  requireAdmin(staff);
  const db = await getDb();
  const service = await serviceOrNotFound(db, slug);
  const action = form.get('action');
  if (action === 'retire' || action === 'restore') {
    const retired = action === 'retire';
    const state = snapshot({ ...service, retired });
    await db.batch([
      db.update(services).set({ retired }).where(eq(services.id, service.id)),
      ...recordStatements(db, staff, service.id, state, retired ? 'Retired: taken off the public site with its places' : 'Brought back onto the public site', now),
    ]);
    markContentChanged();
    return { ok: true, redirect: `/staff/settings/services/${slug}?${retired ? 'retired' : 'restored'}` };
  }
  const values = readFormValues(form, SERVICE_FIELDS);
  const ticked = form.getAll('statuses').filter((v): v is string => typeof v === 'string');
  const parsed = parseService(values);
  const statuses = parseStatusSet(ticked);
  if (!parsed.ok || !statuses.ok) {
    const issues = [...(parsed.ok ? [] : parsed.issues), ...(statuses.ok ? [] : statuses.issues)];
    const tickedStatuses = allowedStatuses({ statuses: ticked as PlaceStatus[] });
    return { ok: false, status: 400, editor: { service, values, ticked: tickedStatuses, issues, history: await history(db, service.id), banner: null } };
  }
  const state = snapshot({ ...service, ...parsed.value, statuses: statuses.value });
  await db.batch([
    db.update(services).set({ ...parsed.value, statuses: statuses.value }).where(eq(services.id, service.id)),
    ...recordStatements(db, staff, service.id, state, describeServiceChange(service, state), now),
  ]);
  markContentChanged();
  return { ok: true, redirect: `/staff/settings/services/${slug}?saved` };
}
