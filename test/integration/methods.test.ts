// Methods: every route answers the methods it takes and refuses the others with 405 and an Allow
// header before the route runs (TRACE never reaches Astro), OPTIONS is a 204 with Allow and no
// CORS headers, API and feed errors are JSON (malformed addresses too), and none of it is a 5xx
// or a stack trace in the log. The table is src/lib/http/methods.ts; the first test keeps it
// honest against the route files themselves.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allowedMethods, allowHeader } from '../../src/lib/http/methods.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { rawRequest, type RawAnswer } from '../helpers/raw-http.ts';
import { handledMethods, isStatusPage, realIds, routeFiles, samplePath, type RouteIds } from '../helpers/routes.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { signInAs, type SignedIn } from '../helpers/staff.ts';

const JSON_PATH = /^\/(?:api|feeds)\/|^\/healthz$/;
const STACK_TRACE = /^\s+at\s|Could not render|"level":"error"/m;

const PLACEHOLDER_IDS: RouteIds = {
  service: 'schools',
  placeId: 1,
  placeSlug: 'a-place',
  alertId: 1,
  pageId: 1,
  pageSlug: 'a-page',
  accountId: 1,
  neighbourSourceId: 1,
  suggestionId: 1,
};

describe('the method table (src/lib/http/methods.ts)', () => {
  it('agrees with what every route file handles, so a new form page must be added to it', () => {
    const disagreements: string[] = [];
    for (const file of routeFiles()) {
      const handled = handledMethods(file);
      const allowed = [...allowedMethods(samplePath(file, PLACEHOLDER_IDS))].sort();
      if (handled.join() !== allowed.join()) {
        disagreements.push(`${file}: the route handles ${handled.join(', ') || 'nothing'}, the table allows ${allowed.join(', ')}`);
      }
    }
    expect(disagreements, 'add the route to ROUTE_METHODS in src/lib/http/methods.ts').toEqual([]);
  });

  it('finds the form pages by their POST handling (the check above is not vacuous)', () => {
    const posting = routeFiles().filter((file) => handledMethods(file).includes('POST'));
    expect(posting).toEqual(expect.arrayContaining(['suggest.astro', 'staff/sign-in/index.astro', 'staff/sign-out.ts', 'staff/places/[id].astro']));
    expect(allowedMethods('/staff/places/new')).toContain('POST');
    expect(allowedMethods('/services/schools')).toEqual(['GET', 'HEAD']);
    expect(allowedMethods('/staff/sign-out')).toEqual(['POST']);
  });
});

describe('methods over HTTP', () => {
  let t: TestDb;
  let server: TestServer;
  let admin: SignedIn;
  let routes: { file: string; path: string; allow: string }[];

  beforeAll(async () => {
    t = await createTestDb({ seed: true });
    server = await startServer(t.url);
    admin = await signInAs(t, server, 'admin');
    const ids = await realIds(t);
    routes = routeFiles().map((file) => ({ file, path: samplePath(file, ids), allow: allowHeader(handledMethods(file)) }));
  });

  afterAll(async () => {
    await server?.stop();
    t?.cleanup();
  });

  const send = (method: string, target: string, headers: Record<string, string> = {}) =>
    rawRequest(server.url, { method, target, headers: { Cookie: admin.cookie, Origin: server.url, ...headers } });

  /** The server's log lines written while `run` ran. */
  async function logDuring(run: () => Promise<void>): Promise<string> {
    const before = server.output().length;
    await run();
    await new Promise((r) => setTimeout(r, 100));
    return server.output().slice(before);
  }

  function expectJsonIfApi(path: string, answer: RawAnswer) {
    if (!JSON_PATH.test(path)) return;
    expect(answer.headers['content-type'], path).toMatch(/^application\/json/);
    expect(JSON.parse(answer.body).error.status, path).toBe(answer.status);
  }

  it('refuses PUT, DELETE, PATCH, TRACE and PROPFIND on every route with 405 and its Allow header, without a stack trace', async () => {
    const log = await logDuring(async () => {
      for (const route of routes) {
        for (const method of ['PUT', 'DELETE', 'PATCH', 'TRACE', 'PROPFIND']) {
          const answer = await send(method, route.path);
          const what = `${method} ${route.path}`;
          expect(answer.status, what).toBe(405);
          expect(answer.headers['allow'], what).toBe(route.allow);
          expect(answer.headers['access-control-allow-origin'], what).toBeUndefined();
          expectJsonIfApi(route.path, answer);
          if (JSON_PATH.test(route.path)) continue;
          if (method === 'TRACE') expect(answer.body, what).toBe('Method not allowed.');
          else expect(answer.body, what).toContain('This page cannot do that');
        }
      }
    });
    expect(log).not.toMatch(STACK_TRACE);
  });

  it('answers OPTIONS on every route with 204 and Allow, and no CORS headers', async () => {
    for (const route of routes) {
      const answer = await send('OPTIONS', route.path, { 'Access-Control-Request-Method': 'POST' });
      expect(answer.status, route.path).toBe(204);
      expect(answer.headers['allow'], route.path).toBe(route.allow);
      expect(answer.body).toBe('');
      expect(Object.keys(answer.headers).filter((name) => name.startsWith('access-control-')), route.path).toEqual([]);
    }
    const server_ = await send('OPTIONS', '*');
    expect(server_.status).toBe(204);
    expect(server_.headers['allow']).toBe('GET, HEAD, POST, OPTIONS');
  });

  it('answers GET and HEAD on every route without a 5xx, and with 405 where a route only takes POST', async () => {
    const log = await logDuring(async () => {
      for (const route of routes) {
        for (const method of ['GET', 'HEAD']) {
          const answer = await send(method, route.path);
          const what = `${method} ${route.path}`;
          if (!route.allow.includes('GET')) {
            expect(answer.status, what).toBe(405);
            expect(answer.headers['allow'], what).toBe(route.allow);
          } else if (isStatusPage(route.file)) {
            expect(answer.status, what).toBe(Number(route.file.slice(0, 3)));
          } else {
            expect(answer.status, what).toBeLessThan(500);
            expect(answer.status, what).not.toBe(405);
          }
          if (method === 'HEAD') expect(answer.body, what).toBe('');
        }
      }
    });
    expect(log).not.toMatch(STACK_TRACE);
  });

  it('refuses POST with 405 on every route that takes no form, and lets it through where one does', async () => {
    const log = await logDuring(async () => {
      for (const route of routes) {
        const answer = await rawRequest(server.url, {
          method: 'POST',
          target: route.path,
          headers: { Cookie: admin.cookie, Origin: server.url, 'Content-Type': 'application/x-www-form-urlencoded' },
          body: 'nothing=useful',
        });
        if (route.allow.includes('POST')) {
          expect(answer.status, route.path).not.toBe(405);
          expect(answer.status, route.path).toBeLessThan(500);
        } else {
          expect(answer.status, route.path).toBe(405);
          expect(answer.headers['allow'], route.path).toBe(route.allow);
          expectJsonIfApi(route.path, answer);
        }
      }
    });
    expect(log).not.toMatch(STACK_TRACE);
  });

  it('answers a malformed percent-encoding (or an encoded line break) in the address with 400: JSON under /api/v1 and /feeds, the "could not read" page elsewhere', async () => {
    const log = await logDuring(async () => {
      for (const target of ['/api/v1/services/sch%zzools', '/api/v1/places/%', '/api/v1/a%0Ab', '/api/v1/services/%C3%28', '/feeds/changes.json%E0%A4%A']) {
        const answer = await send('GET', target);
        expect(answer.status, target).toBe(400);
        expect(answer.headers['content-type'], target).toMatch(/^application\/json/);
        expect(JSON.parse(answer.body)).toEqual({ error: { status: 400, message: expect.stringContaining('could not be read') } });
      }
      for (const target of ['/services/sch%zzools', '/services/schools?q=100%', '/staff/places/%']) {
        const answer = await send('GET', target);
        expect(answer.status, target).toBe(400);
        expect(answer.headers['content-type'], target).toMatch(/^text\/html/);
        expect(answer.body, target).toContain('Sorry, we could not read that');
      }
    });
    expect(log).not.toMatch(STACK_TRACE);
  });

  it('still answers HEAD on pages, from the page cache too, with the headers and no body', async () => {
    const miss = await send('HEAD', '/pages/about');
    expect(miss.status).toBe(200);
    expect(miss.body).toBe('');
    const get = await send('GET', '/services/schools');
    expect(get.status).toBe(200);
    const hit = await send('HEAD', '/services/schools');
    expect(hit.status).toBe(200);
    expect(hit.headers['x-cache']).toBe('HIT');
    expect(hit.headers['etag']).toBeTruthy();
    expect(hit.body).toBe('');
    const api = await send('HEAD', '/api/v1/services');
    expect(api.status).toBe(200);
    expect(api.body).toBe('');
  });

  it('refuses GET on sign-out (it only takes POST) and still signs out with POST', async () => {
    const get = await send('GET', '/staff/sign-out');
    expect(get.status).toBe(405);
    expect(get.headers['allow']).toBe('POST, OPTIONS');
    const other = await signInAs(t, server, 'editor');
    const post = await other.post('/staff/sign-out', {});
    expect(post.status).toBe(303);
  });
});
