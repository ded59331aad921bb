// A site started without the demo (DEMO=off), against the real built server: the setup page
// needs the one-time code `npm start` printed; it takes the council's details and the first
// administrator's account, uses the code up, and the administrator signs in to a task list of
// what is left (first service, import, staff accounts). `db.ts prepare` with DEMO=off loads
// nothing and prints the address.
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, eq } from 'drizzle-orm';
import { accounts, places, services, settings } from '../../db/schema/index.ts';
import { issueSetupCode } from '../../src/lib/setup/code.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { readHtml, textOf } from '../helpers/html.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { formBody, signIn } from '../helpers/staff.ts';

let t: TestDb;
let server: TestServer;

beforeAll(async () => {
  t = await createTestDb();
  server = await startServer(t.url);
});
afterAll(async () => {
  await server?.stop();
  t?.cleanup();
});

const FIELDS = {
  name: 'Calderbrook Council', 'short-name': 'Calderbrook', 'site-name': 'Calderbrook service alerts', website: 'https://www.calderbrook.example',
  phone: '01632 960000', 'account-name': 'Ada Admin', email: 'ada@calderbrook.example', password: 'correct horse battery staple',
};

function post(fields: Record<string, string>): Promise<Response> {
  return server.get('/setup', { method: 'POST', headers: { Origin: server.url, 'Content-Type': 'application/x-www-form-urlencoded' }, body: formBody(fields) });
}

describe('npm start with DEMO=off', () => {
  it('loads nothing into an empty database and prints the setup address', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/scripts/db.ts', 'prepare'], { env: { ...process.env, DATABASE_URL: t.url, DEMO: 'off', SITE_URL: 'http://localhost:4321' }, encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/DEMO=off: the site is empty\. Set it up at http:\/\/localhost:4321\/setup\?code=[A-Za-z0-9_-]{24}/);
  });

  it('has no services, places or council yet: the public home page still answers', async () => {
    const [{ n: serviceCount } = { n: -1 }] = await t.db.select({ n: count() }).from(services);
    const [{ n: placeCount } = { n: -1 }] = await t.db.select({ n: count() }).from(places);
    expect([serviceCount, placeCount]).toEqual([0, 0]);
    expect((await server.get('/')).status).toBe(200);
  });
});

describe('the setup page', () => {
  let code: string;
  beforeAll(async () => {
    code = await issueSetupCode(t.db, new Date());
  });

  it('is a 404 without the latest code', async () => {
    expect((await server.get('/setup')).status).toBe(404);
    expect((await server.get('/setup?code=not-the-code-at-all-000000')).status).toBe(404);
    expect((await post({ ...FIELDS, code: 'not-the-code-at-all-000000' })).status).toBe(404);
    const [{ n } = { n: -1 }] = await t.db.select({ n: count() }).from(accounts);
    expect(n).toBe(0);
  });

  it('says what is missing, keeping what was typed but not the password', async () => {
    expect((await server.get(`/setup?code=${code}`)).status).toBe(200);
    const response = await post({ ...FIELDS, code, name: '', password: 'short' });
    expect(response.status).toBe(400);
    const doc = await readHtml(response);
    const links = doc.querySelectorAll('.govuk-error-summary__list a').map((a) => a.getAttribute('href'));
    expect(links).toEqual(['#name', '#password']);
    expect(doc.querySelector('input#email')?.getAttribute('value')).toBe('ada@calderbrook.example');
    expect(doc.querySelector('input#password')?.getAttribute('value')).toBe('');
  });

  it('saves the council and the first administrator, uses the code up, and leads to the task list', async () => {
    const response = await post({ ...FIELDS, code });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/staff/sign-in?next=%2Fstaff%2Fsetup&set-up');
    const [admin] = await t.db.select().from(accounts);
    expect(admin).toMatchObject({ email: 'ada@calderbrook.example', name: 'Ada Admin', role: 'admin' });
    expect((await t.db.select().from(settings).where(eq(settings.key, 'setup-code')))).toEqual([]);
    expect(textOf((await readHtml(await server.get('/'))).querySelector('.csa-header-name'))).toBe('Calderbrook Council');
    // Used up: the page is gone, and posting again creates nobody.
    expect((await server.get(`/setup?code=${code}`)).status).toBe(404);
    expect((await post({ ...FIELDS, code, email: 'mallory@example.org' })).status).toBe(404);

    const session = await signIn(server, 'ada@calderbrook.example', FIELDS.password);
    const tasks = (await readHtml(await session.get('/staff/setup'))).querySelectorAll('#setup-tasks li').map((li) => textOf(li));
    expect(tasks).toHaveLength(4);
    expect(tasks[0]).toMatch(/Your council’s details.*Done/);
    expect(tasks[1]).toMatch(/Add your first service.*To do/);
    expect(tasks[2]).toMatch(/Import its places.*To do/);
    expect(tasks[3]).toMatch(/Add accounts for your staff.*To do/);

    // The first service, then the task list says so.
    expect((await session.post('/staff/settings/services', { name: 'Schools', summary: 'Find out if your child’s school is open today.', 'place-label': 'School', 'place-label-plural': 'Schools' })).status).toBe(303);
    const after = (await readHtml(await session.get('/staff/setup'))).querySelectorAll('#setup-tasks li').map((li) => textOf(li));
    expect(after[1]).toMatch(/Add your first service.*Done/);
  });
});
