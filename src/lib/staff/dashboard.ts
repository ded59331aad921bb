// The staff dashboard: what the signed-in person can act on.
import { asc, eq } from 'drizzle-orm';
import { placeGrants, places, services } from '../../../db/schema/index.ts';
import type { Staff } from '../auth/guards.ts';
import { hasRole } from '../auth/roles.ts';
import { getDb } from '../server/db.ts';
import { listServices, type ServiceRow } from '../services/repository.ts';
import { loadDeliveryHealth, type DeliveryHealth } from '../notifications/subscriptions.ts';
import { countWaitingSuggestions } from '../suggestions/review-repository.ts';
import { gapsInCoverage, loadCoverage, loadOfficialWarningsCoverage, type CoverageGap } from '../neighbours/coverage.ts';

export interface Dashboard {
  services: ServiceRow[];
  /** For reporters: the places they may update; null for editors and admins (everything). */
  grantedPlaces: { id: number; name: string; serviceName: string }[] | null;
  /** Residents' suggestions waiting for an editor (0 for reporters, who do not review). */
  waitingSuggestions: number;
  /** For editors: neighbours' items of the last day we have not covered; null for reporters. */
  coverageGaps: DashboardGaps | null;
  /** For editors: how many get updates and whether the messages are going out; null for reporters. */
  deliveries: DeliveryHealth | null;
}

export interface DashboardGaps {
  /** Not-covered items in the last 24 hours, in every service. */
  count: number;
  /** Those in services flagged urgent (schools, roads), newest first: at most URGENT_SHOWN. */
  urgent: CoverageGap[];
  urgentCount: number;
  /** The names of the services flagged urgent. */
  urgentServices: string[];
  /** Met Office warnings and emergency alerts still in force or to come that no alert of ours covers. */
  officialWarningsNotCovered: number;
}

export const URGENT_SHOWN = 5;

async function loadGaps(db: Awaited<ReturnType<typeof getDb>>, now: Date): Promise<DashboardGaps> {
  const [coverage, official] = await Promise.all([loadCoverage(db, { hours: 24, now }), loadOfficialWarningsCoverage(db, { hours: 24, now })]);
  const gaps = gapsInCoverage(coverage);
  const urgent = gaps.filter((g) => g.urgent);
  return {
    count: gaps.length,
    urgent: urgent.slice(0, URGENT_SHOWN),
    urgentCount: urgent.length,
    urgentServices: coverage.rows.filter((r) => r.service.urgent).map((r) => r.service.name),
    officialWarningsNotCovered: official.filter((w) => !w.coveredBy && w.warning.status !== 'ended').length,
  };
}

export async function loadDashboard(staff: Staff): Promise<Dashboard> {
  const db = await getDb();
  const serviceRows = await listServices(db);
  if (hasRole(staff.account.role, 'editor')) {
    return {
      services: serviceRows,
      grantedPlaces: null,
      waitingSuggestions: await countWaitingSuggestions(db),
      coverageGaps: await loadGaps(db, new Date()),
      deliveries: await loadDeliveryHealth(db, new Date()),
    };
  }
  const granted = await db
    .select({ id: places.id, name: places.name, serviceName: services.name })
    .from(placeGrants)
    .innerJoin(places, eq(placeGrants.placeId, places.id))
    .innerJoin(services, eq(places.serviceId, services.id))
    .where(eq(placeGrants.accountId, staff.account.id))
    .orderBy(asc(places.name));
  return { services: serviceRows, grantedPlaces: granted, waitingSuggestions: 0, coverageGaps: null, deliveries: null };
}
