// The home of the morning round: the staff "Today" page's read model. Editors see every
// published place, reporters (a school office) only the places granted to them; each service's
// places are split into those nobody has confirmed today (the status lapsed overnight, was last
// confirmed before today, or never) and those confirmed today, with "12 of 40 schools confirmed
// today". The one-tap buttons on each row are the use case in ./confirm.ts.
import { asc, eq, inArray } from 'drizzle-orm';
import { placeGrants, services, type PlaceStatus } from '../../../db/schema/index.ts';
import type { Staff } from '../auth/guards.ts';
import { hasRole } from '../auth/roles.ts';
import { listPublishedPlaces, type PlaceRow } from '../places/repository.ts';
import { effectiveStatus, type EffectiveStatus } from '../places/status.ts';
import type { Database } from '../server/database.ts';
import { getDb } from '../server/db.ts';
import type { ServiceRow } from '../services/repository.ts';
import { londonDateKey } from '../time/london.ts';

/** The three one-tap answers of the morning round, in the order the buttons show. */
export const TODAY_ANSWERS = ['open', 'closed', 'opening_late'] as const;
export type TodayAnswer = (typeof TODAY_ANSWERS)[number] & PlaceStatus;

export const TODAY_ANSWER_LABEL: Record<TodayAnswer, string> = {
  open: 'Open today',
  closed: 'Closed today',
  opening_late: 'Opening late',
};

export function isTodayAnswer(value: unknown): value is TodayAnswer {
  return typeof value === 'string' && (TODAY_ANSWERS as readonly string[]).includes(value);
}

export interface TodayRow {
  place: PlaceRow;
  effective: EffectiveStatus;
  /** The revision the buttons are based on. */
  base: number;
  editPath: string;
  publicPath: string;
}

export interface TodayGroup {
  service: ServiceRow;
  /** Lapsed overnight, confirmed before today, or never confirmed: the round's work. */
  toConfirm: TodayRow[];
  confirmed: TodayRow[];
  /** "12 of 40 schools confirmed today". */
  countText: string;
}

/** Someone published this place between the page being shown and the tap. */
export interface TodayConflict {
  placeId: number;
  who: string;
  when: Date;
}

export interface TodayPage {
  isEditor: boolean;
  groups: TodayGroup[];
  /** After a tap (POST → redirect → GET): the place confirmed and what it is now. */
  banner: { placeId: number; name: string; answer: TodayAnswer } | null;
  conflict: TodayConflict | null;
}

/** Whether somebody has vouched for this place's status today (London time) and it still holds. */
export function isConfirmedToday(row: Pick<PlaceRow, 'confirmedAt'>, effective: EffectiveStatus, now: Date): boolean {
  return !effective.lapsed && row.confirmedAt !== null && londonDateKey(row.confirmedAt) === londonDateKey(now);
}

async function placesInScope(db: Database, staff: Staff): Promise<PlaceRow[]> {
  const all = await listPublishedPlaces(db);
  if (hasRole(staff.account.role, 'editor')) return all;
  const grants = await db.select({ placeId: placeGrants.placeId }).from(placeGrants).where(eq(placeGrants.accountId, staff.account.id));
  const granted = new Set(grants.map((g) => g.placeId));
  return all.filter((p) => granted.has(p.id));
}

function readBanner(params: URLSearchParams, rows: Map<number, PlaceRow>): TodayPage['banner'] {
  const id = Number(params.get('confirmed'));
  const answer = params.get('as');
  const place = rows.get(id);
  if (!place || !isTodayAnswer(answer)) return null;
  return { placeId: id, name: place.name, answer };
}

/** The Today page for this member of staff at `now`. */
export async function loadTodayPage(staff: Staff, params: URLSearchParams, now: Date, conflict: TodayConflict | null = null): Promise<TodayPage> {
  const db = await getDb();
  const rows = await placesInScope(db, staff);
  const serviceIds = [...new Set(rows.map((r) => r.serviceId))];
  const serviceRows = serviceIds.length === 0 ? [] : await db.select().from(services).where(inArray(services.id, serviceIds)).orderBy(asc(services.sortOrder));
  const groups: TodayGroup[] = serviceRows.map((service) => {
    const toConfirm: TodayRow[] = [];
    const confirmed: TodayRow[] = [];
    for (const place of rows) {
      if (place.serviceId !== service.id || place.currentRevisionId === null) continue;
      const effective = effectiveStatus(place, now);
      const row: TodayRow = {
        place, effective, base: place.currentRevisionId,
        editPath: `/staff/places/${place.id}`, publicPath: `/services/${service.slug}/${place.slug}`,
      };
      (isConfirmedToday(place, effective, now) ? confirmed : toConfirm).push(row);
    }
    const total = toConfirm.length + confirmed.length;
    const label = total === 1 ? service.placeLabel.toLowerCase() : service.placeLabelPlural.toLowerCase();
    return { service, toConfirm, confirmed, countText: `${confirmed.length} of ${total} ${label} confirmed today` };
  });
  return {
    isEditor: hasRole(staff.account.role, 'editor'),
    groups: groups.filter((g) => g.toConfirm.length + g.confirmed.length > 0),
    banner: readBanner(params, new Map(rows.map((r) => [r.id, r]))),
    conflict,
  };
}
