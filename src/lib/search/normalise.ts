// Text normalisation for search: the one place that decides which spellings of a place name
// count as the same ("St John's C of E" = "saint johns ce" = "St. John's CE"). Queries and names
// go through the same function, so a rule added here holds on both sides.

/**
 * Word sequences that mean the same as one canonical word, longest first where they overlap.
 * Each side is a sequence of tokens *after* punctuation is removed ("C.E." is already "c e").
 */
const PHRASES: [string[], string[]][] = [
  [['church', 'of', 'england'], ['ce']],
  [['c', 'of', 'e'], ['ce']],
  [['c', 'e'], ['ce']],
  [['cofe'], ['ce']],
  [['roman', 'catholic'], ['catholic']],
  [['r', 'c'], ['catholic']],
  [['rc'], ['catholic']],
  // "J&I", "J I & N": junior and infant (and nursery), as Kirklees writes school names.
  [['j', 'and', 'i', 'and', 'n'], ['junior', 'and', 'infant', 'and', 'nursery']],
  [['j', 'i', 'and', 'n'], ['junior', 'infant', 'and', 'nursery']],
  [['j', 'and', 'i'], ['junior', 'and', 'infant']],
  [['j', 'i'], ['junior', 'infant']],
  [['st'], ['saint']],
  [['mt'], ['mount']],
  [['jun'], ['junior']],
  [['jnr'], ['junior']],
  [['juniors'], ['junior']],
  [['inf'], ['infant']],
  [['infants'], ['infant']],
  [['prim'], ['primary']],
  [['sch'], ['school']],
];

/** First token → the phrases that start with it, longest first. */
const PHRASES_BY_FIRST = new Map<string, [string[], string[]][]>();
for (const phrase of PHRASES) {
  const first = phrase[0][0]!;
  const list = PHRASES_BY_FIRST.get(first) ?? [];
  list.push(phrase);
  list.sort((a, b) => b[0].length - a[0].length);
  PHRASES_BY_FIRST.set(first, list);
}

/** Words a query may leave out or add without changing what it asks for. */
export const OPTIONAL_WORDS: ReadonlySet<string> = new Set(['and', 'the', 'of', 'at', 'in']);

/**
 * Lower case, no diacritics, no punctuation, words separated by single spaces: "Café-Bar's" →
 * "cafe bar". A possessive "'s" is dropped ("St John's" → "st john"), other apostrophes join
 * the word ("O'Brien" → "obrien"), "&" reads "and".
 */
export function foldText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/['’‘`]s\b/g, '')
    .replace(/['’‘`]/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

/** Rewrites known abbreviations and alternative spellings to one canonical word each. */
export function canonicalTokens(words: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; ) {
    const candidates = PHRASES_BY_FIRST.get(words[i]!);
    const hit = candidates?.find(([from]) => from.every((word, k) => words[i + k] === word));
    if (hit) {
      out.push(...hit[1]);
      i += hit[0].length;
    } else {
      out.push(words[i]!);
      i += 1;
    }
  }
  return out;
}

/** The canonical search tokens of a text: fold, split, rewrite abbreviations. */
export function searchTokens(text: string): string[] {
  const folded = foldText(text);
  return folded === '' ? [] : canonicalTokens(folded.split(' '));
}

/** The canonical form as one string, for display in tests and for equality checks. */
export function normaliseText(text: string): string {
  return searchTokens(text).join(' ');
}
