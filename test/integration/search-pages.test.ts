// A search on a service page is made from the cached full page (src/components/service-search-page.ts)
// rather than rendered: it must be the very page Astro renders for it. One server with the page
// cache makes them; one without it (PAGE_CACHE=off) renders every one; the bodies are compared
// byte for byte, but for the "at 7:12am" of the print heading (the time each was made).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let t: TestDb;
let cached: TestServer;
let rendered: TestServer;

/** The print heading says when the page was made, to the minute; nothing else may differ. */
const withoutClock = (html: string) => html.replace(/datetime="[^"]*"/g, '').replace(/at <time >[0-9:]+[ap]m on/g, 'at <time >(clock) on');

const QUERIES = [
  'colne', 'zzzz', 'school', 'HD7 5TG', 'HD9', 'ZZ1', 'HD1 1AA', 'almondbury', "st mary's", '&lt;', '"quote"', 'café', 'a b c',
  '  colne  ', '1', 'high', 'x<y', 'library', '“q”', 'honley high school',
];

beforeAll(async () => {
  t = await createTestDb({ seed: true });
  // One public address for both, so their absolute links (og:url, canonical) are the same.
  const site = { SITE_URL: 'http://localhost:4321' };
  [cached, rendered] = await Promise.all([startServer(t.url, site), startServer(t.url, { ...site, PAGE_CACHE: 'off' })]);
});
afterAll(async () => {
  await Promise.all([cached?.stop(), rendered?.stop()]);
  t?.cleanup();
});

describe('searches made from the cached service page', () => {
  for (const service of ['schools', 'libraries', 'roads-and-gritting']) {
    it(`are the page Astro renders, for every kind of result (${service})`, async () => {
      expect((await cached.get(`/services/${service}`)).status).toBe(200);
      // As a link has it, and as the form sends it (every field, status and area left empty).
      for (const path of QUERIES.flatMap((q) => [`/services/${service}?q=${encodeURIComponent(q)}`, `/services/${service}?q=${encodeURIComponent(q).replace(/%20/g, '+')}&status=&ward=`])) {
        const made = await cached.get(path);
        const render = await rendered.get(path);
        expect(made.status, path).toBe(render.status);
        expect(withoutClock(await made.text()), path).toBe(withoutClock(await render.text()));
        expect((await cached.get(path)).headers.get('x-cache'), path).toBe('HIT');
      }
    });
  }

  it('leave a chosen status or area, and the print view, to Astro, which renders them as before', async () => {
    await cached.get('/services/schools');
    for (const path of ['/services/schools?q=high&status=closed&ward=', '/services/schools?q=high&view=print', '/services/schools?q=high&ward=Dalton']) {
      expect(withoutClock(await (await cached.get(path)).text()), path).toBe(withoutClock(await (await rendered.get(path)).text()));
    }
  });

  it('sends the same headers as a rendered page, with a validator of its own', async () => {
    await cached.get('/services/schools');
    const made = await cached.get('/services/schools?q=honley');
    const render = await rendered.get('/services/schools?q=honley');
    for (const name of ['content-type', 'cache-control', 'content-security-policy', 'vary']) expect(made.headers.get(name), name).toBe(render.headers.get(name));
    const etag = made.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    expect((await cached.get('/services/schools?q=honley', { headers: { 'If-None-Match': etag } })).status).toBe(304);
  });
});
