// The one-time setup code of a new site (DEMO=off), and whether the site still needs setting up.
// Takes the database as a parameter (no server configuration), so `npm start` can issue a code
// before the server runs. Only the code's SHA-256 is kept.
import { createHash, timingSafeEqual } from 'node:crypto';
import { count, eq } from 'drizzle-orm';
import { accounts, settings } from '../../../db/schema/index.ts';
import type { Database } from '../server/database.ts';

export const SETUP_CODE_KEY = 'setup-code';

const hashOf = (code: string) => createHash('sha256').update(code).digest('hex');

/** The site has neither a council nor any account yet: it is waiting to be set up. */
export async function needsSetup(db: Database): Promise<boolean> {
  const [[council], [people]] = await Promise.all([
    db.select({ n: count() }).from(settings).where(eq(settings.key, 'council')),
    db.select({ n: count() }).from(accounts),
  ]);
  return (council?.n ?? 0) === 0 && (people?.n ?? 0) === 0;
}

/** A new setup code (each start makes a new one, so only the latest printed address works). */
export async function issueSetupCode(db: Database, now: Date): Promise<string> {
  const code = Buffer.from(crypto.getRandomValues(new Uint8Array(18))).toString('base64url');
  await db.insert(settings).values({ key: SETUP_CODE_KEY, value: hashOf(code), updatedAt: now })
    .onConflictDoUpdate({ target: settings.key, set: { value: hashOf(code), updatedAt: now } });
  return code;
}

export async function codeMatches(db: Database, code: string): Promise<boolean> {
  const [row] = await db.select({ value: settings.value }).from(settings).where(eq(settings.key, SETUP_CODE_KEY));
  if (typeof row?.value !== 'string' || code === '') return false;
  const [a, b] = [Buffer.from(row.value), Buffer.from(hashOf(code))];
  return a.length === b.length && timingSafeEqual(a, b);
}

