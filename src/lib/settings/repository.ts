// Site settings: the council's identity shown in the header, footer and feeds.
import { eq } from 'drizzle-orm';
import { settings } from '../../../db/schema/index.ts';
import type { Database } from '../server/database.ts';

export interface Council {
  name: string;
  shortName: string;
  siteName: string;
  websiteUrl: string;
  contactPhone: string;
}

/** Used when the database cannot be read (the error pages must still render). */
export const FALLBACK_COUNCIL: Council = { name: 'Council', shortName: 'Council', siteName: 'Service alerts', websiteUrl: '', contactPhone: '' };

export async function getCouncil(db: Database): Promise<Council> {
  const [row] = await db.select({ value: settings.value }).from(settings).where(eq(settings.key, 'council'));
  return (row?.value as Council | undefined) ?? FALLBACK_COUNCIL;
}
