import type { APIRoute } from 'astro';
import { deleteSessionCookie } from '../../lib/auth/cookies.ts';
import { requireSession } from '../../lib/auth/guards.ts';
import { signOut } from '../../lib/auth/service.ts';
import { isSecureRequest } from '../../lib/http/forms.ts';
import { config } from '../../lib/server/config.ts';

export const POST: APIRoute = async ({ locals, cookies, url, redirect }) => {
  const staff = await requireSession(locals);
  await signOut(staff.session, staff.account.email);
  deleteSessionCookie(cookies, isSecureRequest(url, config.siteUrl));
  return redirect('/staff/sign-in?signed-out', 303);
};
