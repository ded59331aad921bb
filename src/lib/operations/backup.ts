// Backing up the live database: `npm run db:backup -- FILE`. SQLite's `VACUUM INTO` copies the
// database inside one read transaction, so the copy is a consistent snapshot even while the
// server keeps writing (in WAL mode a reader never blocks a writer). The copy is written to a
// temporary name beside FILE, checked, flushed to disk (VACUUM INTO itself does not fsync) and
// only then given its name, so FILE is never a half-written backup.
import { linkSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { readSchemaStatus, type SchemaStatus } from '../../../db/migrate.ts';
import { openDatabase } from '../server/database.ts';
import {
  checkIntegrity,
  companionsOf,
  countRows,
  errorMessage,
  fsyncPath,
  isErrorCode,
  locateDatabase,
  openRawDatabase,
} from './sqlite-files.ts';

/** The counts a backup reports. */
export const BACKUP_COUNTED_TABLES = ['places', 'revisions', 'suggestions'] as const;

export type BackupIssueCode = 'remote-database' | 'no-database' | 'target-exists' | 'target-is-database' | 'failed';
export interface BackupIssue {
  code: BackupIssueCode;
  message: string;
}

export interface BackupOptions {
  databaseUrl: string;
  authToken?: string;
  /** Where the backup goes. */
  file: string;
  /** Replace FILE if it exists. */
  force?: boolean;
  cwd?: string;
}

export interface BackupResult {
  ok: true;
  databasePath: string;
  file: string;
  bytes: number;
  /** Time taken by the copy itself (VACUUM INTO). */
  copyMs: number;
  /** Time taken altogether (copy, check, flush, rename). */
  totalMs: number;
  counts: Record<(typeof BACKUP_COUNTED_TABLES)[number], number>;
  schema: SchemaStatus;
  replaced: boolean;
}

/** What to do instead when the database is on a libSQL server or Turso: it keeps its own history. */
export function remoteBackupAdvice(url: string): string {
  return [
    `DATABASE_URL points at a libSQL server (${describeRemote(url)}), not a local file, so there is no file to copy here.`,
    'Use the server\'s own backups instead:',
    '  - Turso: point-in-time restore is built in (turso db create NEW --from-db NAME --timestamp 2026-01-14T07:00:00Z);',
    '    for a copy you keep yourself, dump it: turso db shell NAME .dump > alerts-backup.sql',
    '  - a self-hosted libSQL server (sqld): back up its data directory with its own tools, or dump it the same way',
    '    (turso db shell http://HOST:PORT .dump > alerts-backup.sql).',
  ].join('\n');
}

/** The scheme and host of a remote URL, never its token. */
export function describeRemote(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return 'an address that is not a file: URL';
  }
}

function refuse(code: BackupIssueCode, message: string): { ok: false; issues: BackupIssue[] } {
  return { ok: false, issues: [{ code, message }] };
}

/**
 * Takes a consistent online copy of a local database into `file`. Refuses (nothing written) a
 * remote database, a missing database, and an existing `file` unless `force`.
 */
export async function backupDatabase(options: BackupOptions): Promise<BackupResult | { ok: false; issues: BackupIssue[] }> {
  const started = performance.now();
  const cwd = options.cwd ?? process.cwd();
  const location = locateDatabase(options.databaseUrl, cwd);
  if (location.kind === 'remote') return refuse('remote-database', remoteBackupAdvice(options.databaseUrl));
  if (location.kind === 'memory') return refuse('no-database', 'DATABASE_URL is an in-memory database: there is nothing on disk to back up.');
  const databasePath = location.path;
  const file = resolve(cwd, options.file);
  if (!statSync(databasePath, { throwIfNoEntry: false })?.isFile()) {
    return refuse('no-database', `There is no database at ${databasePath} (DATABASE_URL=${options.databaseUrl}).`);
  }
  if (file === databasePath || Object.values(companionsOf(databasePath)).includes(file)) {
    return refuse('target-is-database', `${file} is the database itself (or one of its files): choose another name for the backup.`);
  }
  const existing = statSync(file, { throwIfNoEntry: false });
  if (existing && !options.force) {
    return refuse('target-exists', `${file} already exists: choose another name, or add --force to replace it.`);
  }
  if (existing && !existing.isFile()) return refuse('target-exists', `${file} exists and is not a file.`);

  mkdirSync(dirname(file), { recursive: true });
  const temporary = resolve(dirname(file), `.${basename(file)}.partial-${process.pid}-${Date.now()}`);
  try {
    const source = await openDatabase(options.databaseUrl, options.authToken);
    let copyMs: number;
    try {
      const copyStarted = performance.now();
      await source.client.execute({ sql: 'VACUUM INTO ?', args: [temporary] });
      copyMs = performance.now() - copyStarted;
    } finally {
      source.client.close();
    }

    // Check the copy, not the source: these are the figures of what was written.
    const copy = await openRawDatabase(temporary, { readOnly: true });
    let counts: BackupResult['counts'];
    let schema: SchemaStatus;
    try {
      const integrity = await checkIntegrity(copy.client);
      if (integrity.length !== 1 || integrity[0] !== 'ok') throw new Error(`the copy failed its integrity check: ${integrity.join('; ')}`);
      counts = (await countRows(copy.client, BACKUP_COUNTED_TABLES)) as BackupResult['counts'];
      schema = await readSchemaStatus(copy.db);
    } finally {
      await copy.close();
    }
    fsyncPath(temporary);

    if (options.force) {
      renameSync(temporary, file);
    } else {
      // link() fails if FILE appeared meanwhile, where rename() would silently replace it.
      try {
        linkSync(temporary, file);
        rmSync(temporary);
      } catch (error) {
        if (isErrorCode(error, 'EEXIST')) throw new Error(`${file} appeared while the backup was being made; it was left as it was`);
        if (!isErrorCode(error, 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EXDEV')) throw error;
        if (statSync(file, { throwIfNoEntry: false })) throw new Error(`${file} appeared while the backup was being made; it was left as it was`);
        renameSync(temporary, file);
      }
    }
    fsyncPath(dirname(file));
    return {
      ok: true,
      databasePath,
      file,
      bytes: statSync(file).size,
      copyMs,
      totalMs: performance.now() - started,
      counts,
      schema,
      replaced: Boolean(existing),
    };
  } catch (error) {
    return refuse('failed', `The backup failed: ${errorMessage(error)}`);
  } finally {
    rmSync(temporary, { force: true });
    rmSync(`${temporary}-journal`, { force: true });
  }
}
