// The published content the public pages read, held in memory once per content version: the
// council, the services, every published place (by service, by name), the published alerts,
// the footer pages and snow-day mode. A public render reads it instead of the database; it is
// read again (once, however many requests wait) when the content version moves; every render
// checks the version first, so it shows what is published, whichever process published it.
//
// Everything that depends on the time (which alerts are active, lapsed statuses) is worked out
// per request from these rows, exactly as the queries did: the snapshot holds what was
// published, not what it means now.
import { and, asc, eq, isNotNull } from 'drizzle-orm';
import { alerts } from '../../../db/schema/index.ts';
import type { AlertRow } from '../alerts/repository.ts';
import { confirmContentVersion, currentContentState, refreshContentState } from '../http/page-cache.ts';
import { listPublishedPages, type PageRow } from '../pages/repository.ts';
import { listPublishedPlaces, type PlaceRow } from '../places/repository.ts';
import type { Database } from '../server/database.ts';
import { listServices, type ServiceRow } from '../services/repository.ts';
import { getCouncil, type Council } from '../settings/repository.ts';
import { readSnowDay, type SnowDayState } from '../snow-day/service.ts';
import { isTemplateSlug } from '../pages/templates.ts';

export interface PublishedSnapshot {
  /** The content version it was read at (or after). */
  version: number;
  council: Council;
  services: ServiceRow[];
  servicesBySlug: ReadonlyMap<string, ServiceRow>;
  /** Every published place, by name (as listPublishedPlaces orders them). */
  places: PlaceRow[];
  /** Each service's published places, by name. */
  placesByService: ReadonlyMap<number, PlaceRow[]>;
  /** Published, not withdrawn alerts, whatever their dates (by id). */
  alerts: AlertRow[];
  /** Published information pages for the footer, templates left out, by title. */
  footerPages: Pick<PageRow, 'slug' | 'title' | 'summary'>[];
  snowDay: SnowDayState;
}

let current: PublishedSnapshot | null = null;
let reading: { version: number; promise: Promise<PublishedSnapshot> } | null = null;

async function readSnapshot(db: Database, version: number): Promise<PublishedSnapshot> {
  const [council, services, places, alertRows, pages, snowDay] = await Promise.all([
    getCouncil(db),
    listServices(db),
    listPublishedPlaces(db),
    db.select().from(alerts).where(and(isNotNull(alerts.currentRevisionId), eq(alerts.retired, false))).orderBy(asc(alerts.id)),
    listPublishedPages(db),
    readSnowDay(db),
  ]);
  const placesByService = new Map<number, PlaceRow[]>(services.map((s) => [s.id, []]));
  for (const place of places) placesByService.get(place.serviceId)?.push(place);
  return {
    version,
    council,
    services,
    servicesBySlug: new Map(services.map((s) => [s.slug, s])),
    places,
    placesByService,
    alerts: alertRows,
    footerPages: pages.filter((p) => !isTemplateSlug(p.slug)),
    snowDay,
  };
}

/**
 * The published content as of the current content version. The version is read from the
 * database (one small query: a render sees what is published, as when it read the rows
 * themselves) unless it was read within `maxAgeMs` — a page made from cached pages passes the
 * cache's own freshness. The rows are read again only when the version moved. Throws as a
 * database read does when the database is down.
 */
export async function loadPublishedSnapshot(db: Database, maxAgeMs = 0): Promise<PublishedSnapshot> {
  if (maxAgeMs > 0) await refreshContentState(maxAgeMs);
  else await confirmContentVersion();
  const version = currentContentState()?.version ?? -1;
  if (current && current.version === version) return current;
  if (reading?.version === version) return reading.promise;
  const promise = readSnapshot(db, version);
  const attempt = { version, promise };
  reading = attempt;
  try {
    const snapshot = await promise;
    // Kept unless the version moved again meanwhile (a restored database may move it backwards).
    if ((currentContentState()?.version ?? -1) === snapshot.version) current = snapshot;
    return snapshot;
  } finally {
    if (reading === attempt) reading = null;
  }
}

/** Active alerts at `now` (started, not yet expired), as the alert banner lists them before ordering. */
export function activeAlertsAt(snapshot: PublishedSnapshot, now: Date): AlertRow[] {
  const t = now.getTime();
  return snapshot.alerts.filter((a) => a.startsAt.getTime() <= t && (a.expiresAt === null || a.expiresAt.getTime() > t));
}
