// Which of our services a neighbour's item is about, by the phrases each service lists
// (content/services.yaml `keywords`, stored in service_keywords). Pure and deterministic: the
// same item and rules always give the same answer, so tests and the coverage screen agree.

export interface ClassificationRule {
  serviceSlug: string;
  /** Words or phrases such as "school", "gritting", "household waste". */
  phrases: readonly string[];
}

export interface Classifiable {
  title: string;
  summary: string;
}

/** Lower case, curly quotes straightened, everything but letters and digits a single space. */
function normalise(text: string): string {
  return ` ${text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[’‘`]/g, "'")
    .replace(/'s\b/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()} `;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A phrase as a whole-word pattern over normalised text. The last word may take a plural
 * ending ("bin" matches "bins", "school" matches "schools"): keyword lists stay short and
 * a phrase never matches inside another word ("pool" is not in "Liverpool").
 */
function phrasePattern(phrase: string): RegExp | null {
  const words = normalise(phrase).trim();
  if (words === '') return null;
  return new RegExp(` ${escape(words)}(?:s|es)? `);
}

const patternCache = new Map<string, RegExp | null>();
function patternFor(phrase: string): RegExp | null {
  let pattern = patternCache.get(phrase);
  if (pattern === undefined) {
    pattern = phrasePattern(phrase);
    if (patternCache.size > 5_000) patternCache.clear();
    patternCache.set(phrase, pattern);
  }
  return pattern;
}

/** How strongly an item is about one service: longer phrases count more, the title twice. */
export function scoreItem(item: Classifiable, phrases: readonly string[]): number {
  const title = normalise(item.title);
  const summary = normalise(item.summary);
  let score = 0;
  for (const phrase of new Set(phrases)) {
    const pattern = patternFor(phrase);
    if (!pattern) continue;
    const weight = phrase.trim().split(/\s+/).length;
    if (pattern.test(title)) score += 2 * weight;
    else if (pattern.test(summary)) score += weight;
  }
  return score;
}

/**
 * The slug of the service whose phrases match the item's title and summary best, or null
 * when none matches. Matching is case-insensitive and by whole words. Rules come in our
 * service order, and a tie goes to the earlier service.
 */
export function classifyItem(item: Classifiable, rules: readonly ClassificationRule[]): string | null {
  let best: string | null = null;
  let bestScore = 0;
  for (const rule of rules) {
    const score = scoreItem(item, rule.phrases);
    if (score > bestScore) {
      best = rule.serviceSlug;
      bestScore = score;
    }
  }
  return best;
}
