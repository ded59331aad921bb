// Where a member of staff lands after signing in: the page they asked for (`next`), else
// reporters (school offices) go straight to the morning round, and everyone else to the dashboard.
import { validateSessionToken } from '../auth/sessions.ts';
import { safeStaffPath } from '../http/forms.ts';
import { getDb } from '../server/db.ts';

/** The path to go to after signing in with the new session `token`. */
export async function landingPathAfterSignIn(token: string, requestedNext: string | null): Promise<string> {
  if (requestedNext) return safeStaffPath(requestedNext);
  const staff = await validateSessionToken(await getDb(), token);
  return staff?.account.role === 'reporter' ? '/staff/today' : '/staff';
}
