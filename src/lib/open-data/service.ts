// Open data read models: one function per API route and feed. Everything comes from published
// (approved) content only. Bad query parameters are expected failures ({ ok: false, issues }),
// read by ./parameters.ts; unknown things throw NotFoundError.
import { isTemplateSlug } from '../pages/templates.ts';
import { z } from 'zod';
import { findPublishedAlert, latestAlertRevisions, listActiveAlerts, listPublishedAlerts } from '../alerts/repository.ts';
import { orderAlerts } from '../alerts/service.ts';
import { listChanges, type ChangeQuery } from '../changes/repository.ts';
import { NotFoundError } from '../errors.ts';
import { htmlToPlainText } from '../markdown/render.ts';
import { findPublishedPage } from '../pages/repository.ts';
import { findPublishedPlaceById, listPublishedPlaces } from '../places/repository.ts';
import { summariseStatuses, withEffectiveStatus } from '../places/service.ts';
import { config } from '../server/config.ts';
import { getDb } from '../server/db.ts';
import type { Database } from '../server/database.ts';
import { findServiceBySlug, listServices, type ServiceRow } from '../services/repository.ts';
import { getCouncil } from '../settings/repository.ts';
import { readQuery, wholeNumberParameter, parseWholeNumber, type Checked } from './parameters.ts';
import { buildAtom, buildCapAlert, buildCapIndex, buildJsonFeed, buildPlacesCsv, buildRss, type FeedMeta } from './feeds.ts';
import {
  absoluteUrl,
  placeFeedPath,
  toApiAlert,
  toApiChange,
  toApiPage,
  toApiPlace,
  toApiService,
  type ApiAlert,
  type ApiChange,
  type ApiPage,
  type ApiPlace,
  type ApiService,
} from './serialize.ts';

const noQuery = z.object({});

const site = () => config.siteUrl;

async function serviceSlugMap(db: Database): Promise<Map<number, string>> {
  return new Map((await listServices(db)).map((s) => [s.id, s.slug]));
}

async function requireService(db: Database, slug: string): Promise<ServiceRow> {
  const service = await findServiceBySlug(db, slug);
  if (!service) throw new NotFoundError(`No service "${slug}"`);
  return service;
}

export async function loadApiServices(params: URLSearchParams, now: Date): Promise<Checked<{ services: ApiService[] }>> {
  const query = readQuery(noQuery, params);
  if (!query.ok) return query;
  const db = await getDb();
  const [services, places] = await Promise.all([listServices(db), listPublishedPlaces(db)]);
  const withStatus = withEffectiveStatus(places, now);
  return {
    ok: true,
    value: { services: services.map((s) => toApiService(s, summariseStatuses(withStatus.filter((p) => p.serviceId === s.id)), site())) },
  };
}

export async function loadApiService(slug: string, params: URLSearchParams, now: Date): Promise<Checked<{ service: ApiService; places: ApiPlace[] }>> {
  const query = readQuery(noQuery, params);
  if (!query.ok) return query;
  const db = await getDb();
  const service = await requireService(db, slug);
  const places = await listPublishedPlaces(db, service.id);
  return {
    ok: true,
    value: {
      service: toApiService(service, summariseStatuses(withEffectiveStatus(places, now)), site()),
      places: places.map((p) => toApiPlace(p, service.slug, site(), now)),
    },
  };
}

/** Ids in addresses (/api/v1/places/12, /feeds/alerts/3.xml): anything else is not there. */
const ID_BOUNDS = { min: 1, max: 999_999_999_999 };

export async function loadApiPlace(id: string, params: URLSearchParams, now: Date): Promise<Checked<{ place: ApiPlace }>> {
  const query = readQuery(noQuery, params);
  if (!query.ok) return query;
  const placeId = parseWholeNumber(id, ID_BOUNDS);
  if (placeId === null) throw new NotFoundError(`No place ${id}`);
  const db = await getDb();
  const place = await findPublishedPlaceById(db, placeId);
  if (!place) throw new NotFoundError(`No place ${id}`);
  const slugs = await serviceSlugMap(db);
  return { ok: true, value: { place: toApiPlace(place, slugs.get(place.serviceId) ?? 'unknown', site(), now) } };
}

const alertsQuery = z.object({
  state: z.enum(['active', 'all'], { error: 'state must be "active" or "all"' }).default('active'),
});

export async function loadApiAlerts(params: URLSearchParams, now: Date): Promise<Checked<{ alerts: ApiAlert[] }>> {
  const query = readQuery(alertsQuery, params);
  if (!query.ok) return query;
  const db = await getDb();
  const rows = query.value.state === 'active' ? orderAlerts(await listActiveAlerts(db, now)) : await listPublishedAlerts(db);
  return { ok: true, value: { alerts: rows.map((a) => toApiAlert(a, site())) } };
}

export async function loadApiPage(slug: string, params: URLSearchParams): Promise<Checked<{ page: ApiPage }>> {
  const query = readQuery(noQuery, params);
  if (!query.ok) return query;
  const page = isTemplateSlug(slug) ? null : await findPublishedPage(await getDb(), slug);
  if (!page) throw new NotFoundError(`No page "${slug}"`);
  return { ok: true, value: { page: toApiPage(page, site()) } };
}

export const CHANGES_PAGE_SIZE = 100;
export const CHANGES_PAGE_MAX = 500;
const changesQuery = z.object({
  since: wholeNumberParameter({ min: 0, max: Number.MAX_SAFE_INTEGER }, 'since must be a cursor from an earlier response (or 0)').default(0),
  limit: wholeNumberParameter({ min: 1, max: CHANGES_PAGE_MAX }, `limit must be a whole number from 1 to ${CHANGES_PAGE_MAX}`).default(CHANGES_PAGE_SIZE),
  service: z.string().regex(/^[a-z0-9-]{1,60}$/, { error: 'service must be a service slug' }).optional(),
});

export interface ChangesPage {
  changes: ApiChange[];
  /** Pass as `since` for the next page; stays put when there is nothing new yet. */
  next: string;
  nextUrl: string;
  more: boolean;
}

/** The public change log, oldest first from a cursor: poll `next` to follow along. */
export async function loadApiChanges(params: URLSearchParams): Promise<Checked<ChangesPage>> {
  const query = readQuery(changesQuery, params);
  if (!query.ok) return query;
  const db = await getDb();
  const { since, limit, service: serviceSlug } = query.value;
  const service = serviceSlug ? await findServiceBySlug(db, serviceSlug) : undefined;
  if (serviceSlug && !service) return { ok: false, issues: [{ parameter: 'service', message: `There is no service "${serviceSlug}"` }] };
  const rows = await listChanges(db, { afterSeq: since, limit: limit + 1, service });
  const page = rows.slice(0, limit);
  const slugs = await serviceSlugMap(db);
  const next = String(page.length > 0 ? page.at(-1)!.seq : since);
  const nextParams = new URLSearchParams({ since: next });
  if (limit !== CHANGES_PAGE_SIZE) nextParams.set('limit', String(limit));
  if (serviceSlug) nextParams.set('service', serviceSlug);
  return {
    ok: true,
    value: {
      changes: page.map((r) => toApiChange(r, slugs, site())),
      next,
      nextUrl: absoluteUrl(site(), `/api/v1/changes?${nextParams}`),
      more: rows.length > limit,
    },
  };
}

export const FEED_SIZE = 50;
const FEED_TYPES = {
  rss: 'application/rss+xml; charset=utf-8',
  atom: 'application/atom+xml; charset=utf-8',
  json: 'application/feed+json; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
} as const;
export type FeedFormat = keyof typeof FEED_TYPES;

export interface FeedDocument {
  body: string;
  contentType: string;
  /** For CSV: the file name to offer. */
  filename?: string;
  /** With a WebSub hub set: the hub and this feed's address, for the Link header. */
  webSub?: { hub: string; self: string };
}

/**
 * A feed file under /feeds/: `changes.{rss,atom,json}` (everything), `{service}.{rss,atom,json}`
 * (one service), `{service}.csv` (its places now) and `alerts.atom` (the CAP index).
 */
export async function loadFeed(file: string, params: URLSearchParams, now: Date): Promise<Checked<FeedDocument>> {
  const query = readQuery(noQuery, params);
  if (!query.ok) return query;
  const match = /^([a-z0-9-]{1,60})\.(rss|atom|json|csv)$/.exec(file);
  if (!match) throw new NotFoundError(`No feed "${file}"`);
  const [, name, format] = match as unknown as [string, string, FeedFormat];
  const db = await getDb();
  const council = await getCouncil(db);

  if (name === 'alerts' && format === 'atom') {
    const alerts = orderAlerts(await listActiveAlerts(db, now)).map((a) => toApiAlert(a, site()));
    const updated = alerts.reduce((max, a) => Math.max(max, Date.parse(a.updatedAt)), 0);
    const meta: FeedMeta = {
      title: `${council.siteName}: active alerts (CAP)`,
      description: `Active alerts from ${council.name} as Common Alerting Protocol 1.2 messages`,
      pageUrl: absoluteUrl(site(), '/'),
      feedUrl: absoluteUrl(site(), '/feeds/alerts.atom'),
      author: council.name,
      updated: new Date(updated || now.getTime()),
      hubUrl: config.notifications.webSubHubUrl,
    };
    return { ok: true, value: { body: buildCapIndex(meta, alerts), contentType: FEED_TYPES.atom, ...webSubLinks(meta) } };
  }

  const service = name === 'changes' ? undefined : await findServiceBySlug(db, name);
  if (name !== 'changes' && !service) throw new NotFoundError(`No feed "${file}"`);
  if (format === 'csv') {
    if (!service) throw new NotFoundError(`No feed "${file}"`);
    const places = await listPublishedPlaces(db, service.id);
    return {
      ok: true,
      value: {
        body: buildPlacesCsv(places.map((p) => toApiPlace(p, service.slug, site(), now))),
        contentType: FEED_TYPES.csv,
        filename: `${service.slug}.csv`,
      },
    };
  }
  return changesFeed(db, format, { service }, await serviceSlugMap(db), now, {
    title: service ? `${council.siteName}: ${service.name}` : `${council.siteName}: all updates`,
    description: service ? service.summary : `Every published update from ${council.name}`,
    pageUrl: absoluteUrl(site(), service ? `/services/${service.slug}` : '/'),
    feedUrl: absoluteUrl(site(), `/feeds/${file}`),
    author: council.name,
  });
}

/** The WebSub discovery links of a feed, when a hub is set. */
function webSubLinks(meta: FeedMeta): Pick<FeedDocument, 'webSub'> {
  return meta.hubUrl ? { webSub: { hub: meta.hubUrl, self: meta.feedUrl } } : {};
}

/**
 * The newest published changes the query picks (FEED_SIZE of them, newest first) as an RSS,
 * Atom or JSON feed: the one way every change feed is made. Pending suggestions are never in
 * it: only published revisions are in the change log.
 */
async function changesFeed(
  db: Database,
  format: 'rss' | 'atom' | 'json',
  query: Pick<ChangeQuery, 'service' | 'placeId'>,
  serviceSlugs: Map<number, string>,
  now: Date,
  about: Omit<FeedMeta, 'updated'>,
): Promise<Checked<FeedDocument>> {
  const rows = await listChanges(db, { ...query, newestFirst: true, limit: FEED_SIZE });
  const changes = rows.map((r) => toApiChange(r, serviceSlugs, site()));
  const meta: FeedMeta = { ...about, updated: rows[0]?.publishedAt ?? now, hubUrl: config.notifications.webSubHubUrl };
  const build = { rss: buildRss, atom: buildAtom, json: buildJsonFeed }[format];
  return { ok: true, value: { body: build(meta, changes), contentType: FEED_TYPES[format], ...webSubLinks(meta) } };
}

/**
 * One place's feed, `/feeds/places/{id}.{atom,json}`: its published changes, newest first, so
 * a parent can follow one school. A retired or unknown place has none (404).
 */
export async function loadPlaceFeed(file: string, params: URLSearchParams, now: Date): Promise<Checked<FeedDocument>> {
  const query = readQuery(noQuery, params);
  if (!query.ok) return query;
  const match = /^(.*)\.(atom|json)$/.exec(file);
  const placeId = match ? parseWholeNumber(match[1]!, ID_BOUNDS) : null;
  if (!match || placeId === null) throw new NotFoundError(`No place feed "${file}"`);
  const format = match[2] as 'atom' | 'json';
  const db = await getDb();
  const place = await findPublishedPlaceById(db, placeId);
  if (!place) throw new NotFoundError(`No place feed "${file}"`);
  const [council, slugs] = await Promise.all([getCouncil(db), serviceSlugMap(db)]);
  return changesFeed(db, format, { placeId: place.id }, slugs, now, {
    title: `${council.siteName}: ${place.name}`,
    description: `Every published update to the status of ${place.name}`,
    pageUrl: absoluteUrl(site(), `/services/${slugs.get(place.serviceId) ?? 'unknown'}/${place.slug}`),
    feedUrl: absoluteUrl(site(), placeFeedPath(place.id, format)),
    author: council.name,
  });
}

/** One CAP 1.2 message: the current revision of an alert (active, scheduled or expired). */
export async function loadCapAlert(file: string, params: URLSearchParams): Promise<Checked<FeedDocument>> {
  const query = readQuery(noQuery, params);
  if (!query.ok) return query;
  const alertId = parseWholeNumber(/^(.*)\.xml$/.exec(file)?.[1] ?? '', ID_BOUNDS);
  if (alertId === null) throw new NotFoundError(`No CAP message "${file}"`);
  const db = await getDb();
  const alert = await findPublishedAlert(db, alertId);
  if (!alert) throw new NotFoundError(`No CAP message "${file}"`);
  const [council, [current, previous], services, allPlaces] = await Promise.all([
    getCouncil(db), latestAlertRevisions(db, alert.id), listServices(db), listPublishedPlaces(db),
  ]);
  const now = new Date();
  const slugOf = new Map(services.map((s) => [s.id, s.slug]));
  // The alert's services' places whose status in force says why, or when they expect to reopen.
  const withDetails = allPlaces
    .filter((p) => alert.serviceSlugs.includes(slugOf.get(p.serviceId) ?? '') && (p.statusReason || p.expectedReopeningAt))
    .map((p) => toApiPlace(p, slugOf.get(p.serviceId) ?? 'unknown', site(), now))
    .filter((p) => !p.lapsed && p.status !== 'open' && p.status !== 'unknown');
  const body = buildCapAlert(toApiAlert(alert, site()), {
    places: withDetails,
    sender: new URL(site()).hostname,
    senderName: council.name,
    revisionId: current?.id ?? 0,
    sent: current?.publishedAt ?? alert.updatedAt,
    previous: previous ? { revisionId: previous.id, sent: previous.publishedAt ?? alert.updatedAt } : null,
    defaultArea: `All of ${council.shortName}`,
    description: htmlToPlainText(alert.bodyHtml, site()),
  });
  return { ok: true, value: { body, contentType: 'application/cap+xml; charset=utf-8' } };
}
