// The weight budget: the closures page is usable with no JavaScript, and its HTML + CSS stay
// under 60 KB compressed, as a phone on a bad connection receives them.
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { readHtml } from '../helpers/html.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let t: TestDb;
let server: TestServer;
beforeAll(async () => {
  t = await createTestDb({ seed: true });
  server = await startServer(t.url);
});
afterAll(async () => {
  await server?.stop();
  t?.cleanup();
});

describe('the schools closures page', () => {
  it('sends no JavaScript at all', async () => {
    const doc = await readHtml(await server.get('/services/schools'));
    expect(doc.querySelectorAll('script')).toHaveLength(0);
  });

  it('weighs under 60 KB of HTML and CSS, gzip-compressed', async () => {
    const html = Buffer.from(await (await server.get('/services/schools')).arrayBuffer());
    const doc = await readHtml(await server.get('/services/schools'));
    const stylesheets = doc.querySelectorAll('link[rel="stylesheet"]').map((l) => l.getAttribute('href')!);
    expect(stylesheets.length).toBeGreaterThan(0);
    let total = gzipSync(html).length;
    for (const href of stylesheets) {
      const css = await server.get(href);
      expect(css.status, href).toBe(200);
      total += gzipSync(Buffer.from(await css.arrayBuffer())).length;
    }
    console.log(`closures page: ${(total / 1024).toFixed(1)} KB of HTML + CSS, gzip`);
    expect(total).toBeLessThan(60 * 1024);
  });
});
