// When the database cannot be opened, the site says so in words a person can act on, and the
// health check reports it — never a stack trace.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readHtml, textOf } from '../helpers/html.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

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

describe('with the database unavailable', () => {
  it('reports unhealthy with 503', async () => {
    const response = await server.get('/healthz');
    expect(response.status).toBe(503);
    expect(await response.json()).toEqual({ status: 'unavailable', database: 'unavailable' });
  });

  it('answers public pages with a helpful 500 page and no stack trace', async () => {
    const response = await server.get('/services/schools');
    expect(response.status).toBe(500);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const doc = await readHtml(response);
    expect(textOf(doc.querySelector('h1'))).toBe('Sorry, there is a problem with the service');
    const text = textOf(doc.querySelector('body'));
    expect(text).toContain('Try again in a few minutes');
    expect(text).not.toMatch(/\bat .+\.(m?js|ts):\d+|SQLITE|Error:/);
  });
});
