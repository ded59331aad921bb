// Account queries and writes. Every write that changes who can do what also writes an audit event
// in the same batch.
import { and, asc, count, eq, isNotNull, ne, notExists, or, sql } from 'drizzle-orm';
import { accounts, placeGrants, places, services, sessions } from '../../../db/schema/index.ts';
import { auditStatement, type AuditAction } from '../audit/service.ts';
import { hashPassword } from '../auth/passwords.ts';
import type { Database } from '../server/database.ts';
import type { NewAccount } from './validation.ts';

export type AccountRow = typeof accounts.$inferSelect;

export async function findAccountByEmail(db: Database, email: string): Promise<AccountRow | undefined> {
  const [row] = await db.select().from(accounts).where(eq(accounts.email, email.toLowerCase()));
  return row;
}

export async function findAccount(db: Database, id: number): Promise<AccountRow | undefined> {
  const [row] = await db.select().from(accounts).where(eq(accounts.id, id));
  return row;
}

/** Creates an account; the caller has checked the email is free. Returns its id. */
export async function insertAccount(db: Database, account: NewAccount, actorId: number | null): Promise<number> {
  const passwordHash = await hashPassword(account.password);
  const [inserted] = await db.batch([
    db.insert(accounts).values({ email: account.email, name: account.name, role: account.role, passwordHash }).returning({ id: accounts.id }),
    auditStatement(db, 'account-created', actorId, account.email, { role: account.role }),
  ]);
  return inserted[0]!.id;
}

export interface AccountSummary {
  id: number;
  email: string;
  name: string;
  role: AccountRow['role'];
  hasTwoFactor: boolean;
  disabledAt: Date | null;
  grantCount: number;
}

/** Every account (or the one with `accountId`) with how many places it has been given, by name. */
export async function listAccountSummaries(db: Database, accountId?: number): Promise<AccountSummary[]> {
  const rows = await db
    .select({
      id: accounts.id,
      email: accounts.email,
      name: accounts.name,
      role: accounts.role,
      totpKey: accounts.totpKey,
      disabledAt: accounts.disabledAt,
      grantCount: count(placeGrants.placeId),
    })
    .from(accounts)
    .leftJoin(placeGrants, eq(placeGrants.accountId, accounts.id))
    .where(accountId === undefined ? undefined : eq(accounts.id, accountId))
    .groupBy(accounts.id)
    .orderBy(asc(accounts.name), asc(accounts.id));
  return rows.map(({ totpKey, ...row }) => ({ ...row, hasTwoFactor: totpKey !== null }));
}

export interface GrantablePlace {
  id: number;
  name: string;
  identifier: string | null;
  serviceName: string;
}

/** The places an account has been given, by name. */
export function listGrantedPlaces(db: Database, accountId: number): Promise<GrantablePlace[]> {
  return db
    .select({ id: places.id, name: places.name, identifier: places.identifier, serviceName: services.name })
    .from(placeGrants)
    .innerJoin(places, eq(placeGrants.placeId, places.id))
    .innerJoin(services, eq(places.serviceId, services.id))
    .where(eq(placeGrants.accountId, accountId))
    .orderBy(asc(places.name));
}

/** LIKE pattern matching `text` anywhere, with LIKE's own wildcards taken literally. */
function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Published places whose name contains `query` (or whose identifier is it) that the account does not have yet. */
export function searchPlacesToGrant(db: Database, accountId: number, query: string, limit: number): Promise<GrantablePlace[]> {
  const alreadyGranted = db
    .select({ placeId: placeGrants.placeId })
    .from(placeGrants)
    .where(and(eq(placeGrants.accountId, accountId), eq(placeGrants.placeId, places.id)));
  return db
    .select({ id: places.id, name: places.name, identifier: places.identifier, serviceName: services.name })
    .from(places)
    .innerJoin(services, eq(places.serviceId, services.id))
    .where(
      and(
        isNotNull(places.currentRevisionId),
        eq(places.retired, false),
        or(sql`${places.name} LIKE ${containsPattern(query)} ESCAPE '\\'`, eq(places.identifier, query)),
        notExists(alreadyGranted),
      ),
    )
    .orderBy(asc(places.name), asc(places.id))
    .limit(limit);
}

/** A published place that can be given to a reporter. */
export async function findGrantablePlace(db: Database, placeId: number): Promise<GrantablePlace | undefined> {
  const [row] = await db
    .select({ id: places.id, name: places.name, identifier: places.identifier, serviceName: services.name })
    .from(places)
    .innerJoin(services, eq(places.serviceId, services.id))
    .where(and(eq(places.id, placeId), isNotNull(places.currentRevisionId), eq(places.retired, false)));
  return row;
}

export async function hasGrant(db: Database, accountId: number, placeId: number): Promise<boolean> {
  const [row] = await db
    .select({ placeId: placeGrants.placeId })
    .from(placeGrants)
    .where(and(eq(placeGrants.accountId, accountId), eq(placeGrants.placeId, placeId)));
  return row !== undefined;
}

/** Who did it (`actorId`) and whom it is about (the account's email), for the audit event. */
export interface AuditContext {
  actorId: number | null;
  subject: string;
}

function audit(db: Database, action: AuditAction, context: AuditContext, detail?: Record<string, unknown>) {
  return auditStatement(db, action, context.actorId, context.subject, detail);
}

/** Changes an account's name and email. The caller has checked the email is free. */
export async function updateAccountDetails(db: Database, accountId: number, details: { name: string; email: string }, context: AuditContext, detail: Record<string, unknown>): Promise<void> {
  await db.batch([db.update(accounts).set(details).where(eq(accounts.id, accountId)), audit(db, 'account-updated', context, detail)]);
}

export async function updateAccountRole(db: Database, accountId: number, from: AccountRow['role'], to: AccountRow['role'], context: AuditContext): Promise<void> {
  await db.batch([db.update(accounts).set({ role: to }).where(eq(accounts.id, accountId)), audit(db, 'role-changed', context, { from, to })]);
}

export async function insertGrant(db: Database, accountId: number, place: GrantablePlace, context: AuditContext): Promise<void> {
  await db.batch([
    db.insert(placeGrants).values({ accountId, placeId: place.id }).onConflictDoNothing(),
    audit(db, 'grant-added', context, { placeId: place.id, place: place.name }),
  ]);
}

export async function deleteGrant(db: Database, accountId: number, place: { id: number; name: string }, context: AuditContext): Promise<void> {
  await db.batch([
    db.delete(placeGrants).where(and(eq(placeGrants.accountId, accountId), eq(placeGrants.placeId, place.id))),
    audit(db, 'grant-removed', context, { placeId: place.id, place: place.name }),
  ]);
}

/** Disables (`disabledAt` a time) or enables (null) an account. */
export async function updateAccountDisabled(db: Database, accountId: number, disabledAt: Date | null, context: AuditContext): Promise<void> {
  await db.batch([
    db.update(accounts).set({ disabledAt }).where(eq(accounts.id, accountId)),
    audit(db, disabledAt ? 'account-disabled' : 'account-enabled', context),
  ]);
}

/**
 * Sets a new password and ends the account's sessions — all but `keepSessionId`, the session of
 * the person changing it — so whoever knew the old password is signed out too.
 */
export async function updatePassword(db: Database, accountId: number, password: string, keepSessionId: string | null, context: AuditContext, detail: Record<string, unknown>): Promise<void> {
  const passwordHash = await hashPassword(password);
  await db.batch([
    db.update(accounts).set({ passwordHash }).where(eq(accounts.id, accountId)),
    db.delete(sessions).where(keepSessionId ? and(eq(sessions.accountId, accountId), ne(sessions.id, keepSessionId)) : eq(sessions.accountId, accountId)),
    audit(db, 'password-changed', context, detail),
  ]);
}

/**
 * Turns two-factor on: stores the key, sealed (src/lib/auth/totp-keys.ts), and counts the
 * session that proved it as verified.
 */
export async function saveTotpKey(db: Database, accountId: number, sealedKey: string, sessionId: string, context: AuditContext): Promise<void> {
  await db.batch([
    db.update(accounts).set({ totpKey: sealedKey }).where(eq(accounts.id, accountId)),
    db.update(sessions).set({ twoFactorVerified: true }).where(eq(sessions.id, sessionId)),
    audit(db, 'two-factor-enabled', context),
  ]);
}

/** Re-seals a stored TOTP key (legacy → current key), unless it changed meanwhile. Not audited: the key is the same. */
export async function replaceTotpKey(db: Database, accountId: number, from: string, to: string): Promise<void> {
  await db.update(accounts).set({ totpKey: to }).where(and(eq(accounts.id, accountId), eq(accounts.totpKey, from)));
}

export async function clearTotpKey(db: Database, accountId: number, context: AuditContext): Promise<void> {
  await db.batch([db.update(accounts).set({ totpKey: null }).where(eq(accounts.id, accountId)), audit(db, 'two-factor-disabled', context)]);
}
