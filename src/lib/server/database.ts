// Opening a database: the one place that creates a libSQL client and sets its pragmas.
// Used by the app (through db.ts) and by scripts and tests (with their own URL).
import { createClient, type Client } from '@libsql/client';
import { drizzle, type LibSQLDatabase } from 'drizzle-orm/libsql';
import * as schema from '../../../db/schema/index.ts';

export type Database = LibSQLDatabase<typeof schema>;
export interface DatabaseHandle {
  client: Client;
  db: Database;
}

/**
 * Opens a libSQL database. For a local file: WAL journal (persistent in the file), foreign
 * keys on, full fsync (an acknowledged write survives power loss) and a busy timeout so
 * several processes can share the file.
 */
export async function openDatabase(url: string, authToken?: string): Promise<DatabaseHandle> {
  if (url.startsWith('file:')) {
    const { mkdir } = await import('node:fs/promises');
    const { dirname } = await import('node:path');
    const path = url.slice('file:'.length).split('?')[0] ?? '';
    if (path && path !== ':memory:') await mkdir(dirname(path), { recursive: true });
  }
  // One connection for a local file: @libsql/client pools connections and opens more when calls
  // overlap, and a new connection has none of the pragmas below (no busy timeout, so a second
  // process's write fails at once with SQLITE_BUSY; no foreign keys). With one, calls queue.
  const local = url.startsWith('file:');
  const client = createClient({ url, authToken: authToken || undefined, ...(local ? { concurrency: 1 } : {}) });
  // drizzle's db.batch() calls client.batch() without a mode, which @libsql/client runs as a
  // DEFERRED transaction: on a shared WAL file, a batch whose snapshot went stale while it
  // waited for the write lock fails at once with SQLITE_BUSY (the busy timeout does not apply).
  // Every batch here is a write, so every batch takes the write lock first (BEGIN IMMEDIATE).
  const batch = client.batch.bind(client);
  client.batch = ((statements: Parameters<Client['batch']>[0], mode: Parameters<Client['batch']>[1] = 'write') =>
    batch(statements, mode)) as Client['batch'];
  if (local) {
    await client.execute('PRAGMA journal_mode = WAL');
    await client.execute('PRAGMA synchronous = FULL');
    await client.execute('PRAGMA busy_timeout = 5000');
  }
  await client.execute('PRAGMA foreign_keys = ON');
  return { client, db: drizzle(client, { schema }) };
}
