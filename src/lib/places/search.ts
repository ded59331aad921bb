// Finding places for residents: by name (tolerant, ranked: src/lib/search/), by URN, or by
// postcode or location (nearest first, with distances: src/lib/geo/). The public status page's
// search box and the home page's lookup both come here. Staff lists keep the exact word filter
// of service.ts on purpose: a bulk status update must act on exactly the places it names.
import { distanceInMiles, type LatLng } from '../geo/distance.ts';
import { outcodeCentroids } from '../geo/outcodes.ts';
import { compactPostcode, parsePostcode, type ParsedPostcode } from '../geo/postcode.ts';
import { buildSearchIndex, searchIndex, type SearchIndex } from '../search/matcher.ts';

/** What the search reads of a place (a published places row has all of it). */
export interface SearchablePlace {
  id: number;
  /** Changes whenever the place is republished: the index is rebuilt only then. */
  currentRevisionId: number | null;
  name: string;
  identifier: string | null;
  address: string;
  postcode: string;
  ward: string;
  latitude: number | null;
  longitude: number | null;
}

/** What was asked: words typed into the box, or a point ("Use my location"). */
export type PlaceQuery = { text: string } | { near: LatLng };

export interface NearOrigin {
  /** What the distances are from, as shown: "HD9 3TP", "HD9", "your location". */
  label: string;
  /**
   * How exact the point is: a place listed at that very postcode, the middle of the postcode
   * district (all we know of most postcodes), or the point the browser sent.
   */
  precision: 'postcode' | 'district' | 'device';
  /** The postcode district measured from, when precision is 'district'. */
  outcode: string | null;
  point: LatLng;
}

export type PlaceSearchOutcome =
  | { kind: 'none' }
  | { kind: 'text'; query: string }
  | { kind: 'near'; from: NearOrigin }
  | { kind: 'unknown-postcode'; postcode: ParsedPostcode };

export interface PlaceHit<T> {
  place: T;
  /** Miles from the searched point, for postcode and location searches. */
  distanceMiles: number | null;
}

export interface PlaceSearchResult<T> {
  outcome: PlaceSearchOutcome;
  hits: PlaceHit<T>[];
  /** How many places matched before `limit` cut the list. */
  total: number;
}

export interface PlaceSearchOptions<T> {
  /** Other filters (status, ward, service): applied to the matches, before the limit. */
  include?: (place: T) => boolean;
  /** At most this many results (default: all matches; nearest searches: NEAREST_LIMIT). */
  limit?: number;
  /** Postcode districts by outward code (default: content/geo, read once per process). */
  centroids?: ReadonlyMap<string, LatLng>;
}

/** How many places a postcode or location search lists. */
export const NEAREST_LIMIT = 20;

/**
 * Places matching a query, best first. No query lists every place in the given order. A
 * postcode lists the nearest places with their distance; a district we have no point for is
 * reported (`unknown-postcode`) unless its text also finds places by name (so "A62" can still
 * find a road).
 */
export function searchPlaces<T extends SearchablePlace>(rows: readonly T[], query: PlaceQuery, options: PlaceSearchOptions<T> = {}): PlaceSearchResult<T> {
  const include = options.include ?? (() => true);
  if ('near' in query) return nearest(rows, { label: 'your location', precision: 'device', outcode: null, point: query.near }, include, options.limit);
  const text = query.text.trim();
  if (text === '') return finish({ kind: 'none' }, rows.filter(include).map((place) => ({ place, distanceMiles: null })), options.limit);

  const postcode = parsePostcode(text);
  if (postcode) {
    const from = locatePostcode(postcode, rows, options.centroids ?? outcodeCentroids());
    if (from) return nearest(rows, from, include, options.limit);
  }
  const hits = searchIndex(indexFor(rows), text)
    .map(({ position }) => rows[position]!)
    .filter(include)
    .map((place) => ({ place, distanceMiles: null }));
  if (postcode && hits.length === 0) return { outcome: { kind: 'unknown-postcode', postcode }, hits: [], total: 0 };
  return finish({ kind: 'text', query: text }, hits, options.limit);
}

/**
 * Where a postcode is: a listed place at exactly that postcode is the best point we have;
 * otherwise the middle of its district. Null when we know neither.
 */
export function locatePostcode(postcode: ParsedPostcode, rows: readonly SearchablePlace[], centroids: ReadonlyMap<string, LatLng>): NearOrigin | null {
  if (postcode.incode) {
    const here = rows.find((p) => p.latitude !== null && p.longitude !== null && compactPostcode(p.postcode) === postcode.compact);
    if (here) return { label: postcode.display, precision: 'postcode', outcode: null, point: { latitude: here.latitude!, longitude: here.longitude! } };
  }
  const centroid = centroids.get(postcode.outcode);
  if (!centroid) return null;
  return { label: postcode.display, precision: 'district', outcode: postcode.outcode, point: { latitude: centroid.latitude, longitude: centroid.longitude } };
}

/** What to tell a resident whose postcode district we cannot place. */
export function unknownPostcodeMessage(postcode: ParsedPostcode, placeLabel = 'school'): { title: string; advice: string } {
  return { title: `We don't know where ${postcode.outcode} is`, advice: `Try a nearby postcode or the ${placeLabel.toLowerCase()}'s name.` };
}

function nearest<T extends SearchablePlace>(rows: readonly T[], from: NearOrigin, include: (place: T) => boolean, limit = NEAREST_LIMIT): PlaceSearchResult<T> {
  const hits: PlaceHit<T>[] = [];
  for (const place of rows) {
    if (place.latitude === null || place.longitude === null || !include(place)) continue;
    hits.push({ place, distanceMiles: distanceInMiles(from.point, { latitude: place.latitude, longitude: place.longitude }) });
  }
  hits.sort((a, b) => a.distanceMiles! - b.distanceMiles! || a.place.name.localeCompare(b.place.name));
  return finish({ kind: 'near', from }, hits, limit);
}

function finish<T>(outcome: PlaceSearchOutcome, hits: PlaceHit<T>[], limit: number | undefined): PlaceSearchResult<T> {
  return { outcome, hits: limit === undefined ? hits : hits.slice(0, limit), total: hits.length };
}

/**
 * Indexes by the exact list they were built from (ids and revisions, in order): the same
 * published places give the same index until one is republished or the list changes. A few
 * lists are in use at once (one per service, and all places), so a handful are kept.
 */
const indexes = new Map<string, SearchIndex>();
const MAX_INDEXES = 16;

/** The index of a list already seen, by the list itself: the public pages pass the same list object for a whole content version. */
const indexByList = new WeakMap<readonly SearchablePlace[], SearchIndex>();

function indexFor(rows: readonly SearchablePlace[]): SearchIndex {
  const known = indexByList.get(rows);
  if (known) return known;
  const index = indexBySignature(rows);
  indexByList.set(rows, index);
  return index;
}

function indexBySignature(rows: readonly SearchablePlace[]): SearchIndex {
  let signature = '';
  for (const p of rows) signature += `${p.id}.${p.currentRevisionId ?? ''},`;
  let index = indexes.get(signature);
  if (index) {
    // Most recently used last, so the oldest is the one dropped.
    indexes.delete(signature);
  } else {
    index = buildSearchIndex(
      rows.map((p) => ({ name: p.name, identifier: p.identifier, other: [p.address, p.ward, p.postcode, compactPostcode(p.postcode), p.identifier ?? ''] })),
    );
    if (indexes.size >= MAX_INDEXES) indexes.delete(indexes.keys().next().value!);
  }
  indexes.set(signature, index);
  return index;
}
