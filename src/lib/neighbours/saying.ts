// The query behind "What neighbouring councils are saying" on a service's public page (the page
// loads it through public.ts): the last day's items from neighbours' feeds about the service,
// when an admin has switched it on.
import { and, desc, eq, gte, lte } from 'drizzle-orm';
import { neighbourCouncils, neighbourItems, neighbourSources, services } from '../../../db/schema/index.ts';
import type { Database } from '../server/database.ts';
import { FUTURE_SLACK_MS } from './coverage.ts';
import { itemTime } from './repository.ts';
import { safeWebLink } from './text.ts';

export interface NeighbourSaying {
  id: number;
  councilName: string;
  title: string;
  /** Their page about it (http or https only), or null. */
  link: string | null;
  at: Date;
}

/** How far back the section looks, and how many items it lists at most. */
export const SAYING_HOURS = 24;
export const SAYING_MAX = 10;

/**
 * What neighbouring councils said about a service in the last day, newest first — null when
 * the service does not show it (the admins' switch on /staff/neighbours). Alerts they say have
 * ended are left out.
 */
export async function listNeighboursSaying(db: Database, serviceSlug: string, now: Date): Promise<NeighbourSaying[] | null> {
  const [service] = await db.select({ show: services.showNeighbours }).from(services).where(eq(services.slug, serviceSlug));
  if (!service?.show) return null;
  const since = now.getTime() - SAYING_HOURS * 3_600_000;
  const rows = await db
    .select({
      id: neighbourItems.id,
      title: neighbourItems.title,
      link: neighbourItems.link,
      publishedAt: neighbourItems.publishedAt,
      firstSeenAt: neighbourItems.firstSeenAt,
      expiresAt: neighbourItems.expiresAt,
      councilName: neighbourCouncils.name,
    })
    .from(neighbourItems)
    .innerJoin(neighbourCouncils, eq(neighbourItems.councilId, neighbourCouncils.id))
    // Neighbouring councils' words only: national warnings are not "what neighbours are saying".
    .innerJoin(neighbourSources, eq(neighbourItems.sourceId, neighbourSources.id))
    .where(and(eq(neighbourItems.serviceSlug, serviceSlug), eq(neighbourSources.kind, 'council'), gte(itemTime, since), lte(itemTime, now.getTime() + FUTURE_SLACK_MS)))
    .orderBy(desc(itemTime), desc(neighbourItems.id))
    .limit(SAYING_MAX * 3);
  return rows
    .filter((r) => !r.expiresAt || r.expiresAt.getTime() > now.getTime())
    .slice(0, SAYING_MAX)
    .map((r) => ({ id: r.id, councilName: r.councilName, title: r.title, link: safeWebLink(r.link), at: r.publishedAt ?? r.firstSeenAt }));
}

