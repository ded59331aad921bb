// Queries for services. Everyday reads see only services in use: a service an admin has retired
// is off the public site and the staff screens with its places; only the services screen
// (src/lib/services/admin.ts) lists it, to bring it back.
import { asc, eq, sql } from 'drizzle-orm';
import { services } from '../../../db/schema/index.ts';
import type { Database } from '../server/database.ts';

export type ServiceRow = typeof services.$inferSelect;

export function listServices(db: Database): Promise<ServiceRow[]> {
  return db.select().from(services).where(eq(services.retired, false)).orderBy(asc(services.sortOrder), asc(services.name));
}

export async function findServiceBySlug(db: Database, slug: string): Promise<ServiceRow | undefined> {
  const [row] = await db.select().from(services).where(sql`${services.slug} = ${slug} AND ${services.retired} = 0`);
  return row;
}

/** Every service, retired ones too, in order (the admins' services screen). */
export function listAllServices(db: Database): Promise<ServiceRow[]> {
  return db.select().from(services).orderBy(asc(services.sortOrder), asc(services.name));
}

/** A service by slug, retired or not. */
export async function findAnyServiceBySlug(db: Database, slug: string): Promise<ServiceRow | undefined> {
  const [row] = await db.select().from(services).where(eq(services.slug, slug));
  return row;
}
