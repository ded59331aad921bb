// Coverage: for each of our services, what we published in a recent window next to what each
// neighbouring council published, so the web team sees at a glance "Rochdale and Calderdale
// are talking about school closures and we have said nothing". Our side comes from the
// revision log (places of the service, alerts that name it); theirs from neighbour_items.
import { and, asc, gte, lte, sql } from 'drizzle-orm';
import { neighbourItems, revisions } from '../../../db/schema/index.ts';
import type { Database } from '../server/database.ts';
import { listServices } from '../services/repository.ts';
import { getCouncil } from '../settings/repository.ts';
import { itemTime, listNeighbourCouncils } from './repository.ts';

/**
 * Items dated a little in the future still count (a feed an hour out because of a time-zone
 * slip), but not far-future dates, which would otherwise sit "in the window" for ever.
 */
const FUTURE_SLACK_MS = 3_600_000;

export interface CoverageCell {
  /** Published changes (ours) or items (a neighbour's) in the window. */
  count: number;
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
}

export interface CoverageRow {
  service: CoverageService;
  /** One cell per column, in column order: `cells[0]` is us. */
  cells: CoverageCell[];
  us: CoverageCell;
  /** The neighbours' cells, in the order of `columns.slice(1)`. */
  neighbours: CoverageCell[];
  /** A neighbour published about this service in the window and we did not. */
  gap: boolean;
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
}

export interface CoverageGap {
  service: CoverageService;
  /** The neighbours that published about it in the window (count > 0 only). */
  neighbours: { councilId: number; slug: string; name: string; count: number; newestAt: Date }[];
}

export interface CoverageWindow {
  /** How far back to look, in hours (e.g. 24). */
  hours: number;
  now: Date;
}

const EMPTY: CoverageCell = { count: 0, newestAt: null, newestAgeMinutes: null };

function cell(count: number, newestMs: number | null, now: Date): CoverageCell {
  if (count === 0 || newestMs === null) return EMPTY;
  const newestAt = new Date(Number(newestMs));
  return { count, newestAt, newestAgeMinutes: Math.max(0, Math.floor((now.getTime() - newestAt.getTime()) / 60_000)) };
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

/** Neighbours' items per council and service slug ('' for unclassified) in the window. */
async function theirItems(db: Database, since: Date, now: Date): Promise<Map<string, { n: number; newest: number | null }>> {
  const rows = await db
    .select({
      councilId: neighbourItems.councilId,
      slug: sql<string>`coalesce(${neighbourItems.serviceSlug}, '')`,
      n: sql<number>`count(*)`,
      newest: sql<number | null>`max(${itemTime})`,
    })
    .from(neighbourItems)
    .where(and(gte(itemTime, since.getTime()), lte(itemTime, now.getTime() + FUTURE_SLACK_MS)))
    .groupBy(neighbourItems.councilId, sql`coalesce(${neighbourItems.serviceSlug}, '')`)
    .orderBy(asc(neighbourItems.councilId));
  return new Map(rows.map((r) => [`${r.councilId}:${r.slug}`, { n: Number(r.n), newest: r.newest === null ? null : Number(r.newest) }]));
}

/**
 * The coverage matrix for the last `hours` before `now`: our services × (us, then each
 * neighbour), each cell a count and the age of the newest, and which services are gaps.
 */
export async function loadCoverage(db: Database, window: CoverageWindow): Promise<Coverage> {
  const hours = Math.max(0, window.hours);
  const now = window.now;
  const since = new Date(now.getTime() - hours * 3_600_000);
  const [serviceRows, councils, council, ours, theirs] = await Promise.all([
    listServices(db),
    listNeighbourCouncils(db),
    getCouncil(db),
    ourChanges(db, since, now),
    theirItems(db, since, now),
  ]);
  const columns: CoverageColumn[] = [
    { kind: 'us', councilId: null, slug: 'us', name: council.name },
    ...councils.map((c) => ({ kind: 'neighbour' as const, councilId: c.id, slug: c.slug, name: c.name })),
  ];
  const rows = serviceRows.map((service): CoverageRow => {
    const mine = ours.get(service.slug);
    const us = cell(mine?.n ?? 0, mine?.newest ?? null, now);
    const neighbours = councils.map((c) => {
      const found = theirs.get(`${c.id}:${service.slug}`);
      return cell(found?.n ?? 0, found?.newest ?? null, now);
    });
    return {
      service: { id: service.id, slug: service.slug, name: service.name },
      cells: [us, ...neighbours],
      us,
      neighbours,
      gap: us.count === 0 && neighbours.some((n) => n.count > 0),
    };
  });
  const unclassified = councils.map((c) => {
    const found = theirs.get(`${c.id}:`);
    return cell(found?.n ?? 0, found?.newest ?? null, now);
  });
  return { hours, since, now, columns, rows, unclassified };
}

/** The gaps in a coverage matrix already loaded (so a screen needs only one query). */
export function gapsInCoverage(coverage: Coverage): CoverageGap[] {
  const neighbourColumns = coverage.columns.slice(1);
  return coverage.rows
    .filter((row) => row.gap)
    .map((row) => ({
      service: row.service,
      neighbours: row.neighbours.flatMap((c, i) => {
        const column = neighbourColumns[i]!;
        return c.count > 0 && c.newestAt ? [{ councilId: column.councilId!, slug: column.slug, name: column.name, count: c.count, newestAt: c.newestAt }] : [];
      }),
    }));
}

/**
 * Services where at least one neighbour published in the window and we published nothing,
 * in our service order.
 */
export async function findCoverageGaps(db: Database, window: CoverageWindow): Promise<CoverageGap[]> {
  return gapsInCoverage(await loadCoverage(db, window));
}
