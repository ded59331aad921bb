// Reading a neighbour's feed into items, whatever it is: RSS 0.9x, 1.0 (RDF) and 2.0, Atom 1.0,
// JSON Feed 1.x, a CAP 1.2 alert, or an Atom/RSS index of CAP alerts. Real feeds are messy, so
// the format is sniffed from the body (content types lie), the bytes are decoded with the
// encoding the XML prolog declares, HTML is reduced to text and odd dates are read where they
// can be. Entity expansion is off and documents that declare entities are refused, so a
// "billion laughs" feed costs nothing. The result is the items or a plain-words reason.
import { createHash } from 'node:crypto';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { parseFeedDate } from './dates.ts';
import { clipText, collapseWhitespace, decodeEntities, htmlToText } from './text.ts';

export const TITLE_MAX = 300;
export const SUMMARY_MAX = 1_000;
/** Items kept from one feed (feeds list newest first); the rest are old news. */
export const ITEMS_MAX = 500;
const KEY_MAX = 500;

export type FeedFormat = 'rss' | 'rdf' | 'atom' | 'json-feed' | 'cap';

export interface CapInfo {
  identifier: string;
  sent: Date | null;
  expires: Date | null;
  /** The areas the alert covers, joined with "; ". */
  areaDesc: string | null;
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
}

export interface ParsedFeed {
  format: FeedFormat;
  title: string;
  items: ParsedItem[];
}

export type ParseFeedResult = ({ ok: true } & ParsedFeed) | { ok: false; error: string };

export interface ParseFeedOptions {
  /** The Content-Type the server sent: only a hint for the character set. */
  contentType?: string | null;
  /** The address the feed was read from, for relative links. */
  url?: string;
}

type XmlNode = Record<string, unknown>;

class FeedParseError extends Error {
  override name = 'FeedParseError';
}

const REPEATED = new Set(['item', 'entry', 'link', 'info', 'area', 'alert']);

const xmlParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  // Entities are decoded by hand (text.ts), never expanded from a DTD.
  processEntities: false,
  htmlEntities: false,
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  cdataPropName: '#cdata',
  isArray: (name) => REPEATED.has(name),
  // Atom's XHTML content is mixed text and markup, whose order the object tree would lose:
  // kept as raw markup instead, and reduced to text like any HTML.
  stopNodes: ['*.div'],
});

// ——— bytes to text ———

function charsetOf(contentType: string | null | undefined): string | null {
  const match = /charset\s*=\s*"?([A-Za-z0-9._:-]+)/i.exec(contentType ?? '');
  return match ? match[1]! : null;
}

function decoderFor(label: string | null): TextDecoder | null {
  if (!label) return null;
  try {
    return new TextDecoder(label.trim().toLowerCase());
  } catch {
    return null;
  }
}

/**
 * Text from a feed's bytes: a byte-order mark wins, then the encoding the XML prolog declares
 * (`<?xml version="1.0" encoding="ISO-8859-1"?>`), then the HTTP charset, then UTF-8.
 */
export function decodeFeedBytes(bytes: Uint8Array, contentType?: string | null): string {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return new TextDecoder('utf-8').decode(bytes);
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes);
  if (bytes[0] === 0x3c && bytes[1] === 0x00 && bytes[2] === 0x3f && bytes[3] === 0x00) return new TextDecoder('utf-16le').decode(bytes);
  if (bytes[0] === 0x00 && bytes[1] === 0x3c && bytes[2] === 0x00 && bytes[3] === 0x3f) return new TextDecoder('utf-16be').decode(bytes);
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 512));
  const declared = /^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(head)?.[1] ?? null;
  const decoder = decoderFor(declared) ?? decoderFor(charsetOf(contentType)) ?? new TextDecoder('utf-8');
  return decoder.decode(bytes);
}

// ——— helpers over the parsed XML tree ———

const asArray = <T>(value: T | T[] | undefined | null): T[] => (value === undefined || value === null ? [] : Array.isArray(value) ? value : [value]);

function isNode(value: unknown): value is XmlNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** All the text inside a node: its own text and CDATA, or (for XHTML content) its descendants'. */
function rawText(value: unknown): string {
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

/** Plain text of a node, whether it holds text, escaped HTML or CDATA HTML. */
function textOf(value: unknown): string {
  return htmlToText(rawText(value));
}

function attr(node: unknown, name: string): string | null {
  if (!isNode(node)) return null;
  const value = node[`@_${name}`];
  return typeof value === 'string' ? decodeEntities(value).trim() : null;
}

function child(node: unknown, name: string): unknown {
  return isNode(node) ? node[name] : undefined;
}

/** An absolute http(s) address, or null: a feed must never give us a javascript: link. */
function safeLink(href: string | null | undefined, base: string | undefined): string | null {
  if (!href) return null;
  try {
    const url = new URL(href.trim(), base);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

function hashKey(...parts: string[]): string {
  return `sha256:${createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 40)}`;
}

function itemKey(id: string, link: string | null, title: string, rawDate: string): string {
  const key = collapseWhitespace(id) || link || hashKey(title, rawDate);
  return key.length > KEY_MAX ? hashKey(key) : key;
}

function finishItem(parts: {
  id: string;
  title: string;
  summary: string;
  link: string | null;
  rawDate: string;
  cap?: CapInfo;
  capDocumentUrl?: string | null;
}): ParsedItem | null {
  const summary = clipText(parts.summary, SUMMARY_MAX);
  // Some feeds have no titles (microblogs): the start of the text stands in.
  const title = clipText(parts.title || clipText(summary, 120), TITLE_MAX);
  if (!title) return null;
  const item: ParsedItem = {
    key: itemKey(parts.id, parts.link, title, parts.rawDate),
    title,
    summary,
    link: parts.link,
    publishedAt: parseFeedDate(parts.rawDate) ?? parts.cap?.sent ?? null,
  };
  if (parts.cap) item.cap = parts.cap;
  if (parts.capDocumentUrl) item.capDocumentUrl = parts.capDocumentUrl;
  return item;
}

// ——— CAP ———

const CAP_MARKERS = ['areaDesc', 'event', 'msgType', 'urgency', 'severity', 'certainty', 'expires'];

/** The CAP fields of an index entry that carries them inline (cap:event, cap:areaDesc…). */
function inlineCap(entry: XmlNode, id: string, fallbackSent: string): CapInfo | undefined {
  if (!CAP_MARKERS.some((name) => name in entry)) return undefined;
  const areas = asArray(entry['areaDesc'] as unknown).map(textOf).filter(Boolean);
  return {
    identifier: textOf(entry['identifier']) || id,
    sent: parseFeedDate(rawText(entry['sent'])) ?? parseFeedDate(rawText(entry['effective'])) ?? parseFeedDate(fallbackSent),
    expires: parseFeedDate(rawText(entry['expires'])),
    areaDesc: areas.length > 0 ? areas.join('; ') : null,
  };
}

/** The info block to read: English if there is one (CAP's default language is en-US), else the first. */
function pickInfo(alert: XmlNode): XmlNode | undefined {
  const infos = asArray(alert['info'] as XmlNode[]).filter(isNode);
  return infos.find((info) => (rawText(info['language']).trim() || 'en').toLowerCase().startsWith('en')) ?? infos[0];
}

/** One CAP alert as an item; null for test, exercise and system messages, which are not news. */
function capAlertItem(alert: XmlNode, baseUrl: string | undefined): ParsedItem | null {
  const status = rawText(alert['status']).trim();
  if (status && status !== 'Actual') return null;
  const identifier = collapseWhitespace(rawText(alert['identifier']));
  const info = pickInfo(alert) ?? {};
  const areas = asArray(info['area'] as XmlNode[]).map((area) => textOf(child(area, 'areaDesc'))).filter(Boolean);
  const sentRaw = rawText(alert['sent']);
  const cancelled = rawText(alert['msgType']).trim() === 'Cancel';
  const title = textOf(info['headline']) || textOf(info['event']) || textOf(info['senderName']);
  return finishItem({
    id: identifier,
    title: title && cancelled ? `Cancelled: ${title}` : title,
    summary: [textOf(info['description']), textOf(info['instruction'])].filter(Boolean).join(' '),
    link: safeLink(rawText(info['web']), baseUrl),
    rawDate: sentRaw,
    cap: {
      identifier,
      sent: parseFeedDate(sentRaw),
      expires: parseFeedDate(rawText(info['expires'])),
      areaDesc: areas.length > 0 ? areas.join('; ') : null,
    },
  });
}

function parseCap(root: XmlNode, url: string | undefined): ParsedFeed {
  if (!rawText(root['identifier']).trim()) throw new FeedParseError('the CAP alert has no identifier');
  const item = capAlertItem(root, url);
  const info = pickInfo(root) ?? {};
  return {
    format: 'cap',
    title: textOf(info['senderName']) || textOf(root['sender']) || 'CAP alert',
    items: item ? [item] : [],
  };
}

// ——— RSS 0.9x, 1.0 (RDF), 2.0 ———

/** RSS `<link>` is text; an `atom:link` beside it (same name once prefixes go) has an href. */
function rssLink(item: XmlNode, base: string | undefined): string | null {
  const links = asArray(item['link'] as unknown[]);
  for (const link of links) {
    const text = rawText(link).trim();
    if (typeof link === 'string' || (isNode(link) && !('@_href' in link) && text)) {
      const safe = safeLink(text, base);
      if (safe) return safe;
    }
  }
  for (const link of links) {
    const rel = attr(link, 'rel') ?? 'alternate';
    if (rel === 'alternate') {
      const safe = safeLink(attr(link, 'href'), base);
      if (safe) return safe;
    }
  }
  return null;
}

function rssItem(item: XmlNode, base: string | undefined): ParsedItem | null {
  const guidNode = item['guid'];
  const id = rawText(guidNode) || attr(item, 'about') || '';
  let link = rssLink(item, base);
  // A guid that is a permalink (the default in RSS 2.0) is the link when there is no <link>.
  if (!link && id && attr(guidNode, 'isPermaLink') !== 'false') link = safeLink(id.trim(), undefined);
  const rawDate = rawText(item['pubDate']) || rawText(item['date']) || rawText(item['published']) || rawText(item['updated']) || rawText(item['sent']);
  const summary = textOf(item['description']) || textOf(item['encoded']) || textOf(item['summary']);
  const embedded = asArray(item['alert'] as XmlNode[]).find(isNode);
  if (embedded) {
    const capItem = capAlertItem(embedded, base);
    if (capItem) return { ...capItem, key: itemKey(id, link, capItem.title, rawDate), link: link ?? capItem.link };
  }
  return finishItem({
    id,
    title: textOf(item['title']),
    summary,
    link,
    rawDate,
    cap: inlineCap(item, id, rawDate),
    capDocumentUrl: capLink(asArray(item['link'] as unknown[]), base),
  });
}

function parseRss(root: XmlNode, format: 'rss' | 'rdf', url: string | undefined): ParsedFeed {
  const channel = asArray(root['channel'] as XmlNode[]).find(isNode) ?? (isNode(root['channel']) ? root['channel'] : undefined);
  if (!channel && !root['item']) throw new FeedParseError('the RSS feed has no channel');
  // RSS 1.0 and 0.90 put items beside the channel; 0.91 onwards inside it.
  const rawItems = [...asArray(root['item'] as XmlNode[]), ...asArray(channel?.['item'] as XmlNode[])].filter(isNode);
  return {
    format,
    title: textOf(channel?.['title']),
    items: collect(rawItems, (item) => rssItem(item, url)),
  };
}

// ——— Atom 1.0 ———

/** The link of a CAP message in an index entry (`type="application/cap+xml"`). */
function capLink(links: unknown[], base: string | undefined): string | null {
  for (const link of links) {
    const type = (attr(link, 'type') ?? '').toLowerCase();
    if (type === 'application/cap+xml' || type === 'application/common-alerting-protocol+xml') {
      const safe = safeLink(attr(link, 'href'), base);
      if (safe) return safe;
    }
  }
  return null;
}

function atomLink(links: unknown[], base: string | undefined): string | null {
  const candidates = links.filter((link) => (attr(link, 'rel') ?? 'alternate') === 'alternate');
  const preferred = candidates.find((link) => (attr(link, 'type') ?? 'text/html').includes('html')) ?? candidates[0];
  return safeLink(attr(preferred, 'href'), base);
}

function atomText(node: unknown): string {
  return attr(node, 'type') === 'text' ? collapseWhitespace(rawText(node)) : textOf(node);
}

function atomEntry(entry: XmlNode, feedBase: string | undefined): ParsedItem | null {
  const base = safeLink(attr(entry, 'base'), feedBase) ?? feedBase;
  const links = asArray(entry['link'] as unknown[]);
  const id = rawText(entry['id']);
  const link = atomLink(links, base);
  const rawDate = rawText(entry['published']) || rawText(entry['updated']) || rawText(entry['issued']) || rawText(entry['modified']) || rawText(entry['sent']);
  const content = entry['content'];
  const embedded = asArray(child(content, 'alert') as XmlNode[]).find(isNode);
  if (embedded) {
    const capItem = capAlertItem(embedded, base);
    if (!capItem) return null;
    return { ...capItem, key: itemKey(id, link, capItem.title, rawDate), link: link ?? capItem.link };
  }
  return finishItem({
    id,
    title: atomText(entry['title']),
    summary: atomText(entry['summary']) || atomText(content),
    link,
    rawDate,
    cap: inlineCap(entry, id, rawDate),
    capDocumentUrl: capLink(links, base),
  });
}

function parseAtom(root: XmlNode, url: string | undefined): ParsedFeed {
  const base = safeLink(attr(root, 'base'), url) ?? url;
  return {
    format: 'atom',
    title: atomText(root['title']),
    items: collect(asArray(root['entry'] as XmlNode[]).filter(isNode), (entry) => atomEntry(entry, base)),
  };
}

// ——— JSON Feed 1.x ———

const str = (value: unknown): string => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : '');

function parseJsonFeed(text: string, url: string | undefined): ParsedFeed {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new FeedParseError('the feed is not valid JSON');
  }
  if (!isNode(data) || !/jsonfeed\.org\/version\/1/.test(str(data['version'])) || !Array.isArray(data['items'])) {
    throw new FeedParseError('the address gives JSON, but not a JSON Feed');
  }
  const base = safeLink(str(data['feed_url']), url) ?? url;
  const items = (data['items'] as unknown[]).filter(isNode);
  return {
    format: 'json-feed',
    title: htmlToText(str(data['title'])),
    items: collect(items, (item) => {
      const link = safeLink(str(item['url']), base) ?? safeLink(str(item['external_url']), base);
      return finishItem({
        id: str(item['id']),
        title: htmlToText(str(item['title'])),
        summary: htmlToText(str(item['summary'])) || htmlToText(str(item['content_text'])) || htmlToText(str(item['content_html'])),
        link,
        rawDate: str(item['date_published']) || str(item['date_modified']),
      });
    }),
  };
}

// ——— the whole feed ———

/** Items in feed order, without repeats of a key (the first wins), at most ITEMS_MAX. */
function collect<T>(raw: T[], toItem: (raw: T) => ParsedItem | null): ParsedItem[] {
  const seen = new Set<string>();
  const items: ParsedItem[] = [];
  for (const entry of raw) {
    if (items.length >= ITEMS_MAX) break;
    const item = toItem(entry);
    if (!item || seen.has(item.key)) continue;
    seen.add(item.key);
    items.push(item);
  }
  return items;
}

/** A bare `&` (as in "Roads & gritting") is the commonest flaw in hand-made feeds. */
function escapeBareAmpersands(xml: string): string {
  return xml.replace(/&(?!#\d{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{0,31};)/g, '&amp;');
}

function parseXml(text: string, url: string | undefined): ParsedFeed {
  // Entity declarations have no place in a feed and are how "billion laughs" attacks work.
  if (/<!DOCTYPE/i.test(text) && /<!ENTITY/i.test(text)) {
    throw new FeedParseError('the feed declares its own XML entities, which we refuse for safety');
  }
  let xml = text;
  let valid = XMLValidator.validate(xml, { allowBooleanAttributes: true });
  if (valid !== true) {
    xml = escapeBareAmpersands(text);
    valid = XMLValidator.validate(xml, { allowBooleanAttributes: true });
  }
  if (valid !== true) {
    throw new FeedParseError(`the feed is not well-formed XML (a mistake on line ${valid.err.line})`);
  }
  let tree: XmlNode;
  try {
    tree = xmlParser.parse(xml) as XmlNode;
  } catch {
    throw new FeedParseError('the feed is not well-formed XML');
  }
  const rootName = Object.keys(tree).find((name) => !name.startsWith('?') && !name.startsWith('#') && !name.startsWith('!'));
  const root = rootName ? asArray(tree[rootName] as XmlNode[]).find(isNode) ?? {} : undefined;
  switch (rootName) {
    case 'rss':
      return parseRss(root!, 'rss', url);
    case 'RDF':
      return parseRss(root!, 'rdf', url);
    case 'channel':
      return parseRss({ channel: root }, 'rss', url);
    case 'feed':
      return parseAtom(root!, url);
    case 'alert':
      return parseCap(root!, url);
    case 'html':
      throw new FeedParseError('the address gives a web page, not a feed');
    case undefined:
      throw new FeedParseError('the feed is empty');
    default:
      throw new FeedParseError(`the address gives XML that is not a feed we can read (its main element is <${rootName}>)`);
  }
}

/**
 * Reads a feed. The format is sniffed from the body, not the content type. Never throws:
 * anything that is not a readable feed comes back as `{ ok: false, error }` in plain words.
 */
export function parseFeed(body: Uint8Array | string, options: ParseFeedOptions = {}): ParseFeedResult {
  try {
    const text = typeof body === 'string' ? body : decodeFeedBytes(body, options.contentType);
    const start = text.replace(/^[\s\ufeff]+/, '').slice(0, 200);
    if (start === '') throw new FeedParseError('the feed is empty');
    let feed: ParsedFeed;
    if (start.startsWith('{') || start.startsWith('[')) {
      feed = parseJsonFeed(text, options.url);
    } else if (start.startsWith('<')) {
      if (/^<!doctype\s+html|^<html[\s>]/i.test(start)) throw new FeedParseError('the address gives a web page, not a feed');
      feed = parseXml(text, options.url);
    } else {
      throw new FeedParseError('the address does not give a feed (it is neither XML nor JSON)');
    }
    return { ok: true, ...feed };
  } catch (error) {
    if (error instanceof FeedParseError) return { ok: false, error: error.message };
    return { ok: false, error: `the feed could not be read (${error instanceof Error ? error.message : 'unknown problem'})` };
  }
}
