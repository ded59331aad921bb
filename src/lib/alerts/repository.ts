// Queries for published alerts.
import { and, desc, eq, gt, isNotNull, isNull, lte, or } from 'drizzle-orm';
import { alerts, revisions } from '../../../db/schema/index.ts';
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

/** Every published alert, newest first (active, scheduled and expired). */
export function listPublishedAlerts(db: Database): Promise<AlertRow[]> {
  return db
    .select()
    .from(alerts)
    .where(and(isNotNull(alerts.currentRevisionId), eq(alerts.retired, false)))
    .orderBy(desc(alerts.startsAt));
}

/**
 * The two most recently published revisions of an alert, by publish order (the first is the
 * published one): a CAP message's identifier and the message it updates.
 */
export function latestAlertRevisions(db: Database, alertId: number): Promise<{ id: number; publishedAt: Date | null }[]> {
  return db
    .select({ id: revisions.id, publishedAt: revisions.reviewedAt })
    .from(revisions)
    .where(and(eq(revisions.targetKind, 'alert'), eq(revisions.targetId, alertId), isNotNull(revisions.publishSeq)))
    .orderBy(desc(revisions.publishSeq))
    .limit(2);
}
