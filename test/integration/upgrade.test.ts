// Upgrades: a database left by each earlier release (test/fixtures/databases/release-*.db, made
// once by make-release-db.ts and never regenerated) is upgraded by `npm run db:migrate` as a real
// process, keeps every row, and serves its old content and staff through the real server. And a
// database from a *newer* release than this code stops `npm run db:migrate` and `npm start` with
// one clear sentence. Must stay green with every future migration.
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeBase64 } from '@oslojs/encoding';
import { generateTOTP } from '@oslojs/otp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSchemaStatus, SchemaTooNewError } from '../../db/migrate.ts';
import type { ApiChange } from '../../src/lib/open-data/serialize.ts';
import { openDatabase } from '../../src/lib/server/database.ts';
import { readHtml, textOf } from '../helpers/html.ts';
import { freePort, startServer, type TestServer } from '../helpers/server.ts';
import { formBody, signIn } from '../helpers/staff.ts';

const FIXTURES = 'test/fixtures/databases';
const RELEASES = readdirSync(FIXTURES)
  .map((file) => /^release-(\d+(?:\.\d+)+)\.db$/.exec(file)?.[1])
  .filter((release): release is string => release !== undefined);

/** What make-release-db.ts wrote beside each fixture. */
interface Manifest {
  release: string;
  migrations: string[];
  password: string;
  accounts: { email: string; role: string; totpKeyBase64?: string; disabled?: boolean }[];
  pages: { place: string; placeText: string; suggestedPlace: string; approvedSuggestionText: string };
  counts: Record<string, number>;
  pendingRevisions: number;
}

/** Rows that no migration may lose or add: the council's content, residents' words, staff, neighbours. */
const KEPT_EXACTLY = [
  'services', 'places', 'alerts', 'pages', 'revisions', 'suggestions', 'accounts', 'place_grants',
  'neighbour_councils', 'neighbour_sources', 'neighbour_items',
];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a project script as `npm` would (node with tsx), against `databaseUrl`; kills it after `timeoutMs`. */
function runScript(script: string, args: string[], databaseUrl: string, env: Record<string, string> = {}, timeoutMs = 45_000): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      env: { ...process.env, DATABASE_URL: databaseUrl, NEIGHBOUR_POLL_MINUTES: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const migrate = (url: string) => runScript('src/scripts/db.ts', ['migrate'], url);

/** A copy of a committed fixture in a temporary folder (the committed file is never opened). */
function copyFixture(release: string): { dir: string; url: string } {
  const dir = mkdtempSync(join(tmpdir(), `csa-upgrade-${release}-`));
  const path = join(dir, 'alerts.db');
  copyFileSync(join(FIXTURES, `release-${release}.db`), path);
  return { dir, url: `file:${path}` };
}

/** Opens the database for one look and closes it again, so the scripts under test have it to themselves. */
async function withDatabase<T>(url: string, look: (handle: Awaited<ReturnType<typeof openDatabase>>) => Promise<T>): Promise<T> {
  const handle = await openDatabase(url);
  try {
    return await look(handle);
  } finally {
    handle.client.close();
  }
}

async function countRows(url: string): Promise<Record<string, number>> {
  return withDatabase(url, async ({ client }) => {
    const tables = (await client.execute(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)).rows.map((r) => String(r[0]));
    const counts: Record<string, number> = {};
    for (const table of tables) counts[table] = Number((await client.execute(`SELECT count(*) FROM "${table}"`)).rows[0]![0]);
    return counts;
  });
}

async function schemaOf(url: string): Promise<string[]> {
  return withDatabase(url, async ({ client }) =>
    (await client.execute(`SELECT type || ' ' || name || ': ' || coalesce(sql, '') FROM sqlite_master ORDER BY type, name`)).rows.map((r) => String(r[0])),
  );
}

/** A TOTP code that will still be valid for a few seconds (never one about to roll over). */
async function currentCode(key: Uint8Array): Promise<string> {
  const intoPeriod = (Date.now() / 1000) % 30;
  if (intoPeriod > 26) await new Promise((r) => setTimeout(r, (30 - intoPeriod) * 1000 + 200));
  return generateTOTP(key, 30, 6);
}

describe.each(RELEASES)('a database from release %s', (release) => {
  const manifest = JSON.parse(readFileSync(join(FIXTURES, `release-${release}.json`), 'utf8')) as Manifest;
  let dir: string;
  let url: string;
  let before: Record<string, number>;
  let firstRun: Run;
  let secondRun: Run;
  let afterFirst: { counts: Record<string, number>; schema: string[] };
  let server: TestServer;

  beforeAll(async () => {
    ({ dir, url } = copyFixture(release));
    before = await countRows(url);
    firstRun = await migrate(url);
    afterFirst = { counts: await countRows(url), schema: await schemaOf(url) };
    secondRun = await migrate(url);
    // Background jobs off: the sources point at a demo install's own address, and the row
    // counts compared below must be the migrations' alone (not the delivery worker's lapses).
    if (firstRun.code === 0) server = await startServer(url, { NEIGHBOUR_POLL_MINUTES: '0', NOTIFY_WORKER: 'off' });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is the release’s database, as its manifest says', () => {
    expect(before.__drizzle_migrations).toBe(manifest.migrations.length);
    for (const [table, n] of Object.entries(manifest.counts)) expect(before[table], table).toBe(n);
    // What the tests below rely on being there.
    expect(manifest.counts.suggestions).toBeGreaterThan(0);
    expect(manifest.counts.neighbour_items).toBeGreaterThan(0);
    expect(manifest.accounts.some((a) => a.totpKeyBase64)).toBe(true);
  });

  it('is upgraded by `npm run db:migrate`', () => {
    expect(firstRun.stderr).toBe('');
    expect(firstRun.stdout).toContain('schema up to date');
    expect(firstRun.code).toBe(0);
  });

  it('is left exactly as it was by a second `npm run db:migrate`', async () => {
    expect(secondRun.stderr).toBe('');
    expect(secondRun.code).toBe(0);
    expect(await schemaOf(url)).toEqual(afterFirst.schema);
    expect(await countRows(url)).toEqual(afterFirst.counts);
  });

  it('passes integrity_check and knows every migration of this code', async () => {
    await withDatabase(url, async ({ client, db }) => {
      expect((await client.execute('PRAGMA integrity_check')).rows.map((r) => r[0])).toEqual(['ok']);
      expect((await client.execute('PRAGMA foreign_key_check')).rows).toEqual([]);
      const status = await readSchemaStatus(db);
      expect(status.applied).toBe(status.known);
      expect(status.databaseVersion).toBe(status.codeVersion);
      expect(status.newerThanCode).toBe(false);
    });
  });

  it('keeps every place, revision, suggestion, account and neighbour item', () => {
    for (const table of KEPT_EXACTLY) expect(afterFirst.counts[table], table).toBe(manifest.counts[table]);
    // Settings, keywords and the audit log may gain rows from a migration, never lose them.
    for (const table of ['settings', 'service_keywords', 'audit_events']) {
      expect(afterFirst.counts[table], table).toBeGreaterThanOrEqual(manifest.counts[table]!);
    }
  });

  it('serves the old content: home page, a service, places, the change log and its feed', async () => {
    const home = await server.get('/');
    expect(home.status).toBe(200);
    expect(textOf((await readHtml(home)).querySelector('body'))).toContain('Schools');

    const schools = await server.get('/services/schools');
    expect(schools.status).toBe(200);
    const list = textOf((await readHtml(schools)).querySelector('main'));
    expect(list).toContain('Holme Junior and Infant School');
    expect(list).toContain('Netherton Moor Nursery'); // added by an approved resident's suggestion

    const place = await server.get(manifest.pages.place);
    expect(place.status).toBe(200);
    expect(textOf((await readHtml(place)).querySelector('main'))).toContain(manifest.pages.placeText);
    expect((await server.get(manifest.pages.suggestedPlace)).status).toBe(200);

    const published = await withDatabase(url, async ({ client }) => Number((await client.execute('SELECT count(*) FROM revisions WHERE publish_seq IS NOT NULL')).rows[0]![0]));
    const changes: ApiChange[] = [];
    for (let since = '0', pages = 0; pages < 100; pages++) {
      const response = await server.get(`/api/v1/changes?since=${since}&limit=50`);
      expect(response.status).toBe(200);
      const page = (await response.json()) as { changes: ApiChange[]; next: string; more: boolean };
      changes.push(...page.changes);
      since = page.next;
      if (!page.more) break;
    }
    expect(changes).toHaveLength(published);
    expect(changes.some((c) => c.author === 'a resident' && c.contentHtml.includes(manifest.pages.approvedSuggestionText))).toBe(true);

    const atom = await server.get('/feeds/changes.atom');
    expect(atom.status).toBe(200);
    const feed = await atom.text();
    expect(feed).toContain('<entry>');
    expect(feed).toContain('Holme Junior and Infant School');
  });

  it('lets staff from the old database sign in with their old passwords', async () => {
    for (const account of manifest.accounts.filter((a) => !a.totpKeyBase64 && !a.disabled)) {
      const session = await signIn(server, account.email, manifest.password);
      expect((await session.get('/staff')).status, account.email).toBe(200);
    }
    const editor = manifest.accounts.find((a) => a.role === 'editor' && !a.disabled && !a.totpKeyBase64)!;
    const review = await (await signIn(server, editor.email, manifest.password)).get('/staff/review');
    expect(review.status).toBe(200);
    expect(textOf((await readHtml(review)).querySelector('main'))).toContain('Scholes Junior and Infant School');
  });

  it('asks staff with two-factor for a code from the key they set up before the upgrade', async () => {
    const account = manifest.accounts.find((a) => a.totpKeyBase64)!;
    const session = await signIn(server, account.email, manifest.password);
    const gated = await session.get('/staff');
    expect(gated.status).toBe(303);
    expect(gated.headers.get('location')).toBe('/staff/sign-in/two-factor');
    const code = await currentCode(decodeBase64(account.totpKeyBase64!));
    expect((await session.post('/staff/sign-in/two-factor', { code })).status).toBe(303);
    expect((await session.get('/staff')).status).toBe(200);
  });

  it('still refuses an account that was disabled before the upgrade', async () => {
    const account = manifest.accounts.find((a) => a.disabled)!;
    const response = await server.get('/staff/sign-in', {
      method: 'POST',
      headers: { Origin: server.url, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: formBody({ email: account.email, password: manifest.password }),
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('set-cookie') ?? '').not.toContain('csa_session=');
  });
});

describe('a database from a newer release than this code', () => {
  const latest = RELEASES.at(-1)!;
  let dir: string;
  let url: string;
  let message: string;
  let futureVersion: number;
  let server: TestServer | undefined;

  beforeAll(async () => {
    ({ dir, url } = copyFixture(latest));
    expect((await migrate(url)).code).toBe(0);
    message = await withDatabase(url, async ({ client, db }) => {
      const { codeVersion } = await readSchemaStatus(db);
      futureVersion = codeVersion + 1e9;
      await client.execute({ sql: 'INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)', args: ['future', futureVersion] });
      return new SchemaTooNewError(await readSchemaStatus(db)).message;
    });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The run said the one sentence and nothing like a stack trace. */
  function expectClearRefusal(run: Run): void {
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(message);
    expect(`${run.stdout}\n${run.stderr}`).not.toMatch(/^\s+at |SchemaTooNewError|node:internal/m);
  }

  it('makes `npm run db:migrate` stop with a clear message, changing nothing', async () => {
    const schema = await schemaOf(url);
    const counts = await countRows(url);
    const run = await migrate(url);
    expectClearRefusal(run);
    expect(run.stderr.trim()).toBe(message);
    expect(run.stdout).not.toContain('schema up to date');
    expect(await schemaOf(url)).toEqual(schema);
    expect(await countRows(url)).toEqual(counts);
  });

  it('makes the first step of `npm start` (db.ts prepare) stop with the same message', async () => {
    const run = await runScript('src/scripts/db.ts', ['prepare'], url);
    expectClearRefusal(run);
    expect(run.stdout).not.toMatch(/schema up to date|demo council/);
  });

  it('stops `npm start` before it builds or serves anything', async () => {
    const run = await runScript('src/scripts/start.ts', [], url, { PORT: String(await freePort()), HOST: '127.0.0.1' });
    expectClearRefusal(run);
    expect(run.stdout).not.toMatch(/Building|Serving on|listening/);
  });

  it('leaves a server started directly unhealthy (503) rather than serving from it', async () => {
    server = await startServer(url, { NEIGHBOUR_POLL_MINUTES: '0' }, { requireHealthy: false });
    const health = await server.get('/healthz');
    expect(health.status).toBe(503);
    expect((await server.get('/services/schools')).status).toBe(500);
    expect(server.output()).toContain(message);
    await withDatabase(url, async ({ client }) => {
      const rows = (await client.execute({ sql: 'SELECT count(*) FROM __drizzle_migrations WHERE created_at = ?', args: [futureVersion] })).rows;
      expect(Number(rows[0]![0])).toBe(1);
    });
  });
});
