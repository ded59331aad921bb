// XML feeds: RSS 0.9x, 1.0 (RDF) and 2.0 (with or without a <channel>), Atom 1.0, and the
// CAP documents of parse-cap.ts, read with fast-xml-parser. Entity expansion is off and a
// document that declares entities is refused, so a "billion laughs" feed costs nothing; a
// bare "&" (the commonest flaw of hand-made feeds) is repaired before a second try.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { parseFeedDate } from './dates.ts';
import { alertsIn, capAlertItem, inlineCap, parseCapAlert, parseCapWrapper, parseEdxlDistribution } from './parse-cap.ts';
import {
  asArray,
  attr,
  child,
  collect,
  FeedParseError,
  finishItem,
  isNode,
  itemKey,
  plainOf,
  rawText,
  safeLink,
  textOf,
  type FeedFormat,
  type ParsedItem,
  type ReadContext,
  type SourceKind,
  type XmlNode,
} from './parse-items.ts';
import { detectSourceKind, govUkAlertItem, mergeMetOfficeDays, metOfficeItem } from './parse-warnings.ts';

export interface XmlFeed {
  format: FeedFormat;
  title: string;
  items: ParsedItem[];
}

/** What parseXmlFeed returns: the feed and the kind of publisher it was read as. */
export type ReadXmlFeed = XmlFeed & { kind: SourceKind };

const REPEATED = new Set(['item', 'entry', 'link', 'info', 'area', 'alert', 'contentObject', 'embeddedXMLContent']);

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

const rssRawDate = (item: XmlNode) =>
  rawText(item['pubDate']) || rawText(item['date']) || rawText(item['published']) || rawText(item['updated']) || rawText(item['sent']);

function rssItem(item: XmlNode, context: ReadContext): ParsedItem | null | false {
  const base = context.url;
  const guidNode = item['guid'];
  const id = rawText(guidNode) || attr(item, 'about') || '';
  let link = rssLink(item, base);
  // A guid that is a permalink (the default in RSS 2.0) is the link when there is no <link>.
  if (!link && id && attr(guidNode, 'isPermaLink') !== 'false') link = safeLink(id.trim(), undefined);
  const rawDate = rssRawDate(item);
  const summary = textOf(item['description']) || textOf(item['encoded']) || textOf(item['summary']);
  const embedded = asArray(item['alert'] as XmlNode[]).find(isNode);
  if (embedded) {
    const capItem = capAlertItem(embedded, context);
    if (capItem) return { ...capItem, key: itemKey(id, link, capItem.title, rawDate), link: link ?? capItem.link };
    if (capItem === false) return false;
  }
  return finishItem(
    {
      id,
      title: textOf(item['title']),
      summary,
      link,
      rawDate,
      cap: inlineCap(item, id, rawDate),
      capDocumentUrl: capLink(asArray(item['link'] as unknown[]), base),
    },
    context,
  );
}

/**
 * RSS: 1.0 and 0.90 put items beside the channel, 0.91 onwards inside it, and some feeds have
 * no <channel> at all (items, and even the title, straight under <rss>).
 */
function parseRss(root: XmlNode, format: 'rss' | 'rdf', context: ReadContext): XmlFeed {
  const channel = asArray(root['channel'] as XmlNode[]).find(isNode) ?? root;
  const rawItems = [...asArray(root['item'] as XmlNode[]), ...(channel === root ? [] : asArray(channel['item'] as XmlNode[]))].filter(isNode);
  const now = new Date();
  const metOffice = context.kind === 'met-office-warnings';
  return {
    format,
    title: textOf(channel['title']),
    items: collect(rawItems, (item) => (metOffice ? (metOfficeItem(item, context, now) ?? rssItem(item, context)) : rssItem(item, context)), context, {
      dateOf: (item) => parseFeedDate(rssRawDate(item)),
      ...(metOffice ? { merge: mergeMetOfficeDays } : {}),
    }),
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

/** Atom text constructs: type="text" (the default) is plain text; "html" and "xhtml" are markup. */
function atomText(node: unknown): string {
  const type = attr(node, 'type');
  return type === 'html' || type === 'xhtml' || (isNode(node) && 'div' in node) ? textOf(node) : plainOf(node);
}

const atomRawDate = (entry: XmlNode) =>
  rawText(entry['published']) || rawText(entry['updated']) || rawText(entry['issued']) || rawText(entry['modified']) || rawText(entry['sent']);

function atomEntry(entry: XmlNode, context: ReadContext): ParsedItem | null | false {
  const base = safeLink(attr(entry, 'base'), context.url) ?? context.url;
  const entryContext = base === context.url ? context : { ...context, url: base };
  const links = asArray(entry['link'] as unknown[]);
  const id = rawText(entry['id']);
  const link = atomLink(links, base);
  const rawDate = atomRawDate(entry);
  const content = entry['content'];
  const embedded = asArray(child(content, 'alert') as XmlNode[]).find(isNode);
  if (embedded) {
    const capItem = capAlertItem(embedded, entryContext);
    if (!capItem) return false;
    return { ...capItem, key: itemKey(id, link, capItem.title, rawDate), link: link ?? capItem.link };
  }
  return finishItem(
    {
      id,
      title: atomText(entry['title']),
      summary: atomText(entry['summary']) || atomText(content),
      link,
      rawDate,
      cap: inlineCap(entry, id, rawDate),
      capDocumentUrl: capLink(links, base),
    },
    entryContext,
  );
}

function parseAtom(root: XmlNode, context: ReadContext): XmlFeed {
  const base = safeLink(attr(root, 'base'), context.url) ?? context.url;
  const feedContext: ReadContext = { ...context, url: base, notes: context.notes };
  const govUk = context.kind === 'gov-uk-alerts';
  return {
    format: 'atom',
    title: atomText(root['title']),
    items: collect(
      asArray(root['entry'] as XmlNode[]).filter(isNode),
      (entry) => {
        if (govUk) {
          const alert = govUkAlertItem(entry, feedContext);
          if (alert !== null) return alert;
        }
        return atomEntry(entry, feedContext);
      },
      feedContext,
      { dateOf: (entry) => parseFeedDate(atomRawDate(entry)) },
    ),
  };
}

// ——— the document ———

/** A bare `&` (as in "Roads & gritting") is the commonest flaw in hand-made feeds. */
function escapeBareAmpersands(xml: string): string {
  return xml.replace(/&(?!#\d{1,7};|#[xX][0-9a-fA-F]{1,6};|[A-Za-z][A-Za-z0-9]{0,31};)/g, '&amp;');
}

/** An XML document as a feed; throws FeedParseError with a plain-words reason when it is not one. */
export function parseXmlFeed(text: string, context: ReadContext): ReadXmlFeed {
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
  const rootValue = rootName ? tree[rootName] : undefined;
  // An empty root element (<rss/>) parses as an empty string.
  const root: XmlNode = asArray(rootValue as XmlNode[]).find(isNode) ?? {};
  const kind: SourceKind = context.kind === 'auto' ? detectSourceKind(context.url, rootName, root) : context.kind;
  const kindContext: ReadContext = { ...context, kind };
  switch (rootName) {
    case 'rss':
      return { kind, ...parseRss(root, 'rss', kindContext) };
    case 'RDF':
      return { kind, ...parseRss(root, 'rdf', kindContext) };
    case 'channel':
      return { kind, ...parseRss({ channel: root }, 'rss', kindContext) };
    case 'feed':
      return { kind, ...parseAtom(root, kindContext) };
    case 'alert':
      return { kind, format: 'cap', ...parseCapAlert(root, kindContext) };
    case 'EDXLDistribution':
      return { kind, format: 'edxl-de', ...parseEdxlDistribution(root, kindContext) };
    case 'html':
      throw new FeedParseError('the address gives a web page, not a feed');
    case undefined:
      throw new FeedParseError('the feed is empty');
    default: {
      const alerts = alertsIn(root);
      if (alerts.length > 0) return { kind, format: 'cap', ...parseCapWrapper(root, alerts, kindContext) };
      throw new FeedParseError(`the address gives XML that is not a feed we can read (its main element is <${rootName}>)`);
    }
  }
}
