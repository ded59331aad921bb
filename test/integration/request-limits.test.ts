// Request bodies are bounded before they are read (src/lib/http/body-limit.ts, checked by the
// front server): a 200 MB body to any form route is refused with 413 — at once when its length
// is declared, at the route's limit when it is chunked — while the server's memory stays within
// 50 MB of its resting size; forms within their limit still work, chunked ones too.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FORM_BODY_LIMIT_BYTES, LONG_TEXT_BODY_LIMIT_BYTES } from '../../src/lib/http/body-limit.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { rawRequest, type RawAnswer } from '../helpers/raw-http.ts';
import { handledMethods, realIds, routeFiles, samplePath } from '../helpers/routes.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { formBody, signInAs, TEST_PASSWORD, type SignedIn } from '../helpers/staff.ts';

const HUGE = 200 * 1024 * 1024;
const MB = 1024 * 1024;
const STACK_TRACE = /^\s+at\s|Could not render|"level":"error"/m;

/** The server's resident memory, from /proc (bytes). */
function residentBytes(pid: number): number {
  const kb = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) * 1024;
}

/** Samples the server's memory every 10 ms while `run` runs; the highest sample. */
async function peakResidentDuring<T>(pid: number, run: () => Promise<T>): Promise<{ result: T; peak: number }> {
  let peak = residentBytes(pid);
  const timer = setInterval(() => (peak = Math.max(peak, residentBytes(pid))), 10);
  try {
    const result = await run();
    await new Promise((r) => setTimeout(r, 200));
    peak = Math.max(peak, residentBytes(pid));
    return { result, peak };
  } finally {
    clearInterval(timer);
  }
}

describe('bounded request bodies', () => {
  let t: TestDb;
  let server: TestServer;
  let admin: SignedIn & { email: string };
  let formRoutes: string[];
  let resting: number;

  beforeAll(async () => {
    t = await createTestDb({ seed: true });
    // No neighbour polling: its feed parser is a worker thread with a heap of its own, started at
    // the first minute tick — tens of MB that, landing inside a measurement, are not the bodies'.
    server = await startServer(t.url, { NEIGHBOUR_POLL_MINUTES: '0' });
    admin = await signInAs(t, server, 'admin');
    const ids = await realIds(t);
    formRoutes = routeFiles()
      .filter((file) => handledMethods(file).includes('POST'))
      .map((file) => samplePath(file, ids));
    // Warm up what a refusal uses (the 413 page for each layout, a refused body, each route's
    // first request), then settle: what is measured below is the bodies', not first-time costs.
    for (const path of formRoutes) await post(path, { bodyBytes: 2 * MB });
    await new Promise((r) => setTimeout(r, 500));
    // Resting is the top of the garbage collector's saw-tooth over a second, not one low point.
    resting = (await peakResidentDuring(server.pid!, () => new Promise((r) => setTimeout(r, 1000)))).peak;
  });

  afterAll(async () => {
    await server?.stop();
    t?.cleanup();
  });

  function post(path: string, body: { bodyBytes?: number; body?: string; chunked?: boolean }): Promise<RawAnswer> {
    return rawRequest(server.url, {
      method: 'POST',
      target: path,
      headers: { Origin: server.url, Cookie: admin.cookie, 'Content-Type': 'application/x-www-form-urlencoded' },
      ...body,
    });
  }

  it('lists every form route, from the route files', () => {
    expect(formRoutes).toEqual(expect.arrayContaining(['/suggest', '/staff/sign-in', '/staff/sign-out', '/staff/sign-in/two-factor', '/staff/security']));
    expect(formRoutes.filter((path) => /\/\d+(?:\/|$)/.test(path)).length).toBeGreaterThanOrEqual(5);
  });

  it('refuses a 200 MB POST to every form route with 413, declared or chunked, while memory stays within 50 MB of resting', async () => {
    const answers: { path: string; mode: string; answer: RawAnswer }[] = [];
    const { peak } = await peakResidentDuring(server.pid!, async () => {
      for (const path of formRoutes) {
        for (const chunked of [false, true]) {
          answers.push({ path, mode: chunked ? 'chunked' : 'declared', answer: await post(path, { bodyBytes: HUGE, chunked }) });
        }
      }
    });
    for (const { path, mode, answer } of answers) {
      const what = `${mode} ${path}`;
      expect(answer.status, what).toBe(413);
      expect(answer.headers['connection'], what).toBe('close');
      expect(answer.headers['content-type'], what).toMatch(/^text\/html/);
      expect(answer.body, what).toContain('nothing was saved');
      expect(answer.body, what).toMatch(/shorten the text and try again|make it shorter/);
      expect(answer.bytesSent, what).toBeLessThan(HUGE / 4);
    }
    const slowest = Math.max(...answers.map((a) => a.answer.msToAnswer));
    const growth = peak - resting;
    // The server's own time for each 413, from its request log (one JSON line per request).
    const serverMs = server
      .output()
      .split('\n')
      .filter((line) => line.includes('"msg":"request"') && line.includes('"status":413'))
      .map((line) => (JSON.parse(line) as { ms: number }).ms)
      .sort((a, b) => a - b);
    console.log(
      `${answers.length} bodies of 200 MB to ${formRoutes.length} form routes: resting ${(resting / MB).toFixed(1)} MB, ` +
        `peak ${(peak / MB).toFixed(1)} MB (+${(growth / MB).toFixed(1)} MB); slowest 413 after ${slowest.toFixed(0)} ms at the client, ` +
        `server time per 413 median ${serverMs[Math.floor(serverMs.length / 2)]} ms, max ${serverMs.at(-1)} ms (${serverMs.length} logged)`,
    );
    expect(growth).toBeLessThan(50 * MB);
    expect(slowest).toBeLessThan(2_000);
    expect(server.output()).not.toMatch(STACK_TRACE);
  });

  it('refuses six 200 MB bodies sent at once, declared and chunked, within the same memory', async () => {
    const { result, peak } = await peakResidentDuring(server.pid!, () =>
      Promise.all(
        [false, true].flatMap((chunked) =>
          ['/staff/sign-in', '/suggest', `/staff/pages/new`].flatMap((path) => [post(path, { bodyBytes: HUGE, chunked }), post(path, { bodyBytes: HUGE, chunked })]),
        ),
      ),
    );
    expect(result.map((a) => a.status)).toEqual(Array(12).fill(413));
    console.log(`12 bodies of 200 MB at once: peak ${(peak / MB).toFixed(1)} MB (+${((peak - resting) / MB).toFixed(1)} MB over resting)`);
    expect(peak - resting).toBeLessThan(50 * MB);
  });

  it('refuses a form one byte over 64 KB and accepts one at 64 KB, declared or chunked', async () => {
    const over = 'email=' + 'a'.repeat(FORM_BODY_LIMIT_BYTES - 5);
    const at = over.slice(0, FORM_BODY_LIMIT_BYTES);
    for (const chunked of [false, true]) {
      expect((await post('/staff/sign-in', { body: over, chunked })).status).toBe(413);
      const answer = await post('/staff/sign-in', { body: at, chunked });
      expect(answer.status).not.toBe(413);
      expect(answer.status).toBeLessThan(500);
    }
  });

  it('still signs in with a form sent chunked (the front server reads it and hands it on)', async () => {
    const body = formBody({ email: admin.email, password: TEST_PASSWORD }).toString();
    const answer = await post('/staff/sign-in', { body, chunked: true });
    expect(answer.status).toBe(303);
    expect(String(answer.headers['set-cookie'])).toMatch(/csa_session=/);
  });

  it("takes a whole page's text (more than 64 KB encoded) on the page forms, up to their larger limit", async () => {
    const ids = await realIds(t);
    const text = '’'.repeat(10_000); // 90 KB URL-encoded
    const answer = await post(`/staff/pages/${ids.pageId}`, { body: formBody({ body: text, title: 'Long' }).toString() });
    expect(answer.status).not.toBe(413);
    expect(answer.status).toBeLessThan(500);
    const tooLong = await post(`/staff/pages/${ids.pageId}`, { bodyBytes: LONG_TEXT_BODY_LIMIT_BYTES + 1 });
    expect(tooLong.status).toBe(413);
  });

  it('answers 413 in JSON under /api/ (a body on a read, which the API never takes)', async () => {
    const answer = await rawRequest(server.url, { method: 'GET', target: '/api/v1/services', bodyBytes: HUGE });
    expect(answer.status).toBe(413);
    expect(answer.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(answer.body)).toEqual({ error: { status: 413, message: expect.stringContaining('nothing was saved') } });
  });
});
