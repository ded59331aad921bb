// Rate limits counted in the database (so every server process sees the same counts). Client
// addresses are stored only as a keyed hash; old events are pruned as new ones arrive.
import { createHmac } from 'node:crypto';
import { and, count, eq, gt, lt } from 'drizzle-orm';
import { rateLimitEvents } from '../../../db/schema/index.ts';
import type { Database } from '../server/database.ts';

export interface RateLimit {
  bucket: string;
  max: number;
  windowMs: number;
}

/** Sign-in failures for one account, and sign-in attempts from one address. */
export const SIGN_IN_PER_ACCOUNT: RateLimit = { bucket: 'sign-in:account', max: 5, windowMs: 15 * 60_000 };
export const SIGN_IN_PER_ADDRESS: RateLimit = { bucket: 'sign-in:address', max: 20, windowMs: 15 * 60_000 };

/** A keyed hash of a client address: stable enough to count, useless to identify anyone. */
export function hashClientAddress(address: string, secret: string): string {
  return createHmac('sha256', secret).update(address).digest('base64url').slice(0, 32);
}

/** How many events this key has in the window. */
export async function countEvents(db: Database, limit: RateLimit, key: string, now = new Date()): Promise<number> {
  const since = new Date(now.getTime() - limit.windowMs);
  const [row] = await db
    .select({ n: count() })
    .from(rateLimitEvents)
    .where(and(eq(rateLimitEvents.bucket, limit.bucket), eq(rateLimitEvents.key, key), gt(rateLimitEvents.createdAt, since)));
  return row?.n ?? 0;
}

/** Records an event and prunes this bucket's events older than its window. */
export async function recordEvent(db: Database, limit: RateLimit, key: string, now = new Date()): Promise<void> {
  await db.batch([
    db.insert(rateLimitEvents).values({ bucket: limit.bucket, key, createdAt: now }),
    db.delete(rateLimitEvents).where(and(eq(rateLimitEvents.bucket, limit.bucket), lt(rateLimitEvents.createdAt, new Date(now.getTime() - limit.windowMs)))),
  ]);
}

export async function isLimited(db: Database, limit: RateLimit, key: string, now = new Date()): Promise<boolean> {
  return (await countEvents(db, limit, key, now)) >= limit.max;
}

export async function clearEvents(db: Database, limit: RateLimit, key: string): Promise<void> {
  await db.delete(rateLimitEvents).where(and(eq(rateLimitEvents.bucket, limit.bucket), eq(rateLimitEvents.key, key)));
}
