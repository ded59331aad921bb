// Migrations: one function used at server start-up, by `npm run db:migrate` and in tests, and
// the check that refuses a database whose schema is newer than this code (a downgrade, or a
// backup from a later release restored onto an older one).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { sql } from 'drizzle-orm';
import { migrate } from 'drizzle-orm/libsql/migrator';
import type { Database } from '../src/lib/server/database.ts';

/** The committed drizzle-kit output. Resolved from the working directory (the project root). */
export const MIGRATIONS_FOLDER = resolve(process.env.MIGRATIONS_DIR ?? 'db/migrations');

export interface SchemaStatus {
  /** Migrations recorded in the database. */
  applied: number;
  /** Migrations this code knows (the committed journal). */
  known: number;
  /** The newest migration's timestamp in the database, or null for an empty database. */
  databaseVersion: number | null;
  /** The newest migration's timestamp in this code. */
  codeVersion: number;
  /** The database was migrated by a newer release than this code. */
  newerThanCode: boolean;
}

/** A database migrated by a later release: running this code on it could corrupt it. */
export class SchemaTooNewError extends Error {
  override name = 'SchemaTooNewError';
  constructor(status: SchemaStatus) {
    super(
      `The database schema is newer than this code (database migration ${status.databaseVersion}, ` +
        `newest known here ${status.codeVersion}: ${status.applied} migrations applied, ${status.known} known). ` +
        'Run the release that made it, or restore a backup taken before the upgrade.',
    );
  }
}

function readJournal(folder: string): number[] {
  const journal = JSON.parse(readFileSync(join(folder, 'meta', '_journal.json'), 'utf8')) as { entries: { when: number }[] };
  return journal.entries.map((entry) => entry.when);
}

/** What the database's schema version is compared with this code's migrations. */
export async function readSchemaStatus(db: Database, folder = MIGRATIONS_FOLDER): Promise<SchemaStatus> {
  const known = readJournal(folder);
  const codeVersion = Math.max(...known);
  const table = await db.all<{ name: string }>(sql`SELECT name FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'`);
  let applied = 0;
  let databaseVersion: number | null = null;
  if (table.length > 0) {
    const [row] = await db.all<{ applied: number; latest: number | null }>(
      sql`SELECT count(*) AS applied, max(CAST(created_at AS INTEGER)) AS latest FROM __drizzle_migrations`,
    );
    applied = Number(row?.applied ?? 0);
    databaseVersion = row?.latest == null ? null : Number(row.latest);
  }
  return {
    applied,
    known: known.length,
    databaseVersion,
    codeVersion,
    newerThanCode: databaseVersion !== null && databaseVersion > codeVersion,
  };
}

/** Brings the database schema up to date; safe to call on every start. Refuses a newer schema. */
export async function migrateDatabase(db: Database): Promise<void> {
  const status = await readSchemaStatus(db);
  if (status.newerThanCode) throw new SchemaTooNewError(status);
  await migrate(db, { migrationsFolder: MIGRATIONS_FOLDER });
}
