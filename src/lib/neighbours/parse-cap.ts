// CAP 1.2 in every wrapper councils and agencies use: a lone <alert>, several alerts in one
// document (<alerts>, or any root holding <alert>s), an EDXL-DE distribution whose
// contentObjects embed CAP alerts, an Atom/RSS entry embedding one, and an index entry with
// cap: fields inline. CAP's text fields are plain text by definition, so "<A62>" in a headline
// stays "<A62>". Updates and cancellations say which earlier alerts they replace
// (`references`); poll.ts closes those.
import { parseFeedDate } from './dates.ts';
import {
  asArray,
  child,
  collect,
  FeedParseError,
  finishItem,
  isNode,
  plainOf,
  rawText,
  safeLink,
  type CapInfo,
  type ParsedItem,
  type ReadContext,
  type XmlNode,
} from './parse-items.ts';
import { collapseWhitespace } from './text.ts';

/** The title of a cancellation that carries no <info>, until poll.ts finds what it cancels. */
export const CANCEL_WITHOUT_INFO_TITLE = 'Cancellation of an earlier alert';
/** The title of an update that carries no <info>. */
export const UPDATE_WITHOUT_INFO_TITLE = 'Update to an earlier alert';

const CAP_MARKERS = ['areaDesc', 'event', 'msgType', 'urgency', 'severity', 'certainty', 'expires'];

/**
 * The identifiers in CAP `references`: space-separated "sender,identifier,sent" triples (a
 * bare identifier, as some senders write it, is read too).
 */
export function capReferences(value: string): string[] {
  return collapseWhitespace(value)
    .split(' ')
    .filter(Boolean)
    .map((triple) => {
      const parts = triple.split(',');
      return (parts.length >= 2 ? parts[1]! : parts[0]!).trim();
    })
    .filter(Boolean);
}

/** The CAP fields of an index entry that carries them inline (cap:event, cap:areaDesc…). */
export function inlineCap(entry: XmlNode, id: string, fallbackSent: string): CapInfo | undefined {
  if (!CAP_MARKERS.some((name) => name in entry)) return undefined;
  const areas = asArray(entry['areaDesc'] as unknown).map(plainOf).filter(Boolean);
  return {
    identifier: plainOf(entry['identifier']) || collapseWhitespace(id),
    sent: parseFeedDate(rawText(entry['sent'])) ?? parseFeedDate(rawText(entry['effective'])) ?? parseFeedDate(fallbackSent),
    expires: parseFeedDate(rawText(entry['expires'])),
    areaDesc: areas.length > 0 ? areas.join('; ') : null,
    msgType: plainOf(entry['msgType']) || 'Alert',
    references: capReferences(rawText(entry['references'])),
  };
}

/** The info block to read: English if there is one (CAP's default language is en-US), else the first. */
function pickInfo(alert: XmlNode): XmlNode | undefined {
  const infos = asArray(alert['info'] as XmlNode[]).filter(isNode);
  return infos.find((info) => (rawText(info['language']).trim() || 'en').toLowerCase().startsWith('en')) ?? infos[0];
}

/**
 * One CAP alert as an item. False for what is not news: test, exercise, system and draft
 * messages, acknowledgements and error reports. A cancellation ends at once (its expiry is
 * its sent time) and is titled "Cancelled: …"; with no <info> at all, as CAP allows, it is
 * still kept, so that what it cancels can be closed.
 */
export function capAlertItem(alert: XmlNode, context: ReadContext, base = context.url): ParsedItem | false {
  const status = plainOf(alert['status']);
  if (status && status !== 'Actual') return false;
  const msgType = plainOf(alert['msgType']) || 'Alert';
  if (msgType === 'Ack' || msgType === 'Error') return false;
  const identifier = plainOf(alert['identifier']);
  const info = pickInfo(alert);
  const areas = asArray(info?.['area'] as XmlNode[]).map((area) => plainOf(child(area, 'areaDesc'))).filter(Boolean);
  const sentRaw = rawText(alert['sent']);
  const sent = parseFeedDate(sentRaw);
  const cancelled = msgType === 'Cancel';
  const headline = info ? plainOf(info['headline']) || plainOf(info['event']) || plainOf(info['senderName']) : '';
  const title = cancelled
    ? headline
      ? `Cancelled: ${headline}`
      : CANCEL_WITHOUT_INFO_TITLE
    : headline || (msgType === 'Update' ? UPDATE_WITHOUT_INFO_TITLE : '');
  const summary = info ? [plainOf(info['description']), plainOf(info['instruction'])].filter(Boolean).join(' ') : '';
  const item = finishItem(
    {
      id: identifier,
      title,
      summary: summary || plainOf(alert['note']),
      link: info ? safeLink(rawText(info['web']), base) : null,
      rawDate: sentRaw,
      cap: {
        identifier,
        sent,
        expires: cancelled ? sent : info ? parseFeedDate(rawText(info['expires'])) : null,
        areaDesc: areas.length > 0 ? areas.join('; ') : null,
        msgType,
        references: capReferences(rawText(alert['references'])),
      },
    },
    context,
  );
  return item ?? false;
}

const sentOf = (alert: XmlNode) => parseFeedDate(rawText(alert['sent']));

/** Several alerts (a wrapper, an EDXL-DE distribution) as one feed's items, newest kept. */
function capCollection(alerts: XmlNode[], context: ReadContext): ParsedItem[] {
  return collect(alerts, (alert) => capAlertItem(alert, context), context, { dateOf: sentOf });
}

function senderTitle(alert: XmlNode | undefined): string {
  if (!alert) return '';
  const info = pickInfo(alert);
  return (info ? plainOf(info['senderName']) : '') || plainOf(alert['sender']);
}

/** A document whose root is one CAP <alert>. */
export function parseCapAlert(root: XmlNode, context: ReadContext): { title: string; items: ParsedItem[] } {
  if (!plainOf(root['identifier'])) throw new FeedParseError('the CAP alert has no identifier');
  const item = capAlertItem(root, context);
  return { title: senderTitle(root) || 'CAP alert', items: item ? [item] : [] };
}

/** The CAP alerts directly inside a wrapper element, if it holds any. */
export function alertsIn(root: XmlNode): XmlNode[] {
  return asArray(root['alert'] as XmlNode[]).filter((alert) => isNode(alert) && plainOf(alert['identifier']) !== '');
}

/** A document holding several CAP alerts under one root (`<alerts>`, `<capFeed>`…). */
export function parseCapWrapper(root: XmlNode, alerts: XmlNode[], context: ReadContext): { title: string; items: ParsedItem[] } {
  return { title: plainOf(root['title']) || senderTitle(alerts[0]) || 'CAP alerts', items: capCollection(alerts, context) };
}

/**
 * An EDXL-DE 1.0 or 2.0 distribution: each contentObject's xmlContent (2.0: contentXML)
 * holds embeddedXMLContent, which holds the CAP alerts. Other content (files, resource
 * messages) is not news to us and is passed over.
 */
export function parseEdxlDistribution(root: XmlNode, context: ReadContext): { title: string; items: ParsedItem[] } {
  const objects = [...asArray(root['contentObject'] as XmlNode[]), ...asArray(child(root['content'], 'contentObject') as XmlNode[])].filter(isNode);
  const alerts = objects.flatMap((object) => {
    const xml = child(object, 'xmlContent') ?? child(object, 'contentXML');
    return asArray(child(xml, 'embeddedXMLContent') as XmlNode[]).filter(isNode).flatMap(alertsIn);
  });
  if (objects.length > 0 && alerts.length === 0) context.notes.push('the EDXL-DE message holds no CAP alerts');
  return { title: plainOf(root['senderID']) || senderTitle(alerts[0]) || 'EDXL-DE distribution', items: capCollection(alerts, context) };
}
