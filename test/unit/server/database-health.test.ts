import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  checkedRead,
  CHECK_TIMEOUT_MS,
  DatabaseUnavailableError,
  isDatabaseDown,
  isDatabaseUnavailableError,
  markDatabaseDown,
  noteDatabaseFailure,
  RECHECK_MS,
  resetDatabaseHealth,
} from '../../../src/lib/server/database-health.ts';

/** What @libsql/client throws, wrapped the way drizzle wraps a failed query. */
function libsqlError(code: string): Error {
  const inner = Object.assign(new Error(`${code}: something`), { name: 'LibsqlError', code });
  return Object.assign(new Error('Failed query: select 1\nparams: '), { query: 'select 1', params: [], cause: inner });
}

beforeEach(() => {
  resetDatabaseHealth();
  vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
});
afterEach(() => vi.restoreAllMocks());

describe('checkedRead', () => {
  it('marks the database down when a read fails, and says it is unavailable', async () => {
    await expect(checkedRead(() => Promise.reject(libsqlError('SQLITE_NOTADB')), 1_000)).rejects.toBeInstanceOf(DatabaseUnavailableError);
    expect(isDatabaseDown()).toBe(true);
  });

  it('while down, fails at once without touching the database until the re-check is due', async () => {
    await checkedRead(() => Promise.reject(libsqlError('SQLITE_IOERR_READ')), 1_000).catch(() => undefined);
    const read = vi.fn(async () => 'ok');
    await expect(checkedRead(read, 1_000 + RECHECK_MS - 1)).rejects.toBeInstanceOf(DatabaseUnavailableError);
    expect(read).not.toHaveBeenCalled();
    await expect(checkedRead(read, 1_000 + RECHECK_MS + 100)).resolves.toBe('ok');
    expect(read).toHaveBeenCalledTimes(1);
    expect(isDatabaseDown()).toBe(false);
  });

  it('lets only one caller re-check at a time; the others fail at once', async () => {
    await checkedRead(() => Promise.reject(libsqlError('SQLITE_NOTADB')), 1_000).catch(() => undefined);
    let answer!: (value: string) => void;
    // (A failure is dated when it happened: the real milliseconds the read took are added.)
    const slow = checkedRead(() => new Promise<string>((resolve) => (answer = resolve)), 1_000 + RECHECK_MS + 100);
    const read = vi.fn(async () => 'ok');
    await expect(checkedRead(read, 1_000 + RECHECK_MS + 101)).rejects.toBeInstanceOf(DatabaseUnavailableError);
    expect(read).not.toHaveBeenCalled();
    answer('back');
    await expect(slow).resolves.toBe('back');
  });

  it('does not let later failures postpone the re-check', () => {
    markDatabaseDown(new Error('first'), 1_000);
    markDatabaseDown(new Error('again'), 1_500);
    return expect(checkedRead(async () => 'ok', 1_000 + RECHECK_MS)).resolves.toBe('ok');
  });

  it('counts a read that never answers as unavailable for its caller, without declaring an outage', async () => {
    vi.useFakeTimers();
    try {
      const pending = checkedRead(() => new Promise<never>(() => undefined), 1_000);
      const settled = expect(pending).rejects.toThrow(/did not answer within/);
      await vi.advanceTimersByTimeAsync(CHECK_TIMEOUT_MS + 1_000);
      await settled;
      // Slow is not down: a read queued behind another process's write lock must not fail
      // everyone else's requests for a second.
      expect(isDatabaseDown()).toBe(false);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('noteDatabaseFailure', () => {
  it('marks the database down for an unreadable file, not for a writer holding the lock', () => {
    noteDatabaseFailure(libsqlError('SQLITE_BUSY'));
    expect(isDatabaseDown()).toBe(false);
    noteDatabaseFailure(libsqlError('SQLITE_NOTADB'));
    expect(isDatabaseDown()).toBe(true);
  });
});

describe('isDatabaseUnavailableError', () => {
  it('recognises an unreadable, locked or unreachable database', () => {
    for (const code of ['SQLITE_NOTADB', 'SQLITE_CORRUPT', 'SQLITE_IOERR_SHORT_READ', 'SQLITE_BUSY', 'SQLITE_CANTOPEN', 'SQLITE_FULL', 'SERVER_ERROR', 'HRANA_WEBSOCKET_ERROR']) {
      expect(isDatabaseUnavailableError(libsqlError(code)), code).toBe(true);
    }
    expect(isDatabaseUnavailableError(new DatabaseUnavailableError('down'))).toBe(true);
  });

  it('recognises a network failure underneath a failed query', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8080'), { code: 'ECONNREFUSED' });
    const fetchFailed = Object.assign(new TypeError('fetch failed'), { cause: refused });
    expect(isDatabaseUnavailableError(Object.assign(new Error('Failed query'), { query: 'select 1', cause: fetchFailed }))).toBe(true);
  });

  it('does not mistake a bug, a constraint or an unrelated file error for an outage', () => {
    expect(isDatabaseUnavailableError(libsqlError('SQLITE_CONSTRAINT_UNIQUE'))).toBe(false);
    expect(isDatabaseUnavailableError(libsqlError('SQLITE_ERROR'))).toBe(false);
    expect(isDatabaseUnavailableError(Object.assign(new Error('no such file'), { code: 'ENOENT' }))).toBe(false);
    expect(isDatabaseUnavailableError(new TypeError('x is undefined'))).toBe(false);
  });

  it('counts a file-system failure while opening the database', () => {
    const error = Object.assign(new Error('EEXIST: file already exists, mkdir'), { code: 'EEXIST' });
    expect(isDatabaseUnavailableError(error, { opening: true })).toBe(true);
  });
});
