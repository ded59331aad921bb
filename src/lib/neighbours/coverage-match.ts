// Per-item coverage: does something we published cover what a neighbouring council said? A pure
// function over one neighbour item and our recent content (places and alerts), so the rule can
// be unit-tested and explained on screen. Two kinds of evidence:
//
// - the same place: a UK road number (A62, M62, B6114), a postcode, a school's URN, or one of
//   our places named in their headline. A road or postcode in their item is decisive: only
//   something of ours about that road or postcode can cover it, and if our place says something
//   different ("closed" there, "Disrupted" here) it does not cover it — it is the place to mark.
// - the same words: how much of their headline (minus their council's own name and words that
//   carry no news, "today", "the") appears in one piece of ours, each word weighted by how rare it
//   is in our own recent content of that service. On a snow morning "school", "closed" and "snow"
//   are in everything and weigh little (a service's own keywords count as in everything);
//   "vouchers", "Ripponden" or "3pm" are in nothing and weigh several times as much (about six
//   times among the demo's hundred schools), so one unexplained distinctive word keeps it a gap.
import type { PlaceStatus } from '../../../db/schema/index.ts';

/** How far before a neighbour's item our content still counts as covering it. */
export const MATCH_LOOKBACK_MS = 24 * 3_600_000;

/**
 * Share of their headline's weight that must appear in one piece of ours. 0.6: every generic
 * word and most distinctive ones. On the demo the items we did cover score 0.68–1 and the
 * closest of the others 0.24–0.53 ("Sun Lane Leisure Centre closed": "Sun Lane" is theirs).
 */
export const WORDS_THRESHOLD = 0.6;

/** An alert that names the same road or postcode must still be about the same thing this much. */
export const ALERT_WITH_PLACE_THRESHOLD = 0.4;

/** Something we published recently, as the matcher sees it. */
export interface OurContent {
  kind: 'alert' | 'place';
  id: number;
  /** A place's service, or every service an alert names. */
  serviceSlugs: readonly string[];
  /** The alert's headline or the place's name. */
  title: string;
  /** The alert's body and area, or the place's note. */
  text: string;
  /** Places: address or description (the road numbers in it are the place's). */
  address?: string;
  /** Places: the external reference, e.g. a school's URN. */
  identifier?: string | null;
  postcode?: string | null;
  /** Places: the status residents see now (a lapsed status is `unknown`). */
  status?: PlaceStatus | null;
  /** When it was last published. */
  changedAt: Date;
  /** Where it is: our public page. */
  href: string;
}

/** A neighbour's item, as the matcher needs it. */
export interface ItemToMatch {
  title: string;
  summary: string;
  area: string | null;
  /** The service it was classified into; null when none (nothing can cover it). */
  serviceSlug: string | null;
  /** The neighbour council's name: its words are left out of the comparison. */
  councilName: string;
  /** When they published it (or we first saw it). */
  at: Date;
}

export type MatchSignal =
  | { kind: 'road' | 'postcode' | 'reference'; value: string }
  | { kind: 'name'; value: string }
  | { kind: 'words'; words: string[]; score: number };

export interface CandidateMatch {
  content: OurContent;
  signals: MatchSignal[];
  /** Weighted share of their headline found in this content, 0–1. */
  score: number;
}

export interface ItemMatch {
  covered: boolean;
  /** What of ours covers it, with why; null when not covered. */
  by: CandidateMatch | null;
  /**
   * Our place the item is about that says something different (their "closed", our "Disrupted"):
   * it does not cover the item, and it is the place to mark.
   */
  conflict: { place: OurContent; ourStatus: PlaceStatus; theirStatus: PlaceStatus } | null;
  /** The status their headline states, when it states one plainly. */
  theirStatus: PlaceStatus | null;
  /** When not covered: the piece of ours that came closest, with its score, or null. */
  closest: CandidateMatch | null;
  /** Our places the item may be about, best first (for "Mark a place"). */
  places: OurContent[];
  /** Road numbers and postcodes the item names. */
  namedPlaces: string[];
}

// ——— words ———

const STOP_WORDS = new Set(
  (
    'a an and are as at be been but by can could do does for from had has have he her his how i if in into is it its ' +
    'may might more most must no not of on or our out over please she so some than that the their them there these ' +
    'they this those to up us was we were what when where which while who will with would you your yours all any ' +
    'across after again also because before being below between both during each few further here just only other ' +
    'own same should such then through under until very about above against down off once ' +
    'today tonight tomorrow yesterday now morning afternoon evening overnight this week weekend ' +
    'council councils city borough district metropolitan update updates latest news information'
  ).split(/\s+/),
);

/** Word families that mean the same for our purposes. */
const FAMILIES: Record<string, string> = {
  closure: 'close', closures: 'close', closed: 'close', closing: 'close', closes: 'close', shut: 'close',
  reopen: 'open', reopened: 'open', reopens: 'open', reopening: 'open', opened: 'open', opening: 'open', opens: 'open',
  gritter: 'grit', gritters: 'grit', gritting: 'grit', gritted: 'grit', grits: 'grit', salting: 'grit', salted: 'grit',
  cancelled: 'cancel', canceled: 'cancel', cancellations: 'cancel', cancellation: 'cancel',
  delayed: 'delay', delays: 'delay', late: 'delay',
  suspended: 'suspend', suspension: 'suspend',
  bus: 'transport', buses: 'transport', coach: 'transport', coaches: 'transport', minibus: 'transport', minibuses: 'transport',
  centre: 'centre', centres: 'centre', center: 'centre', centers: 'centre',
  libraries: 'library', pupils: 'pupil', children: 'child', nurseries: 'nursery',
};

/** "runn" → "run", "plann" → "plan" (but "fill" and "pass" stay). */
const undouble = (w: string) => (/([bdgmnprt])\1$/.test(w) ? w.slice(0, -1) : w);

/** A light stemmer: plural and -ed/-ing endings, enough that "schools" meets "school". */
function stem(word: string): string {
  const family = FAMILIES[word];
  if (family) return family;
  let w = word;
  if (w.length > 4 && w.endsWith('ies')) w = `${w.slice(0, -3)}y`;
  else if (w.length > 5 && w.endsWith('ing')) w = undouble(w.slice(0, -3));
  else if (w.length > 4 && w.endsWith('ed')) w = undouble(w.slice(0, -2));
  else if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us')) w = w.slice(0, -1);
  return FAMILIES[w] ?? w;
}

/** Lowercase ASCII words of a text, accents and punctuation gone ("J&I" → "j and i"). */
function words(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/['’]/g, '')
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/**
 * The words of a text that carry news, stemmed, each with the first word it came from:
 * stop-words, single letters and bare numbers out ("10am" and "a62" stay). `without` drops
 * more (a council's own name).
 */
export function newsWordsOf(text: string, without: ReadonlySet<string> = new Set()): Map<string, string> {
  const out = new Map<string, string>();
  for (const word of words(text)) {
    if (word.length < 2 || STOP_WORDS.has(word) || without.has(word) || /^\d+$/.test(word)) continue;
    const stemmed = stem(word);
    if (!out.has(stemmed)) out.set(stemmed, word);
  }
  return out;
}

/** The stemmed news words of a text (see newsWordsOf). */
export function newsWords(text: string, without: ReadonlySet<string> = new Set()): Set<string> {
  return new Set(newsWordsOf(text, without).keys());
}

// ——— places named in text ———

/** UK road numbers as councils write them: A62, M62, B6114, A1(M). */
const ROAD = /\b([ABM])(\d{1,4})(\(M\))?(?![\dA-Za-z])/g;

/** Road numbers in a text ("A62", "A1(M)"); "M1 1AE" is a postcode, not the M1. */
export function roadNumbersIn(text: string): string[] {
  const found = new Set<string>();
  for (const match of text.matchAll(ROAD)) {
    const after = text.slice(match.index + match[0].length, match.index + match[0].length + 5);
    if (/^\s?\d[A-Z]{2}\b/.test(after)) continue;
    found.add(`${match[1]}${Number(match[2])}${match[3] ? '(M)' : ''}`);
  }
  return [...found];
}

const POSTCODE = /\b([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})\b/g;

/** Full UK postcodes in a text, normalised "HD7 4PB". */
export function postcodesIn(text: string): string[] {
  return [...new Set([...text.matchAll(POSTCODE)].map((m) => `${m[1]!.toUpperCase()} ${m[2]!.toUpperCase()}`))];
}

const normalisePostcode = (postcode: string | null | undefined) => {
  const compact = (postcode ?? '').replace(/\s+/g, '').toUpperCase();
  return compact.length >= 5 ? `${compact.slice(0, -3)} ${compact.slice(-3)}` : '';
};

// ——— what their headline says ———

/**
 * The status their headline states plainly, or null: "closed at Standedge" → closed, "opening at
 * 10am" → opening_late, "closing at 3pm" → closing_early, "open as normal" → open, "delayed",
 * "suspended", "cancelled", "running late" → disrupted.
 */
export function statusStated(headline: string): PlaceStatus | null {
  const text = ` ${words(headline).join(' ')} `;
  if (/ (opening|opens) (late|at) /.test(text)) return 'opening_late';
  if (/ (closing|closes|close) (early|at) /.test(text)) return 'closing_early';
  if (/ (partly|partially) (open|closed) /.test(text)) return 'partially_open';
  if (/ (closed|closure|closures|shut) /.test(text)) return 'closed';
  if (/ (delayed|suspended|cancelled|canceled|disrupted|disruption|running late|not running|reduced) /.test(text)) return 'disrupted';
  if (/ (open|opened|reopened|reopen|running as normal|as normal) /.test(text)) return 'open';
  return null;
}

/** Whether our place's status is at odds with what their item states about the same place. */
export function contradicts(theirs: PlaceStatus, ours: PlaceStatus): boolean {
  switch (theirs) {
    case 'closed':
      return ours !== 'closed';
    case 'open':
      return ours === 'closed' || ours === 'unknown';
    case 'opening_late':
    case 'closing_early':
    case 'partially_open':
    case 'disrupted':
      return ours === 'open' || ours === 'unknown';
    default:
      return false;
  }
}

// ——— matching ———

interface IndexedContent {
  content: OurContent;
  words: Set<string>;
  roads: Set<string>;
  postcodes: Set<string>;
  /** Places: the words of the name, in order, for "named in their headline". */
  nameWords: string[];
}

/** Our content tokenised once, with how many pieces of each service contain each word. */
export interface OurContentIndex {
  entries: IndexedContent[];
  /** Per service slug: documents, and per word how many of them contain it. */
  frequency: Map<string, { documents: number; containing: Map<string, number> }>;
  /** Per service slug: the words of its keywords, which say what the service is, not what happened. */
  serviceWords: Map<string, Set<string>>;
}

/**
 * Prepares our recent content for matching many items against it. `serviceKeywords` (each
 * service's classification phrases) count as common words: every item of the service has one.
 */
export function indexOurContent(ours: readonly OurContent[], serviceKeywords: ReadonlyMap<string, readonly string[]> = new Map()): OurContentIndex {
  const entries = ours.map((content): IndexedContent => {
    const placeOwn = content.kind === 'place' ? `${content.title} ${content.address ?? ''} ${content.identifier ?? ''}` : `${content.title} ${content.text}`;
    const postcode = normalisePostcode(content.postcode);
    return {
      content,
      words: newsWords(`${content.title} ${content.text} ${content.address ?? ''}`),
      roads: new Set(roadNumbersIn(placeOwn)),
      postcodes: new Set([...(postcode ? [postcode] : []), ...(content.kind === 'alert' ? postcodesIn(content.text) : [])]),
      nameWords: content.kind === 'place' ? words(content.title) : [],
    };
  });
  const frequency: OurContentIndex['frequency'] = new Map();
  for (const entry of entries) {
    for (const slug of entry.content.serviceSlugs) {
      let service = frequency.get(slug);
      if (!service) frequency.set(slug, (service = { documents: 0, containing: new Map() }));
      service.documents++;
      for (const word of entry.words) service.containing.set(word, (service.containing.get(word) ?? 0) + 1);
    }
  }
  const serviceWords = new Map([...serviceKeywords].map(([slug, phrases]) => [slug, newsWords(phrases.join(' '))]));
  return { entries, frequency, serviceWords };
}

const containsPhrase = (haystack: readonly string[], needle: readonly string[]) => {
  if (needle.length < 2) return false;
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
};

const NOT_COVERED = (theirStatus: PlaceStatus | null, namedPlaces: string[]): ItemMatch => ({
  covered: false, by: null, conflict: null, closest: null, theirStatus, places: [], namedPlaces,
});

/**
 * Matches one neighbour item against our published content of the same service changed from
 * 24 hours before the item until now. Covered when one piece of ours is about the same place
 * (and does not say something different) or says mostly the same words; see the module header.
 */
export function matchItemToOurContent(
  item: ItemToMatch,
  ours: readonly OurContent[] | OurContentIndex,
  serviceKeywords?: ReadonlyMap<string, readonly string[]>,
): ItemMatch {
  const index = Array.isArray(ours) ? indexOurContent(ours, serviceKeywords) : (ours as OurContentIndex);
  const theirStatus = statusStated(item.title);
  const everything = `${item.title} ${item.summary} ${item.area ?? ''}`;
  const roads = roadNumbersIn(everything);
  const postcodes = postcodesIn(everything);
  const namedPlaces = [...roads, ...postcodes];
  if (!item.serviceSlug) return NOT_COVERED(theirStatus, namedPlaces);
  const frequency = index.frequency.get(item.serviceSlug);
  const from = item.at.getTime() - MATCH_LOOKBACK_MS;
  const candidates = index.entries.filter((e) => e.content.serviceSlugs.includes(item.serviceSlug!) && e.content.changedAt.getTime() >= from);
  if (candidates.length === 0 || !frequency) return NOT_COVERED(theirStatus, namedPlaces);

  const councilWords = new Set(words(item.councilName));
  const headlineOriginals = newsWordsOf(item.title, councilWords);
  const headline = new Set(headlineOriginals.keys());
  const headlineWords = words(item.title);
  const everythingWords = new Set(words(everything));
  const common = index.serviceWords.get(item.serviceSlug) ?? new Set<string>();
  const weight = (word: string) =>
    Math.log(1 + (frequency.documents + 1) / ((common.has(word) ? frequency.documents : (frequency.containing.get(word) ?? 0)) + 1));
  const total = [...headline].reduce((sum, w) => sum + weight(w), 0);

  const scored: (CandidateMatch & { placeSignal: boolean })[] = candidates.map((entry) => {
    const shared = [...headline].filter((w) => entry.words.has(w));
    const score = total === 0 ? 0 : shared.reduce((sum, w) => sum + weight(w), 0) / total;
    const signals: MatchSignal[] = [];
    for (const road of roads) if (entry.roads.has(road)) signals.push({ kind: 'road', value: road });
    for (const postcode of postcodes) if (entry.postcodes.has(postcode)) signals.push({ kind: 'postcode', value: postcode });
    const reference = entry.content.kind === 'place' ? entry.content.identifier?.trim() : '';
    if (reference && /^\d{5,8}$/.test(reference) && everythingWords.has(reference)) signals.push({ kind: 'reference', value: reference });
    if (entry.content.kind === 'place' && containsPhrase(headlineWords, entry.nameWords)) signals.push({ kind: 'name', value: entry.content.title });
    const placeSignal = signals.length > 0;
    if (shared.length > 0) signals.push({ kind: 'words', words: shared.map((w) => headlineOriginals.get(w)!), score: Math.round(score * 100) / 100 });
    return { content: entry.content, signals, score, placeSignal };
  });

  // Ties: what says the same status first, then an alert (a notice answers a notice), then the newest.
  const agrees = (c: CandidateMatch) => {
    const ours = c.content.kind === 'place' ? c.content.status : statusStated(c.content.title);
    return theirStatus !== null && ours != null && !contradicts(theirStatus, ours) ? 1 : 0;
  };
  const byStrength = (a: (typeof scored)[number], b: (typeof scored)[number]) =>
    Number(b.placeSignal) - Number(a.placeSignal) ||
    Math.round(b.score * 100) - Math.round(a.score * 100) ||
    agrees(b) - agrees(a) ||
    Number(b.content.kind === 'alert') - Number(a.content.kind === 'alert') ||
    b.content.changedAt.getTime() - a.content.changedAt.getTime();
  scored.sort(byStrength);

  const saysOtherwise = (c: CandidateMatch) =>
    c.content.kind === 'place' && theirStatus !== null && c.content.status != null && contradicts(theirStatus, c.content.status);
  const enoughWords = (c: CandidateMatch, threshold: number) => {
    const shared = c.signals.find((s) => s.kind === 'words');
    const matched = shared?.kind === 'words' ? shared.words.length : 0;
    return c.score >= threshold && (matched >= 2 || headline.size === 1);
  };

  const aboutThePlace = scored.filter((c) => c.placeSignal);
  const conflicting = aboutThePlace.find((c) => c.content.kind === 'place' && saysOtherwise(c));
  const places = [
    ...aboutThePlace.filter((c) => c.content.kind === 'place'),
    // Places that say similar words, unless their item names a road or postcode none of them is on.
    ...(namedPlaces.length > 0 ? [] : scored.filter((c) => !c.placeSignal && c.content.kind === 'place' && c.score >= ALERT_WITH_PLACE_THRESHOLD).slice(0, 5)),
  ].map((c) => c.content);

  let by: CandidateMatch | undefined;
  if (namedPlaces.length > 0 || aboutThePlace.length > 0) {
    // Their item is about a particular road, postcode or place: only ours about it covers it.
    by = aboutThePlace.find((c) => (c.content.kind === 'place' ? !saysOtherwise(c) : enoughWords(c, ALERT_WITH_PLACE_THRESHOLD)));
  }
  if (!by && namedPlaces.length === 0) by = scored.find((c) => !c.placeSignal && !saysOtherwise(c) && enoughWords(c, WORDS_THRESHOLD));

  const conflict = !by && conflicting?.content.status
    ? { place: conflicting.content, ourStatus: conflicting.content.status, theirStatus: theirStatus! }
    : null;
  const strip = ({ placeSignal: _p, ...c }: (typeof scored)[number]): CandidateMatch => c;
  const closest = by ? undefined : [...scored].sort((a, b) => b.score - a.score)[0];
  return {
    covered: by !== undefined,
    by: by ? strip(by as (typeof scored)[number]) : null,
    conflict,
    closest: closest && closest.score > 0 ? strip(closest) : null,
    theirStatus,
    places,
    namedPlaces,
  };
}
