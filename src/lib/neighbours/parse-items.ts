// What every feed reader (parse-xml.ts, parse-cap.ts, parse-json.ts, parse-warnings.ts)
// produces and the pieces they share: the item shapes, the walk over fast-xml-parser's tree,
// safe links, item keys, turning raw fields into an item, and the per-feed item limit.
import { createHash } from 'node:crypto';
import { parseFeedDate } from './dates.ts';
import { clipText, collapseWhitespace, decodeEntities, htmlToText, plainText, stripControlCharacters } from './text.ts';

export const TITLE_MAX = 300;
export const SUMMARY_MAX = 1_000;
/**
 * Items kept from one feed: the newest 500 by their own dates (undated ones after, in feed
 * order). The limit is applied while the feed is read, so a 20,000-item feed costs 500 items'
 * work after the XML itself, and never more than 500 rows written.
 */
export const ITEMS_MAX = 500;
const KEY_MAX = 500;

export type FeedFormat = 'rss' | 'rdf' | 'atom' | 'json-feed' | 'cap' | 'edxl-de';

/**
 * What kind of publisher a feed comes from. `council`: a neighbouring council's own feed, in
 * any format we read. `met-office-warnings`: the Met Office's weather-warnings RSS feed (one
 * item per warning and day, "Amber warning of snow affecting Yorkshire & Humber").
 * `gov-uk-alerts`: GOV.UK's Emergency Alerts Atom feed (www.gov.uk/alerts).
 */
export const SOURCE_KINDS = ['council', 'met-office-warnings', 'gov-uk-alerts'] as const;
export type SourceKind = (typeof SOURCE_KINDS)[number];

export interface CapInfo {
  identifier: string;
  sent: Date | null;
  expires: Date | null;
  /** The areas the alert covers, joined with "; ". */
  areaDesc: string | null;
  /** CAP's msgType: Alert, Update, Cancel (Ack and Error are not news). */
  msgType: string;
  /** The identifiers of the earlier messages an Update or Cancel replaces (CAP `references`). */
  references: string[];
}

export type WarningLevel = 'yellow' | 'amber' | 'red';

/** A Met Office weather warning or a GOV.UK emergency alert, as its publisher describes it. */
export interface WarningInfo {
  issuer: 'met-office' | 'gov-uk-alerts';
  /** The Met Office's colour; null for emergency alerts, which have none (each is a danger to life). */
  level: WarningLevel | null;
  /** "snow", "wind", "ice", "thunderstorms and rain"; null for emergency alerts. */
  hazard: string | null;
  /** The Met Office region ("Yorkshire & Humber") or the areas an emergency alert was sent to. */
  region: string | null;
  /** The local authorities a Met Office warning names. */
  areas: string[];
  validFrom: Date | null;
  /** When it ends: the Met Office's "valid to", or when an emergency alert stopped being sent. */
  validTo: Date | null;
}

export interface ParsedItem {
  /** Identifies the item within its council: the feed's id or guid, else its link, else a hash of title and date. */
  key: string;
  title: string;
  /** Plain text, at most 1,000 characters. */
  summary: string;
  /** An http(s) address, or null. */
  link: string | null;
  publishedAt: Date | null;
  cap?: CapInfo;
  /** An index entry that only links to its CAP message: where that message is. */
  capDocumentUrl?: string;
  warning?: WarningInfo;
}

/** What one read of a document needs to know besides the document. */
export interface ReadContext {
  /** The address the feed was read from, for relative links. */
  url: string | undefined;
  /** The kind of publisher; `auto` recognises the Met Office and GOV.UK feeds by their addresses. */
  kind: SourceKind | 'auto';
  /** Who publishes the feed, for the title of an item that has none ("Untitled item from Rochdale Council"). */
  councilName: string | undefined;
  /** Plain-words remarks gathered while reading (entries left out, items cut). */
  notes: string[];
}

export type XmlNode = Record<string, unknown>;

export class FeedParseError extends Error {
  override name = 'FeedParseError';
}

// ——— the XML tree ———

export const asArray = <T>(value: T | T[] | undefined | null): T[] => (value === undefined || value === null ? [] : Array.isArray(value) ? value : [value]);

export function isNode(value: unknown): value is XmlNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** All the text inside a node: its own text and CDATA, or (for XHTML content) its descendants'. */
export function rawText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return decodeEntities(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(rawText).join(' ');
  if (!isNode(value)) return '';
  const own = [value['#text'] === undefined ? '' : rawText(value['#text']), ...asArray(value['#cdata']).map((c) => String(c))].join('');
  if (own.trim() !== '' || '#text' in value || '#cdata' in value) return own;
  return Object.entries(value)
    .filter(([name]) => !name.startsWith('@_'))
    .map(([, child]) => rawText(child))
    .join(' ');
}

/** Plain text of a node that may hold escaped HTML or CDATA HTML (RSS descriptions, Atom type="html"). */
export function textOf(value: unknown): string {
  return htmlToText(rawText(value));
}

/** Plain text of a node its format defines as text (CAP fields, Atom type="text"): nothing is taken for markup. */
export function plainOf(value: unknown): string {
  return plainText(rawText(value));
}

export function attr(node: unknown, name: string): string | null {
  if (!isNode(node)) return null;
  const value = node[`@_${name}`];
  return typeof value === 'string' ? decodeEntities(value).trim() : null;
}

export function child(node: unknown, name: string): unknown {
  return isNode(node) ? node[name] : undefined;
}

// ——— links and keys ———

/** An absolute http(s) address, or null: a feed must never give us a javascript: link. */
export function safeLink(href: string | null | undefined, base: string | undefined): string | null {
  if (!href) return null;
  try {
    const url = new URL(stripControlCharacters(href).trim(), base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

export function hashKey(...parts: string[]): string {
  return `sha256:${createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 40)}`;
}

export function itemKey(id: string, link: string | null, title: string, rawDate: string): string {
  const key = stripControlCharacters(collapseWhitespace(id)) || link || hashKey(title, rawDate);
  return key.length > KEY_MAX ? hashKey(key) : key;
}

// ——— items ———

/** The title of an entry that has an address but no words: "Untitled item from Rochdale Council". */
export function untitled(context: ReadContext): string {
  return `Untitled item from ${context.councilName || 'a neighbouring council'}`;
}

/**
 * An item from its raw fields. Titles and summaries are clipped; an entry with no title uses
 * the start of its text, and one with no words at all but a link or an id is kept as
 * "Untitled item from …" (it is still news that something was published). Only an entry with
 * nothing to show and nothing to identify it is left out (null).
 */
export function finishItem(
  parts: {
    id: string;
    title: string;
    summary: string;
    link: string | null;
    rawDate: string;
    cap?: CapInfo;
    capDocumentUrl?: string | null;
    warning?: WarningInfo;
    key?: string;
  },
  context: ReadContext,
): ParsedItem | null {
  const summary = clipText(parts.summary, SUMMARY_MAX);
  // Some feeds have no titles (microblogs): the start of the text stands in.
  let title = clipText(parts.title || clipText(summary, 120), TITLE_MAX);
  if (!title) {
    if (!collapseWhitespace(parts.id) && !parts.link && !parts.capDocumentUrl) return null;
    title = untitled(context);
  }
  const item: ParsedItem = {
    key: parts.key ?? itemKey(parts.id, parts.link, title, parts.rawDate),
    title,
    summary,
    link: parts.link,
    publishedAt: parseFeedDate(parts.rawDate) ?? parts.cap?.sent ?? null,
  };
  if (parts.cap) item.cap = parts.cap;
  if (parts.capDocumentUrl) item.capDocumentUrl = parts.capDocumentUrl;
  if (parts.warning) item.warning = parts.warning;
  return item;
}

// ——— the item limit ———

export interface CollectOptions<T> {
  /** The entry's own date, read cheaply before the entry is, to choose the newest. */
  dateOf?: (raw: T) => Date | null;
  /** Two items with one key: what to keep (default: the first). */
  merge?: (kept: ParsedItem, next: ParsedItem) => ParsedItem;
}

/**
 * Items in feed order, without repeats of a key, at most ITEMS_MAX: the newest by their dates
 * when the feed has more (most feeds list newest first, not all do). Entries beyond the limit
 * are never turned into items. `toItem` answers null for an entry with nothing to show and
 * false for one left out on purpose (a CAP test message). Notes say how many entries were left
 * out and why.
 */
export function collect<T>(
  raw: readonly T[],
  toItem: (raw: T) => ParsedItem | null | false,
  context: ReadContext,
  options: CollectOptions<T> = {},
): ParsedItem[] {
  let order: number[] = raw.map((_, i) => i);
  if (raw.length > ITEMS_MAX && options.dateOf) {
    const times = raw.map((entry) => options.dateOf!(entry)?.getTime() ?? Number.NEGATIVE_INFINITY);
    order = order.sort((a, b) => times[b]! - times[a]! || a - b);
  }
  const byKey = new Map<string, { index: number; item: ParsedItem }>();
  let empty = 0;
  let read = 0;
  for (const index of order) {
    if (byKey.size >= ITEMS_MAX && !options.merge) break;
    read++;
    const item = toItem(raw[index]!);
    if (item === false) continue;
    if (!item) {
      empty++;
      continue;
    }
    const kept = byKey.get(item.key);
    if (kept) {
      if (options.merge) kept.item = options.merge(kept.item, item);
      continue;
    }
    if (byKey.size >= ITEMS_MAX) continue;
    byKey.set(item.key, { index, item });
  }
  if (raw.length > read) {
    context.notes.push(`the feed has ${raw.length.toLocaleString('en-GB')} items; only the newest ${ITEMS_MAX} were read`);
  }
  if (empty > 0) {
    context.notes.push(`${empty === 1 ? '1 entry was' : `${empty.toLocaleString('en-GB')} entries were`} left out: no title, text, link or id`);
  }
  return [...byKey.values()].sort((a, b) => a.index - b.index).map((entry) => entry.item);
}
