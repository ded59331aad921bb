// Session operations for routes that hold only a token (the app's database, no Astro types).
import { getDb } from '../server/db.ts';
import { invalidateSession, sessionIdFromToken } from './sessions.ts';

/** Ends the session a token belongs to, if any. */
export async function endSessionForToken(token: string): Promise<void> {
  await invalidateSession(await getDb(), sessionIdFromToken(token));
}
