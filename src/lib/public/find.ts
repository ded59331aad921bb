// The read model of the lookup page (/find): "Is my school open?" across every service — by
// name, URN or postcode from the home page's box, or by the point "Use my location" sends.
import { parseLatLng, type LatLng } from '../geo/distance.ts';
import type { PlaceRow } from '../places/repository.ts';
import { NEAREST_LIMIT, searchPlaces, type PlaceSearchOutcome } from '../places/search.ts';
import type { WithEffective } from '../places/service.ts';
import { effectiveStatus } from '../places/status.ts';
import type { ServiceRow } from '../services/repository.ts';
import { getDb } from '../server/db.ts';
import { loadPublishedSnapshot } from './published-snapshot.ts';
import { chromeOf, type SiteChrome } from './site.ts';

/** How many best matches the lookup lists at most, over all services. */
export const FIND_LIMIT = 20;
/** How many nearest places of each service a postcode or location lists (all of one chosen service: NEAREST_LIMIT). */
export const NEAREST_PER_SERVICE = 5;
const MAX_QUERY_LENGTH = 100;

export interface FindRequest {
  /** The words typed, trimmed (at most 100 characters). */
  q: string;
  /** The point sent by "Use my location", when valid. */
  near: LatLng | null;
  /** The service chosen to search in, or null for all. */
  service: string | null;
}

export interface FindProblem {
  field: 'q' | 'near' | 'service';
  message: string;
}

export interface FindResult {
  place: WithEffective<PlaceRow>;
  service: ServiceRow;
  distanceMiles: number | null;
}

/** One service's results. */
export interface FindGroup {
  service: ServiceRow;
  results: FindResult[];
}

export interface FindPage {
  chrome: SiteChrome;
  services: ServiceRow[];
  request: FindRequest;
  problems: FindProblem[];
  /** Null when nothing was asked yet (the page shows just the box). */
  outcome: PlaceSearchOutcome | null;
  /**
   * Results by service: by name, services in the order of their best match; nearest a point,
   * services in their display order (schools first), each nearest first.
   */
  groups: FindGroup[];
  /** How many results are listed. */
  shown: number;
  /** How many places matched (by name: before the list was cut to FIND_LIMIT). */
  total: number;
}

/** Reads ?q=, ?near=lat,lng and ?service= strictly: what cannot be read is reported, not guessed. */
export function parseFindRequest(params: URLSearchParams, services: readonly ServiceRow[]): { request: FindRequest; problems: FindProblem[] } {
  const problems: FindProblem[] = [];
  let q = params.get('q')?.trim() ?? '';
  if (q.length > MAX_QUERY_LENGTH) {
    problems.push({ field: 'q', message: `Search must be ${MAX_QUERY_LENGTH} characters or fewer` });
    q = q.slice(0, MAX_QUERY_LENGTH);
  }
  let near: LatLng | null = null;
  const rawNear = params.get('near')?.trim() ?? '';
  if (rawNear !== '') {
    near = parseLatLng(rawNear);
    if (!near) problems.push({ field: 'near', message: 'We could not read your location. Type a postcode or a name instead' });
  }
  let service: string | null = null;
  const rawService = params.get('service')?.trim() ?? '';
  if (rawService !== '') {
    if (services.some((s) => s.slug === rawService)) service = rawService;
    else problems.push({ field: 'service', message: 'Choose a service from the list' });
  }
  return { request: { q, near, service }, problems };
}

export async function loadFindPage(params: URLSearchParams, now: Date): Promise<FindPage> {
  const snapshot = await loadPublishedSnapshot(await getDb());
  const { services, places: rows } = snapshot;
  const chrome = chromeOf(snapshot, now);
  const { request, problems } = parseFindRequest(params, services);
  const byId = new Map(services.map((s) => [s.id, s]));
  const serviceId = request.service === null ? null : services.find((s) => s.slug === request.service)!.id;
  const include = (place: PlaceRow) => serviceId === null || place.serviceId === serviceId;
  // Typed words win over a location sent with them; nothing asked shows just the box.
  const query = request.q !== '' ? { text: request.q } : request.near ? { near: request.near } : null;
  if (!query) return { chrome, services, request, problems, outcome: null, groups: [], shown: 0, total: 0 };
  const found = searchPlaces(rows, query, { include, limit: Number.MAX_SAFE_INTEGER });
  const byName = found.outcome.kind !== 'near';
  // By name: the best FIND_LIMIT over all services. Nearest: a few of each service.
  const perService = byName ? Infinity : request.service === null ? NEAREST_PER_SERVICE : NEAREST_LIMIT;
  const kept = byName ? found.hits.slice(0, FIND_LIMIT) : found.hits;
  const groups = new Map<number, FindGroup>();
  if (!byName) for (const service of services) groups.set(service.id, { service, results: [] });
  let shown = 0;
  for (const hit of kept) {
    const service = byId.get(hit.place.serviceId);
    if (!service) continue;
    let group = groups.get(service.id);
    if (!group) groups.set(service.id, (group = { service, results: [] }));
    if (group.results.length >= perService) continue;
    group.results.push({ place: { ...hit.place, effective: effectiveStatus(hit.place, now) }, service, distanceMiles: hit.distanceMiles });
    shown += 1;
  }
  return {
    chrome,
    services,
    request,
    problems,
    outcome: found.outcome,
    groups: [...groups.values()].filter((g) => g.results.length > 0),
    shown,
    total: byName ? found.total : shown,
  };
}
