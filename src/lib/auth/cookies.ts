// The session cookie: HttpOnly, SameSite=Lax, Secure whenever the site is served over HTTPS,
// scoped to /staff (public pages never receive it, so they never depend on it).
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
