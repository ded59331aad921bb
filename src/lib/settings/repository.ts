// Site settings: the council's identity shown in the header, footer and feeds, and what it tells
// residents and sharers (the hashtag, the time places are asked to confirm by, its advice page).
import { desc, eq } from 'drizzle-orm';
import { accounts, settingRevisions, settings } from '../../../db/schema/index.ts';
import type { Database } from '../server/database.ts';

export interface Council {
  name: string;
  shortName: string;
  siteName: string;
  websiteUrl: string;
  contactPhone: string;
  /** The phone line for emergencies out of office hours, "0800 …", when the council has one. */
  outOfHoursPhone?: string;
  /**
   * The header's background colour ("#00526c"), behind white text: checked for WCAG AA contrast
   * when saved (./contrast.ts). Not set: the site's own colour.
   */
  brandColour?: string;
  /** The logo shown before the name in the header: its /brand/logo-<hash>.png address (./brand.ts). */
  logoPath?: string;
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

/**
 * The statements that save the council setting as a new revision: the history row and the
 * current value, for one batch. The caller adds the content-version bump to the same batch.
 */
export function saveCouncilStatements(db: Database, council: Council, change: { summary: string; accountId: number | null; at: Date }) {
  return [
    db.insert(settingRevisions).values({ key: 'council', value: council, summary: change.summary, authorAccountId: change.accountId, createdAt: change.at }),
    db
      .insert(settings)
      .values({ key: 'council', value: council, updatedAt: change.at })
      .onConflictDoUpdate({ target: settings.key, set: { value: council, updatedAt: change.at } }),
  ] as const;
}

export interface SettingRevisionRow {
  id: number;
  summary: string;
  authorName: string | null;
  createdAt: Date;
  value: Council;
}

/** The council setting's revisions, newest first. */
export async function listCouncilRevisions(db: Database, limit: number): Promise<SettingRevisionRow[]> {
  const rows = await db
    .select({ id: settingRevisions.id, summary: settingRevisions.summary, authorName: accounts.name, createdAt: settingRevisions.createdAt, value: settingRevisions.value })
    .from(settingRevisions)
    .leftJoin(accounts, eq(accounts.id, settingRevisions.authorAccountId))
    .where(eq(settingRevisions.key, 'council'))
    .orderBy(desc(settingRevisions.id))
    .limit(limit);
  return rows.map((r) => ({ ...r, value: r.value as Council }));
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
