// The database of an npm script: DATABASE_URL (and DATABASE_AUTH_TOKEN), opened and migrated,
// or a one-line reason on stderr and exit code 1 — what a person at a terminal can act on.
import { migrateDatabase } from '../../db/migrate.ts';
import { openDatabase, type DatabaseHandle } from '../lib/server/database.ts';

export async function openScriptDatabase(): Promise<DatabaseHandle> {
  const url = process.env.DATABASE_URL || 'file:data/alerts.db';
  try {
    const handle = await openDatabase(url, process.env.DATABASE_AUTH_TOKEN);
    await migrateDatabase(handle.db);
    return handle;
  } catch (error) {
    console.error(`The database ${url} could not be opened: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
