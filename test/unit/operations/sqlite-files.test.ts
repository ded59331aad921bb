import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeRemote } from '../../../src/lib/operations/backup.ts';
import { fileStamp, formatBytes, formatDuration, hasSqliteHeader, isHotJournal, locateDatabase } from '../../../src/lib/operations/sqlite-files.ts';

describe('where a DATABASE_URL keeps its data', () => {
  it('finds a relative file from the project folder', () => {
    expect(locateDatabase('file:data/alerts.db', '/srv/alerts')).toEqual({ kind: 'file', path: '/srv/alerts/data/alerts.db' });
  });

  it('finds absolute files written with one slash or three', () => {
    expect(locateDatabase('file:/var/lib/alerts/alerts.db', '/srv')).toEqual({ kind: 'file', path: '/var/lib/alerts/alerts.db' });
    expect(locateDatabase('file:///var/lib/alerts/alerts.db', '/srv')).toEqual({ kind: 'file', path: '/var/lib/alerts/alerts.db' });
  });

  it('decodes an escaped file URL and ignores its query', () => {
    expect(locateDatabase('file:///var/lib/my%20alerts/alerts.db?mode=x', '/srv')).toEqual({ kind: 'file', path: '/var/lib/my alerts/alerts.db' });
  });

  it('treats libSQL server and Turso addresses as remote', () => {
    for (const url of ['libsql://alerts-kirklees.turso.io', 'https://db.example.org', 'http://127.0.0.1:8080', 'wss://db.example.org']) {
      expect(locateDatabase(url).kind).toBe('remote');
    }
  });

  it('recognises an in-memory database', () => {
    expect(locateDatabase(':memory:').kind).toBe('memory');
    expect(locateDatabase('file::memory:').kind).toBe('memory');
  });
});

describe('describing a remote database in messages', () => {
  it('shows the scheme and host but never a token in the address', () => {
    expect(describeRemote('libsql://alerts.turso.io?authToken=secret')).toBe('libsql://alerts.turso.io');
    expect(describeRemote('https://user:secret@db.example.org:8443/x')).toBe('https://db.example.org:8443');
  });
});

describe('figures the commands print', () => {
  it('gives sizes in bytes, kB and MB', () => {
    expect(formatBytes(512)).toBe('512 bytes');
    expect(formatBytes(593_920)).toBe('594 kB');
    expect(formatBytes(41_500_000)).toBe('41.5 MB');
  });

  it('gives durations in ms, seconds and minutes', () => {
    expect(formatDuration(45.4)).toBe('45 ms');
    expect(formatDuration(2_340)).toBe('2.3 s');
    expect(formatDuration(125_000)).toBe('2 min 5 s');
  });

  it('stamps file names with a sortable UTC time', () => {
    expect(fileStamp(new Date('2026-01-14T07:30:12.345Z'))).toBe('20260114T073012Z');
  });
});

describe('recognising SQLite files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'csa-unit-'));
  const write = (name: string, bytes: Buffer | string) => {
    writeFileSync(join(dir, name), bytes);
    return join(dir, name);
  };

  it('knows a database by its header', () => {
    expect(hasSqliteHeader(write('a.db', Buffer.concat([Buffer.from('SQLite format 3\0', 'latin1'), Buffer.alloc(100)])))).toBe(true);
    expect(hasSqliteHeader(write('b.csv', 'name,status\n'))).toBe(false);
    expect(hasSqliteHeader(write('c.db', ''))).toBe(false);
    expect(hasSqliteHeader(join(dir, 'missing.db'))).toBe(false);
  });

  it('tells a rollback journal SQLite would replay from one it has finished with', () => {
    const magic = Buffer.from([0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7]);
    expect(isHotJournal(write('hot.db-journal', Buffer.concat([magic, Buffer.alloc(500)])))).toBe(true);
    expect(isHotJournal(write('done.db-journal', Buffer.alloc(512)))).toBe(false);
    expect(isHotJournal(join(dir, 'none.db-journal'))).toBe(false);
    rmSync(dir, { recursive: true, force: true });
  });
});
