// Guards for /staff routes: every page and action calls one of these on the server before doing
// anything. They throw; src/middleware.ts turns the errors into a sign-in redirect, the
// two-factor step or a 403 page, in one place.
import { and, eq } from 'drizzle-orm';
import { placeGrants } from '../../../db/schema/index.ts';
import { ForbiddenError } from '../errors.ts';
import { getDb } from '../server/db.ts';
import { readSessionToken, type CookieJar } from './cookies.ts';
import { hasRole, type Role } from './roles.ts';
import { validateSessionToken, type SessionAccount, type SessionRecord } from './sessions.ts';

export interface Staff {
  account: SessionAccount;
  session: SessionRecord;
}

export class SignInRequiredError extends Error {
  override name = 'SignInRequiredError';
}
export class TwoFactorRequiredError extends Error {
  override name = 'TwoFactorRequiredError';
}

/** What the middleware puts in Astro.locals: the session, looked up only if a route asks. */
export type StaffLoader = () => Promise<Staff | null>;

export function createStaffLoader(cookies: CookieJar): StaffLoader {
  let loaded: Promise<Staff | null> | undefined;
  return () =>
    (loaded ??= (async () => {
      const token = readSessionToken(cookies);
      if (!token) return null;
      return validateSessionToken(await getDb(), token);
    })());
}

/** A signed-in session, whatever its two-factor state (for the two-factor step itself). */
export async function requireSession(locals: { staff: StaffLoader }): Promise<Staff> {
  const staff = await locals.staff();
  if (!staff) throw new SignInRequiredError('Sign in to continue');
  return staff;
}

/** A fully signed-in member of staff with at least `role`. */
export async function requireRole(locals: { staff: StaffLoader }, role: Role): Promise<Staff> {
  const staff = await requireSession(locals);
  if (staff.account.hasTwoFactor && !staff.session.twoFactorVerified) throw new TwoFactorRequiredError('Enter your code');
  if (!hasRole(staff.account.role, role)) throw new ForbiddenError(`This needs the ${role} role`);
  return staff;
}

/** Whether this member of staff may publish to a place directly (reporters: granted places only). */
export async function canPublishToPlace(staff: Staff, placeId: number): Promise<boolean> {
  if (hasRole(staff.account.role, 'editor')) return true;
  const db = await getDb();
  const [grant] = await db
    .select({ placeId: placeGrants.placeId })
    .from(placeGrants)
    .where(and(eq(placeGrants.accountId, staff.account.id), eq(placeGrants.placeId, placeId)));
  return grant !== undefined;
}

export async function requirePlacePermission(staff: Staff, placeId: number): Promise<void> {
  if (!(await canPublishToPlace(staff, placeId))) throw new ForbiddenError('You can only update the places you are responsible for');
}
