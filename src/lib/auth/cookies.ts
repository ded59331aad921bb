// The staff cookies: the session and the known-device cookie. HttpOnly, SameSite=Lax, Secure
// whenever the site is served over HTTPS, scoped to /staff (public pages never receive them, so
// they never depend on them).
export const SESSION_COOKIE = 'csa_session';

/** The subset of Astro's cookie API this module uses. */
export interface CookieJar {
  get(name: string): { value: string } | undefined;
  set(name: string, value: string, options: Record<string, unknown>): void;
  delete(name: string, options?: Record<string, unknown>): void;
}

const BASE = { httpOnly: true, sameSite: 'lax', path: '/staff' } as const;

export function readSessionToken(cookies: CookieJar): string | null {
  return cookies.get(SESSION_COOKIE)?.value ?? null;
}

export function setSessionCookie(cookies: CookieJar, token: string, expiresAt: Date, secure: boolean): void {
  cookies.set(SESSION_COOKIE, token, { ...BASE, secure, expires: expiresAt });
}

export function deleteSessionCookie(cookies: CookieJar, secure: boolean): void {
  cookies.delete(SESSION_COOKIE, { ...BASE, secure });
}

/**
 * The known-device cookie (known-devices.ts): same flags, kept a year, so an attack on an
 * account from elsewhere cannot keep its owner's usual browser out.
 */
export const DEVICE_COOKIE = 'csa_device';

export function readDeviceCookie(cookies: CookieJar): string | null {
  return cookies.get(DEVICE_COOKIE)?.value ?? null;
}

export function setDeviceCookie(cookies: CookieJar, value: string, expiresAt: Date, secure: boolean): void {
  cookies.set(DEVICE_COOKIE, value, { ...BASE, secure, expires: expiresAt });
}
