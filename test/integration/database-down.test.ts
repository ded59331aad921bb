// When the database stops answering, residents keep the last good page the server has (marked
// "may be out of date", with the time it was last checked), pages it never had get a plain 503,
// /healthz says 503 at once, staff are told plainly that nothing was saved (with their text
// shown back), and everything is fresh again as soon as the database answers.
//
// How the database "goes down", for real (no mock): the server's database is an ordinary
// libSQL file. Moving or deleting it does not stop the server — on Linux its open connections
// keep reading the old inode (checked while writing this test) — and tests run as root, so
// permissions do not stop it either. Instead the test does what a failing disk does: with the
// server idle, it checkpoints the WAL into the main file (so the -wal file is empty), keeps a
// copy of the file's bytes, then overwrites the file and its -shm index in place with random
// bytes of the same size. The server's next read sees a wal-index it cannot trust, rebuilds it
// from a file that is no longer a database and fails with SQLITE_NOTADB ("file is not a
// database") on every query, reads and writes alike. "Back up" writes the saved bytes back and
// zeroes the -shm, which SQLite rebuilds on the next read. (A `select 1` still succeeds on the
// broken file — it reads no table — which is why /healthz now reads the content version.)
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { get as httpGet, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { eq } from 'drizzle-orm';
import { parse } from 'node-html-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { places, services } from '../../db/schema/index.ts';
import { toLondonLocalInput } from '../../src/lib/time/london.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { readHtml, textOf } from '../helpers/html.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { signInAs, type SignedIn } from '../helpers/staff.ts';

const NO_STACK_TRACE = /\bat .+\.(m?js|ts):\d+|SQLITE|LibsqlError|Error:/;
const NOTICE = /This page may be out of date: we could not check for updates \(last checked (\d{2}:\d{2})\)\.\s*Try again in a few minutes\./;

/** A GET whose body comes back exactly as sent (fetch would decompress it). */
function rawGet(url: string, headers: Record<string, string>): Promise<{ headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    httpGet(url, { headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ headers: response.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

/** HH:MM in London, as the notice shows it. */
const londonClock = (ms: number) =>
  new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/London', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(ms);

describe('with a database that was never reachable', () => {
  let server: TestServer;
  const dir = mkdtempSync(join(tmpdir(), 'csa-down-'));
  beforeAll(async () => {
    // The database's folder is a plain file, so every attempt to open the database fails.
    writeFileSync(join(dir, 'not-a-folder'), '');
    server = await startServer(`file:${join(dir, 'not-a-folder', 'alerts.db')}`, {}, { requireHealthy: false });
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports unhealthy with 503', async () => {
    const response = await server.get('/healthz');
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ status: 'unavailable', database: 'unavailable' });
  });

  it('answers public pages with a helpful 503 page, Retry-After and no stack trace', async () => {
    const response = await server.get('/services/schools');
    expect(response.status).toBe(503);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    const doc = await readHtml(response);
    expect(textOf(doc.querySelector('h1'))).toBe('Sorry, the service is unavailable');
    const text = textOf(doc.querySelector('body'));
    expect(text).toContain('Try again in a few minutes');
    expect(text).not.toMatch(NO_STACK_TRACE);
  });
});

describe('a database that stops answering, then comes back', () => {
  let t: TestDb;
  let server: TestServer;
  let editor: SignedIn;
  let path: string;
  let saved: Buffer;
  let placePath: string;
  /** The London clock times between which the pages were last known good. */
  let checkedBetween: [number, number];

  function overwrite(file: string, bytes: Buffer): void {
    const fd = openSync(file, 'r+');
    try {
      writeSync(fd, bytes, 0, bytes.length, 0);
    } finally {
      closeSync(fd);
    }
  }

  async function takeDown(): Promise<void> {
    const [checkpoint] = (await t.client.execute('PRAGMA wal_checkpoint(TRUNCATE)')).rows;
    expect(checkpoint?.busy, 'the checkpoint got the whole WAL into the file').toBe(0);
    saved = readFileSync(path);
    overwrite(path, randomBytes(saved.length));
    overwrite(`${path}-shm`, randomBytes(statSync(`${path}-shm`).size));
  }

  function bringBack(): void {
    overwrite(path, saved);
    overwrite(`${path}-shm`, Buffer.alloc(statSync(`${path}-shm`).size));
  }

  const alertForm = (headline: string) => ({
    severity: 'warning',
    headline,
    body: 'Gritters are out.\nTake care on <script>alert(1)</script> side roads & paths.',
    area: 'Kirklees-wide',
    services: ['roads-and-gritting'],
    starts: toLondonLocalInput(new Date(Date.now() - 5 * 60_000)),
    expires: toLondonLocalInput(new Date(Date.now() + 600 * 60_000)),
    editSummary: 'New alert',
    // Straight from the preview's "Publish" button: the step that publishes.
    step: 'publish',
  });

  beforeAll(async () => {
    t = await createTestDb({ seed: true });
    path = t.url.slice('file:'.length);
    const [schools] = await t.db.select().from(services).where(eq(services.slug, 'schools'));
    const [place] = await t.db.select().from(places).where(eq(places.serviceId, schools!.id)).orderBy(places.name).limit(1);
    placePath = `/services/schools/${place!.slug}`;
    server = await startServer(t.url, { NEIGHBOUR_POLL_MINUTES: '0' });
    // Signed in while the database answers: the session itself needs the database later.
    editor = await signInAs(t, server, 'editor');
  });
  afterAll(async () => {
    await server?.stop();
    t?.cleanup();
  });

  describe('while it answers', () => {
    it('renders a page once, then serves it from memory without any notice', async () => {
      const first = await server.get('/services/schools?status=closed');
      expect(first.status).toBe(200);
      expect(first.headers.get('x-cache')).toBe('MISS');
      const again = await server.get('/services/schools?status=closed');
      expect(again.headers.get('x-cache')).toBe('HIT');
      expect(await again.text()).not.toMatch(NOTICE);
    });
  });

  describe('while it does not answer', () => {
    beforeAll(async () => {
      const warmedAt = Date.now();
      for (const url of ['/services/schools', placePath]) {
        expect((await server.get(url)).status, url).toBe(200);
        expect((await server.get(url)).headers.get('x-cache'), url).toBe('HIT');
      }
      checkedBetween = [warmedAt, Date.now()];
      await takeDown();
      // The server notices on its next check of the content version (at most CACHE_CHECK_MS,
      // 250 ms, after the last one).
      const deadline = Date.now() + 3_000;
      while ((await server.get('/services/schools')).headers.get('x-cache') !== 'STALE') {
        if (Date.now() > deadline) throw new Error(`the server did not notice:\n${server.output()}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    });

    it('keeps answering the pages it has, marked as possibly out of date with the time they were last checked', async () => {
      for (const url of ['/services/schools', placePath]) {
        const response = await server.get(url);
        expect(response.status, url).toBe(200);
        expect(response.headers.get('x-cache'), url).toBe('STALE');
        expect(response.headers.get('cache-control'), url).toBe('no-store');
        expect(response.headers.get('etag'), url).toBeNull();
        const html = await response.text();
        const lastChecked = NOTICE.exec(textOf(parse(html).querySelector('.govuk-notification-banner')))?.[1];
        expect(lastChecked, url).toBeDefined();
        expect([londonClock(checkedBetween[0]), londonClock(checkedBetween[1])], url).toContain(lastChecked);
        // In the HTML itself, just after the page header and before the page's own content,
        // which is otherwise the last good page.
        const at = html.indexOf('This page may be out of date');
        expect(at, url).toBeGreaterThan(html.indexOf('</header>'));
        expect(at, url).toBeLessThan(html.indexOf('id="main-content"'));
        expect(parse(html).querySelector('main h1'), url).not.toBeNull();
      }
    });

    it('sends the marked page compressed for browsers that ask, with a matching length', async () => {
      for (const [coding, decode] of [['br', brotliDecompressSync], ['gzip', gunzipSync]] as const) {
        const { headers, body } = await rawGet(`${server.url}/services/schools`, { 'Accept-Encoding': coding });
        expect(headers['content-encoding'], coding).toBe(coding);
        expect(Number(headers['content-length']), coding).toBe(body.length);
        const notice = textOf(parse(decode(body).toString()).querySelector('.govuk-notification-banner'));
        expect(NOTICE.test(notice), notice).toBe(true);
      }
    });

    it('answers a page it never rendered with a helpful 503 at once', async () => {
      const started = Date.now();
      const response = await server.get('/pages/bad-weather-advice');
      expect(Date.now() - started).toBeLessThan(500);
      expect(response.status).toBe(503);
      expect(response.headers.get('cache-control')).toBe('no-store');
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      const doc = await readHtml(response);
      expect(textOf(doc.querySelector('h1'))).toBe('Sorry, the service is unavailable');
      const text = textOf(doc.querySelector('main'));
      expect(text).toContain('Try again in a few minutes');
      // The council's number was read while the database answered.
      expect(text).toContain('If you need to know urgently, call 01484 221000.');
      expect(textOf(doc.querySelector('body'))).not.toMatch(NO_STACK_TRACE);
    });

    it('reports unhealthy with 503 within half a second', async () => {
      for (let i = 0; i < 3; i++) {
        const started = Date.now();
        const response = await server.get('/healthz');
        expect(Date.now() - started).toBeLessThan(500);
        expect(response.status).toBe(503);
        expect(await response.json()).toEqual({ status: 'unavailable', database: 'unavailable' });
      }
    });

    it('tells staff plainly that nothing was saved, and shows back what they typed', async () => {
      const response = await editor.post('/staff/alerts/new', alertForm('Roads: gritters out tonight'));
      // Not a sign-in redirect: the session could not be checked either.
      expect(response.status).toBe(503);
      expect(response.headers.get('cache-control')).toBe('no-store');
      const doc = await readHtml(response);
      expect(textOf(doc.querySelector('h1'))).toBe('Saving is not possible right now');
      const text = textOf(doc.querySelector('main'));
      expect(text).toContain('the database is not answering. Nothing was saved.');
      expect(text).toContain('Your text is below so you can copy it');
      const shown = doc.querySelectorAll('textarea').map((area) => area.textContent);
      expect(shown).toContain('Roads: gritters out tonight');
      expect(shown).toContain('Gritters are out.\nTake care on <script>alert(1)</script> side roads & paths.');
      expect(doc.querySelectorAll('script')).toHaveLength(0); // escaped, not markup
      expect(text).not.toMatch(NO_STACK_TRACE);
    });

    it('never shows back a password', async () => {
      const response = await server.get('/staff/sign-in', {
        method: 'POST',
        headers: { Origin: server.url, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ email: 'someone@example.org', password: 'correct horse battery staple' }),
      });
      expect(response.status).toBe(503);
      const html = await response.text();
      expect(html).toContain('someone@example.org');
      expect(html).not.toContain('correct horse battery staple');
    });

    it('answers staff pages with the 503 page, not a sign-in redirect', async () => {
      const response = await editor.get('/staff');
      expect(response.status).toBe(503);
      expect(textOf((await readHtml(response)).querySelector('h1'))).toBe('Sorry, the service is unavailable');
    });
  });

  describe('once it answers again', () => {
    beforeAll(async () => {
      bringBack();
      // It is re-checked at most every second: healthy again within a couple of seconds.
      const deadline = Date.now() + 5_000;
      while ((await server.get('/healthz')).status !== 200) {
        if (Date.now() > deadline) throw new Error(`still unhealthy:\n${server.output()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    });

    it('serves fresh pages again, never the notice', async () => {
      for (const url of ['/services/schools', placePath, '/pages/bad-weather-advice']) {
        const response = await server.get(url);
        expect(response.status, url).toBe(200);
        expect(['HIT', 'MISS'], url).toContain(response.headers.get('x-cache'));
        expect(response.headers.get('cache-control'), url).toMatch(/\bpublic\b/);
        expect(await response.text(), url).not.toMatch(NOTICE);
      }
    });

    it('lets staff save again with the same session', async () => {
      const response = await editor.post('/staff/alerts/new', alertForm('Roads: gritters out again'));
      expect(response.status).toBe(303);
      expect(await server.get('/').then((r) => r.text())).toContain('Roads: gritters out again');
    });

    it('logs the outage once, and its end, without a stack trace per request', () => {
      const log = server.output();
      expect(log.match(/"msg":"database not answering[^"]*"/g)).toHaveLength(1);
      expect(log).toMatch(/"msg":"database answering again","downSeconds":\d+/);
      expect(log).not.toMatch(/\n\s+at /);
    });
  });
});
