// The app's database: one client per process, migrated before first use. While the database is
// known not to be answering (database-health.ts), getDb() fails at once with
// DatabaseUnavailableError, and re-checks it at most every second.
import { migrateDatabase } from '../../../db/migrate.ts';
import { registerContentStateReader } from '../http/page-cache.ts';
import { startNeighbourPolling } from '../neighbours/schedule.ts';
import { startDeliveryWorker } from '../notifications/start.ts';
import { readContentChange, readContentState, readContentVersion } from '../public/content-state.ts';
import { config } from './config.ts';
import { openDatabase, type Database } from './database.ts';
import { checkedRead, DatabaseUnavailableError, isDatabaseDown, isDatabaseUnavailableError, markDatabaseDown } from './database-health.ts';

let ready: Promise<Database> | undefined;

function openOnce(): Promise<Database> {
  ready ??= (async () => {
    const { db } = await openDatabase(config.databaseUrl, config.databaseAuthToken);
    await migrateDatabase(db);
    registerContentStateReader(
      () => readContentState(db, new Date()),
      (from, to) => readContentChange(db, from, to),
      () => readContentVersion(db),
    );
    startNeighbourPolling(db, config.neighbours);
    startDeliveryWorker(db, config.notifications);
    return db;
  })();
  // A failed open (disk full, unreachable libSQL server) must not stick: retry on next use.
  ready.catch(() => {
    ready = undefined;
  });
  return ready;
}

/** A failure to open that means "unavailable" (not, say, a schema newer than this code) becomes DatabaseUnavailableError. */
function failedToOpen(error: unknown): never {
  if (!isDatabaseUnavailableError(error, { opening: true })) throw error;
  markDatabaseDown(error);
  throw new DatabaseUnavailableError('The database could not be opened', { cause: error });
}

/**
 * The process-wide database, opened and migrated once. While it is known to be down this
 * throws DatabaseUnavailableError without touching it, except for one request per second,
 * which re-checks it with a real read (the content version) and brings it back.
 */
export function getDb(): Promise<Database> {
  if (!isDatabaseDown()) return openOnce().catch(failedToOpen);
  return checkedRead(async () => {
    const db = await openOnce().catch(failedToOpen);
    await readContentState(db, new Date());
    return db;
  });
}
