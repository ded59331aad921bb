// Council details as revisions, against the real built server: renaming the council changes the
// header, the feeds and the CAP senderName on the next request; a brand colour the white header
// text cannot be read on is refused saying why; a readable one reaches every public page; every
// PNG logo reaches the header; every save is in the history.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, eq } from 'drizzle-orm';
import { alerts, settingRevisions, settings } from '../../db/schema/index.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { readHtml, textOf } from '../helpers/html.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { signInAs, type SignedIn } from '../helpers/staff.ts';

let t: TestDb;
let server: TestServer;
let admin: SignedIn;
let editor: SignedIn;

beforeAll(async () => {
  t = await createTestDb({ seed: true });
  server = await startServer(t.url);
  admin = await signInAs(t, server, 'admin', 'Ada Admin');
  editor = await signInAs(t, server, 'editor', 'Ed Editor');
});
afterAll(async () => {
  await server?.stop();
  t?.cleanup();
});

const DETAILS = {
  name: 'Kirklees Council', 'short-name': 'Kirklees', 'site-name': 'Kirklees service alerts', website: 'https://www.kirklees.gov.uk',
  phone: '01484 221000', 'out-of-hours-phone': '', 'brand-colour': '',
};

/** The council details form as the page sends it (multipart, for the logo). */
function postDetails(fields: Record<string, string>, logo?: Uint8Array, name = 'logo.png'): Promise<Response> {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  if (logo) form.append('logo', new Blob([new Uint8Array(logo)], { type: 'image/png' }), name);
  return server.get('/staff/settings/council', { method: 'POST', headers: { Origin: server.url, Cookie: admin.cookie }, body: form });
}

async function header(path = '/'): Promise<string> {
  return textOf((await readHtml(await server.get(path))).querySelector('.csa-header-name'));
}

describe('the council details (/staff/settings/council)', () => {
  it('are for administrators only', async () => {
    expect((await editor.get('/staff/settings/council')).status).toBe(403);
    const response = await editor.post('/staff/settings/council', { ...DETAILS, name: 'Hacked Council' });
    expect(response.status).toBe(403);
    expect(await header()).toBe('Kirklees Council');
  });

  it('refuse a brand colour the white header text would not be readable on, saying its contrast', async () => {
    const response = await admin.post('/staff/settings/council', { ...DETAILS, 'brand-colour': '#ffdd00' });
    expect(response.status).toBe(400);
    const doc = await readHtml(response);
    const summary = textOf(doc.querySelector('.govuk-error-summary'));
    expect(summary).toContain('The brand colour #ffdd00 is too light for the white text on it: its contrast is 1.');
    expect(summary).toContain('must be at least 4.5 to 1');
    expect(doc.querySelector('.govuk-error-summary a')?.getAttribute('href')).toBe('#brand-colour');
    // What was typed is kept.
    expect(doc.querySelector('input#brand-colour')?.getAttribute('value')).toBe('#ffdd00');
    const [row] = await t.db.select().from(settings).where(eq(settings.key, 'council'));
    expect((row!.value as { brandColour?: string }).brandColour).toBeUndefined();
  });

  it('rename the council in the header, the feeds and the CAP senderName on the next request', async () => {
    // Cached first, so the test shows the rename empties the page cache.
    expect(await header()).toBe('Kirklees Council');
    const [alert] = await t.db.select({ id: alerts.id }).from(alerts).where(eq(alerts.retired, false)).limit(1);
    const capBefore = await (await server.get(`/feeds/alerts/${alert!.id}.xml`)).text();
    expect(capBefore).toContain('<senderName>Kirklees Council</senderName>');

    const saved = await admin.post('/staff/settings/council', { ...DETAILS, name: 'Calderbrook Council', 'short-name': 'Calderbrook', 'site-name': 'Calderbrook service alerts', 'out-of-hours-phone': '0800 123 4567' });
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toBe('/staff/settings/council?saved');

    expect(await header()).toBe('Calderbrook Council');
    expect(await header('/services/schools')).toBe('Calderbrook Council');
    const footer = textOf((await readHtml(await server.get('/'))).querySelector('footer'));
    expect(footer).toContain('Out of hours 0800 123 4567');
    const rss = await (await server.get('/feeds/schools.rss')).text();
    expect(rss).toContain('<title>Calderbrook service alerts: Schools</title>');
    const atom = await (await server.get('/feeds/alerts.atom')).text();
    expect(atom).toContain('Calderbrook Council');
    expect(atom).not.toContain('Kirklees Council');
    const cap = await (await server.get(`/feeds/alerts/${alert!.id}.xml`)).text();
    expect(cap).toContain('<senderName>Calderbrook Council</senderName>');
    expect(cap).not.toContain('Kirklees Council');
  });

  it('put a readable brand colour on every public page, as a stylesheet the policy allows', async () => {
    expect((await admin.post('/staff/settings/council', { ...DETAILS, 'brand-colour': '#1D70B8' })).status).toBe(303);
    const doc = await readHtml(await server.get('/'));
    expect(doc.querySelector('meta[name="theme-color"]')?.getAttribute('content')).toBe('#1d70b8');
    const href = doc.querySelector('link[rel="stylesheet"][href^="/brand/"]')?.getAttribute('href');
    expect(href).toBe('/brand/1d70b8.css');
    const css = await server.get(href!);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    expect(await css.text()).toContain('.govuk-generic-header{background-color:#1d70b8}');
    // Only colours a council could save are served.
    expect((await server.get('/brand/ffdd00.css')).status).toBe(404);
    expect((await server.get('/brand/red.css')).status).toBe(404);
  });

  it('show an uploaded PNG logo in the header, refuse anything else, and remove it on request', async () => {
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
    const refused = await postDetails({ ...DETAILS, 'brand-colour': '#1d70b8' }, new TextEncoder().encode('<svg xmlns="http://www.w3.org/2000/svg"/>'), 'logo.svg');
    expect(refused.status).toBe(400);
    expect(textOf((await readHtml(refused)).querySelector('.govuk-error-summary'))).toContain('The logo must be a PNG image');

    expect((await postDetails({ ...DETAILS, 'brand-colour': '#1d70b8' }, png, 'logo.png')).status).toBe(303);
    const src = (await readHtml(await server.get('/'))).querySelector('.govuk-generic-header img.csa-header-logo')?.getAttribute('src');
    expect(src).toMatch(/^\/brand\/logo-[0-9a-f]{32}\.png$/);
    const image = await server.get(src!);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(Buffer.from(await image.arrayBuffer()).equals(png)).toBe(true);

    // Saving without a new file keeps the logo; ticking "Remove" takes it away.
    expect((await postDetails({ ...DETAILS, 'brand-colour': '#1d70b8', 'out-of-hours-phone': '0800 123 4567' })).status).toBe(303);
    expect((await readHtml(await server.get('/'))).querySelector('img.csa-header-logo')?.getAttribute('src')).toBe(src);
    expect((await postDetails({ ...DETAILS, 'brand-colour': '#1d70b8', 'remove-logo': 'yes' })).status).toBe(303);
    expect((await readHtml(await server.get('/'))).querySelector('img.csa-header-logo')).toBeNull();
  });

  it('keep every save in the history: what changed, who, when', async () => {
    const [{ n } = { n: -1 }] = await t.db.select({ n: count() }).from(settingRevisions).where(eq(settingRevisions.key, 'council'));
    expect(n).toBe(6); // the demo's first start, the rename, the colour, the logo, a phone number, the logo's removal
    const rows = (await readHtml(await admin.get('/staff/settings'))).querySelectorAll('#settings-history tbody tr').map((r) => textOf(r));
    expect(rows[0]).toContain('Changed the out-of-hours number and logo');
    expect(rows[0]).toContain('Ada Admin');
    expect(rows[2]).toContain('Changed the logo');
    expect(rows[3]).toContain('Changed the name, short name, site name, out-of-hours number and brand colour');
    expect(rows[4]).toContain('Changed the name, short name, site name and out-of-hours number');
    expect(rows.at(-1)).toContain('Loaded the demo council');
  });
});
