// Migrations: one function used at server start-up, by `npm run db:migrate` and in tests.
import { resolve } from 'node:path';
import { migrate } from 'drizzle-orm/libsql/migrator';
import type { Database } from '../src/lib/server/database.ts';

/** The committed drizzle-kit output. Resolved from the working directory (the project root). */
export const MIGRATIONS_FOLDER = resolve(process.env.MIGRATIONS_DIR ?? 'db/migrations');

/** Brings the database schema up to date; safe to call on every start. */
export async function migrateDatabase(db: Database): Promise<void> {
  await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
}
