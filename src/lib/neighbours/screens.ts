// The staff screens about neighbouring councils: /staff/neighbours (admins: the councils, their
// feeds and how each is doing, the keywords that sort items into services, which services' gaps
// are urgent and which public pages show neighbours' news) and /staff/coverage (editors: what
// each neighbour published, service by service, item by item whether we covered it, the gaps,
// and from any item a draft alert or a place to mark; dismissing what needs nothing from us).
// Read models and the use cases behind each form; the queries and rules themselves are the back
// end's (coverage.ts, coverage-match.ts, service.ts, poll.ts, the repositories), so these screens
// never count, match or classify anything on their own.
import { ALERT_BODY_MAX, AREA_MAX, HEADLINE_MAX } from '../alerts/validation.ts';
import { auditStatement, recordAudit } from '../audit/service.ts';
import type { Staff } from '../auth/guards.ts';
import type { FormIssue } from '../auth/service.ts';
import { BadRequestError, NotFoundError } from '../errors.ts';
import { listPublishedPlaces } from '../places/repository.ts';
import { STATUS_PRESENTATION, type PlaceStatus } from '../places/status.ts';
import { NOTE_MAX, SUMMARY_MAX } from '../places/validation.ts';
import { bumpContentVersion } from '../revisions/service.ts';
import { config } from '../server/config.ts';
import type { Database } from '../server/database.ts';
import { getDb } from '../server/db.ts';
import { listServices } from '../services/repository.ts';
import { formatDateTime, formatDay, londonDateKey } from '../time/london.ts';
import {
  likelyPlacesFor,
  loadCoverage,
  loadItemCoverage,
  loadOfficialWarningsCoverage,
  type CoverageCell,
  type ItemCoverage,
  type ItemCoverageState,
  type OfficialWarningCoverage,
} from './coverage.ts';
import { WORDS_THRESHOLD, type MatchSignal } from './coverage-match.ts';
import { deleteItemDismissal, listServiceCoverageSettings, serviceSwitchStatement, upsertItemDismissalStatement } from './coverage-repository.ts';
import { DEFAULT_POLL_MINUTES, pollSourceNow } from './poll.ts';
import {
  findNeighbourSource,
  listNeighbourCouncils,
  listNeighbourCouncilsWithSources,
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
import { clipText, collapseWhitespace, safeWebLink } from './text.ts';
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
  /** What the reader remarked on the last good read, in plain words, or null. */
  note: string | null;
}

export type ScreenFormOutcome<V> = { ok: true; redirect: string } | { ok: false; status: 400; issues: FormIssue[]; values: V };

const pollingIsOn = () => Number.isFinite(config.neighbours.intervalMinutes) && config.neighbours.intervalMinutes > 0;

const sentence = (text: string) => (text ? text.charAt(0).toUpperCase() + text.slice(1) : text);

/** How a feed is doing and what happens next, for people who never read a log. */
export function describeFeed(source: NeighbourSourceRow, councilName: string, now: Date, pollingOn: boolean): FeedView {
  const health: FeedHealth = source.paused ? 'paused' : source.lastError ? 'failing' : source.lastSuccessAt ? 'working' : 'waiting';
  const lines: string[] = [];
  lines.push(source.lastSuccessAt ? `Last read successfully ${formatDateTime(source.lastSuccessAt, now)}` : 'Not read successfully yet');
  // A remark on a good read (a wrong encoding repaired, items beyond the limit left out) is
  // worth knowing, but the feed is working: it is not marked "Not working" for it.
  const note = !source.lastError && source.lastSuccessAt && source.lastNote ? sentence(source.lastNote) : null;
  if (note) lines.push(`Read with a note: ${note}`);
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
    note,
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
  if (done === 'switches') return { kind: 'success', heading: 'Services’ settings saved', text: null };
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
  /**
   * Each service with its keywords as the textarea shows them (one phrase a line), whether its
   * gaps are urgent and whether its public page shows what neighbours are saying.
   */
  services: { slug: string; name: string; fieldId: string; keywords: string; urgent: boolean; showNeighbours: boolean }[];
  banner: ScreenBanner | null;
  pollingOn: boolean;
}

/** The neighbours screen: every council with its feeds, the add-feed form's choices and the keywords. */
export async function loadNeighboursScreen(params: URLSearchParams, now: Date): Promise<NeighboursScreen> {
  const db = await getDb();
  const pollingOn = pollingIsOn();
  const [councils, serviceRows, rules] = await Promise.all([listNeighbourCouncilsWithSources(db), listServiceCoverageSettings(db), loadClassificationRules(db)]);
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
    services: serviceRows.map((s) => ({
      slug: s.slug,
      name: s.name,
      fieldId: keywordsFieldId(s.slug),
      keywords: (phrases.get(s.slug) ?? []).join('\n'),
      urgent: s.coverageUrgent,
      showNeighbours: s.showNeighbours,
    })),
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

/**
 * Saves, for every service at once, whether its gaps are urgent (editors are told at once) and
 * whether its public page shows what neighbouring councils are saying. Public pages are
 * refreshed when the second changes.
 */
export async function changeServiceSwitches(staff: Staff, form: FormData): Promise<{ ok: true; redirect: string }> {
  const db = await getDb();
  const ticked = (name: string) => new Set(form.getAll(name).filter((v): v is string => typeof v === 'string'));
  const urgent = ticked('urgent');
  const shown = ticked('showNeighbours');
  const now = new Date();
  const changes = (await listServiceCoverageSettings(db))
    .map((s) => ({ service: s, to: { coverageUrgent: urgent.has(s.slug), showNeighbours: shown.has(s.slug) } }))
    .filter(({ service, to }) => service.coverageUrgent !== to.coverageUrgent || service.showNeighbours !== to.showNeighbours);
  const [first, ...rest] = changes.map(({ service, to }) => serviceSwitchStatement(db, service.id, to));
  if (first) {
    await db.batch([
      first,
      ...rest,
      ...(changes.some(({ service, to }) => service.showNeighbours !== to.showNeighbours) ? [bumpContentVersion(db, now)] : []),
      auditStatement(db, 'coverage-settings-changed', staff.account.id, changes.map((c) => c.service.name).join(', '), {
        changes: changes.map(({ service, to }) => ({ service: service.slug, urgent: to.coverageUrgent, showNeighbours: to.showNeighbours })),
      }),
    ]);
  }
  return { ok: true, redirect: '/staff/neighbours?done=switches#switches' };
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
  /** A neighbour's items here we have not covered (0 for us). */
  notCovered: number;
  /** "2 hours ago" for the newest, or null when there is nothing. */
  age: string | null;
  /** Where the cell leads: the items it counts (neighbours), or the service's staff page (us). */
  href: string | null;
}

/** What of ours covers an item, and why the matcher thinks so. */
export interface CoveredByView {
  kind: 'alert' | 'place';
  title: string;
  /** Our public page for it. */
  href: string;
  /** "same road (A62)", "the same words: “bin”, “collections”, “suspended”". */
  why: string;
}

export interface CoverageItemView {
  id: number;
  title: string;
  /** The neighbour's own page for it (http or https only), or null. */
  href: string | null;
  councilName: string;
  sourceTitle: string;
  serviceSlug: string | null;
  serviceName: string | null;
  /** Its service is flagged urgent. */
  urgent: boolean;
  at: Date;
  age: string;
  summary: string;
  state: ItemCoverageState;
  /** "Covered", "Not covered", "Dismissed", "Not matched to a service". */
  stateLabel: string;
  coveredBy: CoveredByView | null;
  /** Our place it is about says something different: the place to mark. */
  conflict: { placeName: string; ourStatus: string; theirStatus: string } | null;
  dismissal: { reason: string; by: string | null; at: Date } | null;
  /** /staff/alerts/new filled in from this item. */
  draftHref: string;
  /** Our place's edit form filled in from this item, or the item's page to choose the place. */
  markPlaceHref: string | null;
  /** /staff/coverage/items/{id}: why, dismiss, restore, choose a place. */
  pageHref: string;
}

/** One Met Office warning or GOV.UK emergency alert, as the coverage screen's first section lists it. */
export interface OfficialWarningView {
  itemId: number;
  issuer: 'met-office' | 'gov-uk-alerts';
  /** The level as a GOV.UK tag — its words, not only its colour; null for emergency alerts. */
  tag: { text: string; className: string };
  /** "Amber warning for snow, Yorkshire & Humber, issued 05:10". */
  line: string;
  /** "In force now", "Starts 16:00 today", "Ended 11:00 today". */
  when: string;
  status: 'upcoming' | 'in-force' | 'ended';
  issuedAt: Date;
  /** The issuer's own page for it (http or https only), or null. */
  href: string | null;
  /** Our alert that covers it, or null: "nothing published by us". */
  coveredBy: { headline: string; href: string; word: string } | null;
  /** /staff/alerts/new filled in from the warning. */
  draftHref: string;
}

export interface CoverageScreen {
  /** Met Office warnings and emergency alerts of the window (and any still in force), newest issued first. */
  officialWarnings: OfficialWarningView[];
  /** How many of them nothing of ours covers. */
  officialWarningsNotCovered: number;
  hours: number;
  hourChoices: readonly number[];
  problems: FormIssue[];
  now: Date;
  since: Date;
  /** Us first, then each neighbour. */
  columns: { name: string; slug: string; isUs: boolean }[];
  rows: { service: { slug: string; name: string; urgent: boolean }; gap: boolean; cells: CoverageCellView[] }[];
  /** Per neighbour: items that matched none of our services. */
  unmatched: CoverageCellView[];
  /** The not-covered items (the filters apply), newest first, at most ITEMS_SHOWN. */
  gaps: CoverageItemView[];
  /** How many not-covered items there are in all (the list may stop at ITEMS_SHOWN). */
  gapCount: number;
  filters: { council: string; service: string };
  councilChoices: { value: string; text: string }[];
  serviceChoices: { value: string; text: string }[];
  items: CoverageItemView[];
  /** The list stops at the newest ITEMS_SHOWN: say so, so nobody thinks that is all. */
  moreItems: boolean;
  /** "Everything neighbours published in the last 24 hours", or the filter in words. */
  itemsHeading: string;
  /** "the last 24 hours", or with the filter: "about schools from Rochdale Council in the last 24 hours". */
  filterWords: string;
  /** Names of the services flagged urgent, in our order. */
  urgentServices: string[];
  banner: ScreenBanner | null;
}

export const ITEMS_SHOWN = 100;

/** The coverage screen's own address with a window and filters; `#items` jumps to the list. */
export function coverageHref(hours: number, filter: { council?: string; service?: string } = {}, anchor = 'items'): string {
  const params = new URLSearchParams({ hours: String(hours) });
  if (filter.council) params.set('council', filter.council);
  if (filter.service) params.set('service', filter.service);
  return `/staff/coverage?${params}#${anchor}`;
}

function cellView(cell: CoverageCell, href: string | null): CoverageCellView {
  return {
    count: cell.count,
    notCovered: cell.notCovered,
    age: cell.newestAgeMinutes === null ? null : describeAge(cell.newestAgeMinutes),
    href: cell.count > 0 ? href : null,
  };
}

type ItemForDraft = Pick<NeighbourItemListing, 'title' | 'summary' | 'link' | 'area' | 'serviceSlug' | 'councilName'>;

/** Their summary (or headline) and where it came from: the start of our own words. */
function sourcedText(item: ItemForDraft, max: number): string {
  const link = safeWebLink(item.link);
  const source = `Source: ${item.councilName}${link ? `, ${link}` : ''}`;
  const summary = item.summary.trim();
  const text = summary && summary !== item.title.trim() ? summary : '';
  return text ? `${clipText(collapseWhitespace(text), Math.max(0, max - source.length - 2))}\n\n${source}` : source;
}

/**
 * The new-alert form's address filled in from a neighbour's item: their headline, a body that
 * summarises it and says where it came from, the service it is about ticked, severity warning.
 * The editor reads and changes it before anything is published.
 */
export function draftAlertHref(item: ItemForDraft): string {
  const params = new URLSearchParams({
    headline: clipText(collapseWhitespace(item.title), HEADLINE_MAX),
    body: sourcedText(item, ALERT_BODY_MAX),
    severity: 'warning',
  });
  if (item.serviceSlug) params.set('services', item.serviceSlug);
  if (item.area) params.set('area', clipText(collapseWhitespace(item.area), AREA_MAX));
  return `/staff/alerts/new?${params}`;
}

/**
 * One of our places' edit form filled in from a neighbour's item ("Mark a place"): the status
 * their headline states (Oldham's "closed"), a note from their summary that says where it came
 * from, and a change summary. The editor checks it before publishing.
 */
export function markPlaceHref(placeId: number, item: ItemForDraft, status: PlaceStatus | null): string {
  const params = new URLSearchParams();
  if (status) params.set('status', status);
  params.set('note', sourcedText(item, NOTE_MAX));
  params.set('summary', clipText(collapseWhitespace(`From ${item.councilName}: ${item.title}`), SUMMARY_MAX));
  return `/staff/places/${placeId}?${params}`;
}

const STATE_LABEL: Record<ItemCoverageState, string> = {
  covered: 'Covered',
  not_covered: 'Not covered',
  dismissed: 'Dismissed',
  unmatched: 'Not matched to a service',
};

const quoted = (words: readonly string[]) => words.map((w) => `“${w}”`).join(', ');

/** Why the matcher thinks something of ours covers an item, in words. */
function describeSignals(signals: readonly MatchSignal[]): string {
  return signals
    .map((signal) => {
      switch (signal.kind) {
        case 'road':
          return `same road (${signal.value})`;
        case 'postcode':
          return `same postcode (${signal.value})`;
        case 'reference':
          return `same reference number (${signal.value})`;
        case 'name':
          return 'names our place';
        case 'words':
          return `the same words: ${quoted(signal.words)}`;
      }
    })
    .join('; ');
}

function itemView(coverage: ItemCoverage, serviceNames: ReadonlyMap<string, string>, now: Date): CoverageItemView {
  const { item, match, at, state } = coverage;
  const by = match.by;
  const place = match.conflict?.place ?? (match.places[0] && (state === 'not_covered' || state === 'dismissed') ? match.places[0] : null);
  return {
    id: item.id,
    title: item.title,
    href: safeWebLink(item.link),
    councilName: item.councilName,
    sourceTitle: item.sourceTitle,
    serviceSlug: item.serviceSlug,
    serviceName: item.serviceSlug ? (serviceNames.get(item.serviceSlug) ?? null) : null,
    urgent: coverage.urgent,
    at,
    age: describeAge((now.getTime() - at.getTime()) / 60_000),
    summary: clipText(collapseWhitespace(item.summary), 300),
    state,
    stateLabel: STATE_LABEL[state],
    coveredBy: by ? { kind: by.content.kind, title: by.content.title, href: by.content.href, why: describeSignals(by.signals) } : null,
    conflict: match.conflict
      ? { placeName: match.conflict.place.title, ourStatus: STATUS_PRESENTATION[match.conflict.ourStatus].label, theirStatus: STATUS_PRESENTATION[match.conflict.theirStatus].label }
      : null,
    dismissal: item.dismissal ? { reason: item.dismissal.reason, by: item.dismissal.byName, at: item.dismissal.at } : null,
    draftHref: draftAlertHref(item),
    markPlaceHref: !item.serviceSlug ? null : place ? markPlaceHref(place.id, item, match.theirStatus) : `/staff/coverage/items/${item.id}#mark-place`,
    pageHref: `/staff/coverage/items/${item.id}`,
  };
}

const clock = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

/** "05:10", "05:10 yesterday", "05:10 tomorrow", "05:10 Saturday 21 November": the issuers' 24-hour clock, London time. */
function warningTime(date: Date, now: Date): string {
  const time = clock.format(date);
  const day = londonDateKey(date);
  if (day === londonDateKey(now)) return time;
  if (day === londonDateKey(new Date(now.getTime() - 86_400_000))) return `${time} yesterday`;
  if (day === londonDateKey(new Date(now.getTime() + 86_400_000))) return `${time} tomorrow`;
  return `${time} ${formatDay(date)}`;
}

const LEVEL_TAG = {
  yellow: { text: 'Yellow', className: 'govuk-tag--yellow' },
  amber: { text: 'Amber', className: 'govuk-tag--orange' },
  red: { text: 'Red', className: 'govuk-tag--red' },
} as const;

const capitalised = (text: string) => (text ? text.charAt(0).toUpperCase() + text.slice(1) : text);

/** One official warning as a line of the coverage screen, with its draft alert. */
export function officialWarningView(coverage: OfficialWarningCoverage, now: Date): OfficialWarningView {
  const { warning, coveredBy } = coverage;
  const issued = `issued ${warningTime(warning.issuedAt, now)}`;
  const what =
    warning.issuer === 'met-office'
      ? `${warning.level ? `${LEVEL_TAG[warning.level].text} warning` : 'Warning'}${warning.hazard ? ` for ${warning.hazard}` : ''}`
      : warning.title; // "Emergency alert: Severe flood warning for the River Calder…"
  const region = warning.region && !what.includes(warning.region) ? `, ${warning.region}` : '';
  const when =
    warning.status === 'in-force'
      ? `In force now${warning.validTo ? `, until ${warningTime(warning.validTo, now)}` : ''}`
      : warning.status === 'upcoming'
        ? `Starts ${warningTime(warning.validFrom ?? warning.issuedAt, now)}`
        : `Ended${warning.validTo ? ` ${warningTime(warning.validTo, now)}` : ''}`;
  const valid = [
    warning.validFrom ? `from ${warningTime(warning.validFrom, now)}` : '',
    warning.validTo ? `to ${warningTime(warning.validTo, now)}` : '',
  ].filter(Boolean).join(' ');
  const areas = warning.areas.length > 0 ? ` Areas: ${warning.areas.join(', ')}.` : '';
  const draftItem: ItemForDraft = {
    title: `${what}${region}`,
    summary: `${capitalised(`${what}${region}`)}, ${issued}${valid ? `, valid ${valid}` : ''}.${areas}`,
    link: warning.link,
    area: warning.areas.length > 0 ? warning.areas.join(', ') : warning.region,
    serviceSlug: null,
    councilName: warning.councilName,
  };
  return {
    itemId: warning.itemId,
    issuer: warning.issuer,
    tag: warning.level ? LEVEL_TAG[warning.level] : { text: 'Emergency alert', className: 'govuk-tag--purple' },
    line: `${what}${region}, ${issued}`,
    when,
    status: warning.status,
    issuedAt: warning.issuedAt,
    href: safeWebLink(warning.link),
    coveredBy: coveredBy ? { headline: coveredBy.headline, href: coveredBy.href, word: coveredBy.word } : null,
    draftHref: draftAlertHref(draftItem),
  };
}

function coverageBanner(params: URLSearchParams, items: readonly ItemCoverage[]): ScreenBanner | null {
  const done = params.get('done');
  const found = items.find((c) => String(c.item.id) === params.get('item'));
  if (done === 'dismissed' && found) {
    return { kind: 'success', heading: `Dismissed: ${found.item.title} (${found.item.councilName})`, text: 'It is off the gaps list. Its page says why, and can put it back.' };
  }
  return null;
}

/**
 * The coverage screen: services × (us, each neighbour) over the chosen window with what we have
 * not covered, the gaps (not-covered items, newest first) and every item with its coverage, by
 * council and service. Filters that make no sense come back as problems, and everything is shown.
 */
export async function loadCoverageScreen(params: URLSearchParams, now: Date): Promise<CoverageScreen> {
  const db = await getDb();
  const query = parseCoverageQuery(params);
  const problems = [...query.problems];
  const [coverage, official] = await Promise.all([loadCoverage(db, { hours: query.hours, now }), loadOfficialWarningsCoverage(db, { hours: query.hours, now })]);
  const neighbourColumns = coverage.columns.slice(1);

  const council = neighbourColumns.find((c) => c.slug === query.council);
  if (query.council && !council) problems.push({ field: 'council', message: 'Select a council from the list' });
  const serviceNames = new Map(coverage.rows.map((r) => [r.service.slug, r.service.name]));
  let service = query.service;
  if (service && service !== UNMATCHED_SERVICE && !serviceNames.has(service)) {
    problems.push({ field: 'service', message: 'Select a service from the list' });
    service = '';
  }

  const chosen = coverage.items.filter(
    (c) =>
      (!council || c.item.councilId === council.councilId) &&
      (!service || (service === UNMATCHED_SERVICE ? c.item.serviceSlug === null : c.item.serviceSlug === service)),
  );
  const gaps = chosen.filter((c) => c.state === 'not_covered');

  const window = `the last ${coverage.hours} hours`;
  const serviceWords = service === UNMATCHED_SERVICE ? 'not matched to any of our services' : service ? `about ${serviceNames.get(service)!.toLowerCase()}` : '';
  const itemsHeading = [council ? `What ${council.name} published` : 'What neighbouring councils published', serviceWords, `in ${window}`].filter(Boolean).join(' ');
  const filterWords = [serviceWords, council ? `from ${council.name}` : '', `in ${window}`].filter(Boolean).join(' ');

  return {
    officialWarnings: official.map((w) => officialWarningView(w, now)),
    officialWarningsNotCovered: official.filter((w) => !w.coveredBy && w.warning.status !== 'ended').length,
    hours: coverage.hours,
    hourChoices: COVERAGE_HOURS,
    problems,
    now,
    since: coverage.since,
    columns: coverage.columns.map((c) => ({ name: c.name, slug: c.slug, isUs: c.kind === 'us' })),
    rows: coverage.rows.map((row) => ({
      service: { slug: row.service.slug, name: row.service.name, urgent: row.service.urgent },
      gap: row.gap,
      cells: [
        cellView(row.us, `/staff/services/${row.service.slug}`),
        ...row.neighbours.map((cell, i) => cellView(cell, coverageHref(coverage.hours, { council: neighbourColumns[i]!.slug, service: row.service.slug }))),
      ],
    })),
    unmatched: coverage.unclassified.map((cell, i) => cellView(cell, coverageHref(coverage.hours, { council: neighbourColumns[i]!.slug, service: UNMATCHED_SERVICE }))),
    gaps: gaps.slice(0, ITEMS_SHOWN).map((c) => itemView(c, serviceNames, now)),
    gapCount: gaps.length,
    filters: { council: council?.slug ?? '', service },
    councilChoices: neighbourColumns.map((c) => ({ value: c.slug, text: c.name })),
    serviceChoices: [...coverage.rows.map((r) => ({ value: r.service.slug, text: r.service.name })), { value: UNMATCHED_SERVICE, text: 'Not matched to a service' }],
    items: chosen.slice(0, ITEMS_SHOWN).map((c) => itemView(c, serviceNames, now)),
    moreItems: chosen.length > ITEMS_SHOWN,
    itemsHeading,
    filterWords,
    urgentServices: coverage.rows.filter((r) => r.service.urgent).map((r) => r.service.name),
    banner: coverageBanner(params, coverage.items),
  };
}

// ——— /staff/coverage/items/{id} ———

/** The reasons offered for dismissing an item (or the editor's own, up to DISMISS_REASON_MAX). */
export const DISMISS_REASONS = ['Not about our area', 'We have already covered this', 'Not something we publish'] as const;
export const OTHER_REASON = 'other';
export const DISMISS_REASON_MAX = 200;

export interface DismissFormValues {
  reason: string;
  otherReason: string;
}

export interface NeighbourItemScreen {
  item: CoverageItemView;
  /** The places of its service to choose from for "Mark a place", the likeliest first. */
  placeChoices: { value: string; text: string }[];
  /** The place chosen by default (the likeliest), or ''. */
  suggestedPlace: string;
  /** The words the matcher compared and how it decided, for the curious. */
  explanation: string;
  values: DismissFormValues;
  issues: FormIssue[];
  banner: ScreenBanner | null;
}

function parseItemId(param: string | undefined): number {
  if (!param || !/^\d{1,12}$/.test(param) || Number(param) < 1) throw new NotFoundError(`No neighbour item "${param ?? ''}"`);
  return Number(param);
}

async function requireItemCoverage(db: Database, id: number, now: Date): Promise<ItemCoverage> {
  const coverage = await loadItemCoverage(db, id, now);
  if (!coverage) throw new NotFoundError(`No neighbour item ${id}`);
  return coverage;
}

function explain(coverage: ItemCoverage): string {
  const { match, state } = coverage;
  if (state === 'unmatched') return 'It matched none of our services’ keywords, so nothing of ours is compared with it.';
  const named = match.namedPlaces.length > 0 ? ` It names ${match.namedPlaces.join(', ')}: only something of ours about that can cover it.` : '';
  if (match.by) return `Covered by our ${match.by.content.kind} “${match.by.content.title}”: ${describeSignals(match.by.signals)}.${named}`;
  if (match.conflict) {
    return `Our ${match.conflict.place.title} is about the same place but says ${STATUS_PRESENTATION[match.conflict.ourStatus].label}; they say ${STATUS_PRESENTATION[match.conflict.theirStatus].label}.${named}`;
  }
  const closest = match.closest?.signals.find((sig) => sig.kind === 'words');
  const near = match.closest && closest
    ? ` The closest was our ${match.closest.content.kind} “${match.closest.content.title}” (${describeSignals([closest])}, ${Math.round(match.closest.score * 100)}% of their headline; ${Math.round(WORDS_THRESHOLD * 100)}% is needed).`
    : '';
  return `Nothing we published about this service from a day before it until now says the same.${near}${named}`;
}

/**
 * One neighbour's item: its coverage and why, "Draft an alert", "Mark a place" (choose which of
 * our places) and dismiss or put back. `?place=ID` answers with the place's filled-in edit form.
 */
export async function loadNeighbourItemScreen(idParam: string | undefined, params: URLSearchParams, now: Date): Promise<{ redirect: string } | NeighbourItemScreen> {
  const id = parseItemId(idParam);
  const db = await getDb();
  const coverage = await requireItemCoverage(db, id, now);
  const serviceRows = await listServices(db);
  const service = serviceRows.find((s) => s.slug === coverage.item.serviceSlug);
  const placeRows = service ? await listPublishedPlaces(db, service.id) : [];

  const chosen = params.get('place');
  if (chosen !== null) {
    const place = /^\d{1,12}$/.test(chosen) ? placeRows.find((p) => p.id === Number(chosen) && !p.retired) : undefined;
    if (!place) throw new NotFoundError(`No place ${chosen} in the service of item ${id}`);
    return { redirect: markPlaceHref(place.id, coverage.item, coverage.match.theirStatus) };
  }

  const likely = [
    ...new Set([...(coverage.match.conflict ? [coverage.match.conflict.place.id] : []), ...coverage.match.places.map((p) => p.id), ...likelyPlacesFor(coverage, placeRows, now)]),
  ];
  const rank = (placeId: number) => (likely.includes(placeId) ? likely.indexOf(placeId) : likely.length);
  const choices = placeRows
    .filter((p) => !p.retired)
    .sort((a, b) => rank(a.id) - rank(b.id) || a.name.localeCompare(b.name, 'en-GB'))
    .map((p) => ({ value: String(p.id), text: p.name }));
  const done = params.get('done');
  return {
    item: itemView(coverage, new Map(serviceRows.map((s) => [s.slug, s.name])), now),
    placeChoices: choices,
    suggestedPlace: likely.length > 0 ? String(likely[0]) : '',
    explanation: explain(coverage),
    values: { reason: '', otherReason: '' },
    issues: [],
    banner: done === 'restored' ? { kind: 'success', heading: 'Put back on the gaps list', text: null } : null,
  };
}

function readDismissForm(form: FormData): DismissFormValues {
  const get = (name: string) => {
    const value = form.get(name);
    return typeof value === 'string' ? value : '';
  };
  return { reason: get('reason'), otherReason: get('otherReason') };
}

/** Which reason the form gives, or what is wrong with it. */
export function parseDismissForm(values: DismissFormValues): { ok: true; reason: string } | { ok: false; issues: FormIssue[] } {
  if ((DISMISS_REASONS as readonly string[]).includes(values.reason)) return { ok: true, reason: values.reason };
  if (values.reason !== OTHER_REASON) return { ok: false, issues: [{ field: 'reason', message: 'Select why this needs nothing from us' }] };
  const other = values.otherReason.replace(/\s+/g, ' ').trim();
  if (!other) return { ok: false, issues: [{ field: 'otherReason', message: 'Enter why this needs nothing from us' }] };
  if (other.length > DISMISS_REASON_MAX) return { ok: false, issues: [{ field: 'otherReason', message: `Enter ${DISMISS_REASON_MAX} characters or fewer` }] };
  return { ok: true, reason: other };
}

/**
 * Dismisses an item (an editor: "this needs nothing from us", with why) or puts it back,
 * remembering who and when and writing it to the audit log. Back to the gaps after dismissing.
 */
export async function changeItemDismissal(staff: Staff, idParam: string | undefined, form: FormData, now: Date): Promise<{ ok: true; redirect: string } | { ok: false; status: 400; screen: NeighbourItemScreen }> {
  const id = parseItemId(idParam);
  const db = await getDb();
  const coverage = await requireItemCoverage(db, id, now);
  const subject = `${coverage.item.title} (${coverage.item.councilName})`;
  if (form.get('action') === 'restore') {
    if (await deleteItemDismissal(db, id)) {
      await recordAudit(db, 'neighbour-item-restored', staff.account.id, subject, { itemId: id, reason: coverage.item.dismissal?.reason ?? null });
    }
    return { ok: true, redirect: `/staff/coverage/items/${id}?done=restored` };
  }
  if (form.get('action') !== 'dismiss') throw new BadRequestError('The form could not be read. Go back and try again');
  const values = readDismissForm(form);
  const parsed = parseDismissForm(values);
  if (!parsed.ok) {
    const screen = await loadNeighbourItemScreen(idParam, new URLSearchParams(), now);
    if ('redirect' in screen) throw new Error('unreachable');
    return { ok: false, status: 400, screen: { ...screen, values, issues: parsed.issues } };
  }
  await db.batch([
    upsertItemDismissalStatement(db, id, parsed.reason, staff.account.id, now),
    auditStatement(db, 'neighbour-item-dismissed', staff.account.id, subject, { itemId: id, reason: parsed.reason, state: coverage.state }),
  ]);
  return { ok: true, redirect: `/staff/coverage?done=dismissed&item=${id}#gaps` };
}
