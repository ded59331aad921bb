// Feed documents: RSS 2.0, Atom 1.0 and JSON Feed 1.1 of changes; CAP 1.2 for alerts and an
// Atom index of them; CSV of places. XML is built with fast-xml-parser's builder (which escapes
// text and attributes); pure functions over the open-data shapes.
import { stringify } from 'csv-stringify/sync';
import XMLBuilder from 'fast-xml-builder';
import type { AlertSeverity } from '../../../db/schema/index.ts';
import type { ApiAlert, ApiChange, ApiPlace } from './serialize.ts';
import { clipText, htmlToText } from '../neighbours/text.ts';

export interface FeedMeta {
  title: string;
  description: string;
  /** The page this feed mirrors. */
  pageUrl: string;
  /** This feed's own URL. */
  feedUrl: string;
  author: string;
  /** When the newest change was published (or the content last changed). */
  updated: Date;
  /** The WebSub hub readers may subscribe at for pushed updates (WEBSUB_HUB_URL), if any. */
  hubUrl?: string | null;
}

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', format: true, suppressEmptyNode: true });
const XML_DECLARATION = { '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' } };

/** Drops keys whose value is undefined, keeping the order (CAP elements are ordered). */
function compact<T extends Record<string, unknown>>(object: T): T {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined)) as T;
}

/** Removes characters XML 1.0 cannot carry (control characters a user might paste). */
export function xmlSafe(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '');
}

/** A permanent, unique id for a change: its page URL and revision position. */
function changeId(change: ApiChange): string {
  return `${change.url}#change-${change.cursor}`;
}

export function buildRss(meta: FeedMeta, changes: ApiChange[]): string {
  return builder.build({
    ...XML_DECLARATION,
    rss: {
      '@_version': '2.0',
      '@_xmlns:atom': 'http://www.w3.org/2005/Atom',
      channel: {
        title: xmlSafe(meta.title),
        link: meta.pageUrl,
        description: xmlSafe(meta.description),
        language: 'en-gb',
        lastBuildDate: meta.updated.toUTCString(),
        'atom:link': [
          { '@_href': meta.feedUrl, '@_rel': 'self', '@_type': 'application/rss+xml' },
          ...(meta.hubUrl ? [{ '@_href': meta.hubUrl, '@_rel': 'hub' }] : []),
        ],
        item: changes.map((c) => ({
          title: xmlSafe(c.title),
          link: c.url,
          description: xmlSafe(c.contentHtml),
          guid: { '@_isPermaLink': 'false', '#text': changeId(c) },
          pubDate: new Date(c.publishedAt).toUTCString(),
          category: c.kind,
        })),
      },
    },
  });
}

/** What every Atom feed of ours starts with (RFC 4287's required feed elements). */
function atomFeedHead(meta: FeedMeta) {
  return {
    '@_xmlns': 'http://www.w3.org/2005/Atom',
    '@_xml:lang': 'en-GB',
    id: meta.feedUrl,
    title: xmlSafe(meta.title),
    subtitle: xmlSafe(meta.description),
    updated: meta.updated.toISOString(),
    link: [
      { '@_rel': 'self', '@_type': 'application/atom+xml', '@_href': meta.feedUrl },
      { '@_rel': 'alternate', '@_type': 'text/html', '@_href': meta.pageUrl },
      ...(meta.hubUrl ? [{ '@_rel': 'hub', '@_href': meta.hubUrl }] : []),
    ],
    author: { name: xmlSafe(meta.author) },
  };
}

export function buildAtom(meta: FeedMeta, changes: ApiChange[]): string {
  return builder.build({
    ...XML_DECLARATION,
    feed: {
      ...atomFeedHead(meta),
      entry: changes.map((c) => ({
        id: changeId(c),
        title: xmlSafe(c.title),
        updated: c.publishedAt,
        published: c.publishedAt,
        link: { '@_rel': 'alternate', '@_type': 'text/html', '@_href': c.url },
        author: { name: xmlSafe(c.author) },
        category: { '@_term': c.kind },
        content: { '@_type': 'html', '#text': xmlSafe(c.contentHtml) },
      })),
    },
  });
}

export function buildJsonFeed(meta: FeedMeta, changes: ApiChange[]): string {
  return JSON.stringify({
    version: 'https://jsonfeed.org/version/1.1',
    title: meta.title,
    description: meta.description,
    home_page_url: meta.pageUrl,
    feed_url: meta.feedUrl,
    hubs: meta.hubUrl ? [{ type: 'WebSub', url: meta.hubUrl }] : undefined,
    language: 'en-GB',
    authors: [{ name: meta.author }],
    items: changes.map((c) => ({
      id: changeId(c),
      url: c.url,
      title: c.title,
      content_html: c.contentHtml,
      // What the item says, not the edit summary ("Published"): JSON Feed's summary is a plain-text
      // sentence or two, and other councils' readers classify items by it.
      summary: plainSummary(c.contentHtml) || undefined,
      date_published: c.publishedAt,
      authors: [{ name: c.author }],
      tags: [c.kind],
      // JSON Feed extension (underscore-prefixed): the status details as data, for places.
      _council_status: c.kind === 'place' ? { status: c.status, reason: c.reason, expected_reopening_at: c.expectedReopeningAt } : undefined,
    })),
  });
}

/** Plain text of our own sanitised HTML, cut at a word near `max` characters. */
export function plainSummary(html: string, max = 300): string {
  return clipText(htmlToText(html), max);
}

/** CAP dateTime: seconds precision with an explicit offset, never "Z" (CAP 1.2 §3.3.2). */
export function capDateTime(date: Date): string {
  return `${date.toISOString().slice(0, 19)}+00:00`;
}

const CAP_SEVERITY: Record<AlertSeverity, { severity: string; urgency: string }> = {
  severe: { severity: 'Severe', urgency: 'Immediate' },
  warning: { severity: 'Moderate', urgency: 'Expected' },
  info: { severity: 'Minor', urgency: 'Future' },
};

const CAP_CATEGORY_BY_SERVICE: Record<string, string> = {
  'roads-and-gritting': 'Transport',
  'waste-and-recycling': 'Env',
  schools: 'Infra',
  'leisure-centres': 'Infra',
  libraries: 'Infra',
  'day-centres': 'Health',
};

export interface CapContext {
  /** The CAP sender: the council's site host, e.g. "alerts.kirklees.gov.uk". */
  sender: string;
  senderName: string;
  /** The alert's revision (a new CAP message per published revision). */
  revisionId: number;
  /** The revision before it, if any: the new message is then an Update referencing it. */
  previous: { revisionId: number; sent: Date } | null;
  /** When this revision was published. */
  sent: Date;
  defaultArea: string;
  /** The alert body as plain text. */
  description: string;
  /**
   * Places of the alert's services whose status in force carries a reason or an expected
   * reopening: each becomes CAP <parameter> pairs (see capPlaceParameters).
   */
  places?: ApiPlace[];
}

/** Most places one CAP message describes: the parameters are for machines, not a full list. */
export const CAP_PLACES_MAX = 200;

/**
 * A place's status details as CAP <parameter> pairs, the value names prefixed with the place
 * ("place:17:status" closed, "place:17:reason" snow_and_ice, "place:17:expectedReopening"
 * 2026-12-02T09:00:00+00:00, "place:17:name" …), so one message can carry several places.
 */
export function capPlaceParameters(places: ApiPlace[]): { valueName: string; value: string }[] {
  return places.slice(0, CAP_PLACES_MAX).flatMap((p) => {
    const prefix = `place:${p.id}`;
    return [
      { valueName: `${prefix}:name`, value: xmlSafe(p.name) },
      { valueName: `${prefix}:status`, value: p.status },
      ...(p.reason ? [{ valueName: `${prefix}:reason`, value: p.reason }] : []),
      ...(p.expectedReopeningAt ? [{ valueName: `${prefix}:expectedReopening`, value: capDateTime(new Date(p.expectedReopeningAt)) }] : []),
    ];
  });
}

function capIdentifier(sender: string, alertId: number, revisionId: number): string {
  return `${sender}:alert:${alertId}:${revisionId}`;
}

/** One CAP 1.2 message for an alert's current revision. */
export function buildCapAlert(alert: ApiAlert, ctx: CapContext): string {
  const { severity, urgency } = CAP_SEVERITY[alert.severity];
  const categories = [...new Set(alert.services.map((s) => CAP_CATEGORY_BY_SERVICE[s] ?? 'Other'))];
  return builder.build({
    ...XML_DECLARATION,
    alert: compact({
      '@_xmlns': 'urn:oasis:names:tc:emergency:cap:1.2',
      identifier: capIdentifier(ctx.sender, alert.id, ctx.revisionId),
      sender: ctx.sender,
      sent: capDateTime(ctx.sent),
      status: 'Actual',
      msgType: ctx.previous ? 'Update' : 'Alert',
      scope: 'Public',
      references: ctx.previous
        ? `${ctx.sender},${capIdentifier(ctx.sender, alert.id, ctx.previous.revisionId)},${capDateTime(ctx.previous.sent)}`
        : undefined,
      info: compact({
        language: 'en-GB',
        category: categories.length > 0 ? categories : ['Other'],
        event: xmlSafe(alert.headline),
        urgency,
        severity,
        certainty: 'Observed',
        effective: capDateTime(new Date(alert.startsAt)),
        expires: alert.expiresAt ? capDateTime(new Date(alert.expiresAt)) : undefined,
        senderName: xmlSafe(ctx.senderName),
        headline: xmlSafe(alert.headline),
        description: xmlSafe(ctx.description),
        web: alert.url,
        parameter: ctx.places && ctx.places.length > 0 ? capPlaceParameters(ctx.places) : undefined,
        area: { areaDesc: xmlSafe(alert.area || ctx.defaultArea) },
      }),
    }),
  });
}

/** An Atom index of the active alerts, each entry linking to its CAP message. */
export function buildCapIndex(meta: FeedMeta, alerts: ApiAlert[]): string {
  return builder.build({
    ...XML_DECLARATION,
    feed: {
      ...atomFeedHead(meta),
      entry: alerts.map((a) => ({
        id: a.capUrl,
        title: xmlSafe(a.headline),
        updated: a.updatedAt,
        link: [
          { '@_rel': 'alternate', '@_type': 'application/cap+xml', '@_href': a.capUrl },
          { '@_rel': 'related', '@_type': 'text/html', '@_href': a.url },
        ],
        category: { '@_term': a.severity },
        summary: xmlSafe(`${a.severity === 'severe' ? 'Emergency' : a.severity === 'warning' ? 'Warning' : 'Information'}: ${a.headline}`),
      })),
    },
  });
}

/** A spreadsheet cell that starts like a formula is neutralised (CSV injection). */
function csvCell(value: string | number | boolean | null): string | number | boolean {
  if (value === null) return '';
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(value)) return `'${value}`;
  return value;
}

export const PLACE_CSV_COLUMNS = [
  'id', 'service', 'slug', 'name', 'identifier', 'category', 'address', 'postcode', 'ward', 'latitude', 'longitude',
  'status', 'status_label', 'status_as_set', 'lapsed', 'note', 'status_from', 'status_until', 'confirmed_at', 'updated_at', 'url',
  'phone', 'website', 'reason', 'reason_label', 'expected_reopening_at',
] as const;

export function buildPlacesCsv(places: ApiPlace[]): string {
  return stringify(
    places.map((p) =>
      [
        p.id, p.service, p.slug, p.name, p.identifier, p.category, p.address, p.postcode, p.ward,
        p.location?.latitude ?? null, p.location?.longitude ?? null, p.status, p.statusLabel, p.statusAsSet,
        p.lapsed, p.note, p.statusFrom, p.statusUntil, p.confirmedAt, p.updatedAt, p.url, p.phone, p.website,
        p.reason, p.reasonLabel, p.expectedReopeningAt,
      ].map(csvCell),
    ),
    { header: true, columns: [...PLACE_CSV_COLUMNS], record_delimiter: '\r\n', cast: { boolean: (v) => (v ? 'true' : 'false') } },
  );
}
