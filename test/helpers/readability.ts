// How hard a public page's own words are to read: the page's FIXED text (what the templates
// say, not what the council or a resident wrote) cut into sentences, and its Flesch–Kincaid
// grade. Reading age is the grade plus 5; GOV.UK aims for a reading age of 9, so grade 4.
//
// What counts as fixed text, and why it is measured this way:
// - Elements carrying stored content are left out whole: anything marked `data-content` (the
//   markdown regions: a place's note, an alert's body, a suggestion's text), anything hidden
//   from everyone (`aria-hidden="true"`, e.g. the robots' trap), scripts, styles, form values.
// - Stored words inside fixed sentences — place, ward, council and service names, headlines,
//   page titles, phone numbers, what was searched for — are each replaced by one placeholder
//   word of one syllable ("Tell us if NAME is open"), so a long school name does not count
//   against the sentence around it. They come from the database itself, so nothing has to be
//   kept in step by hand.
// - Every number or time ("7:12am", "(12)") is one word of one syllable.
// - Each block (a heading, paragraph, list item, label, hint, table cell, status tag …) is a
//   sentence of its own unless it has full stops inside it. A block that is only stored words
//   and numbers (a row's place name, a ward in a list) is left out, and each distinct sentence
//   counts once per page: a table of 80 schools is 80 rows of the same few fixed words, and
//   counting them 80 times would measure the data, not the writing.
import type { HTMLElement, Node } from 'node-html-parser';
import { syllable } from 'syllable';

/** The one-syllable word that stands for a stored value inside a fixed sentence. */
export const PLACEHOLDER = 'NAME';

/**
 * Words every page of this site has to use, counted as one syllable each rather than their real
 * two or more: the things the site is about, which a resident knows already. Kept short on
 * purpose — a word goes here only if there is no plainer one that means the same.
 */
export const DOMAIN_WORDS: ReadonlySet<string> = new Set([
  'council', // the organisation itself: "the council's advice", "Council website"
  'confirmed', 'confirm', // the site's promise, and a status: "Not confirmed", "Confirmed at 7:12am"
  'suggestion', 'suggestions', // what a resident sends us; "idea" or "tip" would say something else
  'status', // the word for a place's state on every page, and in the open data
  'emergency', // the most serious alert level, as in the UK's Emergency Alerts; there is no plainer word
]);

const BLOCK_TAGS = new Set([
  'address', 'article', 'aside', 'blockquote', 'body', 'br', 'button', 'caption', 'dd', 'details', 'div', 'dl', 'dt',
  'fieldset', 'figcaption', 'figure', 'footer', 'form', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hr', 'label',
  'legend', 'li', 'main', 'nav', 'ol', 'option', 'p', 'section', 'select', 'summary', 'table', 'tbody', 'td', 'tfoot',
  'th', 'thead', 'title', 'tr', 'ul',
]);
const SKIPPED_TAGS = new Set(['script', 'style', 'noscript', 'template', 'textarea', 'input', 'svg', 'meta', 'link']);

function isSkipped(element: HTMLElement): boolean {
  const tag = element.rawTagName?.toLowerCase() ?? '';
  return SKIPPED_TAGS.has(tag) || element.hasAttribute('data-content') || element.getAttribute('aria-hidden') === 'true';
}

function isBlock(element: HTMLElement): boolean {
  const tag = element.rawTagName?.toLowerCase() ?? '';
  // A status tag reads as a word on its own, not as part of the text after it.
  return BLOCK_TAGS.has(tag) || element.classList?.contains('govuk-tag');
}

/** The text of each block of the document, in order, whitespace folded (stored content left out). */
export function textBlocks(root: HTMLElement): string[] {
  const blocks: string[] = [];
  let current = '';
  const flush = () => {
    const text = current.replace(/\s+/g, ' ').trim();
    if (text) blocks.push(text);
    current = '';
  };
  const walk = (node: Node) => {
    if (node.nodeType === 3) {
      // The doctype comes through as text.
      if (!/^\s*<!/.test(node.rawText)) current += node.text;
      return;
    }
    if (node.nodeType !== 1) return;
    const element = node as HTMLElement;
    if (isSkipped(element)) {
      current += ' ';
      return;
    }
    const block = isBlock(element);
    if (block) flush();
    for (const child of element.childNodes) walk(child);
    if (block) flush();
  };
  walk(root);
  flush();
  return blocks;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Replaces stored values (longest first, whole words, any case) by the placeholder. */
export function storedValueMatcher(values: Iterable<string>): (text: string) => string {
  const distinct = [...new Set([...values].map((v) => v.replace(/\s+/g, ' ').trim()).filter((v) => v.length >= 2))];
  distinct.sort((a, b) => b.length - a.length);
  if (distinct.length === 0) return (text) => text;
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(?:${distinct.map(escapeRegExp).join('|')})(?![\\p{L}\\p{N}])`, 'giu');
  return (text) => text.replace(pattern, PLACEHOLDER);
}

const WORD = /[\p{L}\p{N}]/u;

function wordsOf(sentence: string): string[] {
  return sentence
    .split(/[\s/·–—]+/u)
    .map((w) => w.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, ''))
    .filter((w) => WORD.test(w));
}

function syllablesOf(word: string, domainWords: ReadonlySet<string>): number {
  if (word === PLACEHOLDER || /\d/.test(word) || domainWords.has(word.toLowerCase())) return 1;
  return Math.max(1, syllable(word));
}

export interface Readability {
  sentences: string[];
  words: number;
  syllables: number;
  /** Flesch–Kincaid grade level: 0.39 × words per sentence + 11.8 × syllables per word − 15.59. */
  grade: number;
  /** The hardest sentences, by their own grade, for a failure message. */
  hardest: { sentence: string; grade: number }[];
}

function fleschKincaidGrade(words: number, sentences: number, syllables: number): number {
  return 0.39 * (words / sentences) + 11.8 * (syllables / words) - 15.59;
}

/** The readability of a page's fixed text, given the stored values it shows. */
export function measureFixedText(
  root: HTMLElement,
  replaceStored: (text: string) => string,
  domainWords: ReadonlySet<string> = DOMAIN_WORDS,
): Readability {
  const sentences = new Set<string>();
  for (const block of textBlocks(root)) {
    const fixed = replaceStored(block);
    for (const sentence of fixed.split(/(?<=[.!?])\s+/u)) {
      const words = wordsOf(sentence);
      // Only stored values and numbers: nothing the templates wrote.
      if (words.every((w) => w === PLACEHOLDER || /\d/.test(w))) continue;
      sentences.add(words.map((w) => (/\d/.test(w) ? '1' : w)).join(' '));
    }
  }
  let words = 0;
  let syllables = 0;
  const graded: { sentence: string; grade: number }[] = [];
  for (const sentence of sentences) {
    const ws = sentence.split(' ');
    const s = ws.reduce((sum, w) => sum + syllablesOf(w, domainWords), 0);
    words += ws.length;
    syllables += s;
    graded.push({ sentence, grade: fleschKincaidGrade(ws.length, 1, s) });
  }
  graded.sort((a, b) => b.grade - a.grade);
  return {
    sentences: [...sentences],
    words,
    syllables,
    grade: sentences.size === 0 ? 0 : fleschKincaidGrade(words, sentences.size, syllables),
    hardest: graded.slice(0, 8),
  };
}
