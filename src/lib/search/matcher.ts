// The tolerant, ranked text matcher behind every public "find a place" box. Documents are
// tokenised once into an index (src/lib/places/search.ts keeps one per list of places until a
// place changes): each distinct word once in a vocabulary, documents as word numbers. A query
// compares each query word with each vocabulary word once, then makes one pass over the
// documents reading those scores from arrays.
//
// A query word matches a word of a name exactly, with a plural/possessive "s" more or less, as
// the start of the word (still typing), or with typos (fuzzy.ts). Words of the name count fully;
// words of the address, ward, postcode or identifier count half. Every query word must match
// somewhere — except that a query of three or more words may miss one, when no document
// matches them all.
import { allowedTypos, typoDistance } from './fuzzy.ts';
import { foldText, OPTIONAL_WORDS, searchTokens } from './normalise.ts';

export interface SearchDocument {
  name: string;
  /** An identifier a resident may type whole (a school's URN): an exact match ranks first. */
  identifier?: string | null;
  /** Other words that find the document, worth half a name word: address, ward, postcode. */
  other?: readonly string[];
}

interface IndexEntry {
  /** The name's words, as positions in the vocabulary. */
  name: number[];
  /** The other fields' distinct words, as positions in the vocabulary. */
  other: number[];
  identifier: string | null;
  foldedName: string;
}

export interface SearchIndex {
  /** Every distinct word of every document. */
  readonly vocabulary: readonly string[];
  readonly entries: readonly IndexEntry[];
}

export interface SearchHit {
  /** Position of the document in the list the index was built from. */
  position: number;
  score: number;
}

export function buildSearchIndex(documents: readonly SearchDocument[]): SearchIndex {
  const vocabulary: string[] = [];
  const positions = new Map<string, number>();
  const idOf = (word: string) => {
    let id = positions.get(word);
    if (id === undefined) {
      id = vocabulary.push(word) - 1;
      positions.set(word, id);
    }
    return id;
  };
  const entries = documents.map((doc) => ({
    name: searchTokens(doc.name).map(idOf),
    other: [...new Set((doc.other ?? []).flatMap((text) => searchTokens(text)))].map(idOf),
    identifier: doc.identifier ? doc.identifier.trim().toLowerCase() : null,
    foldedName: foldText(doc.name),
  }));
  return { vocabulary, entries };
}

const EXACT = 1;
const PLURAL = 0.95;
const PREFIX = 0.8;
const TYPO = [0, 0.7, 0.55];
const OTHER_FIELD_WEIGHT = 0.5;
const MISSING_PENALTY = 0.5;

/** How well one query word matches one document word: 0 (not at all) to 1 (the same word). */
export function wordScore(query: string, word: string): number {
  if (query === word) return EXACT;
  if (query === `${word}s` || word === `${query}s`) return PLURAL;
  if (query.length >= 2 && word.startsWith(query)) return PREFIX;
  // Numbers (URNs, postcodes) are never "nearly" right: a near miss is another school.
  if (/\d/.test(query) || /\d/.test(word)) return 0;
  const allowed = allowedTypos(Math.min(query.length, word.length));
  if (allowed === 0) return 0;
  const distance = typoDistance(query, word, allowed);
  return distance <= allowed ? TYPO[distance]! : 0;
}

/** One query word's score against every vocabulary word, by position. */
function scoresAgainst(query: string, vocabulary: readonly string[]): Float64Array {
  const scores = new Float64Array(vocabulary.length);
  for (let i = 0; i < vocabulary.length; i++) scores[i] = wordScore(query, vocabulary[i]!);
  return scores;
}

interface Candidate {
  position: number;
  score: number;
  missing: number;
}

/**
 * The documents matching `query`, best first (ties in name order). An empty query matches
 * nothing; the caller decides what "no query" shows.
 */
export function searchIndex(index: SearchIndex, query: string): SearchHit[] {
  const all = searchTokens(query);
  if (all.length === 0) return [];
  const required = all.filter((w) => !OPTIONAL_WORDS.has(w));
  const words = required.length > 0 ? required : all;
  const optional = required.length > 0 ? all.filter((w) => OPTIONAL_WORDS.has(w)) : [];
  const scorers = words.map((w) => scoresAgainst(w, index.vocabulary));
  const optionalScorers = optional.map((w) => scoresAgainst(w, index.vocabulary));
  const allowedMissing = words.length >= 3 ? 1 : 0;
  const wholeQuery = query.trim().toLowerCase();
  const foldedQuery = foldText(query);

  const candidates: Candidate[] = [];
  index.entries.forEach((entry, position) => {
    if (entry.identifier !== null && entry.identifier === wholeQuery) {
      candidates.push({ position, score: 1000, missing: 0 });
      return;
    }
    let total = 0;
    let missing = 0;
    let allInName = true;
    const usedNameWords = new Set<number>();
    for (const scorer of scorers) {
      let best = 0;
      let bestAt = -1;
      for (let at = 0; at < entry.name.length; at++) {
        const s = scorer[entry.name[at]!]!;
        if (s > best) {
          best = s;
          bestAt = at;
        }
      }
      if (best > 0) {
        total += best;
        usedNameWords.add(bestAt);
        continue;
      }
      allInName = false;
      let other = 0;
      for (const word of entry.other) if (scorer[word]! > other) other = scorer[word]!;
      if (other > 0) total += other * OTHER_FIELD_WEIGHT;
      else if (++missing > allowedMissing) return;
    }
    let score = total - missing * MISSING_PENALTY;
    if (allInName && missing === 0) score += 0.5;
    // The name starts with what was typed first ("colne …" → "Colne Valley …").
    if (entry.name.length > 0 && scorers[0]![entry.name[0]!]! > 0) score += 0.2;
    // Prefer names with fewer words the query did not ask for.
    if (entry.name.length > 0) score += (0.3 * usedNameWords.size) / entry.name.length;
    for (const scorer of optionalScorers) if (entry.name.some((w) => scorer[w] === EXACT)) score += 0.05;
    if (entry.foldedName === foldedQuery) score += 1;
    candidates.push({ position, score, missing });
  });

  // Partial matches only when nothing matches every word.
  const complete = candidates.filter((c) => c.missing === 0);
  const kept = complete.length > 0 ? complete : candidates;
  return kept
    .sort((a, b) => b.score - a.score || compareNames(index.entries[a.position]!.foldedName, index.entries[b.position]!.foldedName))
    .map(({ position, score }) => ({ position, score }));
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
