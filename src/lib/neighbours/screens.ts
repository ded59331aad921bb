// The staff screens about neighbouring councils: /staff/neighbours (admins: the councils, their
// feeds and how each is doing, the keywords that sort items into services) and /staff/coverage
// (editors: what each neighbour published, service by service, where we said nothing, and a
// one-click draft alert from any of their items). Read models and the use cases behind each
// form; the queries and rules themselves are the back end's (coverage.ts, service.ts, poll.ts,
// repository.ts), so these screens never count or classify anything on their own.
import { AREA_MAX, HEADLINE_MAX } from '../alerts/validation.ts';
import { recordAudit } from '../audit/service.ts';
import type { Staff } from '../auth/guards.ts';
import type { FormIssue } from '../auth/service.ts';
import { NotFoundError } from '../errors.ts';
import { config } from '../server/config.ts';
import type { Database } from '../server/database.ts';
import { getDb } from '../server/db.ts';
import { listServices } from '../services/repository.ts';
import { formatDateTime } from '../time/london.ts';
import { gapsInCoverage, loadCoverage, type CoverageCell } from './coverage.ts';
import { DEFAULT_POLL_MINUTES, pollSourceNow } from './poll.ts';
import {
  findNeighbourSource,
  listNeighbourCouncils,
  listNeighbourCouncilsWithSources,
  listNeighbourItems,
  loadClassificationRules,
  type NeighbourItemListing,
  type NeighbourSourceRow,
} from './repository.ts';
import {
  addNeighbourCouncil,
  addNeighbourSource,
  changeNeighbourSource,
  changeServiceKeywords,
  pauseNeighbourSource,
  removeNeighbourSource,
  resumeNeighbourSource,
} from './service.ts';
import {
  blankAddNeighbourFeedForm,
  COVERAGE_HOURS,
  keywordsFieldId,
  neighbourSourceFormValuesFrom,
  parseAddNeighbourFeedForm,
  parseCoverageQuery,
  readAddNeighbourFeedForm,
  readNeighbourSourceForm,
  readServiceKeywordsForm,
  UNMATCHED_SERVICE,
  type AddNeighbourFeedFormValues,
  type NeighbourSourceFormValues,
  type ServiceKeywordsFormValues,
} from './validation.ts';

// ——— shared pieces ———

/** A notification banner after POST → redirect → GET: green for success, blue for "look at this". */
export interface ScreenBanner {
  kind: 'success' | 'important';
  heading: string;
  text: string | null;
}

export type FeedHealth = 'working' | 'failing' | 'paused' | 'waiting';

export const FEED_HEALTH_LABEL: Record<FeedHealth, string> = {
  working: 'Working',
  failing: 'Not working',
  paused: 'Paused',
  waiting: 'Not read yet',
};

/** One feed as the admin screens show it: how it is doing, in plain sentences. */
export interface FeedView {
  id: number;
  councilId: number;
  councilName: string;
  title: string;
  url: string;
  paused: boolean;
  health: FeedHealth;
  /** "Last read 7:12am today", "Last problem at …: …", "Next check …", in that order. */
  lines: string[];
  /** The last problem in plain words, or null. */
  lastError: string | null;
}

export type ScreenFormOutcome<V> = { ok: true; redirect: string } | { ok: false; status: 400; issues: FormIssue[]; values: V };

const pollingIsOn = () => Number.isFinite(config.neighbours.intervalMinutes) && config.neighbours.intervalMinutes > 0;

const sentence = (text: string) => (text ? text.charAt(0).toUpperCase() + text.slice(1) : text);

/** How a feed is doing and what happens next, for people who never read a log. */
export function describeFeed(source: NeighbourSourceRow, councilName: string, now: Date, pollingOn: boolean): FeedView {
  const health: FeedHealth = source.paused ? 'paused' : source.lastError ? 'failing' : source.lastSuccessAt ? 'working' : 'waiting';
  const lines: string[] = [];
  lines.push(source.lastSuccessAt ? `Last read successfully ${formatDateTime(source.lastSuccessAt, now)}` : 'Not read successfully yet');
  if (source.lastError) {
    const when = source.lastPolledAt ? ` ${formatDateTime(source.lastPolledAt, now)}` : '';
    const repeated = source.consecutiveFailures > 1 ? ` (${source.consecutiveFailures} failed tries in a row)` : '';
    lines.push(`Last problem${when}: ${source.lastError}${repeated}`);
  }
  // With automatic checks off there is no next check: the page says so once, not on every feed.
  if (source.paused) lines.push('Paused: it is not read until you resume it');
  else if (pollingOn) {
    const due = source.nextPollAt && source.nextPollAt.getTime() > now.getTime() ? source.nextPollAt : null;
    lines.push(due ? `Next check ${formatDateTime(due, now)}` : 'Next check within a minute');
  }
  return {
    id: source.id,
    councilId: source.councilId,
    councilName,
    title: source.title,
    url: source.url,
    paused: source.paused,
    health,
    lines,
    lastError: source.lastError ? sentence(source.lastError) : null,
  };
}

/** "just now", "1 minute ago", "40 minutes ago", "2 hours ago", "3 days ago". */
export function describeAge(minutes: number): string {
  const m = Math.max(0, Math.floor(minutes));
  if (m < 1) return 'just now';
  if (m < 60) return m === 1 ? '1 minute ago' : `${m} minutes ago`;
  const hours = Math.floor(m / 60);
  if (hours < 48) return hours === 1 ? '1 hour ago' : `${hours} hours ago`;
  return `${Math.floor(hours / 24)} days ago`;
}

function parseFeedId(param: string | undefined): number {
  if (!param || !/^\d{1,12}$/.test(param) || Number(param) < 1) throw new NotFoundError(`No neighbour feed "${param ?? ''}"`);
  return Number(param);
}

const count = (params: URLSearchParams, name: string): number => {
  const value = params.get(name) ?? '';
  return /^\d{1,6}$/.test(value) ? Number(value) : 0;
};

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** The banner for `?done=…` on either admin screen; null when the query names nothing known. */
function feedBanner(params: URLSearchParams, feeds: readonly FeedView[], serviceNames: ReadonlyMap<string, string>): ScreenBanner | null {
  const done = params.get('done');
  if (done === 'removed') return { kind: 'success', heading: 'Feed removed', text: 'What was read from it no longer counts on the coverage screen.' };
  if (done === 'keywords') {
    const name = serviceNames.get(params.get('service') ?? '');
    if (!name) return null;
    const matched = count(params, 'matched');
    return { kind: 'success', heading: `Keywords for ${name} saved`, text: `${plural(matched, 'item', 'items')} read from neighbours moved to a different service.` };
  }
  const feed = feeds.find((f) => String(f.id) === params.get('feed'));
  if (!feed) return null;
  const name = `${feed.title} (${feed.councilName})`;
  switch (done) {
    case 'added':
      return { kind: 'success', heading: `Feed added: ${name}`, text: pollingIsOn() ? 'It will be read within a minute.' : 'Use “Check now” to read it.' };
    case 'changed':
      return { kind: 'success', heading: `Changes to ${name} saved`, text: null };
    case 'paused':
      return { kind: 'success', heading: `Feed paused: ${name}`, text: 'What was read from it stays on the coverage screen.' };
    case 'resumed':
      return { kind: 'success', heading: `Feed resumed: ${name}`, text: 'It will be read again within a minute.' };
    case 'checked': {
      const result = params.get('result');
      if (result === 'failed') return { kind: 'important', heading: `Could not read ${name}`, text: feed.lastError };
      if (result === 'unchanged') return { kind: 'success', heading: `Checked ${name}`, text: 'Nothing has changed since the last check.' };
      return {
        kind: 'success',
        heading: `Checked ${name}`,
        text: `${plural(count(params, 'new'), 'new item', 'new items')}, ${count(params, 'updated')} changed, ${count(params, 'unchanged')} unchanged.`,
      };
    }
    default:
      return null;
  }
}

// ——— /staff/neighbours ———

export interface NeighboursScreen {
  councils: { id: number; name: string; websiteUrl: string; feeds: FeedView[] }[];
  councilChoices: { id: number; name: string }[];
  /** The add-feed form, empty. */
  blankFeedForm: AddNeighbourFeedFormValues;
  /** Each service with its keywords as the textarea shows them (one phrase a line). */
  services: { slug: string; name: string; fieldId: string; keywords: string }[];
  banner: ScreenBanner | null;
  pollingOn: boolean;
}

/** The neighbours screen: every council with its feeds, the add-feed form's choices and the keywords. */
export async function loadNeighboursScreen(params: URLSearchParams, now: Date): Promise<NeighboursScreen> {
  const db = await getDb();
  const pollingOn = pollingIsOn();
  const [councils, serviceRows, rules] = await Promise.all([listNeighbourCouncilsWithSources(db), listServices(db), loadClassificationRules(db)]);
  const views = councils.map((council) => ({
    id: council.id,
    name: council.name,
    websiteUrl: council.websiteUrl,
    feeds: council.sources.map((source) => describeFeed(source, council.name, now, pollingOn)),
  }));
  const phrases = new Map(rules.map((rule) => [rule.serviceSlug, rule.phrases]));
  return {
    councils: views,
    councilChoices: councils.map((c) => ({ id: c.id, name: c.name })),
    blankFeedForm: blankAddNeighbourFeedForm(),
    services: serviceRows.map((s) => ({ slug: s.slug, name: s.name, fieldId: keywordsFieldId(s.slug), keywords: (phrases.get(s.slug) ?? []).join('\n') })),
    banner: feedBanner(params, views.flatMap((c) => c.feeds), new Map(serviceRows.map((s) => [s.slug, s.name]))),
    pollingOn,
  };
}

/**
 * Adds a feed, to a council from the list or to a new council named in the same form. The
 * whole form is checked first, so a mistake in the feed never leaves a council behind.
 */
export async function addNeighbourFeed(staff: Staff, form: FormData): Promise<ScreenFormOutcome<AddNeighbourFeedFormValues>> {
  const db = await getDb();
  const values = readAddNeighbourFeedForm(form);
  const fail = (issues: FormIssue[]) => ({ ok: false as const, status: 400 as const, issues, values });
  const parsed = parseAddNeighbourFeedForm(values);
  if (!parsed.ok) return fail(parsed.issues);

  let councilId: number;
  if (parsed.council.kind === 'new') {
    const council = await addNeighbourCouncil(db, parsed.council.values);
    if (!council.ok) {
      const taken = council.issues.some((i) => /already/.test(i.message));
      return fail([
        taken
          ? { field: 'newCouncilName', message: `There is already a council called ${values.newCouncilName.trim()}. Select it from the list` }
          : { field: 'newCouncilName', message: council.issues[0]?.message ?? "Enter the council's name" },
      ]);
    }
    councilId = council.id;
  } else {
    councilId = parsed.council.id;
  }

  const added = await addNeighbourSource(db, { councilId: String(councilId), title: parsed.feed.title, url: parsed.feed.url });
  if (!added.ok) return fail(added.issues);
  const feed = await findNeighbourSource(db, added.id);
  await recordAudit(db, 'neighbour-source-added', staff.account.id, `${parsed.feed.title} (${feed?.councilName ?? ''})`, {
    sourceId: added.id,
    councilId,
    url: parsed.feed.url,
    newCouncil: parsed.council.kind === 'new',
  });
  return { ok: true, redirect: `/staff/neighbours?done=added&feed=${added.id}#feed-${added.id}` };
}

/** Replaces one service's keywords; items already read are sorted again at once. */
export async function changeKeywordsOfService(form: FormData): Promise<ScreenFormOutcome<ServiceKeywordsFormValues>> {
  const db = await getDb();
  const values = readServiceKeywordsForm(form);
  if (!/^[a-z0-9-]{1,60}$/.test(values.service)) throw new NotFoundError(`No service "${values.service}"`);
  const outcome = await changeServiceKeywords(db, values.service, values.keywords);
  if (!outcome.ok) {
    return { ok: false, status: 400, values, issues: outcome.issues.map((i) => ({ field: keywordsFieldId(values.service), message: i.message })) };
  }
  return { ok: true, redirect: `/staff/neighbours?done=keywords&service=${values.service}&matched=${outcome.reclassified}#keywords` };
}

// ——— /staff/neighbours/{id} ———

export interface NeighbourFeedScreen {
  feed: FeedView;
  /** The change form, as stored (the page swaps in what was typed when it comes back with errors). */
  values: NeighbourSourceFormValues;
  councilChoices: { id: number; name: string }[];
  /** `?confirm=remove`: the page asks "are you sure?" before removing. */
  confirmingRemoval: boolean;
  banner: ScreenBanner | null;
  pollingOn: boolean;
}

/** One feed: its state, the change form, and the pause, check and remove buttons. */
export async function loadNeighbourFeedScreen(idParam: string | undefined, params: URLSearchParams, now: Date): Promise<NeighbourFeedScreen> {
  const id = parseFeedId(idParam);
  const db = await getDb();
  const [source, councils] = await Promise.all([findNeighbourSource(db, id), listNeighbourCouncils(db)]);
  if (!source) throw new NotFoundError(`No neighbour feed ${id}`);
  const pollingOn = pollingIsOn();
  const feed = describeFeed(source, source.councilName, now, pollingOn);
  return {
    feed,
    values: neighbourSourceFormValuesFrom(source),
    councilChoices: councils.map((c) => ({ id: c.id, name: c.name })),
    confirmingRemoval: params.get('confirm') === 'remove',
    banner: feedBanner(params, [feed], new Map()),
    pollingOn,
  };
}

/** Where a feed action goes back to: the list it was pressed on, or the feed's own page. */
function afterFeedAction(form: FormData, id: number, query: string): string {
  return form.get('from') === 'list' ? `/staff/neighbours?${query}&feed=${id}#feed-${id}` : `/staff/neighbours/${id}?${query}&feed=${id}`;
}

async function requireFeed(db: Database, id: number) {
  const source = await findNeighbourSource(db, id);
  if (!source) throw new NotFoundError(`No neighbour feed ${id}`);
  return source;
}

/** Saves a feed's name, address or council. */
export async function changeNeighbourFeed(staff: Staff, idParam: string | undefined, form: FormData): Promise<ScreenFormOutcome<NeighbourSourceFormValues>> {
  const id = parseFeedId(idParam);
  const db = await getDb();
  const before = await requireFeed(db, id);
  const values = readNeighbourSourceForm(form);
  const outcome = await changeNeighbourSource(db, id, values);
  if (!outcome.ok) return { ok: false, status: 400, issues: outcome.issues, values };
  const after = await requireFeed(db, id);
  await recordAudit(db, 'neighbour-source-changed', staff.account.id, `${after.title} (${after.councilName})`, {
    sourceId: id,
    from: { title: before.title, url: before.url, councilId: before.councilId },
    to: { title: after.title, url: after.url, councilId: after.councilId },
  });
  return { ok: true, redirect: `/staff/neighbours/${id}?done=changed&feed=${id}` };
}

async function setPaused(staff: Staff, idParam: string | undefined, form: FormData, paused: boolean): Promise<{ ok: true; redirect: string }> {
  const id = parseFeedId(idParam);
  const db = await getDb();
  const source = await requireFeed(db, id);
  await (paused ? pauseNeighbourSource(db, id) : resumeNeighbourSource(db, id));
  await recordAudit(db, 'neighbour-source-changed', staff.account.id, `${source.title} (${source.councilName})`, { sourceId: id, paused });
  return { ok: true, redirect: afterFeedAction(form, id, `done=${paused ? 'paused' : 'resumed'}`) };
}

/** Stops reading a feed; what was read from it stays. */
export function pauseNeighbourFeed(staff: Staff, idParam: string | undefined, form: FormData): Promise<{ ok: true; redirect: string }> {
  return setPaused(staff, idParam, form, true);
}

/** Reads a paused feed again, from the next check. */
export function resumeNeighbourFeed(staff: Staff, idParam: string | undefined, form: FormData): Promise<{ ok: true; redirect: string }> {
  return setPaused(staff, idParam, form, false);
}

/**
 * Removes a feed and what was read from it — only from the confirmation step (`confirm=yes`);
 * anything else is sent to that step first.
 */
export async function removeNeighbourFeed(staff: Staff, idParam: string | undefined, form: FormData): Promise<{ ok: true; redirect: string }> {
  const id = parseFeedId(idParam);
  const db = await getDb();
  const source = await requireFeed(db, id);
  if (form.get('confirm') !== 'yes') return { ok: true, redirect: `/staff/neighbours/${id}?confirm=remove` };
  await removeNeighbourSource(db, id);
  await recordAudit(db, 'neighbour-source-removed', staff.account.id, `${source.title} (${source.councilName})`, {
    sourceId: id,
    councilId: source.councilId,
    url: source.url,
  });
  return { ok: true, redirect: '/staff/neighbours?done=removed' };
}

/** Reads one feed now, due or not, and reports what it found (or why it could not). */
export async function checkNeighbourFeedNow(idParam: string | undefined, form: FormData): Promise<{ ok: true; redirect: string }> {
  const id = parseFeedId(idParam);
  const db = await getDb();
  const result = await pollSourceNow(db, id, {
    intervalMinutes: pollingIsOn() ? config.neighbours.intervalMinutes : DEFAULT_POLL_MINUTES,
    fetch: { allowPrivateAddresses: config.neighbours.allowPrivateAddresses },
  });
  if (!result) throw new NotFoundError(`No neighbour feed ${id}`);
  const query = result.error
    ? 'done=checked&result=failed'
    : result.notModified
      ? 'done=checked&result=unchanged'
      : `done=checked&result=read&new=${result.new}&updated=${result.updated}&unchanged=${result.unchanged}`;
  return { ok: true, redirect: afterFeedAction(form, id, query) };
}

// ——— /staff/coverage ———

export interface CoverageCellView {
  count: number;
  /** "2 hours ago" for the newest, or null when there is nothing. */
  age: string | null;
  /** Where the cell leads: the items it counts (neighbours), or the service's staff page (us). */
  href: string | null;
}

export interface CoverageItemView {
  id: number;
  title: string;
  /** The neighbour's own page for it (http or https only), or null. */
  href: string | null;
  councilName: string;
  sourceTitle: string;
  serviceName: string | null;
  at: Date;
  age: string;
  summary: string;
  /** /staff/alerts/new filled in from this item. */
  draftHref: string;
}

export interface CoverageGapView {
  service: { slug: string; name: string };
  itemsHref: string;
  neighbours: { name: string; count: number; age: string; href: string }[];
}

export interface CoverageScreen {
  hours: number;
  hourChoices: readonly number[];
  problems: FormIssue[];
  now: Date;
  since: Date;
  /** Us first, then each neighbour. */
  columns: { name: string; slug: string; isUs: boolean }[];
  rows: { service: { slug: string; name: string }; gap: boolean; cells: CoverageCellView[] }[];
  /** Per neighbour: items that matched none of our services. */
  unmatched: CoverageCellView[];
  gaps: CoverageGapView[];
  filters: { council: string; service: string };
  councilChoices: { value: string; text: string }[];
  serviceChoices: { value: string; text: string }[];
  items: CoverageItemView[];
  /** The list stops at the newest ITEMS_SHOWN: say so, so nobody thinks that is all. */
  moreItems: boolean;
  /** "Everything neighbours published in the last 24 hours", or the filter in words. */
  itemsHeading: string;
}

export const ITEMS_SHOWN = 100;

/** The coverage screen's own address with a window and filters; `#items` jumps to the list. */
export function coverageHref(hours: number, filter: { council?: string; service?: string } = {}): string {
  const params = new URLSearchParams({ hours: String(hours) });
  if (filter.council) params.set('council', filter.council);
  if (filter.service) params.set('service', filter.service);
  return `/staff/coverage?${params}#items`;
}

function cellView(cell: CoverageCell, href: string | null): CoverageCellView {
  return { count: cell.count, age: cell.newestAgeMinutes === null ? null : describeAge(cell.newestAgeMinutes), href: cell.count > 0 ? href : null };
}

function safeWebLink(link: string | null): string | null {
  if (!link) return null;
  try {
    const url = new URL(link);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** Cuts text to `max` characters at a word where it can, marking the cut with "…". */
function shorten(text: string, max: number): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  if (clean.length <= max) return clean;
  const cut = clean.slice(0, max - 1);
  const atWord = cut.lastIndexOf(' ');
  return `${(atWord > max / 2 ? cut.slice(0, atWord) : cut).trimEnd()}…`;
}

/**
 * The new-alert form's address filled in from a neighbour's item: their headline, a body that
 * summarises it and says where it came from, the service it is about ticked, severity warning.
 * The editor reads and changes it before anything is published.
 */
export function draftAlertHref(item: Pick<NeighbourItemListing, 'title' | 'summary' | 'link' | 'area' | 'serviceSlug' | 'councilName'>): string {
  const link = safeWebLink(item.link);
  const summary = item.summary.trim();
  const source = `Source: ${item.councilName}${link ? `, ${link}` : ''}`;
  const params = new URLSearchParams({
    headline: shorten(item.title, HEADLINE_MAX),
    body: summary && summary !== item.title.trim() ? `${summary}\n\n${source}` : source,
    severity: 'warning',
  });
  if (item.serviceSlug) params.set('services', item.serviceSlug);
  if (item.area) params.set('area', shorten(item.area, AREA_MAX));
  return `/staff/alerts/new?${params}`;
}

/**
 * The coverage screen: services × (us, each neighbour) over the chosen window, the gaps, and the
 * neighbours' items (newest first) by council and service. Filters that make no sense come
 * back as problems, and everything is shown instead.
 */
export async function loadCoverageScreen(params: URLSearchParams, now: Date): Promise<CoverageScreen> {
  const db = await getDb();
  const query = parseCoverageQuery(params);
  const problems = [...query.problems];
  const coverage = await loadCoverage(db, { hours: query.hours, now });
  const neighbourColumns = coverage.columns.slice(1);

  const council = neighbourColumns.find((c) => c.slug === query.council);
  if (query.council && !council) problems.push({ field: 'council', message: 'Select a council from the list' });
  const serviceNames = new Map(coverage.rows.map((r) => [r.service.slug, r.service.name]));
  let service = query.service;
  if (service && service !== UNMATCHED_SERVICE && !serviceNames.has(service)) {
    problems.push({ field: 'service', message: 'Select a service from the list' });
    service = '';
  }

  const items = await listNeighbourItems(db, {
    since: coverage.since,
    limit: ITEMS_SHOWN,
    ...(council ? { councilId: council.councilId! } : {}),
    ...(service ? { serviceSlug: service === UNMATCHED_SERVICE ? null : service } : {}),
  });

  const window = `the last ${coverage.hours} hours`;
  const serviceWords = service === UNMATCHED_SERVICE ? 'not matched to any of our services' : service ? `about ${serviceNames.get(service)!.toLowerCase()}` : '';
  const itemsHeading = [council ? `What ${council.name} published` : 'What neighbouring councils published', serviceWords, `in ${window}`].filter(Boolean).join(' ');

  return {
    hours: coverage.hours,
    hourChoices: COVERAGE_HOURS,
    problems,
    now,
    since: coverage.since,
    columns: coverage.columns.map((c) => ({ name: c.name, slug: c.slug, isUs: c.kind === 'us' })),
    rows: coverage.rows.map((row) => ({
      service: { slug: row.service.slug, name: row.service.name },
      gap: row.gap,
      cells: [
        cellView(row.us, `/staff/services/${row.service.slug}`),
        ...row.neighbours.map((cell, i) => cellView(cell, coverageHref(coverage.hours, { council: neighbourColumns[i]!.slug, service: row.service.slug }))),
      ],
    })),
    unmatched: coverage.unclassified.map((cell, i) => cellView(cell, coverageHref(coverage.hours, { council: neighbourColumns[i]!.slug, service: UNMATCHED_SERVICE }))),
    gaps: gapsInCoverage(coverage).map((gap) => ({
      service: { slug: gap.service.slug, name: gap.service.name },
      itemsHref: coverageHref(coverage.hours, { service: gap.service.slug }),
      neighbours: gap.neighbours.map((n) => ({
        name: n.name,
        count: n.count,
        age: describeAge((now.getTime() - n.newestAt.getTime()) / 60_000),
        href: coverageHref(coverage.hours, { council: n.slug, service: gap.service.slug }),
      })),
    })),
    filters: { council: council?.slug ?? '', service },
    councilChoices: neighbourColumns.map((c) => ({ value: c.slug, text: c.name })),
    serviceChoices: [...coverage.rows.map((r) => ({ value: r.service.slug, text: r.service.name })), { value: UNMATCHED_SERVICE, text: 'Not matched to a service' }],
    items: items.map((item) => {
      const at = item.publishedAt ?? item.firstSeenAt;
      return {
        id: item.id,
        title: item.title,
        href: safeWebLink(item.link),
        councilName: item.councilName,
        sourceTitle: item.sourceTitle,
        serviceName: item.serviceSlug ? (serviceNames.get(item.serviceSlug) ?? null) : null,
        at,
        age: describeAge((now.getTime() - at.getTime()) / 60_000),
        summary: shorten(item.summary, 300),
        draftHref: draftAlertHref(item),
      };
    }),
    moreItems: items.length >= ITEMS_SHOWN,
    itemsHeading,
  };
}
