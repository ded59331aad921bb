// Staff sessions, Lucia's design (lucia-auth.com, "Sessions"): the browser holds a random token;
// the database holds only its SHA-256 as the session id, so a leaked table cannot sign anyone in.
// Sessions end after an idle period and at an absolute limit, and with the account.
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';
import { eq } from 'drizzle-orm';
import { accounts, sessions, type Role } from '../../../db/schema/index.ts';
import type { Database } from '../server/database.ts';

/** A session ends after this long without use… */
export const SESSION_IDLE_MS = 2 * 60 * 60 * 1000;
/** …and this long after sign-in, whatever happens (a long snow-morning shift). */
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60 * 1000;
/** Last use is written at most this often (a write per request would be wasteful). */
const TOUCH_EVERY_MS = 60 * 1000;

export interface SessionRecord {
  id: string;
  accountId: number;
  twoFactorVerified: boolean;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
}

export interface SessionAccount {
  id: number;
  email: string;
  name: string;
  role: Role;
  hasTwoFactor: boolean;
}

/** 20 random bytes (160 bits) as lower-case base32. */
export function generateSessionToken(): string {
  const bytes = new Uint8Array(20);
  crypto.getRandomValues(bytes);
  return encodeBase32LowerCaseNoPadding(bytes);
}

export function sessionIdFromToken(token: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
}

/** When a session last used at `lastSeenAt` and created at `createdAt` stops working. */
export function sessionExpiry(createdAt: Date, lastSeenAt: Date): Date {
  return new Date(Math.min(lastSeenAt.getTime() + SESSION_IDLE_MS, createdAt.getTime() + SESSION_ABSOLUTE_MS));
}

export async function createSession(db: Database, token: string, accountId: number, twoFactorVerified: boolean, now = new Date()): Promise<SessionRecord> {
  const session: SessionRecord = {
    id: sessionIdFromToken(token),
    accountId,
    twoFactorVerified,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: sessionExpiry(now, now),
  };
  await db.insert(sessions).values(session);
  return session;
}

/**
 * The session and account for a token, or null when there is none, it has expired (idle or
 * absolute) or the account is disabled. Extends the idle window as it is used.
 */
export async function validateSessionToken(
  db: Database,
  token: string,
  now = new Date(),
): Promise<{ session: SessionRecord; account: SessionAccount } | null> {
  if (!/^[a-z2-7]{32}$/.test(token)) return null;
  const id = sessionIdFromToken(token);
  const [row] = await db
    .select({ session: sessions, account: { id: accounts.id, email: accounts.email, name: accounts.name, role: accounts.role, totpKey: accounts.totpKey, disabledAt: accounts.disabledAt } })
    .from(sessions)
    .innerJoin(accounts, eq(sessions.accountId, accounts.id))
    .where(eq(sessions.id, id));
  if (!row) return null;
  const { session, account } = row;
  if (account.disabledAt || session.expiresAt.getTime() <= now.getTime()) {
    await db.delete(sessions).where(eq(sessions.id, id));
    return null;
  }
  if (now.getTime() - session.lastSeenAt.getTime() >= TOUCH_EVERY_MS) {
    session.lastSeenAt = now;
    session.expiresAt = sessionExpiry(session.createdAt, now);
    await db.update(sessions).set({ lastSeenAt: session.lastSeenAt, expiresAt: session.expiresAt }).where(eq(sessions.id, id));
  }
  return {
    session,
    account: { id: account.id, email: account.email, name: account.name, role: account.role, hasTwoFactor: account.totpKey !== null },
  };
}

export async function markSessionTwoFactorVerified(db: Database, sessionId: string): Promise<void> {
  await db.update(sessions).set({ twoFactorVerified: true }).where(eq(sessions.id, sessionId));
}

export async function invalidateSession(db: Database, sessionId: string): Promise<void> {
  await db.delete(sessions).where(eq(sessions.id, sessionId));
}

export async function invalidateAccountSessions(db: Database, accountId: number): Promise<void> {
  await db.delete(sessions).where(eq(sessions.accountId, accountId));
}
