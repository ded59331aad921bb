// Rate limits counted in the database (so every server process sees the same counts). Client
// addresses are stored only as a keyed hash; old events are pruned as new ones arrive.
//
// Two ways to count: recordEvent after the fact (cheap checks, e.g. suggestions), and
// reserveAttempt *before* the expensive or guessable step (a password hash, a code): the
// attempt is inserted only if every limit still has room, in one atomic write, so N
// simultaneous requests get at most `max` reservations between them.
import { createHmac } from 'node:crypto';
import { and, count, eq, gt, inArray, lt, min } from 'drizzle-orm';
import { rateLimitEvents } from '../../../db/schema/index.ts';
import type { Client } from '@libsql/client';
import type { Database } from '../server/database.ts';

export interface RateLimit {
  bucket: string;
  max: number;
  windowMs: number;
}

const FIFTEEN_MINUTES = 15 * 60_000;

/**
 * Wrong second-factor codes and wrong current passwords of a *signed-in* account (key
 * `account:{id}`): only someone who already has the password can spend these.
 */
export const SIGN_IN_PER_ACCOUNT: RateLimit = { bucket: 'sign-in:account', max: 5, windowMs: FIFTEEN_MINUTES };
/** Sign-in attempts from one address, whatever the account (credential stuffing). */
export const SIGN_IN_PER_ADDRESS: RateLimit = { bucket: 'sign-in:address', max: 20, windowMs: FIFTEEN_MINUTES };
/** Failed password checks for one account from one address (an unknown device). */
export const SIGN_IN_PER_ACCOUNT_AND_ADDRESS: RateLimit = { bucket: 'sign-in:account-address', max: 5, windowMs: FIFTEEN_MINUTES };
/** Failed password checks for one account from one of its known devices. */
export const SIGN_IN_PER_KNOWN_DEVICE: RateLimit = { bucket: 'sign-in:known-device', max: 5, windowMs: FIFTEEN_MINUTES };
/**
 * Failed password checks for one account from unknown devices, all addresses together. Not a
 * cap (that would be a lock-out anyone could trigger): past `max`, unknown devices are slowed.
 */
export const SIGN_IN_ACCOUNT_WIDE: RateLimit = { bucket: 'sign-in:account-wide', max: 50, windowMs: FIFTEEN_MINUTES };

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

export interface Claim {
  limit: RateLimit;
  key: string;
  /** Refuse the reservation when this key already has `limit.max` events (else only count it). */
  enforce: boolean;
}

export type Reservation =
  /** `ids`: each claim's inserted event; `counts`: each claim's events in its window, this one included. */
  | { reserved: true; ids: number[]; counts: number[] }
  /** `full`: the first enforced claim that had no room; `retryAfterMs`: until it has room again. */
  | { reserved: false; full: Claim; retryAfterMs: number };

/**
 * Reserves one attempt under every claim at once: a single conditional INSERT … SELECT … WHERE
 * (each enforced count) < max, followed by the counts and the pruning, in one `BEGIN IMMEDIATE`
 * batch. Either every claim's event is inserted or none is, and concurrent callers (in this
 * process or another sharing the database) are serialised by the write lock.
 */
export async function reserveAttempt(db: Database, claims: Claim[], now = new Date()): Promise<Reservation> {
  const at = now.getTime();
  const since = (claim: Claim) => at - claim.limit.windowMs;
  const rows = claims.map(() => '(?, ?)').join(', ');
  const conditions = claims.filter((c) => c.enforce);
  const where = conditions.length
    ? conditions.map(() => '(SELECT count(*) FROM rate_limit_events WHERE bucket = ? AND key = ? AND created_at > ?) < ?').join(' AND ')
    : '1';
  const insert = {
    sql: `INSERT INTO rate_limit_events (bucket, key, created_at) SELECT column1, column2, ? FROM (VALUES ${rows}) WHERE ${where} RETURNING id, bucket, key`,
    args: [at, ...claims.flatMap((c) => [c.limit.bucket, c.key]), ...conditions.flatMap((c) => [c.limit.bucket, c.key, since(c), c.limit.max])],
  };
  const counts = claims.map((c) => ({
    sql: 'SELECT count(*) AS n FROM rate_limit_events WHERE bucket = ? AND key = ? AND created_at > ?',
    args: [c.limit.bucket, c.key, since(c)],
  }));
  const buckets = [...new Map(claims.map((c) => [c.limit.bucket, c.limit])).values()];
  const prunes = buckets.map((limit) => ({ sql: 'DELETE FROM rate_limit_events WHERE bucket = ? AND created_at < ?', args: [limit.bucket, at - limit.windowMs] }));
  // drizzle's own batch begins DEFERRED; 'write' is BEGIN IMMEDIATE, so the counts are read
  // under the write lock. (drizzle() hands back its client as $client; the type leaves it out.)
  const client = (db as Database & { $client: Client }).$client;
  const [inserted, ...rest] = await client.batch([insert, ...counts, ...prunes], 'write');
  const found = rest.slice(0, claims.length).map((result) => Number(result.rows[0]?.n ?? 0));
  if (inserted!.rows.length > 0) {
    const ids = claims.map((c) => Number(inserted!.rows.find((row) => row.bucket === c.limit.bucket && row.key === c.key)?.id));
    return { reserved: true, ids, counts: found };
  }
  const full = conditions.find((c) => found[claims.indexOf(c)]! >= c.limit.max) ?? conditions[0]!;
  return { reserved: false, full, retryAfterMs: await msUntilRoom(db, full.limit, full.key, now) };
}

/** How long until the oldest counted event of a full key leaves its window. */
async function msUntilRoom(db: Database, limit: RateLimit, key: string, now: Date): Promise<number> {
  const since = new Date(now.getTime() - limit.windowMs);
  const [row] = await db
    .select({ oldest: min(rateLimitEvents.createdAt) })
    .from(rateLimitEvents)
    .where(and(eq(rateLimitEvents.bucket, limit.bucket), eq(rateLimitEvents.key, key), gt(rateLimitEvents.createdAt, since)));
  const oldest = row?.oldest ? new Date(row.oldest).getTime() : now.getTime();
  return Math.max(1000, oldest + limit.windowMs - now.getTime());
}

/** Takes back reserved events (an attempt that succeeded, or failed through no fault of the person). */
export async function releaseEvents(db: Database, ids: number[]): Promise<void> {
  if (ids.length > 0) await db.delete(rateLimitEvents).where(inArray(rateLimitEvents.id, ids));
}
