// Coverage: for each of our services, what we published in a recent window next to what each
// neighbouring council published — and, item by item, whether we have covered what they said.
// "Rochdale announced free-school-meal vouchers and we have said nothing" is one not-covered
// item, however many schools notices we published that morning. Our side comes from the
// revision log (counts) and the published places and alerts (matching, coverage-match.ts);
// theirs from neighbour_items. Coverage is worked out when read, so it follows every publish,
// edit and revert at once; only editors' dismissals are stored.
import { sql } from 'drizzle-orm';
import { revisions } from '../../../db/schema/index.ts';
import type { PlaceRow } from '../places/repository.ts';
import { effectiveStatus, STATUS_PRESENTATION } from '../places/status.ts';
import type { Database } from '../server/database.ts';
import { getCouncil } from '../settings/repository.ts';
import { indexOurContent, matchItemToOurContent, MATCH_LOOKBACK_MS, type ItemMatch, type OurContent } from './coverage-match.ts';
import {
  findItemForCoverage,
  listAlertsSince,
  listItemsForCoverage,
  listPlacesChangedSince,
  listServiceCoverageSettings,
  type CoverageItemRow,
  type ServiceCoverageSettings,
} from './coverage-repository.ts';
import { listNationalIssuerIds, listNeighbourCouncils, loadClassificationRules } from './repository.ts';
import { loadOfficialWarnings, type OfficialWarning } from './warnings.ts';

/**
 * Items dated a little in the future still count (a feed an hour out because of a time-zone
 * slip), but not far-future dates, which would otherwise sit "in the window" for ever.
 */
export const FUTURE_SLACK_MS = 3_600_000;

export interface CoverageCell {
  /** Published changes (ours) or items (a neighbour's) in the window. */
  count: number;
  /** A neighbour's items in the window we have not covered (and no editor dismissed); 0 for us. */
  notCovered: number;
  /** The newest of them, or null when there are none. */
  newestAt: Date | null;
  /** Whole minutes from the newest to `now` (never negative), or null. */
  newestAgeMinutes: number | null;
}

export interface CoverageColumn {
  kind: 'us' | 'neighbour';
  /** The neighbour council's id; null for us. */
  councilId: number | null;
  /** `us`, or the neighbour's slug. */
  slug: string;
  name: string;
}

export interface CoverageService {
  id: number;
  slug: string;
  name: string;
  /** Gaps in this service are urgent: editors are told at once. */
  urgent: boolean;
}

export interface CoverageRow {
  service: CoverageService;
  /** One cell per column, in column order: `cells[0]` is us. */
  cells: CoverageCell[];
  us: CoverageCell;
  /** The neighbours' cells, in the order of `columns.slice(1)`. */
  neighbours: CoverageCell[];
  /** A neighbour published something about this service in the window that we have not covered. */
  gap: boolean;
}

/** not_covered: a gap. unmatched: about none of our services, so nothing can cover it. */
export type ItemCoverageState = 'covered' | 'not_covered' | 'dismissed' | 'unmatched';

/** One neighbour's item and whether we covered it. */
export interface ItemCoverage {
  item: CoverageItemRow;
  /** When it counts from: their date, or when we first saw it. */
  at: Date;
  state: ItemCoverageState;
  match: ItemMatch;
  /** Its service is flagged urgent. */
  urgent: boolean;
}

export interface Coverage {
  hours: number;
  since: Date;
  now: Date;
  /** Us first, then each neighbour in display order. */
  columns: CoverageColumn[];
  /** One row per service, in our service order. */
  rows: CoverageRow[];
  /** Per neighbour (order of `columns.slice(1)`): items that matched none of our services. */
  unclassified: CoverageCell[];
  /** Every neighbour item in the window, newest first, with its coverage. */
  items: ItemCoverage[];
}

/** A not-covered item: a gap in our coverage. */
export type CoverageGap = ItemCoverage & { state: 'not_covered' };

export interface CoverageWindow {
  /** How far back to look, in hours (e.g. 24). */
  hours: number;
  now: Date;
}

const EMPTY: CoverageCell = { count: 0, notCovered: 0, newestAt: null, newestAgeMinutes: null };

function cell(count: number, newestMs: number | null, now: Date, notCovered = 0): CoverageCell {
  if (count === 0 || newestMs === null) return EMPTY;
  const newestAt = new Date(Number(newestMs));
  return { count, notCovered, newestAt, newestAgeMinutes: Math.max(0, Math.floor((now.getTime() - newestAt.getTime()) / 60_000)) };
}

function merge(a: { n: number; newest: number | null } | undefined, b: { n: number; newest: number | null }) {
  if (!a) return b;
  return { n: a.n + b.n, newest: Math.max(a.newest ?? 0, b.newest ?? 0) || null };
}

/**
 * Our published changes per service slug in the window: approved revisions of places of the
 * service, and of alerts that name it. A place created with no status yet (as the demo loads
 * most places) is not news, so it does not count; every later revision does.
 */
async function ourChanges(db: Database, since: Date, now: Date): Promise<Map<string, { n: number; newest: number | null }>> {
  const from = since.getTime();
  const to = now.getTime();
  const placeRows = await db.all<{ slug: string; n: number; newest: number | null }>(sql`
    SELECT s.slug AS slug, count(*) AS n, max(r.reviewed_at) AS newest
    FROM ${revisions} r JOIN services s ON s.id = json_extract(r.content, '$.serviceId')
    WHERE r.target_kind = 'place' AND r.publish_seq IS NOT NULL
      AND r.reviewed_at >= ${from} AND r.reviewed_at <= ${to}
      AND (r.parent_id IS NOT NULL OR json_extract(r.content, '$.status') <> 'unknown')
    GROUP BY s.slug`);
  const alertRows = await db.all<{ slug: string; n: number; newest: number | null }>(sql`
    SELECT j.value AS slug, count(*) AS n, max(r.reviewed_at) AS newest
    FROM ${revisions} r, json_each(json_extract(r.content, '$.serviceSlugs')) j
    WHERE r.target_kind = 'alert' AND r.publish_seq IS NOT NULL
      AND r.reviewed_at >= ${from} AND r.reviewed_at <= ${to}
    GROUP BY j.value`);
  const bySlug = new Map<string, { n: number; newest: number | null }>();
  for (const row of [...placeRows, ...alertRows]) {
    bySlug.set(row.slug, merge(bySlug.get(row.slug), { n: Number(row.n), newest: row.newest === null ? null : Number(row.newest) }));
  }
  return bySlug;
}

/**
 * What we published that could cover an item dated from `since`: places and alerts changed from
 * a day before it (MATCH_LOOKBACK_MS) until now, as the matcher sees them.
 */
export async function loadOurRecentContent(db: Database, since: Date, now: Date): Promise<OurContent[]> {
  const from = new Date(since.getTime() - MATCH_LOOKBACK_MS);
  const [placeRows, alertRows] = await Promise.all([listPlacesChangedSince(db, from), listAlertsSince(db, from, now)]);
  return [
    ...placeRows.map((p): OurContent => {
      const status = effectiveStatus(p, now).status;
      return {
        kind: 'place',
        id: p.id,
        serviceSlugs: [p.serviceSlug],
        title: p.name,
        text: `${STATUS_PRESENTATION[status].label}. ${p.noteMarkdown}`,
        address: p.address,
        identifier: p.identifier,
        postcode: p.postcode,
        status,
        changedAt: p.updatedAt,
        href: `/services/${p.serviceSlug}/${p.slug}`,
      };
    }),
    ...alertRows.map((a): OurContent => ({
      kind: 'alert',
      id: a.id,
      serviceSlugs: a.serviceSlugs,
      title: a.headline,
      text: `${a.bodyMarkdown} ${a.area}`,
      changedAt: a.updatedAt,
      href: `/alerts/${a.id}`,
    })),
  ];
}

async function keywordsByService(db: Database): Promise<ReadonlyMap<string, readonly string[]>> {
  return new Map((await loadClassificationRules(db)).map((rule) => [rule.serviceSlug, rule.phrases]));
}

const timeOf = (item: CoverageItemRow) => item.publishedAt ?? item.firstSeenAt;

function stateOf(item: CoverageItemRow, match: ItemMatch): ItemCoverageState {
  if (!item.serviceSlug) return 'unmatched';
  if (match.covered) return 'covered';
  return item.dismissal ? 'dismissed' : 'not_covered';
}

/** Matches items against what we published; `ours` must reach back a day before the oldest. */
function coverItems(items: readonly CoverageItemRow[], ours: readonly OurContent[], keywords: ReadonlyMap<string, readonly string[]>, settings: readonly ServiceCoverageSettings[]): ItemCoverage[] {
  const index = indexOurContent(ours, keywords);
  const urgent = new Set(settings.filter((s) => s.coverageUrgent).map((s) => s.slug));
  return items.map((item) => {
    const at = timeOf(item);
    const match = matchItemToOurContent(
      { title: item.title, summary: item.summary, area: item.area, serviceSlug: item.serviceSlug, councilName: item.councilName, at },
      index,
    );
    return { item, at, state: stateOf(item, match), match, urgent: item.serviceSlug !== null && urgent.has(item.serviceSlug) };
  });
}

/**
 * The coverage matrix for the last `hours` before `now`: our services × (us, then each
 * neighbour), each cell a count, how many we have not covered and the age of the newest — and
 * every item in the window with its coverage.
 */
export async function loadCoverage(db: Database, window: CoverageWindow): Promise<Coverage> {
  const hours = Math.max(0, window.hours);
  const now = window.now;
  const since = new Date(now.getTime() - hours * 3_600_000);
  const [serviceRows, publishers, nationalIssuers, council, ours, allItemRows, content, keywords] = await Promise.all([
    listServiceCoverageSettings(db),
    listNeighbourCouncils(db),
    listNationalIssuerIds(db),
    getCouncil(db),
    ourChanges(db, since, now),
    listItemsForCoverage(db, since, new Date(now.getTime() + FUTURE_SLACK_MS)),
    loadOurRecentContent(db, since, now),
    keywordsByService(db),
  ]);
  // The Met Office and GOV.UK are not neighbouring councils: their warnings are matched on their
  // own (loadOfficialWarningsCoverage), not as columns of the matrix.
  const councils = publishers.filter((c) => !nationalIssuers.has(c.id));
  const itemRows = allItemRows.filter((item) => !nationalIssuers.has(item.councilId));
  const items = coverItems(itemRows, content, keywords, serviceRows);

  const tally = new Map<string, { n: number; notCovered: number; newest: number }>();
  for (const { item, at, state } of items) {
    const key = `${item.councilId}:${item.serviceSlug ?? ''}`;
    const entry = tally.get(key) ?? { n: 0, notCovered: 0, newest: 0 };
    entry.n++;
    if (state === 'not_covered') entry.notCovered++;
    entry.newest = Math.max(entry.newest, at.getTime());
    tally.set(key, entry);
  }
  const theirs = (councilId: number, slug: string) => {
    const found = tally.get(`${councilId}:${slug}`);
    return found ? cell(found.n, found.newest, now, found.notCovered) : EMPTY;
  };

  const columns: CoverageColumn[] = [
    { kind: 'us', councilId: null, slug: 'us', name: council.name },
    ...councils.map((c) => ({ kind: 'neighbour' as const, councilId: c.id, slug: c.slug, name: c.name })),
  ];
  const rows = serviceRows.map((service): CoverageRow => {
    const mine = ours.get(service.slug);
    const us = cell(mine?.n ?? 0, mine?.newest ?? null, now);
    const neighbours = councils.map((c) => theirs(c.id, service.slug));
    return {
      service: { id: service.id, slug: service.slug, name: service.name, urgent: service.coverageUrgent },
      cells: [us, ...neighbours],
      us,
      neighbours,
      gap: neighbours.some((n) => n.notCovered > 0),
    };
  });
  const unclassified = councils.map((c) => theirs(c.id, ''));
  return { hours, since, now, columns, rows, unclassified, items };
}

/** The gaps in a coverage already loaded: the items we have not covered, newest first. */
export function gapsInCoverage(coverage: Coverage): CoverageGap[] {
  return coverage.items.filter((c): c is CoverageGap => c.state === 'not_covered');
}

/** Items neighbours published in the window that we have not covered, newest first. */
export async function findCoverageGaps(db: Database, window: CoverageWindow): Promise<CoverageGap[]> {
  return gapsInCoverage(await loadCoverage(db, window));
}

/** One item with its coverage now, or undefined when there is no such item. */
export async function loadItemCoverage(db: Database, id: number, now: Date): Promise<ItemCoverage | undefined> {
  const item = await findItemForCoverage(db, id);
  if (!item) return undefined;
  const at = timeOf(item);
  const [content, keywords, settings] = await Promise.all([
    loadOurRecentContent(db, new Date(Math.min(at.getTime(), now.getTime())), now),
    keywordsByService(db),
    listServiceCoverageSettings(db),
  ]);
  return coverItems([item], content, keywords, settings)[0];
}

/**
 * Our places (of the item's service) it is likeliest about, best first, whenever they were last
 * changed — for "Mark a place": the same road, postcode, reference or name, then similar words.
 */
export function likelyPlacesFor(coverage: ItemCoverage, servicePlaces: readonly PlaceRow[], now: Date): number[] {
  const slug = coverage.item.serviceSlug;
  if (!slug) return [];
  const ours = servicePlaces
    .filter((p) => !p.retired)
    .map((p): OurContent => {
      const status = effectiveStatus(p, now).status;
      return {
        kind: 'place', id: p.id, serviceSlugs: [slug], title: p.name, text: `${STATUS_PRESENTATION[status].label}. ${p.noteMarkdown}`,
        address: p.address, identifier: p.identifier, postcode: p.postcode, status, changedAt: now, href: '',
      };
    });
  const { item } = coverage;
  const match = matchItemToOurContent({ title: item.title, summary: item.summary, area: item.area, serviceSlug: slug, councilName: item.councilName, at: now }, ours);
  return [...new Set([...(match.conflict ? [match.conflict.place.id] : []), ...match.places.map((p) => p.id)])];
}

// ——— official warnings (Met Office, GOV.UK Emergency Alerts) ———

/**
 * The words that say what an official warning is about. A Met Office warning names its hazard
 * ("snow", "thunderstorms and rain"); an emergency alert does not, so its headline and text are
 * searched for these.
 */
export const HAZARD_WORDS = ['snow', 'ice', 'icy', 'wind', 'storm', 'thunderstorm', 'rain', 'flood', 'fog', 'heat', 'fire', 'lightning'] as const;

const wordPattern = (word: string) => new RegExp(`\\b${word.replace(/[^a-z]/g, '')}`, 'i');

/** The hazard words a warning is about: its hazard's own words, else those its text contains. */
export function hazardWordsOf(warning: Pick<OfficialWarning, 'hazard' | 'title'> & { summary?: string }): string[] {
  if (warning.hazard) {
    // "thunderstorms" is looked for as "thunderstorm", which "thunderstorms" also starts with.
    return warning.hazard
      .toLowerCase()
      .split(/[^a-z]+/)
      .filter((w) => w.length > 2 && w !== 'and' && w !== 'extreme')
      .map((w) => (w.length > 4 && w.endsWith('s') ? w.slice(0, -1) : w));
  }
  const text = `${warning.title} ${warning.summary ?? ''}`;
  return HAZARD_WORDS.filter((word) => wordPattern(word).test(text));
}

export interface OfficialWarningCoverage {
  warning: OfficialWarning;
  /** Our alert that covers it, or null: "nothing published by us". */
  coveredBy: { id: number; headline: string; href: string; word: string } | null;
  /** The words we looked for in our alerts. */
  hazardWords: string[];
}

/**
 * Each official warning of the last `hours` (and any still in force) with whether we covered it:
 * covered when one of our alerts, in force now or ended within the window, was published or
 * last changed at or after the warning was issued and mentions its hazard ("snow", "ice"…) in
 * its headline, text or area. Only after: an alert from before the warning cannot have told
 * residents about it. Only alerts, of any service: a warning is about the weather everywhere,
 * not one of our places. The coverage matcher's words test is not used, because the Met
 * Office's headline ("Amber warning of snow affecting Yorkshire & Humber") shares no words with
 * how we write ("Heavy snow: schools closed") beyond the hazard itself.
 */
export async function loadOfficialWarningsCoverage(db: Database, window: CoverageWindow): Promise<OfficialWarningCoverage[]> {
  const now = window.now;
  const warnings = await loadOfficialWarnings(db, { now, hours: window.hours });
  if (warnings.length === 0) return [];
  const oldest = Math.min(...warnings.map((w) => w.issuedAt.getTime()));
  const since = new Date(Math.min(oldest, now.getTime() - window.hours * 3_600_000));
  const ours = await listAlertsSince(db, since, now);
  return warnings.map((warning) => {
    const hazardWords = hazardWordsOf(warning);
    let coveredBy: OfficialWarningCoverage['coveredBy'] = null;
    for (const alert of ours) {
      const changed = Math.max(alert.startsAt.getTime(), alert.updatedAt.getTime());
      if (changed < warning.issuedAt.getTime()) continue;
      if (alert.startsAt.getTime() > now.getTime()) continue;
      const text = `${alert.headline} ${alert.bodyMarkdown} ${alert.area}`;
      const word = hazardWords.find((w) => wordPattern(w).test(text));
      if (word) {
        coveredBy = { id: alert.id, headline: alert.headline, href: `/alerts/${alert.id}`, word };
        break;
      }
    }
    return { warning, coveredBy, hazardWords };
  });
}

/** How recent a newly read item must be to be news worth telling staff about: a day. */
export const NEWS_HOURS = 24;
/**
 * The most gaps one poll of one feed tells staff about: each is an email to everyone who asked,
 * and a feed that suddenly carries a day's worth of news is one thing to look at, not fifty
 * emails. The coverage screen lists every gap.
 */
export const UNCOVERED_PER_POLL = 3;

/** A neighbour's item as it is about to be stored for the first time. */
export interface NewItem {
  itemKey: string;
  title: string;
  summary?: string | undefined;
  area?: string | null | undefined;
  serviceSlug?: string | null | undefined;
  publishedAt?: Date | null | undefined;
  firstSeenAt: Date;
}

/**
 * For one poll of one council's feed: a function picking, of the items about to be stored for
 * the first time, the keys of those that are gaps — in one of our services, dated within the
 * last NEWS_HOURS (the first read of a feed's archive is not news), from a council (not the Met
 * Office's or GOV.UK's warnings), and matching nothing we published — at most
 * UNCOVERED_PER_POLL in all, in the order given (feeds list the newest first). What we
 * published is read once, the first time there is a recent item to match.
 */
export function createUncoveredFinder(db: Database, council: { id: number; name: string }, now: Date): (items: readonly NewItem[]) => Promise<Set<string>> {
  let index: Promise<ReturnType<typeof indexOurContent> | null> | null = null;
  const load = async () => {
    if ((await listNationalIssuerIds(db)).has(council.id)) return null;
    const [content, keywords] = await Promise.all([loadOurRecentContent(db, new Date(now.getTime() - NEWS_HOURS * 3_600_000), now), keywordsByService(db)]);
    return indexOurContent(content, keywords);
  };
  let found = 0;
  return async (items) => {
    if (found >= UNCOVERED_PER_POLL) return new Set();
    const from = now.getTime() - NEWS_HOURS * 3_600_000;
    const to = now.getTime() + FUTURE_SLACK_MS;
    const recent = items.filter((item) => {
      const at = (item.publishedAt ?? item.firstSeenAt).getTime();
      return item.serviceSlug && at >= from && at <= to;
    });
    if (recent.length === 0) return new Set();
    const ours = await (index ??= load());
    if (!ours) return new Set();
    const gaps = new Set<string>();
    for (const item of recent) {
      if (found >= UNCOVERED_PER_POLL) break;
      const at = item.publishedAt ?? item.firstSeenAt;
      const match = matchItemToOurContent({ title: item.title, summary: item.summary ?? '', area: item.area ?? null, serviceSlug: item.serviceSlug ?? null, councilName: council.name, at }, ours);
      if (!match.covered) {
        gaps.add(item.itemKey);
        found++;
      }
    }
    return gaps;
  };
}
