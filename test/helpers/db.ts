// A real, migrated libSQL database in a temporary file, optionally loaded with the demo council.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrateDatabase } from '../../db/migrate.ts';
import { seedDemoCouncil } from '../../db/seed.ts';
import { openDatabase, type DatabaseHandle } from '../../src/lib/server/database.ts';

export interface TestDb extends DatabaseHandle {
  url: string;
  cleanup: () => void;
}

export async function createTestDb(options: { seed?: boolean; now?: Date } = {}): Promise<TestDb> {
  const dir = mkdtempSync(join(tmpdir(), 'csa-test-'));
  const url = `file:${join(dir, 'test.db')}`;
  const handle = await openDatabase(url);
  await migrateDatabase(handle.db);
  if (options.seed) await seedDemoCouncil(handle.db, { now: options.now });
  return {
    ...handle,
    url,
    cleanup: () => {
      handle.client.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
