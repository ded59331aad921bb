// From outbox events to deliveries: who should be told about each event. One atomic batch per
// event writes its deliveries (each with an idempotency key, so doing it twice changes nothing)
// and marks the event done — a crash part-way leaves the event to be fanned out again, whole.
import { and, asc, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import {
  accounts,
  notificationEvents,
  revisions,
  services,
  staffNotificationPreferences,
  suggestions,
  webhooks,
} from '../../../db/schema/index.ts';
import type { ContentKind } from '../../../db/schema/index.ts';
import type { ContentByKind, PlaceContent } from '../revisions/content.ts';
import type { Statement } from '../revisions/service.ts';
import type { Database } from '../server/database.ts';
import { describeLapse, describeRevision, type NotifiableChange } from './changes.ts';

export type EventRow = typeof notificationEvents.$inferSelect;

/** The changes an event announces, in the order they were published. */
export async function loadEventChanges(db: Database, event: EventRow): Promise<NotifiableChange[]> {
  if (event.kind === 'publish' && event.fromSeq !== null && event.toSeq !== null) {
    const rows = await db.all<{ id: number; target_kind: ContentKind; target_id: number; content: string; parent_content: string | null }>(sql`
      SELECT r.id, r.target_kind, r.target_id, r.content, p.content AS parent_content
      FROM revisions r LEFT JOIN revisions p ON p.id = r.parent_id
      WHERE r.publish_seq BETWEEN ${event.fromSeq} AND ${event.toSeq}
      ORDER BY r.publish_seq`);
    const changes: NotifiableChange[] = [];
    for (const row of rows) {
      const change = describeRevision(
        {
          revisionId: row.id,
          kind: row.target_kind,
          targetId: row.target_id,
          content: JSON.parse(row.content) as ContentByKind[ContentKind],
          parent: row.parent_content ? (JSON.parse(row.parent_content) as ContentByKind[ContentKind]) : null,
        },
        event.occurredAt,
      );
      if (change) changes.push(change);
    }
    return changes;
  }
  if (event.kind === 'lapse' && event.revisionId !== null && event.placeId !== null) {
    const [row] = await db.select({ content: revisions.content }).from(revisions).where(eq(revisions.id, event.revisionId));
    return row ? [describeLapse(event.placeId, row.content as PlaceContent, event.revisionId)] : [];
  }
  return [];
}

/** The SQL condition "this subscription follows one of these changes" (alias `s`). */
function followsAny(changes: readonly NotifiableChange[], serviceIdsBySlug: Map<string, number>): SQL | null {
  const conditions: SQL[] = [];
  for (const change of changes) {
    if (change.kind === 'place') {
      conditions.push(sql`(s.target_kind = 'place' AND s.target_id = ${change.placeId})`);
      conditions.push(sql`(s.target_kind = 'service' AND s.target_id = ${change.serviceId} AND s.ward IN ('', ${change.ward}))`);
    } else {
      if (change.severity === 'severe') conditions.push(sql`(s.target_kind = 'severe_alerts')`);
      for (const slug of change.serviceSlugs) {
        const id = serviceIdsBySlug.get(slug);
        if (id !== undefined) conditions.push(sql`(s.target_kind = 'service' AND s.target_id = ${id} AND s.ward = '')`);
      }
    }
  }
  return conditions.length > 0 ? sql.join(conditions, sql` OR `) : null;
}

/** Does a subscription (as rows) follow this change? The same rule as followsAny, in memory. */
export function subscriptionFollows(
  sub: { targetKind: string; targetId: number; ward: string },
  change: NotifiableChange,
  serviceIdsBySlug: Map<string, number>,
): boolean {
  if (change.kind === 'place') {
    if (sub.targetKind === 'place') return sub.targetId === change.placeId;
    return sub.targetKind === 'service' && sub.targetId === change.serviceId && (sub.ward === '' || sub.ward === change.ward);
  }
  if (sub.targetKind === 'severe_alerts') return change.severity === 'severe';
  return sub.targetKind === 'service' && sub.ward === '' && change.serviceSlugs.some((slug) => serviceIdsBySlug.get(slug) === sub.targetId);
}

export async function loadServiceIdsBySlug(db: Database): Promise<Map<string, number>> {
  const rows = await db.select({ id: services.id, slug: services.slug }).from(services);
  return new Map(rows.map((r) => [r.slug, r.id]));
}

/** The service slugs a set of changes touches (for webhooks that want only some services). */
function serviceSlugsOf(changes: readonly NotifiableChange[], slugsById: Map<number, string>): Set<string> {
  const slugs = new Set<string>();
  for (const change of changes) {
    if (change.kind === 'place') slugs.add(slugsById.get(change.serviceId) ?? '');
    else for (const slug of change.serviceSlugs) slugs.add(slug);
  }
  return slugs;
}

function deliveryStatements(db: Database, event: EventRow, changes: readonly NotifiableChange[], serviceIdsBySlug: Map<string, number>, now: Date): Statement[] {
  const follows = followsAny(changes, serviceIdsBySlug);
  if (!follows) return [];
  const at = now.getTime();
  const matching = sql`FROM subscribers sub JOIN subscriptions s ON s.subscriber_id = sub.id
    WHERE sub.confirmed_at IS NOT NULL AND s.confirmed_at IS NOT NULL AND (${follows})`;
  return [
    db.run(sql`
      INSERT INTO deliveries (key, purpose, recipient_kind, recipient_id, event_id, next_attempt_at, created_at)
      SELECT DISTINCT 'event:' || CAST(${event.id} AS INTEGER) || ':' || sub.id, 'event', 'subscriber', sub.id, ${event.id}, ${at}, ${at}
      ${matching} AND sub.frequency = 'immediate'
      ON CONFLICT (key) DO NOTHING`),
    db.run(sql`
      INSERT INTO digest_items (subscriber_id, event_id, created_at)
      SELECT DISTINCT sub.id, ${event.id}, ${at}
      ${matching} AND sub.frequency = 'digest'
      ON CONFLICT DO NOTHING`),
  ];
}

function queueDelivery(db: Database, delivery: { key: string; purpose: 'event' | 'outcome' | 'staff'; recipientKind: 'webhook' | 'suggestion' | 'account' | 'websub'; recipientId: number; eventId: number }, now: Date): Statement {
  return db.run(sql`
    INSERT INTO deliveries (key, purpose, recipient_kind, recipient_id, event_id, next_attempt_at, created_at)
    VALUES (${delivery.key}, ${delivery.purpose}, ${delivery.recipientKind}, ${delivery.recipientId}, ${delivery.eventId}, ${now.getTime()}, ${now.getTime()})
    ON CONFLICT (key) DO NOTHING`);
}

async function webhookStatements(db: Database, event: EventRow, changes: readonly NotifiableChange[], now: Date): Promise<Statement[]> {
  if (changes.length === 0) return [];
  const hooks = await db.select({ id: webhooks.id, serviceSlugs: webhooks.serviceSlugs }).from(webhooks).where(eq(webhooks.active, true));
  if (hooks.length === 0) return [];
  const slugsById = new Map([...(await loadServiceIdsBySlug(db))].map(([slug, id]) => [id, slug]));
  const touched = serviceSlugsOf(changes, slugsById);
  return hooks
    .filter((hook) => hook.serviceSlugs.length === 0 || hook.serviceSlugs.some((slug) => touched.has(slug)))
    .map((hook) => queueDelivery(db, { key: `webhook:${event.id}:${hook.id}`, purpose: 'event', recipientKind: 'webhook', recipientId: hook.id, eventId: event.id }, now));
}

/** A wait that passed someone's limit longer ago than this is not emailed to them. */
const STALE_WAIT_MS = 3_600_000;

/** Staff emails go to editors and admins (the people who review and cover), never to disabled accounts. */
const canBeTold = and(inArray(accounts.role, ['editor', 'admin']), isNull(accounts.disabledAt));

async function staffStatements(db: Database, event: EventRow, now: Date): Promise<Statement[]> {
  if (event.kind === 'neighbour_uncovered') {
    const rows = await db
      .select({ accountId: staffNotificationPreferences.accountId })
      .from(staffNotificationPreferences)
      .innerJoin(accounts, eq(accounts.id, staffNotificationPreferences.accountId))
      .where(and(eq(staffNotificationPreferences.neighbourUncovered, true), canBeTold));
    return rows.map((row) => queueDelivery(db, { key: `staff:${event.id}:${row.accountId}`, purpose: 'staff', recipientKind: 'account', recipientId: row.accountId, eventId: event.id }, now));
  }
  // A long wait: each member of staff is told once it has waited as long as *they* asked.
  const [suggestion] = await db.select({ createdAt: suggestions.createdAt }).from(suggestions).where(eq(suggestions.id, event.suggestionId ?? -1));
  if (!suggestion) return [];
  const rows = await db
    .select({ accountId: staffNotificationPreferences.accountId, minutes: staffNotificationPreferences.suggestionWaitingMinutes })
    .from(staffNotificationPreferences)
    .innerJoin(accounts, eq(accounts.id, staffNotificationPreferences.accountId))
    .where(and(sql`${staffNotificationPreferences.suggestionWaitingMinutes} IS NOT NULL`, canBeTold));
  // The email is for the moment a suggestion passes someone's limit. One that passed it more
  // than an hour ago (a backlog found when someone first asks) is on the review queue already:
  // a burst of emails about it would only bury the new ones.
  const passesAt = (minutes: number) => suggestion.createdAt.getTime() + minutes * 60_000;
  return rows
    .filter((row) => passesAt(row.minutes!) >= now.getTime() - STALE_WAIT_MS)
    .map((row) =>
      queueDelivery(
        db,
        { key: `staff:${event.id}:${row.accountId}`, purpose: 'staff', recipientKind: 'account', recipientId: row.accountId, eventId: event.id },
        new Date(Math.max(now.getTime(), passesAt(row.minutes!))),
      ),
    );
}

/**
 * Fans out up to `limit` waiting events, oldest first; returns how many. Each event's
 * deliveries and its "done" mark are one batch. With `webSub`, each publish also queues one
 * ping of the WebSub hub (the feeds changed), retried like any other delivery.
 */
export async function fanOutEvents(db: Database, now: Date, limit = 20, options: { webSub?: boolean } = {}): Promise<number> {
  const events = await db.select().from(notificationEvents).where(isNull(notificationEvents.fannedOutAt)).orderBy(asc(notificationEvents.id)).limit(limit);
  if (events.length === 0) return 0;
  const serviceIdsBySlug = await loadServiceIdsBySlug(db);
  for (const event of events) {
    const statements: Statement[] = [];
    if (event.kind === 'publish' || event.kind === 'lapse') {
      const changes = await loadEventChanges(db, event);
      statements.push(...deliveryStatements(db, event, changes, serviceIdsBySlug, now), ...(await webhookStatements(db, event, changes, now)));
      // Every published revision is a new feed entry, even one no subscriber is told about.
      if (options.webSub && event.kind === 'publish') {
        statements.push(queueDelivery(db, { key: `websub:${event.id}`, purpose: 'event', recipientKind: 'websub', recipientId: 0, eventId: event.id }, now));
      }
    } else if (event.kind === 'suggestion_outcome' && event.suggestionId !== null) {
      statements.push(queueDelivery(db, { key: `outcome:${event.suggestionId}`, purpose: 'outcome', recipientKind: 'suggestion', recipientId: event.suggestionId, eventId: event.id }, now));
    } else if (event.kind === 'suggestion_waiting' || event.kind === 'neighbour_uncovered') {
      statements.push(...(await staffStatements(db, event, now)));
    }
    const done = db.update(notificationEvents).set({ fannedOutAt: now }).where(and(eq(notificationEvents.id, event.id), isNull(notificationEvents.fannedOutAt)));
    await db.batch([done, ...statements]);
  }
  return events.length;
}

/**
 * Records a lapse event for each place whose "until" time has passed in the last six hours
 * (older lapses — after a long outage — are no longer news). Once per place and revision.
 */
export async function recordLapses(db: Database, now: Date): Promise<void> {
  const at = now.getTime();
  const lapsed = sql`FROM places
    WHERE status_until IS NOT NULL AND status_until <= ${at} AND status_until > ${at - 6 * 3_600_000}
      AND status <> 'unknown' AND retired = 0 AND current_revision_id IS NOT NULL`;
  // Every round asks; a write happens only when there is a lapse not yet recorded.
  const news = await db.all(sql`SELECT 1 ${lapsed}
    AND NOT EXISTS (SELECT 1 FROM notification_events e WHERE e.key = 'lapse:' || places.id || ':' || places.current_revision_id) LIMIT 1`);
  if (news.length === 0) return;
  await db.run(sql`
    INSERT INTO notification_events (kind, key, place_id, revision_id, occurred_at)
    SELECT 'lapse', 'lapse:' || id || ':' || current_revision_id, id, current_revision_id, status_until ${lapsed}
    ON CONFLICT (key) DO NOTHING`);
}

/**
 * Records a "waiting" event for each suggestion that has waited longer than the shortest time
 * any member of staff asked to be told about (each suggestion once).
 */
export async function recordLongWaits(db: Database, now: Date): Promise<void> {
  const waited = sql`FROM suggestions WHERE outcome = 'waiting'
      AND created_at <= ${now.getTime()} - 60000 * (SELECT min(suggestion_waiting_minutes) FROM staff_notification_preferences)`;
  const news = await db.all(sql`SELECT 1 ${waited}
    AND NOT EXISTS (SELECT 1 FROM notification_events e WHERE e.key = 'waiting:' || suggestions.id) LIMIT 1`);
  if (news.length === 0) return;
  await db.run(sql`
    INSERT INTO notification_events (kind, key, suggestion_id, occurred_at)
    SELECT 'suggestion_waiting', 'waiting:' || id, id, ${now.getTime()} ${waited}
    ON CONFLICT (key) DO NOTHING`);
}

