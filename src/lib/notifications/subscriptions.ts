// Subscriptions without an account: asking for updates (double opt-in), confirming, changing
// and stopping them. An address is kept only while it has updates; stopping deletes it.
import { and, eq, isNull, sql } from 'drizzle-orm';
import { deliveries, subscribers, subscriptions, SUBSCRIPTION_TARGETS } from '../../../db/schema/index.ts';
import type { Database } from '../server/database.ts';
import { getHashSecret } from '../settings/repository.ts';
import { hashSubscriberToken, newTokenSalt, subscriberToken } from './tokens.ts';

export type SubscriptionTargetKind = (typeof SUBSCRIPTION_TARGETS)[number];

export interface SubscriptionTarget {
  kind: SubscriptionTargetKind;
  /** The place or service id; 0 for severe alerts. */
  id: number;
  /** One ward of a service, or ''. */
  ward: string;
}

export type Frequency = 'immediate' | 'digest';

export interface SubscribeRequest {
  email: string;
  target: SubscriptionTarget;
  frequency: Frequency;
  /** London "HH:MM", for a morning summary. */
  digestTime: string;
}

export type SubscriberRow = typeof subscribers.$inferSelect;

/**
 * Records a request for updates and queues the confirmation email, in one batch. A new address
 * is created unconfirmed; an address we know gets the new thing to follow, unconfirmed until
 * the link in the email is used. The caller answers the same either way, so nobody can learn
 * whether an address is signed up.
 */
export async function requestSubscription(db: Database, request: SubscribeRequest, now: Date): Promise<void> {
  const email = request.email.trim().toLowerCase();
  const secret = await getHashSecret(db);
  const salt = newTokenSalt();
  const thisSubscriber = sql`(SELECT id FROM subscribers WHERE email = ${email})`;
  await db.batch([
    db
      .insert(subscribers)
      .values({
        channel: 'email',
        email,
        tokenHash: hashSubscriberToken(subscriberToken(secret, salt)),
        tokenSalt: salt,
        frequency: request.frequency,
        digestTime: request.digestTime,
        createdAt: now,
      })
      .onConflictDoNothing(),
    db.run(sql`
      INSERT INTO subscriptions (subscriber_id, target_kind, target_id, ward, created_at)
      VALUES (${thisSubscriber}, ${request.target.kind}, ${request.target.id}, ${request.target.ward}, ${now.getTime()})
      ON CONFLICT DO NOTHING`),
    // Only when something is waiting to be confirmed (asking again for a confirmed follow sends nothing).
    db.run(sql`
      INSERT INTO deliveries (key, purpose, recipient_kind, recipient_id, next_attempt_at, created_at)
      SELECT 'confirm:' || s.id || ':' || CAST(${now.getTime()} AS INTEGER), 'confirm', 'subscriber', s.id, ${now.getTime()}, ${now.getTime()}
      FROM subscribers s WHERE s.email = ${email}
        AND EXISTS (SELECT 1 FROM subscriptions f WHERE f.subscriber_id = s.id AND f.confirmed_at IS NULL)
      ON CONFLICT (key) DO NOTHING`),
  ]);
}

export async function findSubscriberByToken(db: Database, token: string): Promise<SubscriberRow | undefined> {
  if (!/^[A-Za-z0-9_-]{32}$/.test(token)) return undefined;
  const [row] = await db.select().from(subscribers).where(eq(subscribers.tokenHash, hashSubscriberToken(token)));
  return row;
}

/** Confirms the address and everything it asked to follow. Returns how many follows that started. */
export async function confirmSubscriber(db: Database, subscriber: SubscriberRow, now: Date): Promise<number> {
  const [, confirmed] = await db.batch([
    db.update(subscribers).set({ confirmedAt: now }).where(and(eq(subscribers.id, subscriber.id), isNull(subscribers.confirmedAt))),
    db
      .update(subscriptions)
      .set({ confirmedAt: now })
      .where(and(eq(subscriptions.subscriberId, subscriber.id), isNull(subscriptions.confirmedAt)))
      .returning({ id: subscriptions.id }),
  ]);
  return confirmed.length;
}

/** Stops every update to this address and deletes it (its follows and waiting summary go with it). */
export async function deleteSubscriber(db: Database, subscriberId: number): Promise<void> {
  await db.batch([
    // Messages still waiting are dropped too: nothing more goes to an address that said stop.
    db.delete(deliveries).where(and(eq(deliveries.recipientKind, 'subscriber'), eq(deliveries.recipientId, subscriberId), eq(deliveries.state, 'queued'))),
    db.delete(subscribers).where(eq(subscribers.id, subscriberId)),
  ]);
}

export async function removeSubscription(db: Database, subscriberId: number, subscriptionId: number): Promise<boolean> {
  const removed = await db
    .delete(subscriptions)
    .where(and(eq(subscriptions.id, subscriptionId), eq(subscriptions.subscriberId, subscriberId)))
    .returning({ id: subscriptions.id });
  return removed.length > 0;
}

export async function setFrequency(db: Database, subscriberId: number, frequency: Frequency, digestTime: string): Promise<void> {
  await db.update(subscribers).set({ frequency, digestTime }).where(eq(subscribers.id, subscriberId));
}

export async function listSubscriptions(db: Database, subscriberId: number) {
  return db.select().from(subscriptions).where(eq(subscriptions.subscriberId, subscriberId)).orderBy(subscriptions.id);
}

/** How many confirmed addresses and browsers follow something, for staff (never who). */
export async function countSubscribers(db: Database): Promise<{ email: number; push: number }> {
  const rows = await db.all<{ channel: string; n: number }>(sql`SELECT channel, count(*) AS n FROM subscribers WHERE confirmed_at IS NOT NULL GROUP BY channel`);
  return { email: rows.find((r) => r.channel === 'email')?.n ?? 0, push: rows.find((r) => r.channel === 'push')?.n ?? 0 };
}

export interface DeliveryHealth {
  /** Confirmed email addresses and browsers with updates (counts only: staff never see who). */
  subscribers: { email: number; push: number };
  /** Messages due or waiting to be tried again. */
  waiting: number;
  /** When the oldest of them was queued (a stuck queue shows here). */
  oldestWaitingSince: Date | null;
  sentLastHour: number;
  failedLastDay: number;
}

/** How the updates to residents are going, for the staff dashboard. */
export async function loadDeliveryHealth(db: Database, now: Date): Promise<DeliveryHealth> {
  const [row] = await db.all<{ waiting: number; oldest: number | null; sent: number; failed: number }>(sql`
    SELECT
      (SELECT count(*) FROM deliveries WHERE state = 'queued') AS waiting,
      (SELECT min(created_at) FROM deliveries WHERE state = 'queued') AS oldest,
      (SELECT count(*) FROM deliveries WHERE state = 'sent' AND sent_at > ${now.getTime() - 3_600_000}) AS sent,
      (SELECT count(*) FROM deliveries WHERE state = 'failed' AND next_attempt_at > ${now.getTime() - 86_400_000}) AS failed`);
  return {
    subscribers: await countSubscribers(db),
    waiting: row?.waiting ?? 0,
    oldestWaitingSince: row?.oldest ? new Date(row.oldest) : null,
    sentLastHour: row?.sent ?? 0,
    failedLastDay: row?.failed ?? 0,
  };
}

