// Queries for services.
import { asc, eq } from 'drizzle-orm';
import { services } from '../../../db/schema/index.ts';
import type { Database } from '../server/database.ts';

export type ServiceRow = typeof services.$inferSelect;

export function listServices(db: Database): Promise<ServiceRow[]> {
  return db.select().from(services).orderBy(asc(services.sortOrder), asc(services.name));
}

export async function findServiceBySlug(db: Database, slug: string): Promise<ServiceRow | undefined> {
  const [row] = await db.select().from(services).where(eq(services.slug, slug));
  return row;
}
