// Queries for published information pages.
import { and, asc, eq, isNotNull } from 'drizzle-orm';
import { pages } from '../../../db/schema/index.ts';
import type { Database } from '../server/database.ts';

export type PageRow = typeof pages.$inferSelect;

export async function findPublishedPage(db: Database, slug: string): Promise<PageRow | undefined> {
  const [row] = await db.select().from(pages).where(and(eq(pages.slug, slug), isNotNull(pages.currentRevisionId), eq(pages.retired, false)));
  return row;
}

export function listPublishedPages(db: Database): Promise<Pick<PageRow, 'slug' | 'title' | 'summary'>[]> {
  return db
    .select({ slug: pages.slug, title: pages.title, summary: pages.summary })
    .from(pages)
    .where(and(isNotNull(pages.currentRevisionId), eq(pages.retired, false)))
    .orderBy(asc(pages.title));
}
