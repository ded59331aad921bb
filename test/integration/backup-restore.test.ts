// `npm run db:backup` and `npm run db:restore` as an operator runs them: real child processes
// against a real migrated, seeded libSQL file. The backup is taken while the built server
// serves pages from the file and another process keeps committing writes; it must be sound,
// hold every write committed before it started, and be one consistent snapshot (a prefix of
// the writes, with counts to match). The restore puts it back in place of the live file with
// the old one kept aside, and the server runs on it. Each refusal leaves the database as it was.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createClient, type Client } from '@libsql/client';
import { drizzle } from 'drizzle-orm/libsql';
import { migrate } from 'drizzle-orm/libsql/migrator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSchemaStatus } from '../../db/migrate.ts';
import * as schema from '../../db/schema/index.ts';
import { startServer } from '../helpers/server.ts';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  startedAt: number;
  endedAt: number;
}

/** Runs one of src/scripts/ (or a test helper) as its own Node process, the way npm does. */
function run(script: string, args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const startedAt = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr, startedAt, endedAt: Date.now() }));
  });
}

const backup = (file: string, databasePath: string, ...flags: string[]) => run('src/scripts/db-backup.ts', [file, ...flags], { DATABASE_URL: `file:${databasePath}` });
const restore = (file: string, databasePath: string) => run('src/scripts/db-restore.ts', [file], { DATABASE_URL: `file:${databasePath}` });

/** Opens a file without changing it (no WAL switch); the connection is only read from. */
async function withFile<T>(path: string, read: (client: Client) => Promise<T>): Promise<T> {
  const client = createClient({ url: pathToFileURL(path).href });
  try {
    await client.execute('PRAGMA query_only = ON');
    return await read(client);
  } finally {
    client.close();
  }
}

interface Snapshot {
  integrity: string;
  counts: Record<string, number>;
  /** SHA-256 of every row of each table, in rowid order. */
  hashes: Record<string, string>;
  placeIds: Set<number>;
  suggestionIds: Set<number>;
}

async function snapshotOf(path: string): Promise<Snapshot> {
  return withFile(path, async (client) => {
    const integrity = (await client.execute('PRAGMA integrity_check')).rows.map((row) => String(row[0])).join('; ');
    const tables = (await client.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")).rows.map((row) => String(row[0]));
    const counts: Record<string, number> = {};
    const hashes: Record<string, string> = {};
    for (const table of tables) {
      const rows = (await client.execute(`SELECT * FROM "${table}" ORDER BY rowid`)).rows;
      counts[table] = rows.length;
      hashes[table] = createHash('sha256').update(JSON.stringify(rows.map((row) => Array.from(row)))).digest('hex');
    }
    const ids = async (table: string) => new Set((await client.execute(`SELECT id FROM ${table}`)).rows.map((row) => Number(row[0])));
    return { integrity, counts, hashes, placeIds: await ids('places'), suggestionIds: await ids('suggestions') };
  });
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const listing = (dir: string) => readdirSync(dir).sort();

let root: string;
/** A migrated database with the demo council, made by `npm run db:prepare`'s script; copied for each test. */
let template: string;
let templateSnapshot: Snapshot;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'csa-backup-'));
  template = join(root, 'template.db');
  const prepared = await run('src/scripts/db.ts', ['prepare'], { DATABASE_URL: `file:${template}` });
  expect(prepared.code, prepared.stderr).toBe(0);
  templateSnapshot = await snapshotOf(template);
});
afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

/** A folder with its own copy of the seeded database as alerts.db. */
function freshSite(name: string): { dir: string; database: string } {
  const dir = join(root, name);
  cpSync(template, join(dir, 'alerts.db'));
  return { dir, database: join(dir, 'alerts.db') };
}

interface WriteLine {
  n: number;
  kind: 'suggestion' | 'place';
  id: number;
  at: number;
  ms: number;
}

/** Starts test/helpers/db-writer.ts and collects the writes it reports committed. */
async function startWriter(databasePath: string, padMb: number): Promise<{ lines: WriteLine[]; stop: () => Promise<void> }> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/db-writer.ts'], {
    env: { ...process.env, DATABASE_URL: `file:${databasePath}`, PAD_MB: String(padMb) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: WriteLine[] = [];
  let buffered = '';
  let errors = '';
  let ready = false;
  child.stderr?.on('data', (chunk) => (errors += chunk));
  child.stdout?.on('data', (chunk) => {
    buffered += chunk;
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const part of parts) {
      const parsed = JSON.parse(part) as WriteLine | { ready: true };
      if ('ready' in parsed) ready = true;
      else lines.push(parsed);
    }
  });
  const deadline = Date.now() + 20_000;
  while (!ready || lines.length < 30) {
    if (child.exitCode !== null) throw new Error(`The writer stopped: ${errors}`);
    if (Date.now() > deadline) throw new Error(`The writer did not get going: ${errors}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    lines,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('close', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

describe('backing up while the site is in use, and restoring', () => {
  it('takes a sound, consistent backup while writes continue, and restores it in place of the live database', async () => {
    const { dir, database } = freshSite('live');
    const backupFile = join(root, 'backups', 'alerts-backup.db');
    const server = await startServer(`file:${database}`);
    let writer: Awaited<ReturnType<typeof startWriter>> | undefined;
    try {
      // About 40 MB of padding first, so the copy itself takes measurable time.
      writer = await startWriter(database, 40);
      let reading = true;
      const statuses: number[] = [];
      const reader = (async () => {
        while (reading) statuses.push((await server.get('/services/schools')).status);
      })();

      const result = await backup(backupFile, database);
      const afterBackup = writer.lines.length;
      while (writer.lines.length < afterBackup + 5) await new Promise((r) => setTimeout(r, 10));
      reading = false;
      await reader;
      await writer.stop();
      const lines = [...writer.lines];

      expect(result.code, result.stderr).toBe(0);
      const copy = await snapshotOf(backupFile);
      expect(copy.integrity).toBe('ok');

      // Every write committed before the backup started is in it…
      const inBackup = (line: WriteLine) => (line.kind === 'place' ? copy.placeIds : copy.suggestionIds).has(line.id);
      const before = lines.filter((line) => line.at < result.startedAt);
      expect(before.length).toBeGreaterThan(0);
      expect(before.every(inBackup)).toBe(true);
      // …and it is one snapshot: the writes it holds are exactly the first k, each whole.
      const k = lines.filter(inBackup).length;
      expect(lines.slice(0, k).every(inBackup)).toBe(true);
      expect(lines.slice(k).some(inBackup)).toBe(false);
      const placesWritten = lines.slice(0, k).filter((line) => line.kind === 'place').length;
      expect(copy.counts.places).toBe(templateSnapshot.counts.places! + placesWritten);
      expect(copy.counts.suggestions).toBe(templateSnapshot.counts.suggestions! + (k - placesWritten));
      expect(copy.counts.revisions).toBe(templateSnapshot.counts.revisions! + k);
      expect(result.stdout).toContain(`${copy.counts.places} places, ${copy.counts.revisions} revisions, ${copy.counts.suggestions} suggestions`);

      // Writes went on while the backup ran, some after its snapshot, and none waited long.
      const during = lines.filter((line) => line.at >= result.startedAt && line.at <= result.endedAt);
      const afterSnapshot = lines.slice(k).filter((line) => line.at <= result.endedAt);
      expect(during.length).toBeGreaterThan(0);
      expect(afterSnapshot.length).toBeGreaterThan(0);
      const slowest = Math.max(...during.map((line) => line.ms));
      expect(slowest).toBeLessThan(1000);
      expect(statuses.length).toBeGreaterThan(0);
      expect(statuses.every((status) => status === 200)).toBe(true);
      console.log(
        `backup: ${/size:\s+(.*)/.exec(result.stdout)?.[1]}; ${/time:\s+(.*)/.exec(result.stdout)?.[1]}; process ${result.endedAt - result.startedAt} ms; ` +
          `${during.length} writes committed while it ran (${afterSnapshot.length} after its snapshot), slowest ${slowest} ms; ` +
          `${statuses.length} page reads, all 200; backup holds the first ${k} of ${lines.length} writes`,
      );

      // Restore, with the server stopped, into the live database's place.
      await server.stop();
      const backupHash = sha256(backupFile);
      const restored = await restore(backupFile, database);
      expect(restored.code, restored.stderr).toBe(0);
      expect(restored.stdout).toMatch(/old database kept as: .*alerts\.db\.before-restore-\d{8}T\d{6}Z/);
      const kept = listing(dir).filter((name) => name.startsWith('alerts.db.before-restore-'));
      expect(kept).toHaveLength(1);
      expect(listing(dir).filter((name) => name !== 'alerts.db' && !kept.includes(name))).toEqual([]); // no -wal, -shm or temporary left
      // The old database was kept whole: every write, including those after the backup.
      const old = await snapshotOf(join(dir, kept[0]!));
      expect(old.integrity).toBe('ok');
      expect(old.counts.revisions).toBe(templateSnapshot.counts.revisions! + lines.length);
      // The restored database is the backup, table by table and row by row.
      const now = await snapshotOf(database);
      expect(now.integrity).toBe('ok');
      expect(now.counts).toEqual(copy.counts);
      expect(now.hashes).toEqual(copy.hashes);
      expect(sha256(backupFile)).toBe(backupHash);
      console.log(`restore: ${restored.endedAt - restored.startedAt} ms; ${Object.keys(now.counts).length} tables equal to the backup`);

      // And the site runs on it: what the backup holds is there, what came after is not.
      const again = await startServer(`file:${database}`);
      try {
        expect((await again.get('/services/schools')).status).toBe(200);
        const lastKept = lines.slice(0, k).filter((line) => line.kind === 'place').at(-1);
        const firstLost = lines.slice(k).find((line) => line.kind === 'place');
        if (lastKept) expect((await again.get(`/api/v1/places/${lastKept.id}`)).status).toBe(200);
        if (firstLost) expect((await again.get(`/api/v1/places/${firstLost.id}`)).status).toBe(404);
      } finally {
        await again.stop();
      }
    } finally {
      await writer?.stop();
      await server.stop();
    }
  }, 60_000);
});

describe('restore refuses, and replaces nothing', () => {
  /** Runs a restore of `file` into a fresh copy of the seeded site that must refuse it, leaving everything as it was. */
  async function expectRefused(name: string, makeFile: (dir: string) => string | Promise<string>, message: RegExp): Promise<void> {
    const site = freshSite(name);
    const file = await makeFile(root);
    const hash = sha256(site.database);
    const files = listing(site.dir);
    const result = await restore(file, site.database);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain('Nothing was restored');
    expect(sha256(site.database)).toBe(hash);
    expect(listing(site.dir)).toEqual(files);
  }

  it('refuses a file that does not exist', async () => {
    await expectRefused('missing', (dir) => join(dir, 'no-such-backup.db'), /There is no file/);
  });

  it('refuses a file that is not an SQLite database', async () => {
    await expectRefused('not-sqlite', (dir) => {
      writeFileSync(join(dir, 'places.csv'), 'name,status\nHill Top Primary,closed\n');
      return join(dir, 'places.csv');
    }, /is not an SQLite database/);
  });

  it('refuses a damaged database file', async () => {
    await expectRefused('corrupt', (dir) => {
      const file = join(dir, 'damaged.db');
      copyFileSync(template, file);
      const fd = openSync(file, 'r+');
      writeSync(fd, Buffer.alloc(4096 * 30, 0xab), 0, 4096 * 30, 4096 * 2); // pages 3–32: garbage
      closeSync(fd);
      return file;
    }, /(failed SQLite's integrity check|could not be (read|opened) as a database)/);
  });

  it('refuses an SQLite database that is not one of ours', async () => {
    await expectRefused('foreign', async (dir) => {
      const file = join(dir, 'someone-elses.db');
      const client = createClient({ url: pathToFileURL(file).href });
      await client.batch(['CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)', "INSERT INTO notes (text) VALUES ('hello')"], 'write');
      client.close();
      return file;
    }, /not one of this site's: it has no __drizzle_migrations/);
  });

  it('refuses a backup made by a newer release (a migration this code does not know)', async () => {
    await expectRefused('newer', async (dir) => {
      const file = join(dir, 'from-the-future.db');
      copyFileSync(template, file);
      const client = createClient({ url: pathToFileURL(file).href });
      await client.execute("INSERT INTO __drizzle_migrations (hash, created_at) VALUES ('from-a-later-release', 99999999999999)");
      await client.execute('PRAGMA journal_mode = DELETE'); // no -wal left beside it by this connection
      client.close();
      return file;
    }, /made by a newer release than this code/);
  });

  it('refuses while the server still has the database open', async () => {
    const site = freshSite('in-use');
    const server = await startServer(`file:${site.database}`);
    try {
      const file = join(root, 'good-backup.db');
      if (!existsSync(file)) copyFileSync(template, file);
      const result = await restore(file, site.database);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/open in another process — the server is probably still running/);
      expect(listing(site.dir).filter((name) => name.includes('before-restore') || name.includes('restoring'))).toEqual([]);
      expect((await server.get('/healthz')).status).toBe(200);
    } finally {
      await server.stop();
    }
  });
});

describe('restoring an older backup', () => {
  it('brings it up to date with the migrations it is missing', async () => {
    // A database made by an earlier release: only the first three migrations.
    const migrations = join(root, 'old-migrations');
    cpSync('db/migrations', migrations, { recursive: true });
    const journalPath = join(migrations, 'meta', '_journal.json');
    const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: unknown[] };
    journal.entries = journal.entries.slice(0, 3);
    writeFileSync(journalPath, JSON.stringify(journal));
    const file = join(root, 'older-release.db');
    const client = createClient({ url: pathToFileURL(file).href });
    await migrate(drizzle(client), { migrationsFolder: migrations });
    client.close();

    const target = join(root, 'fresh-install', 'data', 'alerts.db');
    const result = await restore(file, target);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/\d+ migrations? run to bring it up to date/);
    expect(result.stdout).toContain('(there was none)');
    const status = await withFile(target, (c) => readSchemaStatus(drizzle(c, { schema })));
    expect(status.applied).toBe(status.known);
    expect(status.newerThanCode).toBe(false);
  });
});

describe('backup', () => {
  it('will not overwrite an existing file unless told to with --force', async () => {
    const site = freshSite('overwrite');
    const file = join(site.dir, 'existing.db');
    writeFileSync(file, 'keep me');
    const refused = await backup(file, site.database);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/already exists: choose another name, or add --force/);
    expect(readFileSync(file, 'utf8')).toBe('keep me');
    const forced = await backup(file, site.database, '--force');
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain('Replaced the backup');
    expect((await snapshotOf(file)).counts).toEqual(templateSnapshot.counts);
  });

  it('says what to do instead for a libSQL server or Turso database, and exits 2', async () => {
    const env = { DATABASE_URL: 'libsql://alerts-kirklees.turso.io', DATABASE_AUTH_TOKEN: 'not-a-real-token' };
    const backedUp = await run('src/scripts/db-backup.ts', [join(root, 'remote.db')], env);
    expect(backedUp.code).toBe(2);
    expect(backedUp.stderr).toContain('turso db shell NAME .dump');
    expect(backedUp.stderr).toContain('libsql://alerts-kirklees.turso.io');
    expect(backedUp.stderr).not.toContain('not-a-real-token');
    const restored = await run('src/scripts/db-restore.ts', [template], env);
    expect(restored.code).toBe(2);
    expect(restored.stderr).toContain('--timestamp');
    expect(existsSync(join(root, 'remote.db'))).toBe(false);
  });
});
