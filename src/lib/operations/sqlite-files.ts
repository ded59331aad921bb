// The files of a local SQLite/libSQL database, for the operator commands (backup, restore):
// where a DATABASE_URL's file is, its -wal/-shm/-journal companions, whether a file is SQLite at
// all, durable renames, and the two raw connections that must not go through openDatabase —
// one that inspects a file without changing it (openDatabase switches the journal to WAL, which
// is persistent in the file) and one that must set `locking_mode` before its first read.
import { closeSync, existsSync, fsyncSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createClient, type Client } from '@libsql/client';
import { drizzle } from 'drizzle-orm/libsql';
import * as schema from '../../../db/schema/index.ts';
import type { Database } from '../server/database.ts';

/** The 16 bytes every SQLite 3 database file starts with. */
const SQLITE_HEADER = 'SQLite format 3\0';

export type DatabaseLocation = { kind: 'file'; path: string } | { kind: 'remote'; url: string } | { kind: 'memory' };

/**
 * Where a DATABASE_URL's data lives: a local file (its absolute path), a libSQL server / Turso
 * database (`libsql:`, `https:`, `http:`, `ws:`, `wss:`), or memory. Understands the forms
 * libSQL accepts: `file:data/alerts.db` (relative to `cwd`), `file:/abs.db`, `file:///abs.db`.
 */
export function locateDatabase(url: string, cwd = process.cwd()): DatabaseLocation {
  if (!/^file:/i.test(url)) return /^:memory:$/.test(url) ? { kind: 'memory' } : { kind: 'remote', url };
  const withoutQuery = url.split(/[?#]/, 1)[0] ?? '';
  let path: string;
  if (/^file:\/\//i.test(withoutQuery)) path = fileURLToPath(withoutQuery);
  else path = decodeURIComponent(withoutQuery.slice('file:'.length));
  if (path === '' || path === ':memory:') return { kind: 'memory' };
  return { kind: 'file', path: resolve(cwd, path) };
}

/** A `file:` URL for a path, safe for names with spaces or `#` (libSQL decodes it). */
export function fileUrl(path: string): string {
  return pathToFileURL(path).href;
}

/** The files SQLite may keep beside a database. A hot -journal or a -wal holds committed data. */
export function companionsOf(path: string): { wal: string; shm: string; journal: string } {
  return { wal: `${path}-wal`, shm: `${path}-shm`, journal: `${path}-journal` };
}

export function fileSize(path: string): number | null {
  return statSync(path, { throwIfNoEntry: false })?.size ?? null;
}

/** True when the file begins with the SQLite 3 header (false for a missing, short or other file). */
export function hasSqliteHeader(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buffer = Buffer.alloc(SQLITE_HEADER.length);
    const read = readSync(fd, buffer, 0, buffer.length, 0);
    return read === buffer.length && buffer.toString('latin1') === SQLITE_HEADER;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Flushes a file (or a folder, so a rename in it is durable) to disk. */
export function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } catch (error) {
    // Some filesystems refuse fsync on a folder; the rename is still atomic, only less durable.
    if (!isErrorCode(error, 'EINVAL', 'EISDIR', 'EPERM')) throw error;
  } finally {
    closeSync(fd);
  }
}

export function isErrorCode(error: unknown, ...codes: string[]): boolean {
  return typeof error === 'object' && error !== null && codes.includes(String((error as { code?: unknown }).code));
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export interface RawDatabase {
  client: Client;
  db: Database;
  close: () => Promise<void>;
}

/**
 * Opens a database file without openDatabase's pragmas: nothing here changes the file unless
 * the caller writes. `readOnly` adds `PRAGMA query_only` so a slip cannot write either.
 */
export async function openRawDatabase(path: string, options: { readOnly?: boolean; busyTimeoutMs?: number } = {}): Promise<RawDatabase> {
  const client = createClient({ url: fileUrl(path) });
  try {
    await client.execute(`PRAGMA busy_timeout = ${Math.max(0, Math.trunc(options.busyTimeoutMs ?? 5000))}`);
    if (options.readOnly) await client.execute('PRAGMA query_only = ON');
  } catch (error) {
    client.close();
    throw error;
  }
  return { client, db: drizzle(client, { schema }), close: () => closeAndSettle(client, path) };
}

/**
 * Closes a client and waits (briefly) until SQLite has let go of the file: @libsql/client's
 * connections finish closing a moment after close() returns, and only then does the last one
 * checkpoint and remove the -wal.
 */
async function closeAndSettle(client: Client, path: string, timeoutMs = 2000): Promise<void> {
  client.close();
  const { wal } = companionsOf(path);
  const deadline = Date.now() + timeoutMs;
  while (existsSync(wal) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
}

/** Removes an empty -wal (it holds nothing) and the -shm (an index SQLite rebuilds) beside a closed database. */
export function removeEmptyCompanions(path: string): void {
  const { wal, shm } = companionsOf(path);
  if (fileSize(wal) === 0) rmSync(wal, { force: true });
  rmSync(shm, { force: true });
}

/** `PRAGMA integrity_check`: `['ok']` for a sound file, else SQLite's list of problems. */
export async function checkIntegrity(client: Client, maxErrors = 20): Promise<string[]> {
  const result = await client.execute(`PRAGMA integrity_check(${maxErrors})`);
  return result.rows.map((row) => String(row[0]));
}

export async function listTables(client: Client): Promise<string[]> {
  const result = await client.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
  return result.rows.map((row) => String(row[0]));
}

/** Row counts of the given tables (which must be names read from sqlite_master or constants). */
export async function countRows(client: Client, tables: readonly string[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const result = await client.execute(`SELECT count(*) FROM "${table.replaceAll('"', '""')}"`);
    counts[table] = Number(result.rows[0]?.[0] ?? 0);
  }
  return counts;
}

export type ExclusiveOutcome = { inUse: true } | { inUse: false; journalMode: string };

/**
 * Checks that no other process has the database open and, if none has, folds its WAL into the
 * file, leaving one self-contained file. In WAL mode every open connection keeps a shared lock
 * on the file, so a connection in `locking_mode = EXCLUSIVE` cannot read while a server (or any
 * other process, or a connection of this one not yet closed) has the database open. Switching
 * to `journal_mode = DELETE` checkpoints and deletes the WAL while the lock is held; the lock is
 * then given back before closing, because @libsql/client finishes closing a connection only
 * later (when its statements are collected) and a lingering exclusive WAL connection would
 * otherwise delete "<file>-wal" by name whenever it did close.
 */
export async function takeExclusively(path: string, busyTimeoutMs = 1000): Promise<ExclusiveOutcome> {
  const client = createClient({ url: fileUrl(path) });
  try {
    await client.execute(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
    await client.execute('PRAGMA locking_mode = EXCLUSIVE');
    try {
      await client.execute('SELECT count(*) FROM sqlite_master');
    } catch (error) {
      if (/SQLITE_BUSY|SQLITE_LOCKED|database is locked/i.test(errorMessage(error))) return { inUse: true };
      throw error;
    }
    const result = await client.execute('PRAGMA journal_mode = DELETE');
    await client.execute('PRAGMA locking_mode = NORMAL');
    await client.execute('SELECT count(*) FROM sqlite_master');
    return { inUse: false, journalMode: String(result.rows[0]?.[0] ?? '').toLowerCase() };
  } finally {
    client.close();
  }
}

/** A rollback journal SQLite would replay: one that begins with the journal magic number. */
export function isHotJournal(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const buffer = Buffer.alloc(8);
    return readSync(fd, buffer, 0, 8, 0) === 8 && buffer.equals(JOURNAL_MAGIC);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
const JOURNAL_MAGIC = Buffer.from([0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7]);

/** `1.2 MB`, `930 kB`, `512 bytes`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} bytes`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = -1;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value >= 100 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

/** `45 ms`, `2.3 s`, `2 min 5 s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/** A UTC timestamp safe in a file name: `20260114T073012Z`. */
export function fileStamp(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}
