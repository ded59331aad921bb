// The queries behind partners' webhooks: the hooks, their delivery log (webhook_attempts, one
// row per try, written by the delivery worker) and the deliveries still waiting to go.
import { and, desc, eq, sql } from 'drizzle-orm';
import { deliveries, webhookAttempts, webhooks, type DELIVERY_STATES } from '../../../db/schema/index.ts';
import type { Statement } from '../revisions/service.ts';
import type { Database } from '../server/database.ts';

export type WebhookRow = typeof webhooks.$inferSelect;

export interface AttemptRow {
  id: number;
  deliveryId: number;
  attempt: number;
  httpStatus: number | null;
  error: string | null;
  durationMs: number;
  attemptedAt: Date;
  /** The delivery's idempotency key ("webhook:{event}:{hook}", also sent as X-Delivery). */
  deliveryKey: string;
  deliveryState: (typeof DELIVERY_STATES)[number];
  deliveryAttempts: number;
}

export interface WaitingDeliveryRow {
  id: number;
  key: string;
  attempts: number;
  nextAttemptAt: Date;
  lastError: string | null;
  createdAt: Date;
}

export interface WebhookListing extends WebhookRow {
  lastAttempt: { httpStatus: number | null; error: string | null; attemptedAt: Date } | null;
  waiting: number;
}

export async function findWebhook(db: Database, id: number): Promise<WebhookRow | undefined> {
  const [row] = await db.select().from(webhooks).where(eq(webhooks.id, id));
  return row;
}

/** Every hook, in the order they were added, with its last attempt and how many wait to go. */
export async function listWebhooks(db: Database): Promise<WebhookListing[]> {
  const rows = await db.select().from(webhooks).orderBy(webhooks.id);
  if (rows.length === 0) return [];
  const last = await db.all<{ webhook_id: number; http_status: number | null; error: string | null; attempted_at: number }>(sql`
    SELECT a.webhook_id, a.http_status, a.error, a.attempted_at FROM webhook_attempts a
    WHERE a.id = (SELECT b.id FROM webhook_attempts b WHERE b.webhook_id = a.webhook_id ORDER BY b.attempted_at DESC, b.id DESC LIMIT 1)`);
  const waiting = await db.all<{ recipient_id: number; n: number }>(sql`
    SELECT recipient_id, count(*) AS n FROM deliveries WHERE recipient_kind = 'webhook' AND state = 'queued' GROUP BY recipient_id`);
  const lastBy = new Map(last.map((r) => [Number(r.webhook_id), r]));
  const waitingBy = new Map(waiting.map((r) => [Number(r.recipient_id), Number(r.n)]));
  return rows.map((row) => {
    const attempt = lastBy.get(row.id);
    return {
      ...row,
      lastAttempt: attempt ? { httpStatus: attempt.http_status === null ? null : Number(attempt.http_status), error: attempt.error, attemptedAt: new Date(Number(attempt.attempted_at)) } : null,
      waiting: waitingBy.get(row.id) ?? 0,
    };
  });
}

export async function insertWebhook(db: Database, values: { name: string; url: string; secret: string; serviceSlugs: string[]; createdByAccountId: number; now: Date }): Promise<number> {
  const [row] = await db
    .insert(webhooks)
    .values({ name: values.name, url: values.url, secret: values.secret, serviceSlugs: values.serviceSlugs, active: true, createdByAccountId: values.createdByAccountId, createdAt: values.now })
    .returning({ id: webhooks.id });
  return row!.id;
}

export function setWebhookActiveStatement(db: Database, id: number, active: boolean): Statement {
  return db.update(webhooks).set({ active }).where(eq(webhooks.id, id));
}

export function replaceWebhookSecretStatement(db: Database, id: number, secret: string): Statement {
  return db.update(webhooks).set({ secret }).where(eq(webhooks.id, id));
}

/**
 * Removing a hook: what still waits for it is marked failed (so nothing is sent to an address
 * the council took away), then the hook goes, and its log with it (ON DELETE CASCADE).
 */
export function removeWebhookStatements(db: Database, id: number, now: Date): Statement[] {
  return [
    db
      .update(deliveries)
      .set({ state: 'failed', lastError: 'the webhook was removed', leaseOwner: null, leaseUntil: null, nextAttemptAt: now })
      .where(and(eq(deliveries.recipientKind, 'webhook'), eq(deliveries.recipientId, id), eq(deliveries.state, 'queued'))),
    db.delete(webhooks).where(eq(webhooks.id, id)),
  ];
}

/** The newest attempts to deliver to a hook, newest first. */
export function listWebhookAttempts(db: Database, id: number, limit: number): Promise<AttemptRow[]> {
  return db
    .select({
      id: webhookAttempts.id,
      deliveryId: webhookAttempts.deliveryId,
      attempt: webhookAttempts.attempt,
      httpStatus: webhookAttempts.httpStatus,
      error: webhookAttempts.error,
      durationMs: webhookAttempts.durationMs,
      attemptedAt: webhookAttempts.attemptedAt,
      deliveryKey: deliveries.key,
      deliveryState: deliveries.state,
      deliveryAttempts: deliveries.attempts,
    })
    .from(webhookAttempts)
    .innerJoin(deliveries, eq(deliveries.id, webhookAttempts.deliveryId))
    .where(eq(webhookAttempts.webhookId, id))
    .orderBy(desc(webhookAttempts.attemptedAt), desc(webhookAttempts.id))
    .limit(limit);
}

/** The deliveries to a hook still waiting to go (first try, or a retry), soonest first. */
export function listWaitingDeliveries(db: Database, id: number): Promise<WaitingDeliveryRow[]> {
  return db
    .select({ id: deliveries.id, key: deliveries.key, attempts: deliveries.attempts, nextAttemptAt: deliveries.nextAttemptAt, lastError: deliveries.lastError, createdAt: deliveries.createdAt })
    .from(deliveries)
    .where(and(eq(deliveries.recipientKind, 'webhook'), eq(deliveries.recipientId, id), eq(deliveries.state, 'queued')))
    .orderBy(deliveries.nextAttemptAt, deliveries.id)
    .limit(200);
}
