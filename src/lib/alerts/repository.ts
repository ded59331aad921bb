// Queries for published alerts.
import { and, eq, gt, isNotNull, isNull, lte, or } from 'drizzle-orm';
import { alerts } from '../../../db/schema/index.ts';
import type { Database } from '../server/database.ts';

export type AlertRow = typeof alerts.$inferSelect;

/** Alerts in force at `now`: started, not yet expired, not retired. */
export function listActiveAlerts(db: Database, now: Date): Promise<AlertRow[]> {
  return db
    .select()
    .from(alerts)
    .where(
      and(
        isNotNull(alerts.currentRevisionId),
        eq(alerts.retired, false),
        lte(alerts.startsAt, now),
        or(isNull(alerts.expiresAt), gt(alerts.expiresAt, now)),
      ),
    );
}

export async function findPublishedAlert(db: Database, id: number): Promise<AlertRow | undefined> {
  const [row] = await db.select().from(alerts).where(and(eq(alerts.id, id), isNotNull(alerts.currentRevisionId), eq(alerts.retired, false)));
  return row;
}
