// Staff editing of places: the read models of the staff service page (with its bulk status form),
// the place editor and the new-place form, and the use cases behind them — update one place,
// update the status of many at once, add a place, retire one. Every change goes through the one
// revision mechanism (src/lib/revisions), so an edit based on an outdated revision is reported as
// a conflict for that place and never overwrites anyone.
import { and, asc, eq, inArray, ne } from 'drizzle-orm';
import { places, services, type PlaceStatus } from '../../../db/schema/index.ts';
import { requirePlacePermission, type Staff } from '../auth/guards.ts';
import { hasRole } from '../auth/roles.ts';
import { BadRequestError, ForbiddenError, NotFoundError } from '../errors.ts';
import type { PlaceDraft } from '../revisions/content.ts';
import type { FieldDiff } from '../revisions/diff.ts';
import { saveRevision, staffAuthor, type SaveOutcome } from '../revisions/editing.ts';
import { listChangeSetRevisions } from '../change-sets/repository.ts';
import { createContent, publishChangeSet, type Author, type ChangeSetItem } from '../revisions/service.ts';
import type { Database } from '../server/database.ts';
import { config } from '../server/config.ts';
import { getDb } from '../server/db.ts';
import { sharePlace } from '../sharing/share.ts';
import { findServiceBySlug, type ServiceRow } from '../services/repository.ts';
import { isStatusAllowed } from '../services/statuses.ts';
import { getCouncil } from '../settings/repository.ts';
import { endOfLondonDay, formatDateTime, toLondonLocalInput } from '../time/london.ts';
import { prefilledPlaceFormValues } from './prefill.ts';
import { listPublishedPlaces, type PlaceRow } from './repository.ts';
import {
  filterPlaces,
  parsePlaceFilters,
  summariseStatuses,
  wardsOf,
  withEffectiveStatus,
  type FilterProblem,
  type PlaceFilters,
  type StatusSummary,
  type WithEffective,
} from './service.ts';
import { effectiveStatus, STATUS_PRESENTATION } from './status.ts';
import {
  BULK_FIELDS,
  DETAIL_FIELDS,
  parseBulkStatus,
  parsePlaceEdit,
  PLACE_FORM_FIELDS,
  readFormValues,
  readStatusDetails,
  slugFromName,
  type FormIssue,
  type FormValues,
  type PlaceDetails,
} from './validation.ts';

/** A place id from the address, or a 404. */
export function parsePlaceId(param: string | undefined): number {
  const id = Number(param);
  if (!param || !/^\d{1,15}$/.test(param) || !Number.isSafeInteger(id) || id <= 0) throw new NotFoundError(`No place "${param}"`);
  return id;
}

// Queries the editing pages need beyond the public ones: staff also see retired places, and
// uniqueness checks must cover them (the unique indexes do).

async function findPlace(db: Database, id: number): Promise<PlaceRow | undefined> {
  const [row] = await db.select().from(places).where(eq(places.id, id));
  return row;
}

async function findServiceById(db: Database, id: number): Promise<ServiceRow> {
  const [row] = await db.select().from(services).where(eq(services.id, id));
  if (!row) throw new NotFoundError(`No service ${id}`);
  return row;
}

/** Another place of the service with this slug or reference number, retired or not. */
async function findClash(db: Database, serviceId: number, column: 'slug' | 'identifier', value: string, exceptId?: number): Promise<PlaceRow | undefined> {
  const conditions = [eq(places.serviceId, serviceId), eq(column === 'slug' ? places.slug : places.identifier, value)];
  if (exceptId !== undefined) conditions.push(ne(places.id, exceptId));
  const [row] = await db.select().from(places).where(and(...conditions)).limit(1);
  return row;
}

async function listCategories(db: Database, serviceId: number): Promise<string[]> {
  const rows = await db.selectDistinct({ category: places.category }).from(places).where(eq(places.serviceId, serviceId)).orderBy(asc(places.category));
  return rows.map((r) => r.category).filter(Boolean);
}

async function placeNames(db: Database, ids: number[]): Promise<Map<number, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.select({ id: places.id, name: places.name }).from(places).where(inArray(places.id, ids));
  return new Map(rows.map((r) => [r.id, r.name]));
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

/** The published row as a draft: the starting point of every change to it. */
function draftFromRow(row: PlaceRow): PlaceDraft {
  return {
    serviceId: row.serviceId, slug: row.slug, identifier: row.identifier, name: row.name, category: row.category,
    address: row.address, postcode: row.postcode, ward: row.ward, latitude: row.latitude, longitude: row.longitude,
    phone: row.phone, website: row.website, status: row.status, noteMarkdown: row.noteMarkdown, statusFrom: iso(row.statusFrom), statusUntil: iso(row.statusUntil),
    reason: row.statusReason, expectedReopeningAt: iso(row.expectedReopeningAt),
    confirmedAt: iso(row.confirmedAt), retired: row.retired,
  };
}

/** The edit form filled in from the published row, based on its current revision. */
function valuesFromRow(row: PlaceRow): FormValues {
  return {
    status: row.status,
    note: row.noteMarkdown,
    'status-from': row.statusFrom ? toLondonLocalInput(row.statusFrom) : '',
    'status-until': row.statusUntil ? toLondonLocalInput(row.statusUntil) : '',
    'status-reason': row.statusReason ?? '',
    // A reopening time that has passed is not offered again: saving it would be refused.
    'expected-reopening': row.expectedReopeningAt && row.expectedReopeningAt.getTime() > Date.now() ? toLondonLocalInput(row.expectedReopeningAt) : '',
    name: row.name,
    category: row.category,
    address: row.address,
    postcode: row.postcode,
    ward: row.ward,
    identifier: row.identifier ?? '',
    latitude: row.latitude === null ? '' : String(row.latitude),
    longitude: row.longitude === null ? '' : String(row.longitude),
    phone: row.phone ?? '',
    website: row.website ?? '',
    summary: '',
    base: String(row.currentRevisionId ?? ''),
  };
}

/** Which unique index a failed write hit, when two people add the same thing at once. */
function uniqueViolation(error: unknown): 'slug' | 'identifier' | null {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (/UNIQUE constraint failed: places\.service_id, places\.slug/.test(e.message)) return 'slug';
    if (/UNIQUE constraint failed: places\.service_id, places\.identifier/.test(e.message)) return 'identifier';
  }
  return null;
}

/** A status outside the service's set (src/lib/services/statuses.ts): the form never offers one. */
const statusNotUsed = (service: ServiceRow, field: string): FormIssue => ({ field, message: `Choose one of the statuses ${service.name.toLowerCase()} use` });

const identifierTaken = (service: ServiceRow, identifier: string): FormIssue => ({
  field: 'identifier',
  message: `Another ${service.placeLabel.toLowerCase()} already has the reference number ${identifier}`,
});

async function authorFor(db: Database, staff: Staff): Promise<Author> {
  return staffAuthor(staff, (await getCouncil(db)).name);
}

function requireEditor(staff: Staff): void {
  if (!hasRole(staff.account.role, 'editor')) throw new ForbiddenError('This needs the editor role');
}

// ─── One place: the editor ──────────────────────────────────────────────────────────────────

export interface ConflictView {
  /** Who published the version that is current now, and when. */
  who: string;
  when: Date;
  summary: string;
  /** What they changed: the version the form was based on → the version published now. */
  theirChanges: FieldDiff[];
  /** What saving the form again would change on top of the version published now. */
  yourChanges: FieldDiff[];
}

export interface PlaceEditor {
  place: PlaceRow;
  service: ServiceRow;
  /** The public page, or null once retired (it is no longer shown). */
  publicPath: string | null;
  historyPath: string;
  /** Editors change everything; a trusted reporter only the status, note and period. */
  canEditDetails: boolean;
  canRetire: boolean;
  values: FormValues;
  issues: FormIssue[];
  conflict: ConflictView | null;
  /** After a redirect: what just happened. */
  banner: 'saved' | 'created' | 'retired' | null;
  wards: string[];
  categories: string[];
  /** What to paste into a social media post about this place's status (not once retired). */
  shareText: string | null;
}

async function buildEditor(
  db: Database,
  staff: Staff,
  place: PlaceRow,
  extra: Partial<Pick<PlaceEditor, 'values' | 'issues' | 'conflict' | 'banner'>> = {},
): Promise<PlaceEditor> {
  const service = await findServiceById(db, place.serviceId);
  const isEditor = hasRole(staff.account.role, 'editor');
  const [[categories, wardRows], council] = await Promise.all([
    isEditor ? Promise.all([listCategories(db, service.id), listPublishedPlaces(db, service.id)]) : Promise.resolve([[], []] as [string[], PlaceRow[]]),
    getCouncil(db),
  ]);
  const now = new Date();
  return {
    place,
    service,
    publicPath: place.retired ? null : `/services/${service.slug}/${place.slug}`,
    historyPath: `/staff/history/place/${place.id}`,
    canEditDetails: isEditor,
    canRetire: isEditor && !place.retired,
    values: extra.values ?? valuesFromRow(place),
    issues: extra.issues ?? [],
    conflict: extra.conflict ?? null,
    banner: extra.banner ?? null,
    wards: wardsOf(wardRows),
    categories,
    shareText: place.retired ? null : sharePlace({ ...place, effective: effectiveStatus(place, now) }, service, council, config.siteUrl, now).text,
  };
}

const BANNERS = ['saved', 'created', 'retired'] as const;

/** The edit page of one place, filled in from its published version. */
export async function loadPlaceEditor(staff: Staff, placeId: number, params: URLSearchParams): Promise<PlaceEditor> {
  await requirePlacePermission(staff, placeId);
  const db = await getDb();
  const place = await findPlace(db, placeId);
  if (!place) throw new NotFoundError(`No place ${placeId}`);
  const banner = BANNERS.find((b) => params.has(b)) ?? null;
  // ?status=&note=&summary= (the coverage screen's "Mark a place") fill the form in; nothing is saved.
  return buildEditor(db, staff, place, { banner, values: prefilledPlaceFormValues(valuesFromRow(place), params) });
}

export type PlaceEditResult =
  | { ok: true; redirect: string }
  | { ok: false; status: 400 | 409; editor: PlaceEditor };

function readBase(values: FormValues): number {
  const base = Number(values.base);
  if (!/^\d+$/.test(values.base ?? '') || !Number.isSafeInteger(base) || base <= 0) {
    throw new BadRequestError('The form did not say which version of the place it was based on');
  }
  return base;
}

/** A conflict as the editor shows it: both sides, and the form based on the current version. */
async function conflictResult(
  db: Database,
  staff: Staff,
  placeId: number,
  outcome: Extract<SaveOutcome<'place'>, { reason: 'conflict' }>,
  values: FormValues,
): Promise<PlaceEditResult> {
  const place = await findPlace(db, placeId);
  if (!place) throw new NotFoundError(`No place ${placeId}`);
  const conflict: ConflictView = {
    who: outcome.current.authorName ?? outcome.current.authorLabel,
    when: outcome.current.createdAt,
    summary: outcome.current.summary,
    theirChanges: outcome.theirChanges,
    yourChanges: outcome.yourChanges,
  };
  // Saving again must be a deliberate choice made knowing what is published now.
  const rebased = { ...values, base: String(outcome.current.id) };
  return { ok: false, status: 409, editor: await buildEditor(db, staff, place, { values: rebased, conflict }) };
}

/**
 * Publishes the edit form of one place as a new revision on top of the revision the form was
 * based on. A trusted reporter's form changes only the status, note and period, whatever else it
 * sends. "Confirmed at" becomes now: someone has just vouched for this status.
 */
export async function updatePlace(staff: Staff, placeId: number, form: FormData, now: Date): Promise<PlaceEditResult> {
  await requirePlacePermission(staff, placeId);
  const db = await getDb();
  const place = await findPlace(db, placeId);
  if (!place) throw new NotFoundError(`No place ${placeId}`);
  const values = readFormValues(form, PLACE_FORM_FIELDS);
  const base = readBase(values);
  const canEditDetails = hasRole(staff.account.role, 'editor');
  if (!canEditDetails) Object.assign(values, pickDetails(valuesFromRow(place)));
  const parsed = parsePlaceEdit(values, { details: canEditDetails, now });
  const invalid = (issues: FormIssue[]) => buildEditor(db, staff, place, { values, issues }).then((editor) => ({ ok: false as const, status: 400 as const, editor }));
  if (!parsed.ok) return invalid(parsed.issues);
  const { status, statusDetails, details, summary } = parsed.value;
  const service = await findServiceById(db, place.serviceId);
  if (!isStatusAllowed(service, status.status, place.status)) return invalid([statusNotUsed(service, 'status')]);
  if (details?.identifier && (await findClash(db, place.serviceId, 'identifier', details.identifier, place.id))) {
    return invalid([identifierTaken(service, details.identifier)]);
  }
  const draft: PlaceDraft = { ...draftFromRow(place), ...(details ?? {}), ...status, ...statusDetails, confirmedAt: now.toISOString() };
  let outcome: SaveOutcome<'place'>;
  try {
    outcome = await saveRevision(db, 'place', placeId, base, draft, await authorFor(db, staff), summary);
  } catch (error) {
    if (uniqueViolation(error) === 'identifier' && details?.identifier) return invalid([identifierTaken(service, details.identifier)]);
    throw error;
  }
  if (outcome.ok) return { ok: true, redirect: `/staff/places/${placeId}?saved` };
  if (outcome.reason === 'not_found') throw new NotFoundError(`No place ${placeId}`);
  return conflictResult(db, staff, placeId, outcome, values);
}

function pickDetails(values: FormValues): FormValues {
  return Object.fromEntries(DETAIL_FIELDS.map((field) => [field, values[field] ?? ''])) as FormValues;
}

/**
 * Retires a place: a new revision with `retired: true`, so it leaves every public page and
 * feed, and its history (and the way back, a revert) stays. Editors only.
 */
export async function retirePlace(staff: Staff, placeId: number, form: FormData): Promise<PlaceEditResult> {
  requireEditor(staff);
  const db = await getDb();
  const place = await findPlace(db, placeId);
  if (!place) throw new NotFoundError(`No place ${placeId}`);
  const base = readBase(readFormValues(form, ['base']));
  if (place.retired) return { ok: true, redirect: `/staff/places/${placeId}?retired` };
  const outcome = await saveRevision(db, 'place', placeId, base, { ...draftFromRow(place), retired: true }, await authorFor(db, staff), 'Retired');
  if (outcome.ok) return { ok: true, redirect: `/staff/places/${placeId}?retired` };
  if (outcome.reason === 'not_found') throw new NotFoundError(`No place ${placeId}`);
  // Nothing was typed into the edit form: show it as it is published now.
  const current = await findPlace(db, placeId);
  return conflictResult(db, staff, placeId, outcome, current ? valuesFromRow(current) : {});
}

// ─── Adding a place ─────────────────────────────────────────────────────────────────────────

export interface NewPlaceForm {
  service: ServiceRow;
  values: FormValues;
  issues: FormIssue[];
  wards: string[];
  categories: string[];
}

const NEW_PLACE_DEFAULTS: FormValues = { status: 'unknown' };

async function buildNewPlaceForm(db: Database, service: ServiceRow, values: FormValues, issues: FormIssue[]): Promise<NewPlaceForm> {
  const [categories, rows] = await Promise.all([listCategories(db, service.id), listPublishedPlaces(db, service.id)]);
  return { service, values, issues, wards: wardsOf(rows), categories };
}

async function serviceOrNotFound(db: Database, slug: string | null | undefined): Promise<ServiceRow> {
  const service = slug ? await findServiceBySlug(db, slug) : undefined;
  if (!service) throw new NotFoundError(`No service "${slug ?? ''}"`);
  return service;
}

/** The empty form for adding a place to a service. */
export async function loadNewPlaceForm(staff: Staff, serviceSlug: string | null): Promise<NewPlaceForm> {
  requireEditor(staff);
  const db = await getDb();
  const service = await serviceOrNotFound(db, serviceSlug);
  return buildNewPlaceForm(db, service, { ...NEW_PLACE_DEFAULTS }, []);
}

export type CreatePlaceResult = { ok: true; redirect: string } | { ok: false; status: 400; form: NewPlaceForm };

/**
 * Adds a place to a service, published at once. Its web address comes from its name and must
 * be unique in the service, as must its reference number (a school's URN).
 */
export async function createPlace(staff: Staff, serviceSlug: string | null, form: FormData, now: Date): Promise<CreatePlaceResult> {
  requireEditor(staff);
  const db = await getDb();
  const service = await serviceOrNotFound(db, serviceSlug);
  const values = readFormValues(form, PLACE_FORM_FIELDS.filter((f) => f !== 'base'));
  const invalid = async (issues: FormIssue[]): Promise<CreatePlaceResult> => ({ ok: false, status: 400, form: await buildNewPlaceForm(db, service, values, issues) });
  const parsed = parsePlaceEdit(values, { details: true, summaryRequired: false, now });
  if (!parsed.ok) return invalid(parsed.issues);
  if (!isStatusAllowed(service, parsed.value.status.status)) return invalid([statusNotUsed(service, 'status')]);
  const details = parsed.value.details as PlaceDetails;
  const slug = slugFromName(details.name);
  const label = service.placeLabel.toLowerCase();
  const slugTaken: FormIssue = {
    field: 'name',
    message: `There is already a ${label} called ${details.name} or something very like it. Add something to the name to tell them apart, like the town`,
  };
  if (slug === '') return invalid([{ field: 'name', message: 'Name must include at least one letter or number' }]);
  const clashes: FormIssue[] = [];
  if (await findClash(db, service.id, 'slug', slug)) clashes.push(slugTaken);
  if (details.identifier && (await findClash(db, service.id, 'identifier', details.identifier))) clashes.push(identifierTaken(service, details.identifier));
  if (clashes.length > 0) return invalid(clashes);
  const { status } = parsed.value;
  const draft: PlaceDraft = {
    serviceId: service.id, slug, ...details, ...status, ...parsed.value.statusDetails,
    // "Not confirmed" with nobody having said anything is not a confirmation.
    confirmedAt: status.status === 'unknown' ? null : now.toISOString(),
    retired: false,
  };
  try {
    const { targetId } = await createContent(db, { kind: 'place', draft }, {
      author: await authorFor(db, staff),
      summary: parsed.value.summary || 'Added this place',
      at: now,
    });
    return { ok: true, redirect: `/staff/places/${targetId}?created` };
  } catch (error) {
    const which = uniqueViolation(error);
    if (which === 'slug') return invalid([slugTaken]);
    if (which === 'identifier' && details.identifier) return invalid([identifierTaken(service, details.identifier)]);
    throw error;
  }
}

// ─── A service's places, and the bulk status update ─────────────────────────────────────────
//
// One form, no JavaScript needed: the action panel (status, note, until, reason, summary) comes
// first; the filters, "Select all N shown" and "Clear" are buttons of the same POST form, so ticks
// survive filtering (ticked places the filter hides are carried along and listed); "Review" shows
// a confirmation listing every place and its change; "Confirm" publishes them all as ONE change
// set in one batch, each conflict-checked against the revision its row carried.

export type NotUpdatedReason = 'changed' | 'gone';

export interface BulkOutcome {
  updated: number;
  /** The status they were given, when known. */
  status: PlaceStatus | null;
  /** The change set that recorded it (its page lists the places and undoes it). */
  changeSetId: number | null;
  /** The places that were changed, with links. */
  changed: { id: number; name: string }[];
  notUpdated: { id: number; name: string; reason: NotUpdatedReason }[];
}

/** The quick choices for "until", resolved in London time. */
export const UNTIL_CHOICES = ['further-notice', 'end-of-today', 'end-of-tomorrow', 'date'] as const;
export type UntilChoice = (typeof UNTIL_CHOICES)[number];

/** The bulk panel's own field names for the reason and the expected reopening. */
export const BULK_DETAIL_FIELDS = { reason: 'bulk-reason', reopening: 'bulk-reopening' } as const;
const BULK_PANEL_FIELDS = [...BULK_FIELDS, 'bulk-until-choice', BULK_DETAIL_FIELDS.reason, BULK_DETAIL_FIELDS.reopening] as const;

export interface BulkConfirmation {
  status: PlaceStatus;
  noteMarkdown: string;
  statusUntil: Date | null;
  summary: string;
  /** What the change set will be called: "Closed 40 schools". */
  setSummary: string;
  rows: { id: number; name: string; from: WithEffective<PlaceRow>['effective']; base: number }[];
}

export interface StaffServicePage {
  service: ServiceRow;
  summary: StatusSummary;
  wards: string[];
  filters: PlaceFilters;
  problems: FilterProblem[];
  places: WithEffective<PlaceRow>[];
  /** The filters as a query string ("" or "?status=closed…"), kept across the bulk form's round trip. */
  filterQuery: string;
  bulk: {
    values: FormValues;
    issues: FormIssue[];
    ticked: number[];
    /** The revision each row's update is based on: what the person saw. */
    bases: Record<number, number>;
    /** Ticked places the filter does not show: carried in the form and listed, never dropped. */
    hiddenTicked: { id: number; name: string; base: number }[];
  };
  /** Set after "Review": the page is the confirmation step. */
  confirmation: BulkConfirmation | null;
  outcome: BulkOutcome | null;
  /** Choices for "until" ("end of today" …) with the time each stands for now. */
  untilChoices: { value: UntilChoice; label: string }[];
}

function filterQueryOf(filters: PlaceFilters): URLSearchParams {
  const query = new URLSearchParams();
  if (filters.query) query.set('q', filters.query);
  if (filters.status) query.set('status', filters.status);
  if (filters.ward) query.set('ward', filters.ward);
  return query;
}

const MAX_LISTED_IDS = 1000;

function idList(value: string | null): number[] {
  if (!value) return [];
  return value
    .split(',')
    .slice(0, MAX_LISTED_IDS)
    .map(Number)
    .filter((id) => Number.isSafeInteger(id) && id > 0);
}

/** The bulk update's result, carried in the redirect's query string (POST → redirect → GET). */
async function readOutcome(db: Database, params: URLSearchParams): Promise<BulkOutcome | null> {
  const updatedParam = params.get('updated');
  if (updatedParam === null || !/^\d{1,6}$/.test(updatedParam)) return null;
  const changed = idList(params.get('changed'));
  const gone = idList(params.get('gone'));
  const setParam = params.get('set');
  const changeSetId = setParam && /^\d{1,15}$/.test(setParam) ? Number(setParam) : null;
  const inSet = changeSetId === null ? [] : await listChangeSetRevisions(db, changeSetId);
  const names = await placeNames(db, [...changed, ...gone]);
  const to = params.get('to') ?? '';
  return {
    updated: Number(updatedParam),
    status: Object.hasOwn(STATUS_PRESENTATION, to) ? (to as PlaceStatus) : null,
    changeSetId: inSet.length > 0 ? changeSetId : null,
    changed: inSet.filter((r) => r.kind === 'place').map((r) => ({ id: r.targetId, name: r.name })),
    notUpdated: [
      ...changed.map((id) => ({ id, name: names.get(id) ?? `Place ${id}`, reason: 'changed' as const })),
      ...gone.map((id) => ({ id, name: names.get(id) ?? `Place ${id}`, reason: 'gone' as const })),
    ],
  };
}

function untilChoicesAt(now: Date): StaffServicePage['untilChoices'] {
  return [
    { value: 'end-of-today', label: `End of today (${formatDateTime(untilFor('end-of-today', now)!, now)})` },
    { value: 'end-of-tomorrow', label: `End of tomorrow (${formatDateTime(untilFor('end-of-tomorrow', now)!, now)})` },
    { value: 'further-notice', label: 'Until further notice' },
    { value: 'date', label: 'A date and time' },
  ];
}

function untilFor(choice: UntilChoice, now: Date): Date | null {
  if (choice === 'end-of-today') return endOfLondonDay(now);
  // Two hours past today's 23:59 is always tomorrow in London, whatever the clocks do.
  if (choice === 'end-of-tomorrow') return endOfLondonDay(new Date(endOfLondonDay(now).getTime() + 2 * 3_600_000));
  return null;
}

/** The panel's values with the quick "until" choice turned into the London time it stands for. */
function resolveUntil(values: FormValues, now: Date): FormValues {
  const choice = values['bulk-until-choice'] as UntilChoice | undefined;
  if (choice === 'end-of-today' || choice === 'end-of-tomorrow') return { ...values, 'bulk-until': toLondonLocalInput(untilFor(choice, now)!) };
  if (choice === 'further-notice') return { ...values, 'bulk-until': '' };
  return values;
}

/** The change set in words: "Closed 40 schools", "Marked 3 schools open". */
export function bulkSetSummary(status: PlaceStatus, n: number | '{n}', service: ServiceRow): string {
  const what = `${n} ${(n === 1 ? service.placeLabel : service.placeLabelPlural).toLowerCase()}`;
  if (status === 'closed') return `Closed ${what}`;
  return `Marked ${what} ${STATUS_PRESENTATION[status].label.toLowerCase()}`;
}

async function buildServicePage(
  db: Database,
  service: ServiceRow,
  params: URLSearchParams,
  now: Date,
  bulk: Partial<StaffServicePage['bulk']> = {},
  confirmation: BulkConfirmation | null = null,
): Promise<StaffServicePage> {
  const all = withEffectiveStatus(await listPublishedPlaces(db, service.id), now);
  const wards = wardsOf(all);
  const { filters, problems } = parsePlaceFilters(params, wards);
  const shown = filterPlaces(all, filters);
  const query = filterQueryOf(filters).toString();
  const bases: Record<number, number> = {};
  for (const place of all) bases[place.id] = bulk.bases?.[place.id] ?? place.currentRevisionId!;
  const ticked = bulk.ticked ?? [];
  const shownIds = new Set(shown.map((p) => p.id));
  const byId = new Map(all.map((p) => [p.id, p]));
  const hiddenTicked = ticked
    .filter((id) => !shownIds.has(id) && byId.has(id))
    .map((id) => ({ id, name: byId.get(id)!.name, base: bases[id]! }));
  return {
    service,
    summary: summariseStatuses(all),
    wards,
    filters,
    problems,
    places: shown,
    filterQuery: query ? `?${query}` : '',
    bulk: { values: bulk.values ?? {}, issues: bulk.issues ?? [], ticked, bases, hiddenTicked },
    confirmation,
    outcome: await readOutcome(db, params),
    untilChoices: untilChoicesAt(now),
  };
}

/** The staff page of one service: its places with filters, and the bulk status form. */
export async function loadStaffServicePage(staff: Staff, serviceSlug: string, params: URLSearchParams, now: Date): Promise<StaffServicePage> {
  requireEditor(staff);
  const db = await getDb();
  return buildServicePage(db, await serviceOrNotFound(db, serviceSlug), params, now);
}

export type BulkUpdateResult = { ok: true; redirect: string } | { ok: false; status: 200 | 400; page: StaffServicePage };

/** What the bulk form's buttons ask for. A form sent without one (a script) saves at once. */
export const BULK_ACTIONS = ['filter', 'show-all', 'select-all', 'clear', 'review', 'edit', 'confirm'] as const;
type BulkAction = (typeof BULK_ACTIONS)[number];

/** The filters a bulk form carries (its own fields), else those of the address it was sent to. */
function filterParamsOf(form: FormData, params: URLSearchParams): URLSearchParams {
  if (!['q', 'status', 'ward'].some((name) => form.has(name))) return params;
  const query = new URLSearchParams();
  for (const name of ['q', 'status', 'ward']) {
    const value = form.get(name);
    if (typeof value === 'string' && value !== '') query.set(name, value);
  }
  return query;
}

/**
 * The bulk form of a service page, whatever button sent it: filter (keeping the ticks), select
 * all shown, clear, review (the confirmation step), back to editing, or confirm. Confirming gives
 * every ticked place the same status, note, "until" and reason as ONE change set, each place
 * based on the revision the person saw (the form's `base-<id>` fields): a place someone changed
 * in the meantime is left alone and reported, the others are saved.
 */
export async function bulkUpdateStatus(
  staff: Staff,
  serviceSlug: string,
  form: FormData,
  params: URLSearchParams,
  now: Date,
): Promise<BulkUpdateResult> {
  requireEditor(staff);
  const db = await getDb();
  const service = await serviceOrNotFound(db, serviceSlug);
  const actionValue = form.get('action');
  const action: BulkAction = (BULK_ACTIONS as readonly unknown[]).includes(actionValue) ? (actionValue as BulkAction) : 'confirm';
  const values = resolveUntil(readFormValues(form, BULK_PANEL_FIELDS), now);
  // "Clear filters" is a button of the form too, so clearing them keeps the ticks.
  const filterParams = action === 'show-all' ? new URLSearchParams() : filterParamsOf(form, params);
  const ticked = [...new Set(form.getAll('place').filter((v): v is string => typeof v === 'string'))];
  const bases = new Map<number, number>();
  for (const [name, value] of form) {
    const id = /^base-(\d{1,15})$/.exec(name)?.[1];
    if (id && typeof value === 'string' && /^\d{1,15}$/.test(value)) bases.set(Number(id), Number(value));
  }
  const tickedIds = ticked.map(Number).filter((id) => Number.isSafeInteger(id) && id > 0);
  const page = (status: 200 | 400, extra: Partial<StaffServicePage['bulk']> = {}, confirmation: BulkConfirmation | null = null) =>
    buildServicePage(db, service, filterParams, now, { values, ticked: tickedIds, bases: Object.fromEntries(bases), ...extra }, confirmation)
      .then((p) => ({ ok: false as const, status, page: p }));

  if (action === 'filter' || action === 'show-all' || action === 'edit') return page(200);
  if (action === 'clear') return page(200, { ticked: [] });
  if (action === 'select-all') {
    const all = withEffectiveStatus(await listPublishedPlaces(db, service.id), now);
    const shown = filterPlaces(all, parsePlaceFilters(filterParams, wardsOf(all)).filters);
    return page(200, { ticked: [...new Set([...tickedIds, ...shown.map((p) => p.id)])] });
  }

  // Review and confirm both check the whole form first. A blank summary is the set's own.
  const statusGiven = Object.hasOwn(STATUS_PRESENTATION, values['bulk-status'] ?? '') ? (values['bulk-status'] as PlaceStatus) : null;
  const setSummary = statusGiven ? bulkSetSummary(statusGiven, new Set(tickedIds).size, service) : '';
  const typedSummary = (values['bulk-summary'] ?? '').trim();
  const parsed = parseBulkStatus({ ...values, 'bulk-summary': typedSummary || setSummary || 'x' }, ticked, now);
  const details = readStatusDetails(form, now, BULK_DETAIL_FIELDS);
  const issues = [...(parsed.ok ? [] : parsed.issues), ...(details.ok ? [] : details.issues)];
  if (!parsed.ok || !details.ok) return page(400, { issues });
  const change = parsed.value;
  if (!isStatusAllowed(service, change.status)) return page(400, { issues: [statusNotUsed(service, 'bulk-status')] });
  const rows = withEffectiveStatus(await listPublishedPlaces(db, service.id), now);
  const current = new Map(rows.map((row) => [row.id, row]));

  if (action === 'review') {
    const confirmation: BulkConfirmation = {
      status: change.status,
      noteMarkdown: change.noteMarkdown,
      statusUntil: change.statusUntil ? new Date(change.statusUntil) : null,
      summary: change.summary,
      setSummary,
      rows: change.placeIds.filter((id) => current.has(id)).map((id) => {
        const row = current.get(id)!;
        return { id, name: row.name, from: row.effective, base: bases.get(id) ?? row.currentRevisionId! };
      }),
    };
    // The confirmation carries exactly the time it showed, not "end of today" again.
    return page(200, { values: { ...values, 'bulk-until-choice': 'date' } }, confirmation);
  }

  const author = await authorFor(db, staff);
  const gone: number[] = [];
  const items: ChangeSetItem[] = [];
  for (const id of change.placeIds) {
    const row = current.get(id);
    const base = bases.get(id);
    if (!row || base === undefined) {
      gone.push(id);
      continue;
    }
    const draft: PlaceDraft = {
      ...draftFromRow(row),
      status: change.status,
      noteMarkdown: change.noteMarkdown,
      statusFrom: null,
      statusUntil: change.statusUntil,
      reason: details.value.reason,
      expectedReopeningAt: details.value.expectedReopeningAt,
      confirmedAt: now.toISOString(),
    };
    items.push({ targetId: id, baseRevisionId: base, draft: { kind: 'place', draft }, summary: change.summary });
  }
  const result = items.length === 0
    ? { ok: true as const, changeSetId: null, published: [], conflicts: [], notFound: [] }
    : await publishChangeSet(db, items, {
      kind: 'bulk', author, at: now,
      summary: bulkSetSummary(change.status, items.length, service),
      summaryByCount: { one: bulkSetSummary(change.status, 1, service), many: bulkSetSummary(change.status, '{n}', service) },
    });
  if (!result.ok) throw new Error('A bulk update cannot be refused as an undo');
  // The set's summary is its name; each place's history shows what the person typed, if anything.
  const query = filterQueryOf(parsePlaceFilters(filterParams, wardsOf(rows)).filters);
  query.set('updated', String(result.published.length));
  query.set('to', change.status);
  if (result.changeSetId !== null) query.set('set', String(result.changeSetId));
  if (result.conflicts.length > 0) query.set('changed', result.conflicts.map((c) => c.targetId).join(','));
  gone.push(...result.notFound);
  if (gone.length > 0) query.set('gone', gone.join(','));
  return { ok: true, redirect: `/staff/services/${service.slug}?${query}#outcome` };
}
