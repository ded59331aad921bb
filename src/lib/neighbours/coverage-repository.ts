// Queries behind per-item coverage: what we published recently (the places and alerts a
// neighbour's item is matched against), the neighbours' items in a window with editors'
// dismissals, the per-service coverage switches, and staff members' private feed addresses.
// Rows in, rows out: the rules are coverage-match.ts and coverage.ts.
import { and, asc, desc, eq, gte, isNull, lte, or, sql } from 'drizzle-orm';
import {
  accounts,
  alerts,
  neighbourCouncils,
  neighbourItemDismissals,
  neighbourItems,
  neighbourSources,
  places,
  services,
  staffFeedTokens,
  type PlaceStatus,
  type Role,
} from '../../../db/schema/index.ts';
import type { Database } from '../server/database.ts';
import type { NeighbourItemListing } from './repository.ts';
import { ITEM_LISTING_COLUMNS, itemTime } from './repository.ts';

// ——— our side ———

export interface RecentPlaceRow {
  id: number;
  serviceSlug: string;
  slug: string;
  name: string;
  address: string;
  identifier: string | null;
  postcode: string;
  status: PlaceStatus;
  statusUntil: Date | null;
  confirmedAt: Date | null;
  noteMarkdown: string;
  updatedAt: Date;
}

/**
 * Places published (changed) since `since`, not retired. A place with no status and no note —
 * as the demo loads most places — says nothing, so it is left out.
 */
export function listPlacesChangedSince(db: Database, since: Date): Promise<RecentPlaceRow[]> {
  return db
    .select({
      id: places.id,
      serviceSlug: services.slug,
      slug: places.slug,
      name: places.name,
      address: places.address,
      identifier: places.identifier,
      postcode: places.postcode,
      status: places.status,
      statusUntil: places.statusUntil,
      confirmedAt: places.confirmedAt,
      noteMarkdown: places.noteMarkdown,
      updatedAt: places.updatedAt,
    })
    .from(places)
    .innerJoin(services, eq(places.serviceId, services.id))
    .where(and(eq(places.retired, false), gte(places.updatedAt, since), or(sql`${places.status} <> 'unknown'`, sql`${places.noteMarkdown} <> ''`)))
    .orderBy(desc(places.updatedAt));
}

export interface RecentAlertRow {
  id: number;
  headline: string;
  bodyMarkdown: string;
  area: string;
  serviceSlugs: string[];
  startsAt: Date;
  expiresAt: Date | null;
  updatedAt: Date;
}

/** Alerts published since `since`, or showing at some time since then; not withdrawn. */
export function listAlertsSince(db: Database, since: Date, now: Date): Promise<RecentAlertRow[]> {
  return db
    .select({
      id: alerts.id,
      headline: alerts.headline,
      bodyMarkdown: alerts.bodyMarkdown,
      area: alerts.area,
      serviceSlugs: alerts.serviceSlugs,
      startsAt: alerts.startsAt,
      expiresAt: alerts.expiresAt,
      updatedAt: alerts.updatedAt,
    })
    .from(alerts)
    .where(
      and(
        eq(alerts.retired, false),
        or(gte(alerts.updatedAt, since), and(lte(alerts.startsAt, now), or(isNull(alerts.expiresAt), gte(alerts.expiresAt, since)))),
      ),
    )
    .orderBy(desc(alerts.updatedAt));
}

// ——— their side ———

export interface DismissalRow {
  reason: string;
  byName: string | null;
  at: Date;
}

export interface CoverageItemRow extends NeighbourItemListing {
  dismissal: DismissalRow | null;
}

const itemColumns = {
  ...ITEM_LISTING_COLUMNS,
  dismissedReason: neighbourItemDismissals.reason,
  dismissedAt: neighbourItemDismissals.dismissedAt,
  dismissedBy: accounts.name,
};

function toCoverageItem(row: NeighbourItemListing & { dismissedReason: string | null; dismissedAt: Date | null; dismissedBy: string | null }): CoverageItemRow {
  const { dismissedReason, dismissedAt, dismissedBy, ...item } = row;
  return { ...item, dismissal: dismissedReason !== null && dismissedAt ? { reason: dismissedReason, byName: dismissedBy, at: dismissedAt } : null };
}

function selectItems(db: Database) {
  return db
    .select(itemColumns)
    .from(neighbourItems)
    .innerJoin(neighbourCouncils, eq(neighbourItems.councilId, neighbourCouncils.id))
    .innerJoin(neighbourSources, eq(neighbourItems.sourceId, neighbourSources.id))
    .leftJoin(neighbourItemDismissals, eq(neighbourItemDismissals.itemId, neighbourItems.id))
    .leftJoin(accounts, eq(neighbourItemDismissals.accountId, accounts.id));
}

/**
 * Every item dated from `since` to `until` (a little after now: a feed an hour out because of
 * a time-zone slip still counts), newest first, with its dismissal if any. At most 5,000: a
 * window is hours of a handful of councils' news, so this is a guard, not a page.
 */
export async function listItemsForCoverage(db: Database, since: Date, until: Date): Promise<CoverageItemRow[]> {
  const rows = await selectItems(db)
    .where(and(gte(itemTime, since.getTime()), lte(itemTime, until.getTime())))
    .orderBy(desc(itemTime), desc(neighbourItems.id))
    .limit(5_000);
  return rows.map(toCoverageItem);
}

export async function findItemForCoverage(db: Database, id: number): Promise<CoverageItemRow | undefined> {
  const [row] = await selectItems(db).where(eq(neighbourItems.id, id));
  return row ? toCoverageItem(row) : undefined;
}

/** Records (or replaces) an editor's dismissal of an item: a statement, for a batch with its audit entry. */
export function upsertItemDismissalStatement(db: Database, itemId: number, reason: string, accountId: number, at: Date) {
  return db
    .insert(neighbourItemDismissals)
    .values({ itemId, reason, accountId, dismissedAt: at })
    .onConflictDoUpdate({ target: neighbourItemDismissals.itemId, set: { reason, accountId, dismissedAt: at } });
}

/** Removes a dismissal; false when the item was not dismissed. */
export async function deleteItemDismissal(db: Database, itemId: number): Promise<boolean> {
  const rows = await db.delete(neighbourItemDismissals).where(eq(neighbourItemDismissals.itemId, itemId)).returning({ itemId: neighbourItemDismissals.itemId });
  return rows.length > 0;
}

// ——— per-service switches ———

export interface ServiceCoverageSettings {
  id: number;
  slug: string;
  name: string;
  coverageUrgent: boolean;
  showNeighbours: boolean;
}

export function listServiceCoverageSettings(db: Database): Promise<ServiceCoverageSettings[]> {
  return db
    .select({ id: services.id, slug: services.slug, name: services.name, coverageUrgent: services.coverageUrgent, showNeighbours: services.showNeighbours })
    .from(services)
    .orderBy(asc(services.sortOrder), asc(services.name));
}

/** Sets a service's two switches: a statement, for a batch with its audit entry. */
export function serviceSwitchStatement(db: Database, serviceId: number, values: { coverageUrgent: boolean; showNeighbours: boolean }) {
  return db.update(services).set(values).where(eq(services.id, serviceId));
}

// ——— private feed addresses ———

export interface FeedTokenRow {
  createdAt: Date;
  lastUsedAt: Date | null;
}

export async function findFeedTokenOfAccount(db: Database, accountId: number): Promise<FeedTokenRow | undefined> {
  const [row] = await db.select({ createdAt: staffFeedTokens.createdAt, lastUsedAt: staffFeedTokens.lastUsedAt }).from(staffFeedTokens).where(eq(staffFeedTokens.accountId, accountId));
  return row;
}

/** Gives an account a new feed secret (its hash), replacing any it had. */
export async function replaceFeedToken(db: Database, accountId: number, tokenHash: string, at: Date): Promise<void> {
  await db
    .insert(staffFeedTokens)
    .values({ accountId, tokenHash, createdAt: at, lastUsedAt: null })
    .onConflictDoUpdate({ target: staffFeedTokens.accountId, set: { tokenHash, createdAt: at, lastUsedAt: null } });
}

export async function deleteFeedToken(db: Database, accountId: number): Promise<boolean> {
  const rows = await db.delete(staffFeedTokens).where(eq(staffFeedTokens.accountId, accountId)).returning({ accountId: staffFeedTokens.accountId });
  return rows.length > 0;
}

export interface FeedTokenAccount {
  accountId: number;
  name: string;
  role: Role;
  disabledAt: Date | null;
  lastUsedAt: Date | null;
}

/** The account a feed secret (by its hash) belongs to. */
export async function findAccountByFeedTokenHash(db: Database, tokenHash: string): Promise<FeedTokenAccount | undefined> {
  const [row] = await db
    .select({ accountId: accounts.id, name: accounts.name, role: accounts.role, disabledAt: accounts.disabledAt, lastUsedAt: staffFeedTokens.lastUsedAt })
    .from(staffFeedTokens)
    .innerJoin(accounts, eq(staffFeedTokens.accountId, accounts.id))
    .where(eq(staffFeedTokens.tokenHash, tokenHash));
  return row;
}

export async function touchFeedToken(db: Database, accountId: number, at: Date): Promise<void> {
  await db.update(staffFeedTokens).set({ lastUsedAt: at }).where(eq(staffFeedTokens.accountId, accountId));
}
