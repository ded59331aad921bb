// Restoring a backup: `npm run db:restore -- FILE`, with the server stopped. Nothing is replaced
// until the backup has passed every check: FILE is copied to a temporary name beside the
// database (FILE itself is only read, never opened by SQLite), the copy must pass `PRAGMA
// integrity_check`, be one of our databases, and have a schema no newer than this code; it is
// then migrated (an older backup is brought up to date) and folded into a single self-contained
// file. Only then is the old database moved aside whole (its WAL folded in first, or moved with
// it) and the copy renamed into place — one atomic rename in the same folder.
import { constants, copyFileSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { migrateDatabase, readSchemaStatus, type SchemaStatus } from '../../../db/migrate.ts';
import { openDatabase } from '../server/database.ts';
import { BACKUP_COUNTED_TABLES, describeRemote } from './backup.ts';
import {
  checkIntegrity,
  companionsOf,
  countRows,
  errorMessage,
  fileSize,
  fileStamp,
  fsyncPath,
  hasSqliteHeader,
  isHotJournal,
  listTables,
  locateDatabase,
  removeEmptyCompanions,
  takeExclusively,
} from './sqlite-files.ts';

/** Tables every one of our databases has had since the first migration. */
export const CORE_TABLES = ['__drizzle_migrations', 'services', 'places', 'alerts', 'pages', 'revisions', 'content_version', 'settings'] as const;

export type RestoreIssueCode =
  | 'remote-database'
  | 'missing-file'
  | 'same-file'
  | 'not-sqlite'
  | 'has-journal'
  | 'corrupt'
  | 'not-our-database'
  | 'newer-schema'
  | 'in-use'
  | 'failed';
export interface RestoreIssue {
  code: RestoreIssueCode;
  message: string;
}
export type Refused = { ok: false; issues: RestoreIssue[] };

export interface RestoreOptions {
  databaseUrl: string;
  /** The backup to restore. */
  file: string;
  cwd?: string;
  /** For the name the old database is kept under. */
  now?: Date;
}

export interface RestoreResult {
  ok: true;
  file: string;
  databasePath: string;
  /** Where the old database was kept, or null when there was none. */
  keptAs: string | null;
  /** Files of the old database moved with it (a WAL that could not be folded in). */
  keptCompanions: string[];
  /** Stale companions of the target that were removed. */
  removed: string[];
  /** Migrations run on the backup to bring it up to date. */
  migrationsRun: number;
  schema: SchemaStatus;
  counts: Record<(typeof BACKUP_COUNTED_TABLES)[number], number>;
  bytes: number;
  warnings: string[];
}

export function remoteRestoreAdvice(url: string): string {
  return [
    `DATABASE_URL points at a libSQL server (${describeRemote(url)}), not a local file, so there is no file to replace here.`,
    'Restore through the server instead:',
    '  - Turso: point-in-time restore creates a new database (turso db create NEW --from-db NAME --timestamp 2026-01-14T07:00:00Z),',
    '    or load a dump into a new one (turso db create NEW --from-dump alerts-backup.sql); then point DATABASE_URL at it.',
    '  - a self-hosted libSQL server: restore its data directory with its own tools, or load a dump',
    '    (turso db shell http://HOST:PORT < alerts-backup.sql) into an empty database.',
  ].join('\n');
}

export interface CandidateFacts {
  integrity: string[];
  tables: readonly string[];
  /** Null when the file has no migrations table. */
  schema: SchemaStatus | null;
}

/** What is wrong with a would-be restore, from what was read from it (empty: it may be restored). */
export function judgeRestoreCandidate(file: string, facts: CandidateFacts): RestoreIssue[] {
  if (facts.integrity.length !== 1 || facts.integrity[0] !== 'ok') {
    const shown = facts.integrity.slice(0, 5).join('; ');
    return [{ code: 'corrupt', message: `${file} failed SQLite's integrity check (${shown}${facts.integrity.length > 5 ? '; …' : ''}).` }];
  }
  const missing = CORE_TABLES.filter((table) => !facts.tables.includes(table));
  if (missing.length > 0) {
    return [
      {
        code: 'not-our-database',
        message: `${file} is an SQLite database but not one of this site's: it has no ${missing.join(', ')} table${missing.length > 1 ? 's' : ''}.`,
      },
    ];
  }
  if (facts.schema?.newerThanCode) {
    return [
      {
        code: 'newer-schema',
        message:
          `${file} was made by a newer release than this code (its newest migration is ${facts.schema.databaseVersion}, ` +
          `the newest known here is ${facts.schema.codeVersion}). Restore it with that release, or choose a backup taken before the upgrade.`,
      },
    ];
  }
  if (facts.schema && facts.schema.applied === 0) {
    return [{ code: 'not-our-database', message: `${file} has a migrations table with no migrations recorded: it is not a backup of this site.` }];
  }
  return [];
}

function refuse(code: RestoreIssueCode, message: string): Refused {
  return { ok: false, issues: [{ code, message }] };
}

/** A URL openDatabase can take for a path (it slices `file:` off for its mkdir, so keep it plain). */
function openDatabaseUrl(path: string): string {
  if (/[?#%]/.test(path)) throw new Error(`the database path ${path} contains ?, # or %: rename the folder`);
  return `file:${path}`;
}

interface PreparedCopy {
  before: SchemaStatus;
  schema: SchemaStatus;
  counts: RestoreResult['counts'];
}

/**
 * Checks the private copy of the backup and, if it may be restored, migrates it and folds it
 * into one self-contained file (rollback journal; the server switches it back to WAL when it
 * opens it). All on one connection: @libsql/client closes connections lazily, and a second one
 * still open in WAL mode would stop the journal switch.
 */
async function checkAndPrepareCopy(path: string, shownAs: string): Promise<RestoreIssue[] | PreparedCopy> {
  let handle;
  try {
    handle = await openDatabase(openDatabaseUrl(path));
  } catch (error) {
    return [{ code: 'corrupt', message: `${shownAs} could not be opened as a database; it is damaged or not SQLite (${errorMessage(error)}).` }];
  }
  try {
    let issues: RestoreIssue[];
    let before: SchemaStatus | null = null;
    try {
      const integrity = await checkIntegrity(handle.client);
      const tables = integrity.length === 1 && integrity[0] === 'ok' ? await listTables(handle.client) : [];
      before = tables.includes('__drizzle_migrations') ? await readSchemaStatus(handle.db) : null;
      issues = judgeRestoreCandidate(shownAs, { integrity, tables, schema: before });
    } catch (error) {
      issues = [{ code: 'corrupt', message: `${shownAs} could not be read as a database; it is damaged or not SQLite (${errorMessage(error)}).` }];
    }
    if (issues.length > 0 || !before) return issues;
    // Bring an older backup up to date before anything is replaced.
    await migrateDatabase(handle.db);
    const schema = await readSchemaStatus(handle.db);
    const counts = (await countRows(handle.client, BACKUP_COUNTED_TABLES)) as RestoreResult['counts'];
    const mode = await handle.client.execute('PRAGMA journal_mode = DELETE');
    if (String(mode.rows[0]?.[0]).toLowerCase() !== 'delete') throw new Error('the restored copy could not be folded into a single file');
    return { before, schema, counts };
  } finally {
    // Not waited for: on success the WAL is already gone; on refusal the copy is deleted.
    handle.client.close();
  }
}

/** A name beside the database that is not taken yet: `alerts.db.before-restore-20260114T073012Z`. */
function asideName(databasePath: string, now: Date): string {
  const base = `${databasePath}.before-restore-${fileStamp(now)}`;
  let candidate = base;
  for (let n = 2; statSync(candidate, { throwIfNoEntry: false }) || statSync(`${candidate}-wal`, { throwIfNoEntry: false }); n += 1) {
    candidate = `${base}-${n}`;
  }
  return candidate;
}

/**
 * Replaces the local database with the backup in `file`, keeping the old one aside. Refuses,
 * with nothing replaced, a missing or unreadable file, a file that is not SQLite or not ours, a
 * newer schema, and a database another process (the server) still has open.
 */
export async function restoreDatabase(options: RestoreOptions): Promise<RestoreResult | Refused> {
  const cwd = options.cwd ?? process.cwd();
  const now = options.now ?? new Date();
  const location = locateDatabase(options.databaseUrl, cwd);
  if (location.kind === 'remote') return refuse('remote-database', remoteRestoreAdvice(options.databaseUrl));
  if (location.kind === 'memory') return refuse('failed', 'DATABASE_URL is an in-memory database: there is no file to restore into. Nothing was restored.');
  const databasePath = location.path;
  const file = resolve(cwd, options.file);
  const stats = statSync(file, { throwIfNoEntry: false });
  if (!stats) return refuse('missing-file', `There is no file ${file}. Nothing was restored.`);
  if (!stats.isFile()) return refuse('missing-file', `${file} is not a file. Nothing was restored.`);
  if (file === databasePath) return refuse('same-file', `${file} is the database itself: restore from a backup file. Nothing was restored.`);
  if (!hasSqliteHeader(file)) return refuse('not-sqlite', `${file} is not an SQLite database (it does not start with the SQLite header). Nothing was restored.`);
  const source = companionsOf(file);
  const sourceWal = (fileSize(source.wal) ?? 0) > 0;
  if (sourceWal || isHotJournal(source.journal)) {
    return refuse(
      'has-journal',
      `${file} has a ${sourceWal ? '-wal' : '-journal'} file beside it: it is in use or was not closed cleanly, so the file alone may be incomplete. ` +
        'Make a backup of it with npm run db:backup instead, and restore that. Nothing was restored.',
    );
  }

  const folder = dirname(databasePath);
  mkdirSync(folder, { recursive: true });
  const temporary = resolve(folder, `.${basename(databasePath)}.restoring-${process.pid}-${now.getTime()}`);
  const warnings: string[] = [];
  try {
    copyFileSync(file, temporary, constants.COPYFILE_EXCL);
    const prepared = await checkAndPrepareCopy(temporary, file);
    if (Array.isArray(prepared)) return { ok: false, issues: prepared.map((issue) => ({ ...issue, message: `${issue.message} Nothing was restored.` })) };
    const { before, schema, counts } = prepared;
    removeEmptyCompanions(temporary);
    if ((fileSize(companionsOf(temporary).wal) ?? 0) > 0) throw new Error('the restored copy still had a write-ahead log after closing');
    fsyncPath(temporary);

    // The old database: refuse while anything has it open, else fold its WAL in and move it aside.
    let keptAs: string | null = null;
    const keptCompanions: string[] = [];
    const removed: string[] = [];
    const target = companionsOf(databasePath);
    const oldExists = statSync(databasePath, { throwIfNoEntry: false });
    if (oldExists && !oldExists.isFile()) return refuse('failed', `${databasePath} is not a file. Nothing was restored.`);
    if (oldExists) {
      try {
        const taken = await takeExclusively(databasePath);
        if (taken.inUse) {
          return refuse(
            'in-use',
            `The database ${databasePath} is open in another process — the server is probably still running. ` +
              'Stop it (and any db:backup or feeds:poll), then run the restore again. Nothing was restored.',
          );
        }
        if (taken.journalMode !== 'delete') warnings.push(`The old database's write-ahead log could not be folded into it (journal mode ${taken.journalMode}); it was kept beside it.`);
      } catch (error) {
        // A damaged old database (often the reason for restoring) is kept as it is, with its files.
        warnings.push(`The old database could not be opened (${errorMessage(error)}); it was kept as it was, with its -wal if any.`);
      }
    }
    // A non-empty WAL, or a rollback journal SQLite would replay, holds data of the old database.
    const holdsData = (path: string) => (path === target.journal ? isHotJournal(path) : (fileSize(path) ?? 0) > 0);
    if (oldExists || holdsData(target.wal) || holdsData(target.journal)) keptAs = asideName(databasePath, now);
    const moved: [from: string, to: string][] = [];
    try {
      if (oldExists && keptAs) {
        renameSync(databasePath, keptAs);
        moved.push([databasePath, keptAs]);
      }
      for (const [suffix, path] of [['-wal', target.wal], ['-journal', target.journal]] as const) {
        if (holdsData(path) && keptAs) {
          renameSync(path, `${keptAs}${suffix}`);
          moved.push([path, `${keptAs}${suffix}`]);
          keptCompanions.push(`${keptAs}${suffix}`);
        } else if (fileSize(path) !== null) {
          rmSync(path, { force: true });
          removed.push(path);
        }
      }
      if (fileSize(target.shm) !== null) {
        rmSync(target.shm, { force: true });
        removed.push(target.shm);
      }
      renameSync(temporary, databasePath);
    } catch (error) {
      // Put the old database back where it was rather than leave no database at all.
      for (const [from, to] of moved.reverse()) renameSync(to, from);
      throw error;
    }
    fsyncPath(folder);
    return {
      ok: true,
      file,
      databasePath,
      keptAs: oldExists ? keptAs : null,
      keptCompanions,
      removed,
      migrationsRun: schema.applied - before.applied,
      schema,
      counts,
      bytes: statSync(databasePath).size,
      warnings,
    };
  } catch (error) {
    return refuse('failed', `The restore failed: ${errorMessage(error)}. The database was not replaced.`);
  } finally {
    for (const path of [temporary, ...Object.values(companionsOf(temporary))]) rmSync(path, { force: true });
  }
}
