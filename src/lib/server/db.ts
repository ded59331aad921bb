// The app's database: one client per process, migrated before first use.
import { migrateDatabase } from '../../../db/migrate.ts';
import { registerContentStateReader } from '../http/page-cache.ts';
import { startNeighbourPolling } from '../neighbours/schedule.ts';
import { readContentState } from '../public/content-state.ts';
import { config } from './config.ts';
import { openDatabase, type Database } from './database.ts';

let ready: Promise<Database> | undefined;

/** The process-wide database, opened and migrated once. */
export function getDb(): Promise<Database> {
  ready ??= (async () => {
    const { db } = await openDatabase(config.databaseUrl, config.databaseAuthToken);
    await migrateDatabase(db);
    registerContentStateReader(() => readContentState(db, new Date()));
    startNeighbourPolling(db, config.neighbours);
    return db;
  })();
  // A failed open (disk full, unreachable libSQL server) must not stick: retry on next use.
  ready.catch(() => {
    ready = undefined;
  });
  return ready;
}
