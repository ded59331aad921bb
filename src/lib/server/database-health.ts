// Whether this process's database is answering: the one piece of knowledge shared by the front
// server (which serves the last good copy of a page while it is not, src/lib/http/front-server.ts),
// getDb() (which then fails at once instead of waiting on a dead database), /healthz and the
// middleware (which answers 503 "saving is not possible right now"). Once the database is down,
// it is re-checked at most every RECHECK_MS, by whichever request comes first; the first read
// that succeeds brings everything back.
//
// Like the page cache, two copies of this module exist at run time (the Astro build's and the
// front server's), so the state lives on globalThis under a registered symbol.
import { logEvent } from '../logging/log.ts';

/** While the database is down, how often one request may try it again (the others fail at once). */
export const RECHECK_MS = 1_000;
/**
 * A health read (content version, /healthz) that takes longer than this counts as "not
 * answering". Generous on purpose: a busy two-core machine can take a second or two to answer a
 * read that is merely queued, and a false outage fails every request for a second.
 */
export const CHECK_TIMEOUT_MS = 5_000;

/** The database is not answering (or cannot be opened): nothing can be read or saved right now. */
export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';
}

interface HealthState {
  down: boolean;
  /** When the current outage was first seen (ms since the epoch), for the log. */
  downSince: number;
  /** While down: no request tries the database before this. */
  retryAt: number;
}

const STATE_KEY = Symbol.for('council-service-alerts.database-health');
const globals = globalThis as typeof globalThis & { [STATE_KEY]?: HealthState };

function state(): HealthState {
  return (globals[STATE_KEY] ??= { down: false, downSince: 0, retryAt: 0 });
}

export function isDatabaseDown(): boolean {
  return state().down;
}

/**
 * Records that the database failed: from now, requests fail at once until the re-check, due
 * RECHECK_MS after the first failure (later failures do not postpone it, or steady traffic
 * would keep it from ever coming). Logs the start of an outage once.
 */
export function markDatabaseDown(error: unknown, now = Date.now()): void {
  const s = state();
  if (s.down) return;
  s.down = true;
  s.downSince = now;
  s.retryAt = now + RECHECK_MS;
  logEvent('error', 'database not answering: serving last good pages until it does', { reason: describe(error) });
}

/**
 * A failure a request ran into (src/middleware.ts): marks the database down, unless it was only
 * contention — SQLITE_BUSY or SQLITE_LOCKED, another writer holding the lock past the busy
 * timeout — which fails that request (503, nothing saved) but says nothing about reading.
 */
export function noteDatabaseFailure(error: unknown, now = Date.now()): void {
  if (!hasCode(error, /^SQLITE_(?:BUSY|LOCKED)/)) markDatabaseDown(error, now);
  // Contention is not an outage, but each request it fails is worth a line: many of them mean
  // writers wait longer than the busy timeout.
  else logEvent('warn', 'database busy: request answered 503', { reason: describe(error) });
}

/** Records a successful read. Logs the end of an outage once. */
export function markDatabaseUp(now = Date.now()): void {
  const s = state();
  if (!s.down) return;
  s.down = false;
  logEvent('info', 'database answering again', { downSeconds: Math.round((now - s.downSince) / 1000) });
}

/** For tests: forget any outage. */
export function resetDatabaseHealth(): void {
  Object.assign(state(), { down: false, downSince: 0, retryAt: 0 });
}

/**
 * Runs a read that tells whether the database answers (the content-version check, /healthz,
 * getDb()'s re-check). While the database is known to be down and the re-check is not due, it
 * throws DatabaseUnavailableError at once without touching the database; otherwise it runs the
 * read with a CHECK_TIMEOUT_MS deadline. A failure marks the database down; a read that is only
 * slow fails this caller (it gets the last good page or a 503) but declares no outage, because a
 * read queued behind another process's write lock is slow, not down. While down, only one caller
 * per RECHECK_MS gets through.
 */
export async function checkedRead<T>(read: () => Promise<T>, now = Date.now()): Promise<T> {
  const s = state();
  if (s.down) {
    if (now < s.retryAt) throw new DatabaseUnavailableError('The database is not answering');
    s.retryAt = now + RECHECK_MS;
  }
  const started = Date.now();
  let value: T;
  try {
    value = await withTimeout(read(), CHECK_TIMEOUT_MS);
  } catch (error) {
    if (error instanceof SlowReadError) throw error;
    const failedAt = now + (Date.now() - started);
    markDatabaseDown(error, failedAt);
    s.retryAt = failedAt + RECHECK_MS;
    throw error instanceof DatabaseUnavailableError || !isDatabaseUnavailableError(error)
      ? error
      : new DatabaseUnavailableError('The database is not answering', { cause: error });
  }
  markDatabaseUp(now);
  return value;
}

/** A read that did not answer within the deadline: unavailable for this caller, not an outage. */
class SlowReadError extends DatabaseUnavailableError {
  override name = 'SlowReadError';
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    // The deadline is judged after the event loop's I/O phase (setImmediate): when the loop was
    // blocked past the deadline, an answer that had already arrived is read first, so a busy
    // process does not mistake its own lag for the database's silence.
    timer = setTimeout(() => setImmediate(() => reject(new SlowReadError(`The database did not answer within ${ms} ms`))), ms);
    timer.unref?.();
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

/** SQLite result codes that mean "the database cannot be used right now", not "this query is wrong". */
const UNAVAILABLE_SQLITE = /^SQLITE_(?:BUSY|LOCKED|IOERR|CORRUPT|NOTADB|CANTOPEN|FULL|PROTOCOL|READONLY|NOLFS|PERM|AUTH)/;
/** @libsql/client codes for a libSQL server or Turso that cannot be reached. */
const UNAVAILABLE_LIBSQL = new Set(['SERVER_ERROR', 'HRANA_WEBSOCKET_ERROR', 'HRANA_CLOSED_ERROR', 'STREAM_EXPIRED', 'CLIENT_CLOSED']);
/** Network and file-system failures, counted only underneath a database error (or while opening it). */
const UNAVAILABLE_SYSTEM = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET', 'UND_ERR_HEADERS_TIMEOUT',
  'ENOTDIR', 'EEXIST', 'ENOENT', 'EACCES', 'EPERM', 'EROFS', 'ENOSPC', 'EIO',
]);

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  query?: unknown;
  cause?: unknown;
}

/** A libSQL error, or drizzle's wrapper around a failed query (which carries the query text). */
function isDatabaseLayerError(e: ErrorLike): boolean {
  return e.name === 'LibsqlError' || e.name === 'LibsqlBatchError' || typeof e.query === 'string';
}

/**
 * Whether an error means the database is unavailable (unreachable, unreadable, locked, full)
 * rather than a bug: a DatabaseUnavailableError anywhere in the `cause` chain, a libSQL error
 * with such a code, or a network or file-system failure underneath a database error.
 */
export function isDatabaseUnavailableError(error: unknown, { opening = false } = {}): boolean {
  let insideDatabase = opening;
  let e = error as ErrorLike | undefined;
  for (let depth = 0; e && typeof e === 'object' && depth < 8; depth++, e = e.cause as ErrorLike | undefined) {
    if (e instanceof DatabaseUnavailableError || e.name === 'DatabaseUnavailableError') return true;
    const code = typeof e.code === 'string' ? e.code : '';
    if (e.name === 'LibsqlError' || e.name === 'LibsqlBatchError') {
      if (UNAVAILABLE_SQLITE.test(code) || UNAVAILABLE_LIBSQL.has(code)) return true;
    }
    if (isDatabaseLayerError(e)) insideDatabase = true;
    else if (insideDatabase && (UNAVAILABLE_SYSTEM.has(code) || (e.name === 'TypeError' && e.message === 'fetch failed'))) return true;
  }
  return false;
}

function hasCode(error: unknown, pattern: RegExp): boolean {
  let e = error as ErrorLike | undefined;
  for (let depth = 0; e && typeof e === 'object' && depth < 8; depth++, e = e.cause as ErrorLike | undefined) {
    if (typeof e.code === 'string' && pattern.test(e.code)) return true;
  }
  return false;
}

/** One line for the log: the innermost message, without the query text drizzle puts first. */
function describe(error: unknown): string {
  let e = error as ErrorLike | undefined;
  let last = '';
  for (let depth = 0; e && typeof e === 'object' && depth < 8; depth++, e = e.cause as ErrorLike | undefined) {
    if (typeof e.message === 'string' && typeof e.query !== 'string') last = e.message;
  }
  return last || String(error);
}
