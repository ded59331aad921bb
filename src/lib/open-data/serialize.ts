// The open-data shapes: how services, places, alerts, pages and changes look in the JSON API
// and the feeds. Times are ISO-8601 UTC; URLs are absolute. Pure functions.
import type { AlertRow } from '../alerts/repository.ts';
import { absolutiseLinks } from '../markdown/render.ts';
import type { ChangeRow } from '../changes/repository.ts';
import type { PageRow } from '../pages/repository.ts';
import type { PlaceRow } from '../places/repository.ts';
import type { StatusSummary } from '../places/service.ts';
import { effectiveStatus, formatReopening, STATUS_PRESENTATION, STATUS_REASON_LABEL, type PlaceStatus, type StatusReason } from '../places/status.ts';
import type { AlertContent, PageContent, PlaceContent } from '../revisions/content.ts';
import type { ServiceRow } from '../services/repository.ts';

const iso = (date: Date | null | undefined): string | null => (date ? date.toISOString() : null);

export function absoluteUrl(siteUrl: string, path: string): string {
  return new URL(path, siteUrl).toString();
}

export interface ApiService {
  slug: string;
  name: string;
  summary: string;
  placeLabel: string;
  placeLabelPlural: string;
  total: number;
  counts: Partial<Record<PlaceStatus, number>>;
  lastUpdated: string | null;
  url: string;
  apiUrl: string;
}

export function toApiService(service: ServiceRow, summary: StatusSummary, siteUrl: string): ApiService {
  return {
    slug: service.slug,
    name: service.name,
    summary: service.summary,
    placeLabel: service.placeLabel,
    placeLabelPlural: service.placeLabelPlural,
    total: summary.total,
    counts: Object.fromEntries(summary.counts.map((c) => [c.status, c.count])),
    lastUpdated: iso(summary.lastUpdated),
    url: absoluteUrl(siteUrl, `/services/${service.slug}`),
    apiUrl: absoluteUrl(siteUrl, `/api/v1/services/${service.slug}`),
  };
}

export interface ApiPlace {
  id: number;
  service: string;
  slug: string;
  identifier: string | null;
  name: string;
  category: string;
  address: string;
  postcode: string;
  ward: string;
  location: { latitude: number; longitude: number } | null;
  /** The place's own phone number and website, or null when not known. */
  phone: string | null;
  website: string | null;
  /** What residents are told now: a status set "until" a past time reads "unknown". */
  status: PlaceStatus;
  statusLabel: string;
  /** The status as it was set, and whether its "until" time has passed. */
  statusAsSet: PlaceStatus;
  lapsed: boolean;
  note: string;
  noteHtml: string;
  statusFrom: string | null;
  statusUntil: string | null;
  /** Why the status is what it is (one of snow_and_ice, heating_failure, staff_shortage, flooding, other), or null. */
  reason: StatusReason | null;
  reasonLabel: string | null;
  /** When the place expects to reopen, as set (even once passed), or null. */
  expectedReopeningAt: string | null;
  confirmedAt: string | null;
  updatedAt: string;
  url: string;
  apiUrl: string;
  /** This place's own Atom feed and JSON Feed of its published changes. */
  feeds: { atom: string; json: string };
}

export function toApiPlace(place: PlaceRow, serviceSlug: string, siteUrl: string, now: Date): ApiPlace {
  const effective = effectiveStatus(place, now);
  return {
    id: place.id,
    service: serviceSlug,
    slug: place.slug,
    identifier: place.identifier,
    name: place.name,
    category: place.category,
    address: place.address,
    postcode: place.postcode,
    ward: place.ward,
    location: place.latitude !== null && place.longitude !== null ? { latitude: place.latitude, longitude: place.longitude } : null,
    phone: place.phone,
    website: place.website,
    status: effective.status,
    statusLabel: effective.lapsed ? 'Not confirmed' : STATUS_PRESENTATION[effective.status].label,
    statusAsSet: place.status,
    lapsed: effective.lapsed,
    note: place.noteMarkdown,
    noteHtml: place.noteHtml,
    statusFrom: iso(place.statusFrom),
    statusUntil: iso(place.statusUntil),
    reason: place.statusReason ?? null,
    reasonLabel: place.statusReason ? STATUS_REASON_LABEL[place.statusReason] : null,
    expectedReopeningAt: iso(place.expectedReopeningAt),
    confirmedAt: iso(place.confirmedAt),
    updatedAt: place.updatedAt.toISOString(),
    url: absoluteUrl(siteUrl, `/services/${serviceSlug}/${place.slug}`),
    apiUrl: absoluteUrl(siteUrl, `/api/v1/places/${place.id}`),
    feeds: { atom: absoluteUrl(siteUrl, placeFeedPath(place.id, 'atom')), json: absoluteUrl(siteUrl, placeFeedPath(place.id, 'json')) },
  };
}

/** Where one place's feed is: /feeds/places/{id}.atom or .json. */
export function placeFeedPath(placeId: number, format: 'atom' | 'json'): string {
  return `/feeds/places/${placeId}.${format}`;
}

export interface ApiAlert {
  id: number;
  severity: AlertRow['severity'];
  headline: string;
  body: string;
  bodyHtml: string;
  area: string;
  services: string[];
  startsAt: string;
  expiresAt: string | null;
  updatedAt: string;
  url: string;
  capUrl: string;
}

export function toApiAlert(alert: AlertRow, siteUrl: string): ApiAlert {
  return {
    id: alert.id,
    severity: alert.severity,
    headline: alert.headline,
    body: alert.bodyMarkdown,
    bodyHtml: alert.bodyHtml,
    area: alert.area,
    services: alert.serviceSlugs,
    startsAt: alert.startsAt.toISOString(),
    expiresAt: iso(alert.expiresAt),
    updatedAt: alert.updatedAt.toISOString(),
    url: absoluteUrl(siteUrl, `/alerts/${alert.id}`),
    capUrl: absoluteUrl(siteUrl, `/feeds/alerts/${alert.id}.xml`),
  };
}

export interface ApiPage {
  slug: string;
  title: string;
  summary: string;
  body: string;
  bodyHtml: string;
  updatedAt: string;
  url: string;
}

export function toApiPage(page: PageRow, siteUrl: string): ApiPage {
  return {
    slug: page.slug,
    title: page.title,
    summary: page.summary,
    body: page.bodyMarkdown,
    bodyHtml: page.bodyHtml,
    updatedAt: page.updatedAt.toISOString(),
    url: absoluteUrl(siteUrl, `/pages/${page.slug}`),
  };
}

export interface ApiChange {
  /** Opaque position in the change log: pass it back as `since` to get what came after. */
  cursor: string;
  kind: ChangeRow['kind'];
  id: number;
  title: string;
  /** For places: the status set by this change. */
  status: PlaceStatus | null;
  /** For places: the reason and expected reopening set by this change (null when not given). */
  reason: StatusReason | null;
  expectedReopeningAt: string | null;
  summary: string;
  author: string;
  publishedAt: string;
  url: string;
  /** Sanitised HTML describing the change (the note, the alert body or the page summary), links absolute. */
  contentHtml: string;
}

/** One change-log entry; `serviceSlugs` maps service ids to slugs for place URLs. */
export function toApiChange(change: ChangeRow, serviceSlugs: Map<number, string>, siteUrl: string): ApiChange {
  const base = {
    cursor: String(change.seq),
    kind: change.kind,
    id: change.targetId,
    summary: change.summary,
    author: change.authorLabel,
    publishedAt: change.publishedAt.toISOString(),
  };
  switch (change.kind) {
    case 'place': {
      const c = change.content as PlaceContent;
      const label = STATUS_PRESENTATION[c.status].label;
      return {
        ...base,
        title: `${c.name}: ${label}`,
        status: c.status,
        reason: c.reason ?? null,
        expectedReopeningAt: c.expectedReopeningAt ?? null,
        url: absoluteUrl(siteUrl, `/services/${serviceSlugs.get(c.serviceId) ?? 'unknown'}/${c.slug}`),
        contentHtml: `<p><strong>${label}</strong></p>${statusDetailsHtml(c)}${absolutiseLinks(c.noteHtml, siteUrl)}`,
      };
    }
    case 'alert': {
      const c = change.content as AlertContent;
      return {
        ...base,
        title: c.headline,
        status: null,
        reason: null,
        expectedReopeningAt: null,
        url: absoluteUrl(siteUrl, `/alerts/${change.targetId}`),
        contentHtml: absolutiseLinks(c.bodyHtml, siteUrl),
      };
    }
    case 'page': {
      const c = change.content as PageContent;
      return {
        ...base,
        title: c.title,
        status: null,
        reason: null,
        expectedReopeningAt: null,
        url: absoluteUrl(siteUrl, `/pages/${c.slug}`),
        contentHtml: c.summary ? `<p>${escapeHtml(c.summary)}</p>` : '',
      };
    }
  }
}

/**
 * "Reason: Snow and ice. Expected to reopen: Wednesday 2 December at 9:00am" for a change's
 * entry. Feed readers show entries long after they were written, so the day is always given in
 * full, never "tomorrow".
 */
function statusDetailsHtml(c: PlaceContent): string {
  const parts: string[] = [];
  if (c.reason) parts.push(`Reason: ${STATUS_REASON_LABEL[c.reason]}`);
  if (c.expectedReopeningAt) {
    const when = formatReopening(new Date(c.expectedReopeningAt), null);
    parts.push(`Expected to reopen: ${when}`);
  }
  return parts.length > 0 ? `<p>${escapeHtml(parts.join('. '))}</p>` : '';
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
}
