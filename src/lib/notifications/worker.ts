// The delivery worker: in every server process (unless NOTIFY_WORKER=off) and as
// `npm run notify:work`. Each round it records lapses and long waits, fans out new outbox
// events, queues the morning summaries that are due, then sends what is due, one message at a
// time: lease it, send it, mark it sent. Several workers share the queue through the leases.
//
// Nothing lost: a delivery stays queued until it is marked sent (or has failed for good).
// Nothing twice, within a bound: a worker killed after the receiving server accepted a message
// but before the mark was written sends that one message again when its lease runs out — at
// most ONE repeat per killed worker, because a worker only ever has one message in flight.
import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { deliveries, digestItems, subscribers } from '../../../db/schema/index.ts';
import { logEvent } from '../logging/log.ts';
import { getCouncil, getHashSecret } from '../settings/repository.ts';
import type { Database } from '../server/database.ts';
import { londonDateKey, toLondonLocalInput } from '../time/london.ts';
import { deliver, type DeliveryContext, type DeliveryRow, type Senders } from './deliver.ts';
import { fanOutEvents, loadServiceIdsBySlug, recordLapses, recordLongWaits } from './fan-out.ts';
import { SendError } from './transports.ts';

export interface WorkerSettings {
  siteUrl: string;
  /** Most messages per second this worker sends (NOTIFY_MAX_PER_SECOND). */
  maxPerSecond: number;
  /** Most messages to one address in any hour (NOTIFY_PER_ADDRESS_PER_HOUR); more wait. */
  perAddressPerHour: number;
  /** How long a leased message is this worker's alone (NOTIFY_LEASE_SECONDS × 1000). */
  leaseMs: number;
  /** Pause between rounds when there is nothing to do (NOTIFY_POLL_MS). */
  pollMs: number;
  /** The first retry's wait, doubled each time after (NOTIFY_RETRY_BASE_MS; default 30 s). */
  retryBaseMs?: number;
  /** Ping this WebSub hub after each publish (WEBSUB_HUB_URL); null or absent: no pings. */
  webSubHubUrl?: string | null;
}

export interface RoundReport {
  fannedOut: number;
  digests: number;
  sent: number;
  skipped: number;
  retried: number;
  failed: number;
}

const MAX_ATTEMPTS = 10;
const BATCH = 25;

/** Wait before the next attempt: 30 s, 1 min, 2 min … at most an hour, with a little jitter. */
export function retryDelayMs(attempts: number, baseMs = 30_000): number {
  const base = Math.min(baseMs * 2 ** Math.max(0, attempts - 1), 3_600_000);
  return Math.round(base * (0.9 + Math.random() * 0.2));
}

/** London "HH:MM" of an instant. */
function londonClock(date: Date): string {
  return toLondonLocalInput(date).slice(11, 16);
}

/**
 * Queues one morning summary for each summary subscriber whose time has come today, covering
 * what waited for it; the summary, the emptied waiting list and the day mark are one batch.
 */
export async function queueDueDigests(db: Database, now: Date): Promise<number> {
  const day = londonDateKey(now);
  const due = await db
    .select({ id: subscribers.id })
    .from(subscribers)
    .where(sql`${subscribers.frequency} = 'digest' AND ${subscribers.confirmedAt} IS NOT NULL AND ${subscribers.digestTime} <= ${londonClock(now)}
      AND (${subscribers.lastDigestDay} IS NULL OR ${subscribers.lastDigestDay} < ${day})`);
  let queued = 0;
  for (const { id } of due) {
    const items = await db.select({ eventId: digestItems.eventId }).from(digestItems).where(eq(digestItems.subscriberId, id));
    const markDay = db.update(subscribers).set({ lastDigestDay: day }).where(eq(subscribers.id, id));
    if (items.length === 0) {
      await db.batch([markDay]);
      continue;
    }
    const eventIds = items.map((i) => i.eventId).sort((a, b) => a - b);
    await db.batch([
      db.insert(deliveries).values({ key: `digest:${id}:${day}`, purpose: 'digest', recipientKind: 'subscriber', recipientId: id, eventIds, nextAttemptAt: now, createdAt: now }).onConflictDoNothing(),
      db.delete(digestItems).where(and(eq(digestItems.subscriberId, id), sql`${digestItems.eventId} <= ${eventIds.at(-1)!}`)),
      markDay,
    ]);
    queued++;
  }
  return queued;
}

export interface WorkerOptions {
  senders: Senders;
  /** The clock (tests move it); defaults to the real one. */
  now?: () => Date;
  /** Names this worker in leases and logs. */
  owner?: string;
}

export function createDeliveryWorker(db: Database, settings: WorkerSettings, options: WorkerOptions) {
  const now = options.now ?? (() => new Date());
  const owner = options.owner ?? `${process.pid}-${randomUUID().slice(0, 8)}`;
  const minGapMs = settings.maxPerSecond > 0 ? 1000 / settings.maxPerSecond : 0;
  let lastSendAt = 0;
  let stopping = false;
  let running: Promise<unknown> | null = null;
  let timer: NodeJS.Timeout | null = null;

  async function context(): Promise<DeliveryContext> {
    const [council, secret, serviceIdsBySlug] = await Promise.all([getCouncil(db), getHashSecret(db), loadServiceIdsBySlug(db)]);
    return {
      db,
      site: { siteUrl: settings.siteUrl, councilName: council.name },
      secret,
      senders: options.senders,
      serviceIdsBySlug,
      serviceSlugsById: new Map([...serviceIdsBySlug].map(([slug, id]) => [id, slug])),
      eventCache: new Map(),
      targetNames: new Map(),
    };
  }

  async function claim(at: Date): Promise<DeliveryRow[]> {
    // A read first: an idle round (most of them) takes no write lock at all — a server's worker
    // must cost the residents it serves nothing while there is nothing to send.
    const due = await db.all(sql`SELECT 1 FROM deliveries WHERE state = 'queued' AND next_attempt_at <= ${at.getTime()}
      AND (lease_until IS NULL OR lease_until < ${at.getTime()}) LIMIT 1`);
    if (due.length === 0) return [];
    const rows = await db.all<Record<string, unknown>>(sql`
      UPDATE deliveries SET lease_owner = ${owner}, lease_until = ${at.getTime() + settings.leaseMs}
      WHERE id IN (SELECT id FROM deliveries WHERE state = 'queued' AND next_attempt_at <= ${at.getTime()}
                   AND (lease_until IS NULL OR lease_until < ${at.getTime()}) ORDER BY next_attempt_at, id LIMIT ${BATCH})
      RETURNING id`);
    if (rows.length === 0) return [];
    const ids = rows.map((r) => Number(r.id));
    const claimed = await db.select().from(deliveries).where(sql`${deliveries.id} IN (${sql.join(ids.map((id) => sql`${id}`), sql`, `)}) AND ${deliveries.leaseOwner} = ${owner}`);
    return claimed.sort((a, b) => a.id - b.id);
  }

  const release = (ids: number[]) =>
    ids.length === 0 ? Promise.resolve() : db.run(sql`UPDATE deliveries SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = ${owner} AND id IN (${sql.join(ids.map((id) => sql`${id}`), sql`, `)})`).then(() => undefined);

  /** Over the per-address limit? Then the time it may go. Subscribers only (the others are one-off). */
  async function heldUntil(delivery: DeliveryRow, at: Date): Promise<Date | null> {
    if (delivery.recipientKind !== 'subscriber') return null;
    const hourAgo = at.getTime() - 3_600_000;
    const [row] = await db.all<{ n: number; oldest: number | null }>(sql`
      SELECT count(*) AS n, min(sent_at) AS oldest FROM deliveries
      WHERE recipient_kind = 'subscriber' AND recipient_id = ${delivery.recipientId} AND state = 'sent' AND sent_at > ${hourAgo}`);
    if (!row || row.n < settings.perAddressPerHour) return null;
    return new Date((row.oldest ?? at.getTime()) + 3_600_000 + 1000);
  }

  async function pace(): Promise<void> {
    const wait = lastSendAt + minGapMs - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    lastSendAt = performance.now();
  }

  async function logWebhookAttempt(delivery: DeliveryRow, startedAt: number, httpStatus: number | null, error: string | null) {
    if (delivery.recipientKind !== 'webhook') return;
    // Only while the hook exists: an admin may remove it (and its log) during the send.
    await db.run(sql`
      INSERT INTO webhook_attempts (webhook_id, delivery_id, attempt, http_status, error, duration_ms, attempted_at)
      SELECT id, ${delivery.id}, ${delivery.attempts + 1}, ${httpStatus}, ${error}, ${Math.round(performance.now() - startedAt)}, ${now().getTime()}
      FROM webhooks WHERE id = ${delivery.recipientId}`);
  }

  async function sendOne(ctx: DeliveryContext, delivery: DeliveryRow, report: RoundReport): Promise<void> {
    const at = now();
    const held = await heldUntil(delivery, at);
    if (held) {
      await db.update(deliveries).set({ nextAttemptAt: held, leaseOwner: null, leaseUntil: null, lastError: 'held back: too many messages to this address this hour' }).where(eq(deliveries.id, delivery.id));
      report.retried++;
      return;
    }
    await pace();
    const startedAt = performance.now();
    try {
      const outcome = await deliver(ctx, delivery);
      const mark = db
        .update(deliveries)
        .set({ state: outcome.sent ? 'sent' : 'skipped', sentAt: now(), attempts: delivery.attempts + 1, lastResponse: outcome.sent ? outcome.response : outcome.why, lastError: null, leaseOwner: null, leaseUntil: null })
        .where(and(eq(deliveries.id, delivery.id), eq(deliveries.leaseOwner, owner)));
      await db.batch([mark, ...(outcome.after ?? [])]);
      if (outcome.sent) {
        report.sent++;
        await logWebhookAttempt(delivery, startedAt, Number(/^HTTP (\d{3})/.exec(outcome.response)?.[1] ?? 0) || null, null);
      } else report.skipped++;
    } catch (error) {
      const sendError = error instanceof SendError ? error : new SendError(String((error as Error)?.message ?? error), false);
      if (!(error instanceof SendError)) logEvent('error', 'delivery failed unexpectedly', { key: delivery.key, error });
      const attempts = delivery.attempts + 1;
      const givesUp = sendError.permanent || attempts >= MAX_ATTEMPTS;
      await db.batch([
        db
          .update(deliveries)
          .set({
            state: givesUp ? 'failed' : 'queued',
            attempts,
            lastError: sendError.message.slice(0, 500),
            nextAttemptAt: new Date(now().getTime() + retryDelayMs(attempts, settings.retryBaseMs)),
            leaseOwner: null,
            leaseUntil: null,
          })
          .where(and(eq(deliveries.id, delivery.id), eq(deliveries.leaseOwner, owner))),
        // A push subscription the browser has ended: forget it and what it followed.
        ...(sendError.gone && delivery.recipientKind === 'subscriber' ? [db.delete(subscribers).where(eq(subscribers.id, delivery.recipientId))] : []),
      ]);
      await logWebhookAttempt(delivery, startedAt, sendError.httpStatus, sendError.message.slice(0, 300));
      if (givesUp) report.failed++;
      else report.retried++;
      logEvent('warn', 'delivery not sent', { key: delivery.key, attempts, givesUp, error: sendError.message });
    }
  }

  /** One round: returns what it did. Used by the loop, by tests, and by the benchmark. */
  async function runRound(): Promise<RoundReport> {
    const report: RoundReport = { fannedOut: 0, digests: 0, sent: 0, skipped: 0, retried: 0, failed: 0 };
    const at = now();
    await recordLapses(db, at);
    await recordLongWaits(db, at);
    const fanOut = { webSub: Boolean(settings.webSubHubUrl) };
    for (let n = await fanOutEvents(db, at, 20, fanOut); n > 0; n = await fanOutEvents(db, now(), 20, fanOut)) report.fannedOut += n;
    report.digests = await queueDueDigests(db, now());
    let ctx: DeliveryContext | null = null;
    for (;;) {
      if (stopping) break;
      const batch = await claim(now());
      if (batch.length === 0) break;
      ctx ??= await context();
      const leaseEnds = performance.now() + settings.leaseMs / 2;
      for (let i = 0; i < batch.length; i++) {
        // Never send on a lease that may run out mid-send: hand the rest back to the queue.
        if (stopping || performance.now() > leaseEnds) {
          await release(batch.slice(i).map((d) => d.id));
          break;
        }
        await sendOne(ctx, batch[i]!, report);
      }
    }
    return report;
  }

  function loop() {
    if (stopping) return;
    running = runRound()
      .then((report) => {
        if (report.sent + report.failed + report.fannedOut + report.digests > 0) logEvent('info', 'job', { job: 'notifications', ...report });
      })
      .catch((error) => logEvent('error', 'job', { job: 'notifications', ok: false, error }))
      .finally(() => {
        running = null;
        if (!stopping) timer = setTimeout(loop, settings.pollMs).unref();
      });
  }

  return {
    owner,
    runRound,
    start() {
      stopping = false;
      if (!running && !timer) loop();
    },
    /** Finishes the message in flight, then stops. */
    async stop() {
      stopping = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await running;
      options.senders.email.close();
    },
  };
}

export type DeliveryWorker = ReturnType<typeof createDeliveryWorker>;
