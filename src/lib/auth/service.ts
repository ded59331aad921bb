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
import { clearEvents, hashClientAddress, isLimited, recordEvent, SIGN_IN_PER_ACCOUNT, SIGN_IN_PER_ADDRESS } from './rate-limit.ts';
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

export type SignInResult =
  | { ok: true; token: string; expiresAt: Date; needsTwoFactor: boolean }
  | { ok: false; status: 400 | 401 | 429; issues: FormIssue[]; email: string };

const signInSchema = z.object({
  email: z.string().trim().toLowerCase().min(1, { error: 'Enter your email address' }).max(254, { error: 'Email address must be 254 characters or fewer' }),
  password: z.string().min(1, { error: 'Enter your password' }).max(256, { error: 'Password must be 256 characters or fewer' }),
});

const TRY_LATER: FormIssue = {
  field: 'email',
  message: 'There have been too many attempts to sign in. Wait 15 minutes, then try again',
};

/** Checks an email and password, rate limited per account and per client address. */
export async function signIn(form: FormData, clientAddress: string): Promise<SignInResult> {
  const parsed = signInSchema.safeParse({ email: form.get('email') ?? '', password: form.get('password') ?? '' });
  const email = String(form.get('email') ?? '').slice(0, 254);
  if (!parsed.success) {
    return { ok: false, status: 400, email, issues: parsed.error.issues.map((i) => ({ field: String(i.path[0]), message: i.message })) };
  }
  const db = await getDb();
  const addressKey = hashClientAddress(clientAddress, await getHashSecret(db));
  const accountKey = parsed.data.email;
  if ((await isLimited(db, SIGN_IN_PER_ADDRESS, addressKey)) || (await isLimited(db, SIGN_IN_PER_ACCOUNT, accountKey))) {
    await recordAudit(db, 'sign-in-throttled', null, parsed.data.email);
    return { ok: false, status: 429, email, issues: [TRY_LATER] };
  }
  await recordEvent(db, SIGN_IN_PER_ADDRESS, addressKey);
  const [account] = await db.select().from(accounts).where(eq(accounts.email, parsed.data.email));
  const passwordOk = await verifyPassword(account?.passwordHash ?? (await dummyPasswordHash()), parsed.data.password);
  if (!account || !passwordOk || account.disabledAt) {
    await recordEvent(db, SIGN_IN_PER_ACCOUNT, accountKey);
    await recordAudit(db, 'sign-in-failed', account?.id ?? null, parsed.data.email, account?.disabledAt ? { reason: 'disabled' } : undefined);
    return {
      ok: false,
      status: 401,
      email,
      issues: [{ field: 'email', message: 'Enter a correct email address and password. Check for typing mistakes' }],
    };
  }
  await clearEvents(db, SIGN_IN_PER_ACCOUNT, accountKey);
  const token = generateSessionToken();
  const session = await createSession(db, token, account.id, false);
  await recordAudit(db, 'sign-in', account.id, account.email, account.totpKey ? { twoFactor: 'pending' } : undefined);
  return { ok: true, token, expiresAt: new Date(session.createdAt.getTime() + SESSION_ABSOLUTE_MS), needsTwoFactor: account.totpKey !== null };
}

/** Checks a 6-digit code from the account's authenticator app for a signed-in session. */
export async function verifySignInCode(session: SessionRecord, form: FormData): Promise<{ ok: true } | { ok: false; status: 400 | 429 | 503; issues: FormIssue[] }> {
  const code = String(form.get('code') ?? '').replace(/\s/g, '');
  if (!/^\d{6}$/.test(code)) return { ok: false, status: 400, issues: [{ field: 'code', message: 'Enter the 6-digit code from your authenticator app' }] };
  const db = await getDb();
  const key = `account:${session.accountId}`;
  if (await isLimited(db, SIGN_IN_PER_ACCOUNT, key)) return { ok: false, status: 429, issues: [{ field: 'code', message: TRY_LATER.message }] };
  const [account] = await db.select({ totpKey: accounts.totpKey, email: accounts.email }).from(accounts).where(eq(accounts.id, session.accountId));
  const totpKey = account?.totpKey ? await openAccountTotpKey(db, session.accountId, account.totpKey) : null;
  // A key that is there but cannot be opened is the site's problem, not a wrong code: say so,
  // and do not count it against the person.
  if (account?.totpKey && !totpKey) return { ok: false, status: 503, issues: [{ field: 'code', message: TWO_FACTOR_UNAVAILABLE }] };
  if (!totpKey || !verifyTOTP(totpKey, 30, 6, code)) {
    await recordEvent(db, SIGN_IN_PER_ACCOUNT, key);
    await recordAudit(db, 'two-factor-failed', session.accountId, account?.email ?? '');
    return { ok: false, status: 400, issues: [{ field: 'code', message: 'The code is not right. Enter the code your app shows now' }] };
  }
  await clearEvents(db, SIGN_IN_PER_ACCOUNT, key);
  await markSessionTwoFactorVerified(db, session.id);
  return { ok: true };
}

export async function signOut(session: SessionRecord, email: string): Promise<void> {
  const db = await getDb();
  await invalidateSession(db, session.id);
  await recordAudit(db, 'sign-out', session.accountId, email);
}
