// Signing in and out: the use cases behind /staff/sign-in, /staff/sign-in/two-factor and
// /staff/sign-out. Expected failures come back as { ok: false, issues } for the error summary.
import { verifyTOTP } from '@oslojs/otp';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { accounts } from '../../../db/schema/index.ts';
import { recordAudit } from '../audit/service.ts';
import { getDb } from '../server/db.ts';
import { getHashSecret } from '../settings/repository.ts';
import { dummyPasswordHash, verifyPassword } from './passwords.ts';
import { openAccountTotpKey, TWO_FACTOR_UNAVAILABLE } from './totp-keys.ts';
import { findKnownDevice, KNOWN_DEVICE_MS, rememberDevice } from './known-devices.ts';
import { clearEvents, hashClientAddress, releaseEvents, reserveAttempt, SIGN_IN_ACCOUNT_WIDE, SIGN_IN_PER_ACCOUNT } from './rate-limit.ts';
import { SIGN_IN_LIMIT_NAMES, signInClaims, unknownDeviceDelayMs } from './sign-in-limits.ts';
import {
  createSession,
  generateSessionToken,
  invalidateSession,
  markSessionTwoFactorVerified,
  SESSION_ABSOLUTE_MS,
  type SessionRecord,
} from './sessions.ts';

export interface FormIssue {
  field: string;
  message: string;
}

/** The known-device cookie to set after a completed sign-in (known-devices.ts). */
export interface DeviceCookie {
  value: string;
  expiresAt: Date;
}

export type SignInResult =
  | { ok: true; token: string; expiresAt: Date; needsTwoFactor: boolean; device: DeviceCookie | null }
  | { ok: false; status: 400 | 401 | 429; issues: FormIssue[]; email: string; retryAfterSeconds?: number };

const signInSchema = z.object({
  email: z.string().trim().toLowerCase().min(1, { error: 'Enter your email address' }).max(254, { error: 'Email address must be 254 characters or fewer' }),
  password: z.string().min(1, { error: 'Enter your password' }).max(256, { error: 'Password must be 256 characters or fewer' }),
});

function tryLater(field: string, retryAfterMs: number): FormIssue {
  const minutes = Math.max(1, Math.ceil(retryAfterMs / 60_000));
  return { field, message: `There have been too many attempts to sign in. Wait ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}, then try again` };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A short, stable label for an address in the audit log: the first 8 characters of its keyed hash. */
const addressLabel = (addressKey: string) => addressKey.slice(0, 8);

function knownDeviceCookie(deviceCookie: string | null, secret: string, account: { id: number; passwordHash: string }, now: Date): DeviceCookie {
  return { value: rememberDevice(deviceCookie, secret, account, now), expiresAt: new Date(now.getTime() + KNOWN_DEVICE_MS) };
}

/**
 * Checks an email and password. The attempt is reserved under its limits (sign-in-limits.ts) in
 * one atomic write *before* the password is hashed, so simultaneous tries cannot get more
 * password checks than the limit; one refused answers 429 without hashing. An unknown device
 * may be made to wait first. `deviceCookie` is the browser's csa_device cookie, if any.
 */
export async function signIn(form: FormData, clientAddress: string, deviceCookie: string | null = null, now = new Date()): Promise<SignInResult> {
  const parsed = signInSchema.safeParse({ email: form.get('email') ?? '', password: form.get('password') ?? '' });
  const email = String(form.get('email') ?? '').slice(0, 254);
  if (!parsed.success) {
    return { ok: false, status: 400, email, issues: parsed.error.issues.map((i) => ({ field: String(i.path[0]), message: i.message })) };
  }
  const db = await getDb();
  const secret = await getHashSecret(db);
  const addressKey = hashClientAddress(clientAddress, secret);
  const [account] = await db.select().from(accounts).where(eq(accounts.email, parsed.data.email));
  const knownDeviceKey = account ? findKnownDevice(deviceCookie, secret, account, now) : null;
  const device = knownDeviceKey ? 'known' : 'new';
  const claims = signInClaims(parsed.data.email, addressKey, knownDeviceKey);
  const reservation = await reserveAttempt(db, claims, now);
  if (!reservation.reserved) {
    await recordAudit(db, 'sign-in-throttled', null, parsed.data.email, {
      limit: SIGN_IN_LIMIT_NAMES.get(reservation.full.limit),
      device,
      address: addressLabel(addressKey),
    });
    const retryAfterSeconds = Math.ceil(reservation.retryAfterMs / 1000);
    return { ok: false, status: 429, email, retryAfterSeconds, issues: [tryLater('email', reservation.retryAfterMs)] };
  }
  const [pairFailures = 1, , accountFailures = 1] = reservation.counts;
  const delayMs = knownDeviceKey ? 0 : unknownDeviceDelayMs(pairFailures - 1, accountFailures - 1);
  if (!knownDeviceKey && accountFailures - 1 === SIGN_IN_ACCOUNT_WIDE.max) {
    // Once per crossing: the attempt that finds the account at the threshold says so.
    await recordAudit(db, 'sign-in-slowed', null, parsed.data.email, { failures: SIGN_IN_ACCOUNT_WIDE.max, minutes: SIGN_IN_ACCOUNT_WIDE.windowMs / 60_000 });
  }
  if (delayMs > 0) await sleep(delayMs);
  const passwordOk = await verifyPassword(account?.passwordHash ?? (await dummyPasswordHash()), parsed.data.password);
  const detail = { device, address: addressLabel(addressKey), ...(delayMs > 0 ? { delayedMs: delayMs } : {}) };
  if (!account || !passwordOk || account.disabledAt) {
    // The reservation stays: it is the failure, counted under every claim.
    await recordAudit(db, 'sign-in-failed', account?.id ?? null, parsed.data.email, { ...(account?.disabledAt ? { reason: 'disabled' } : {}), ...detail });
    return {
      ok: false,
      status: 401,
      email,
      issues: [{ field: 'email', message: 'Enter a correct email address and password. Check for typing mistakes' }],
    };
  }
  // A success is not a failure: take back this attempt, and forget this pair's earlier failures
  // (typing mistakes, most likely). The address keeps its attempt; the account-wide count keeps
  // everyone else's failures.
  const [pairClaim, addressClaim] = claims;
  await releaseEvents(db, reservation.ids.filter((id, i) => claims[i] !== addressClaim && Number.isFinite(id)));
  await clearEvents(db, pairClaim!.limit, pairClaim!.key);
  const token = generateSessionToken();
  const session = await createSession(db, token, account.id, false, now);
  const needsTwoFactor = account.totpKey !== null;
  await recordAudit(db, 'sign-in', account.id, account.email, { ...(needsTwoFactor ? { twoFactor: 'pending' } : {}), ...detail });
  return {
    ok: true,
    token,
    expiresAt: new Date(session.createdAt.getTime() + SESSION_ABSOLUTE_MS),
    needsTwoFactor,
    // With two-factor on, the device becomes known only once the code is right.
    device: needsTwoFactor ? null : knownDeviceCookie(deviceCookie, secret, account, now),
  };
}

/**
 * Checks a 6-digit code from the account's authenticator app for a signed-in session. The
 * attempt is reserved first (5 wrong codes per account in 15 minutes), like a password.
 */
export async function verifySignInCode(
  session: SessionRecord,
  form: FormData,
  deviceCookie: string | null = null,
): Promise<{ ok: true; device: DeviceCookie | null } | { ok: false; status: 400 | 429 | 503; issues: FormIssue[]; retryAfterSeconds?: number }> {
  const code = String(form.get('code') ?? '').replace(/\s/g, '');
  if (!/^\d{6}$/.test(code)) return { ok: false, status: 400, issues: [{ field: 'code', message: 'Enter the 6-digit code from your authenticator app' }] };
  const db = await getDb();
  const key = `account:${session.accountId}`;
  const reservation = await reserveAttempt(db, [{ limit: SIGN_IN_PER_ACCOUNT, key, enforce: true }]);
  if (!reservation.reserved) {
    return { ok: false, status: 429, retryAfterSeconds: Math.ceil(reservation.retryAfterMs / 1000), issues: [tryLater('code', reservation.retryAfterMs)] };
  }
  const [account] = await db
    .select({ totpKey: accounts.totpKey, email: accounts.email, passwordHash: accounts.passwordHash })
    .from(accounts)
    .where(eq(accounts.id, session.accountId));
  const totpKey = account?.totpKey ? await openAccountTotpKey(db, session.accountId, account.totpKey) : null;
  // A key that is there but cannot be opened is the site's problem, not a wrong code: say so,
  // and do not count it against the person.
  if (account?.totpKey && !totpKey) {
    await releaseEvents(db, reservation.ids);
    return { ok: false, status: 503, issues: [{ field: 'code', message: TWO_FACTOR_UNAVAILABLE }] };
  }
  if (!account || !totpKey || !verifyTOTP(totpKey, 30, 6, code)) {
    await recordAudit(db, 'two-factor-failed', session.accountId, account?.email ?? '');
    return { ok: false, status: 400, issues: [{ field: 'code', message: 'The code is not right. Enter the code your app shows now' }] };
  }
  await clearEvents(db, SIGN_IN_PER_ACCOUNT, key);
  await markSessionTwoFactorVerified(db, session.id);
  const now = new Date();
  return { ok: true, device: knownDeviceCookie(deviceCookie, await getHashSecret(db), { id: session.accountId, passwordHash: account.passwordHash }, now) };
}

export async function signOut(session: SessionRecord, email: string): Promise<void> {
  const db = await getDb();
  await invalidateSession(db, session.id);
  await recordAudit(db, 'sign-out', session.accountId, email);
}
