// The staff dashboard: what the signed-in person can act on.
import { asc, eq } from 'drizzle-orm';
import { placeGrants, places, services } from '../../../db/schema/index.ts';
import type { Staff } from '../auth/guards.ts';
import { hasRole } from '../auth/roles.ts';
import { getDb } from '../server/db.ts';
import { listServices, type ServiceRow } from '../services/repository.ts';
import { countWaitingSuggestions } from '../suggestions/review-repository.ts';
import { findCoverageGaps, type CoverageGap } from '../neighbours/coverage.ts';

export interface Dashboard {
  services: ServiceRow[];
  /** For reporters: the places they may update; null for editors and admins (everything). */
  grantedPlaces: { id: number; name: string; serviceName: string }[] | null;
  /** Residents' suggestions waiting for an editor (0 for reporters, who do not review). */
  waitingSuggestions: number;
  /** For editors: services neighbours published about in the last day while we said nothing; null for reporters. */
  coverageGaps: CoverageGap[] | null;
}

export async function loadDashboard(staff: Staff): Promise<Dashboard> {
  const db = await getDb();
  const serviceRows = await listServices(db);
  if (hasRole(staff.account.role, 'editor')) {
    return {
      services: serviceRows,
      grantedPlaces: null,
      waitingSuggestions: await countWaitingSuggestions(db),
      coverageGaps: await findCoverageGaps(db, { hours: 24, now: new Date() }),
    };
  }
  const granted = await db
    .select({ id: places.id, name: places.name, serviceName: services.name })
    .from(placeGrants)
    .innerJoin(places, eq(placeGrants.placeId, places.id))
    .innerJoin(services, eq(places.serviceId, services.id))
    .where(eq(placeGrants.accountId, staff.account.id))
    .orderBy(asc(places.name));
  return { services: serviceRows, grantedPlaces: granted, waitingSuggestions: 0, coverageGaps: null };
}
