// Site settings: the council's identity shown in the header, footer and feeds, and what it tells
// residents and sharers (the hashtag, the time places are asked to confirm by, its advice page).
import { eq } from 'drizzle-orm';
import { settings } from '../../../db/schema/index.ts';
import type { Database } from '../server/database.ts';

export interface Council {
  name: string;
  shortName: string;
  siteName: string;
  websiteUrl: string;
  contactPhone: string;
  /**
   * The settings below came later: a council saved before them lacks them, which reads as
   * "not set". The hashtag share texts end with, "#KirkleesSnow".
   */
  hashtag?: string;
  /** London time, "07:30", by which places are asked to confirm their status each morning. */
  confirmBy?: string;
  /** The information page of advice that "not confirmed" points to (a page slug). */
  advicePage?: string;
}

/** Used when the database cannot be read (the error pages must still render). */
export const FALLBACK_COUNCIL: Council = { name: 'Council', shortName: 'Council', siteName: 'Service alerts', websiteUrl: '', contactPhone: '' };

export async function getCouncil(db: Database): Promise<Council> {
  const [row] = await db.select({ value: settings.value }).from(settings).where(eq(settings.key, 'council'));
  return (row?.value as Council | undefined) ?? FALLBACK_COUNCIL;
}

/** Saves the council setting; the caller adds the content-version bump to the same batch. */
export function saveCouncilStatement(db: Database, council: Council, at: Date) {
  return db
    .insert(settings)
    .values({ key: 'council', value: council, updatedAt: at })
    .onConflictDoUpdate({ target: settings.key, set: { value: council, updatedAt: at } });
}

/**
 * A random secret kept in the database, created on first use, for keyed hashes of client
 * addresses (rate limits). Shared by every server process; never leaves the server.
 */
export async function getHashSecret(db: Database): Promise<string> {
  const read = async () => (await db.select({ value: settings.value }).from(settings).where(eq(settings.key, 'hash-secret')))[0]?.value as string | undefined;
  const existing = await read();
  if (existing) return existing;
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  await db.insert(settings).values({ key: 'hash-secret', value: Buffer.from(bytes).toString('base64url'), updatedAt: new Date() }).onConflictDoNothing();
  return (await read())!;
}
