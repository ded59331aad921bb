// Place rules for the public status pages: effective statuses, counts, filters and search.
// Pure functions over published rows, so the same answers serve pages, feeds and the API.
import { effectiveStatus, isPlaceStatus, STATUS_ORDER, type EffectiveStatus, type PlaceStatus, type StatusFields } from './status.ts';

export interface PlaceLike extends StatusFields {
  name: string;
  identifier: string | null;
  address: string;
  postcode: string;
  ward: string;
  updatedAt: Date;
}

export type WithEffective<T> = T & { effective: EffectiveStatus };

export interface StatusCount {
  status: PlaceStatus;
  count: number;
}

export interface StatusSummary {
  total: number;
  counts: StatusCount[];
  lastUpdated: Date | null;
}

export function withEffectiveStatus<T extends StatusFields>(list: readonly T[], now: Date): WithEffective<T>[] {
  return list.map((place) => ({ ...place, effective: effectiveStatus(place, now) }));
}

/** Counts of effective statuses in display order (only those present), and the newest update. */
export function summariseStatuses(list: readonly WithEffective<PlaceLike>[]): StatusSummary {
  const tally = new Map<PlaceStatus, number>();
  let lastUpdated: Date | null = null;
  for (const place of list) {
    tally.set(place.effective.status, (tally.get(place.effective.status) ?? 0) + 1);
    if (!lastUpdated || place.updatedAt > lastUpdated) lastUpdated = place.updatedAt;
  }
  return {
    total: list.length,
    counts: STATUS_ORDER.filter((s) => tally.has(s)).map((status) => ({ status, count: tally.get(status)! })),
    lastUpdated,
  };
}

export interface PlaceFilters {
  status: PlaceStatus | null;
  ward: string | null;
  query: string;
}

export interface FilterProblem {
  field: 'status' | 'ward' | 'q';
  message: string;
}

/**
 * Reads the filter form (a plain GET form) from the query string. Unknown values are reported,
 * not guessed at, so the page can say what was wrong and still show every place.
 */
export function parsePlaceFilters(params: URLSearchParams, wards: readonly string[]): { filters: PlaceFilters; problems: FilterProblem[] } {
  const problems: FilterProblem[] = [];
  const rawStatus = params.get('status')?.trim() ?? '';
  const rawWard = params.get('ward')?.trim() ?? '';
  let query = params.get('q')?.trim() ?? '';
  let status: PlaceStatus | null = null;
  if (rawStatus !== '') {
    if (isPlaceStatus(rawStatus)) status = rawStatus;
    else problems.push({ field: 'status', message: 'Choose a status from the list' });
  }
  let ward: string | null = null;
  if (rawWard !== '') {
    if (wards.includes(rawWard)) ward = rawWard;
    else problems.push({ field: 'ward', message: 'Choose an area from the list' });
  }
  if (query.length > 100) {
    problems.push({ field: 'q', message: 'Search must be 100 characters or fewer' });
    query = query.slice(0, 100);
  }
  return { filters: { status, ward, query }, problems };
}

const normalise = (text: string) =>
  text.toLowerCase().normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/['’]/g, '').replace(/[^a-z0-9]+/g, ' ').trim();

/** True when every word of the query appears in the place's name, identifier, address, postcode or ward. */
export function matchesQuery(place: PlaceLike, query: string): boolean {
  const words = normalise(query).split(' ').filter(Boolean);
  if (words.length === 0) return true;
  const haystack = ` ${normalise([place.name, place.identifier ?? '', place.address, place.postcode, place.postcode.replace(/\s/g, ''), place.ward].join(' '))} `;
  return words.every((word) => haystack.includes(word));
}

/** True when a place passes the status and area filters (the search words are matched apart). */
export function matchesStatusAndWard(place: WithEffective<PlaceLike>, filters: Pick<PlaceFilters, 'status' | 'ward'>): boolean {
  return (filters.status === null || place.effective.status === filters.status) && (filters.ward === null || place.ward === filters.ward);
}

/**
 * Status, area and exact words: the staff lists' filter, whose bulk update must act on exactly
 * the places it names. Residents' searches are tolerant and ranked instead (search.ts).
 */
export function filterPlaces<T extends WithEffective<PlaceLike>>(list: readonly T[], filters: PlaceFilters): T[] {
  return list.filter((place) => matchesStatusAndWard(place, filters) && matchesQuery(place, filters.query));
}

/** The distinct wards of a list of places, sorted, for the area filter. */
export function wardsOf(list: readonly { ward: string }[]): string[] {
  return [...new Set(list.map((p) => p.ward).filter(Boolean))].sort((a, b) => a.localeCompare(b));
}

/** The `tel:` address of a phone number as shown ("01484 221000" → "tel:01484221000"). */
export function phoneHref(phone: string): string {
  return `tel:${phone.replace(/[^0-9+]/g, '')}`;
}

/** A website as link text: without "https://" or a bare trailing "/" ("www.example.sch.uk"). */
export function websiteLabel(website: string): string {
  return website.replace(/^https?:\/\//i, '').replace(/\/$/, '');
}
