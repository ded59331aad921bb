// The public site's read models: one function per public page, each returning everything that
// page renders (including the site chrome: council, alert banner, footer links).
import type { AlertRow } from '../alerts/repository.ts';
import { alertPhase, orderAlerts, type AlertPhase } from '../alerts/service.ts';
import { NotFoundError } from '../errors.ts';
import { findPublishedPage, type PageRow } from '../pages/repository.ts';
import { listPlaceHistory, type PlaceHistoryEntry, type PlaceRow } from '../places/repository.ts';
import {
  matchesStatusAndWard,
  parsePlaceFilters,
  summariseStatuses,
  wardsOf,
  withEffectiveStatus,
  type FilterProblem,
  type PlaceFilters,
  type StatusSummary,
  type WithEffective,
} from '../places/service.ts';
import { searchPlaces, type PlaceSearchOutcome } from '../places/search.ts';
import { effectiveStatus, type EffectiveStatus } from '../places/status.ts';
import { getDb } from '../server/db.ts';
import { checkedRead, isDatabaseUnavailableError } from '../server/database-health.ts';
import { logEvent } from '../logging/log.ts';
import { readContentState } from './content-state.ts';
import type { ServiceRow } from '../services/repository.ts';
import { FALLBACK_COUNCIL, type Council } from '../settings/repository.ts';
import type { Database } from '../server/database.ts';
import { isTemplateSlug } from '../pages/templates.ts';
import { closuresService } from '../snow-day/service.ts';
import { activeAlertsAt, loadPublishedSnapshot, type PublishedSnapshot } from './published-snapshot.ts';

export interface SiteChrome {
  council: Council;
  /** Active alerts, most severe first: the banner on every public page. */
  alerts: AlertRow[];
  footerPages: { slug: string; title: string }[];
  /**
   * Every service's address and name, in display order, so the navigation and links say a
   * service's name exactly as its own page does (one name for each service).
   */
  services: { slug: string; name: string; placeLabelPlural: string }[];
}

/** The council and footer links last read, for error pages while the database is down. */
let lastKnownChrome: SiteChrome | null = null;

/** The council, the active alerts banner, the footer links and the services' names every public page carries. */
export async function loadChrome(db: Database, now: Date): Promise<SiteChrome> {
  return chromeOf(await loadPublishedSnapshot(db), now);
}

/** The chrome from the published content: the same objects for a version, but the banner as of `now`. */
export function chromeOf(snapshot: PublishedSnapshot, now: Date): SiteChrome {
  const { council, footerPages } = snapshot;
  const services = snapshot.services.map(({ slug, name, placeLabelPlural }) => ({ slug, name, placeLabelPlural }));
  lastKnownChrome = { council, alerts: [], footerPages, services };
  return { council, alerts: orderAlerts(activeAlertsAt(snapshot, now)), footerPages, services };
}

/** A service's places with their status now, their counts and areas: worked out once per content version until a status lapses. */
interface ServiceListing {
  all: WithEffective<PlaceRow>[];
  summary: StatusSummary;
  wards: string[];
  from: number;
  until: number;
}

const listings = new WeakMap<PublishedSnapshot, Map<number, ServiceListing>>();

function serviceListing(snapshot: PublishedSnapshot, serviceId: number, now: Date): ServiceListing {
  let byService = listings.get(snapshot);
  if (!byService) listings.set(snapshot, (byService = new Map()));
  const t = now.getTime();
  const kept = byService.get(serviceId);
  if (kept && kept.from <= t && t < kept.until) return kept;
  const rows = snapshot.placesByService.get(serviceId) ?? [];
  const all = withEffectiveStatus(rows, now);
  // Statuses change with time only when one lapses (its statusUntil passes).
  let until = Infinity;
  for (const place of rows) {
    const lapses = place.statusUntil?.getTime();
    if (lapses !== undefined && lapses > t && lapses < until) until = lapses;
  }
  const listing = { all, summary: summariseStatuses(all), wards: wardsOf(all), from: t, until };
  byService.set(serviceId, listing);
  return listing;
}

export interface HomePage {
  chrome: SiteChrome;
  /** Every service in display order — in snow-day mode, without the closures service shown first. */
  services: { service: ServiceRow; summary: StatusSummary }[];
  /** Snow-day mode: the closures service, put above everything else with its counts. */
  closuresFirst: { service: ServiceRow; summary: StatusSummary } | null;
}

export async function loadHomePage(now: Date): Promise<HomePage> {
  const snapshot = await loadPublishedSnapshot(await getDb());
  const { services: serviceRows, snowDay } = snapshot;
  const chrome = chromeOf(snapshot, now);
  const all = serviceRows.map((service) => ({
    service,
    summary: serviceListing(snapshot, service.id, now).summary,
  }));
  const first = snowDay.on ? closuresService(serviceRows) : undefined;
  const closuresFirst = first ? all.find((s) => s.service.id === first.id) ?? null : null;
  return { chrome, services: closuresFirst ? all.filter((s) => s !== closuresFirst) : all, closuresFirst };
}

export interface ServicePage {
  chrome: SiteChrome;
  service: ServiceRow;
  /** Notices: active alerts about this service. */
  notices: AlertRow[];
  summary: StatusSummary;
  wards: string[];
  filters: PlaceFilters;
  problems: FilterProblem[];
  /** What the search box found: by name (ranked), nearest a postcode, or a postcode we cannot place. */
  search: PlaceSearchOutcome;
  /** The places to list, in order; `distanceMiles` when the search was by postcode. */
  places: (WithEffective<PlaceRow> & { distanceMiles: number | null })[];
}

/** `contentMaxAgeMs`: how old the content version may be known to be (0, a render; a page made from cached ones passes more). */
export async function loadServicePage(serviceSlug: string, params: URLSearchParams, now: Date, contentMaxAgeMs = 0): Promise<ServicePage> {
  const snapshot = await loadPublishedSnapshot(await getDb(), contentMaxAgeMs);
  const service = snapshot.servicesBySlug.get(serviceSlug);
  if (!service) throw new NotFoundError(`No service "${serviceSlug}"`);
  const chrome = chromeOf(snapshot, now);
  const { all, summary, wards } = serviceListing(snapshot, service.id, now);
  const { filters, problems } = parsePlaceFilters(params, wards);
  const found = searchPlaces(all, { text: filters.query }, { include: (place) => matchesStatusAndWard(place, filters) });
  return {
    chrome,
    service,
    notices: chrome.alerts.filter((a) => a.serviceSlugs.includes(service.slug)),
    summary,
    wards,
    filters,
    problems,
    search: found.outcome,
    places: found.hits.map(({ place, distanceMiles }) => ({ ...place, distanceMiles })),
  };
}

export type PlacePage =
  | { kind: 'page'; chrome: SiteChrome; service: ServiceRow; place: WithEffective<PlaceRow>; history: (PlaceHistoryEntry & { effective: EffectiveStatus })[] }
  | { kind: 'redirect'; location: string };

export async function loadPlacePage(serviceSlug: string, placeKey: string, now: Date): Promise<PlacePage> {
  const db = await getDb();
  const snapshot = await loadPublishedSnapshot(db);
  const service = snapshot.servicesBySlug.get(serviceSlug);
  if (!service) throw new NotFoundError(`No service "${serviceSlug}"`);
  const inService = snapshot.placesByService.get(service.id) ?? [];
  const place = inService.find((p) => p.slug === placeKey) ?? inService.find((p) => p.identifier === placeKey);
  if (!place) throw new NotFoundError(`No place "${placeKey}" in ${serviceSlug}`);
  // A school's URN works as an address too; send people to the one canonical URL.
  if (place.slug !== placeKey) return { kind: 'redirect', location: `/services/${service.slug}/${place.slug}` };
  const chrome = chromeOf(snapshot, now);
  const history = await listPlaceHistory(db, place.id);
  return {
    kind: 'page',
    chrome,
    service,
    place: { ...place, effective: effectiveStatus(place, now) },
    history: history.map((entry) => ({
      ...entry,
      effective: {
        status: entry.content.status,
        lapsed: false,
        lapsedFrom: null,
        confirmedAt: entry.content.confirmedAt ? new Date(entry.content.confirmedAt) : null,
      },
    })),
  };
}

export interface AlertPage {
  chrome: SiteChrome;
  alert: AlertRow;
  phase: AlertPhase;
  services: ServiceRow[];
}

/** One alert by id. Expired and scheduled alerts keep their page (links in old feeds still work). */
export async function loadAlertPage(id: number, now: Date): Promise<AlertPage> {
  const snapshot = await loadPublishedSnapshot(await getDb());
  const alert = Number.isSafeInteger(id) && id > 0 ? snapshot.alerts.find((a) => a.id === id) : undefined;
  if (!alert) throw new NotFoundError(`No alert ${id}`);
  const chrome = chromeOf(snapshot, now);
  return { chrome, alert, phase: alertPhase(alert, now), services: snapshot.services.filter((s) => alert.serviceSlugs.includes(s.slug)) };
}

export interface InformationPage {
  chrome: SiteChrome;
  page: PageRow;
}

export async function loadInformationPage(slug: string, now: Date): Promise<InformationPage> {
  const db = await getDb();
  // Alert templates are for staff to edit, not for residents to read.
  const page = isTemplateSlug(slug) ? undefined : await findPublishedPage(db, slug);
  if (!page) throw new NotFoundError(`No page "${slug}"`);
  return { chrome: await loadChrome(db, now), page };
}

/**
 * For the error pages: the chrome if the database answers; if not, the council (name, phone
 * number) and footer links as last read by this process, without alerts, or a bare one.
 */
export async function loadErrorChrome(now: Date): Promise<SiteChrome> {
  try {
    return await loadChrome(await getDb(), now);
  } catch {
    return lastKnownChrome ?? { council: FALLBACK_COUNCIL, alerts: [], footerPages: [], services: [] };
  }
}

/**
 * Liveness and database readiness for /healthz: a real read of published tables (a `select 1`
 * answers even when the file underneath is unreadable), with a deadline; while the database is
 * known to be down it answers at once, without trying (database-health.ts logs the outage).
 */
export async function checkHealth(): Promise<{ ok: boolean; database: string }> {
  try {
    const db = await getDb();
    await checkedRead(() => readContentState(db, new Date()));
    return { ok: true, database: 'ok' };
  } catch (error) {
    // An outage is logged once by database-health.ts; anything else (a schema newer than this
    // code, a bug) is logged here, every time.
    if (!isDatabaseUnavailableError(error)) logEvent('error', 'health check failed', { error });
    return { ok: false, database: 'unavailable' };
  }
}
