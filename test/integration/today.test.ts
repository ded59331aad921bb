// The morning round (/staff/today) against the real built server: editors see every place not
// yet confirmed today grouped by service with "N of M confirmed today" counts; a reporter sees
// only the places granted to them, confirms them in one tap each (a normal revision) and is
// refused for any other place; a tap based on an outdated revision saves nothing and says so.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, eq } from 'drizzle-orm';
import { placeGrants, places, revisions, services } from '../../db/schema/index.ts';
import { createContent } from '../../src/lib/revisions/service.ts';
import { endOfLondonDay } from '../../src/lib/time/london.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { readHtml, textOf } from '../helpers/html.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { createStaffAccount, formBody, signInAs, TEST_PASSWORD, type SignedIn } from '../helpers/staff.ts';

let t: TestDb;
let server: TestServer;
let editor: SignedIn;
let reporter: SignedIn;
let reporterEmail: string;
let schoolsId: number;
const HOUR = 3_600_000;

interface Made { id: number; name: string }

async function makeSchool(name: string, state: { status?: 'open' | 'closed' | 'unknown'; statusUntil?: Date | null; confirmedAt?: Date | null; note?: string } = {}): Promise<Made> {
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  const { targetId } = await createContent(t.db, {
    kind: 'place',
    draft: {
      serviceId: schoolsId, slug, identifier: null, name, category: 'Primary', address: '1 School Lane', postcode: 'HD1 1AA',
      ward: 'Morning Round', latitude: null, longitude: null, phone: '01484 000000', website: 'https://school.example.org/',
      status: state.status ?? 'unknown', noteMarkdown: state.note ?? '', statusFrom: null, statusUntil: state.statusUntil?.toISOString() ?? null,
      reason: null, expectedReopeningAt: null, confirmedAt: state.confirmedAt?.toISOString() ?? null, retired: false,
    },
  }, { author: { accountId: null, label: 'Kirklees Council' }, summary: 'Added for the test' });
  return { id: targetId, name };
}

const row = async (id: number) => (await t.db.select().from(places).where(eq(places.id, id)))[0]!;
const revisionCount = async () => (await t.db.select({ n: count() }).from(revisions))[0]!.n;
const tap = (who: SignedIn, place: number, base: number | null, answer: string) =>
  who.post('/staff/today', { place: String(place), base: String(base), answer });

let lapsed: Made;
let confirmedYesterday: Made;
let confirmedToday: Made;
let grantedA: Made;
let grantedB: Made;

beforeAll(async () => {
  t = await createTestDb({ seed: true });
  server = await startServer(t.url);
  schoolsId = (await t.db.select().from(services).where(eq(services.slug, 'schools')))[0]!.id;
  const now = Date.now();
  lapsed = await makeSchool('Lapsed Overnight Primary', { status: 'closed', statusUntil: new Date(now - HOUR), confirmedAt: new Date(now - 25 * HOUR) });
  confirmedYesterday = await makeSchool('Confirmed Yesterday Primary', { status: 'open', confirmedAt: new Date(now - 25 * HOUR) });
  confirmedToday = await makeSchool('Confirmed Today Primary', { status: 'open', confirmedAt: new Date(now), statusUntil: endOfLondonDay(new Date(now)) });
  grantedA = await makeSchool('Granted A Primary', { status: 'closed', note: 'Closed for snow.', confirmedAt: new Date(now - 25 * HOUR) });
  grantedB = await makeSchool('Granted B Primary', { status: 'unknown' });
  editor = await signInAs(t, server, 'editor');
  reporterEmail = (await createStaffAccount(t, 'reporter', 'School Office')).email;
  reporter = await signInAs(t, server, 'reporter');
  await t.db.insert(placeGrants).values([{ accountId: reporter.accountId, placeId: grantedA.id }, { accountId: reporter.accountId, placeId: grantedB.id }]);
});

afterAll(async () => {
  await server?.stop();
  t?.cleanup();
});

describe('the Today page for editors', () => {
  it('lists places that lapsed overnight or were last confirmed before today under "Not confirmed today", grouped by service', async () => {
    const response = await editor.get('/staff/today');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('private, no-store');
    const doc = await readHtml(response);
    const schools = doc.querySelector('section[aria-labelledby=service-schools]')!;
    expect(textOf(schools.querySelector('h2'))).toBe('Schools');
    const toConfirm = schools.querySelectorAll('[data-section=to-confirm] > li').map((li) => li.id);
    const confirmed = schools.querySelectorAll('[data-section=confirmed] > li').map((li) => li.id);
    expect(toConfirm).toEqual(expect.arrayContaining([`place-${lapsed.id}`, `place-${confirmedYesterday.id}`, `place-${grantedB.id}`]));
    expect(confirmed).toContain(`place-${confirmedToday.id}`);
    expect(toConfirm).not.toContain(`place-${confirmedToday.id}`);
    // "12 of 40 schools confirmed today", from the same rows.
    expect(textOf(doc.querySelector('#count-schools'))).toBe(`${confirmed.length} of ${toConfirm.length + confirmed.length} schools confirmed today`);
    // Other services have their own sections.
    expect(doc.querySelectorAll('main section h2').length).toBeGreaterThan(1);
  });

  it('shows a lapsed status as not confirmed, and offers the three one-tap answers as separate forms with the place and its base', async () => {
    const doc = await readHtml(await editor.get('/staff/today'));
    const item = doc.querySelector(`#place-${lapsed.id}`)!;
    expect(textOf(item.querySelector('.govuk-tag'))).toBe('Not confirmed');
    const forms = item.querySelectorAll('form');
    expect(forms.map((f) => textOf(f.querySelector('button')))).toEqual([
      `Open today: ${lapsed.name}`, `Closed today: ${lapsed.name}`, `Opening late: ${lapsed.name}`,
    ]);
    for (const form of forms) {
      expect(form.getAttribute('method')).toBe('post');
      expect(form.querySelector('input[name=place]')!.getAttribute('value')).toBe(String(lapsed.id));
      expect(form.querySelector('input[name=base]')!.getAttribute('value')).toBe(String((await row(lapsed.id)).currentRevisionId));
    }
  });

  it('shows the places already confirmed today without buttons (their names link to the edit page)', async () => {
    const doc = await readHtml(await editor.get('/staff/today'));
    const item = doc.querySelector(`#place-${confirmedToday.id}`)!;
    expect(item.querySelectorAll('form')).toHaveLength(0);
    expect(item.querySelector('h4 a')!.getAttribute('href')).toBe(`/staff/places/${confirmedToday.id}`);
    expect(textOf(item.querySelector('.csa-today-status'))).toMatch(/^Open Confirmed at \d{1,2}:\d{2}[ap]m today$/);
  });

  it('offers Today in the staff navigation', async () => {
    const doc = await readHtml(await editor.get('/staff'));
    expect(doc.querySelectorAll('nav[aria-label=Staff] a').map((a) => a.getAttribute('href'))).toContain('/staff/today');
  });

  it('publishes "Closed today" as a normal revision, keeping the note, until the end of today', async () => {
    const before = await row(confirmedYesterday.id);
    const response = await tap(editor, confirmedYesterday.id, before.currentRevisionId, 'closed');
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`/staff/today?confirmed=${confirmedYesterday.id}&as=closed#place-${confirmedYesterday.id}`);
    const after = await row(confirmedYesterday.id);
    expect(after.status).toBe('closed');
    expect(after.currentRevisionId).not.toBe(before.currentRevisionId);
    expect(after.statusUntil!.getTime()).toBe(endOfLondonDay(new Date()).getTime());
    expect(after.phone).toBe(before.phone);
    expect(after.website).toBe(before.website);
    const [revision] = await t.db.select().from(revisions).where(eq(revisions.id, after.currentRevisionId!));
    expect(revision!.summary).toBe('Closed today');
    expect(revision!.parentId).toBe(before.currentRevisionId);
  });
});

describe('the Today page for a reporter', () => {
  it('is where a reporter lands after signing in (editors land on the dashboard)', async () => {
    const signInWith = (email: string) => server.get('/staff/sign-in', {
      method: 'POST',
      headers: { Origin: server.url, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: formBody({ email, password: TEST_PASSWORD }),
    });
    expect((await signInWith(reporterEmail)).headers.get('location')).toBe('/staff/today');
    const editorAccount = await createStaffAccount(t, 'editor');
    expect((await signInWith(editorAccount.email)).headers.get('location')).toBe('/staff');
  });

  it('shows only the places granted to them', async () => {
    const doc = await readHtml(await reporter.get('/staff/today'));
    const ids = doc.querySelectorAll('li[id^=place-]').map((li) => li.id).sort();
    expect(ids).toEqual([`place-${grantedA.id}`, `place-${grantedB.id}`].sort());
    expect(textOf(doc.querySelector('#count-schools'))).toMatch(/^\d of 2 schools confirmed today$/);
  });

  it('is refused (403) for a place not granted to them, and nothing changes', async () => {
    const before = await row(lapsed.id);
    const revisionsBefore = await revisionCount();
    const response = await tap(reporter, lapsed.id, before.currentRevisionId, 'open');
    expect(response.status).toBe(403);
    expect(await revisionCount()).toBe(revisionsBefore);
    expect(await row(lapsed.id)).toEqual(before);
  });

  it('confirms "Open today" in one tap, clearing the closure note, and the page says so by name', async () => {
    const before = await row(grantedA.id);
    const response = await tap(reporter, grantedA.id, before.currentRevisionId, 'open');
    expect(response.status).toBe(303);
    const location = response.headers.get('location')!;
    expect(location).toBe(`/staff/today?confirmed=${grantedA.id}&as=open#place-${grantedA.id}`);
    const after = await row(grantedA.id);
    expect(after).toMatchObject({ status: 'open', noteMarkdown: '', phone: before.phone, website: before.website });
    expect(Date.now() - after.confirmedAt!.getTime()).toBeLessThan(60_000);
    const doc = await readHtml(await reporter.get(location));
    expect(textOf(doc.querySelector('.govuk-notification-banner--success'))).toContain(`${grantedA.name}: open today, confirmed at`);
    expect(doc.querySelectorAll('[data-section=confirmed] > li').map((li) => li.id)).toContain(`place-${grantedA.id}`);
    // A mistaken tap is put right with another: a reporter's confirmed places keep their buttons.
    expect(doc.querySelectorAll(`#place-${grantedA.id} form`)).toHaveLength(3);
    // The public page shows it at once.
    const publicPage = await readHtml(await server.get(`/services/schools/${after.slug}`));
    expect(textOf(publicPage.querySelector('main .govuk-tag'))).toBe('Open');
  });

  it('saves nothing from a tap based on an outdated revision, and says someone changed it meanwhile', async () => {
    const stale = (await row(grantedB.id)).currentRevisionId;
    expect((await tap(editor, grantedB.id, stale, 'closed')).status).toBe(303);
    const current = await row(grantedB.id);
    const revisionsBefore = await revisionCount();
    const response = await tap(reporter, grantedB.id, stale, 'open');
    expect(response.status).toBe(409);
    expect(await revisionCount()).toBe(revisionsBefore);
    expect(await row(grantedB.id)).toEqual(current);
    const doc = await readHtml(response);
    const item = doc.querySelector(`#place-${grantedB.id}`)!;
    expect(textOf(item.querySelector('.csa-today-conflict'))).toMatch(/Someone changed this meanwhile .*nothing was saved\. It now says closed\./);
    expect(textOf(item.querySelector('.govuk-tag'))).toBe('Closed');
    // The buttons are now based on the current revision: tapping again works.
    expect(item.querySelector('input[name=base]')!.getAttribute('value')).toBe(String(current.currentRevisionId));
  });

  it('answers 400 to a tap without a known answer or base, writing nothing', async () => {
    const revisionsBefore = await revisionCount();
    const base = (await row(grantedB.id)).currentRevisionId;
    expect((await tap(reporter, grantedB.id, base, 'maybe')).status).toBe(400);
    expect((await reporter.post('/staff/today', { place: String(grantedB.id), answer: 'open' })).status).toBe(400);
    expect(await revisionCount()).toBe(revisionsBefore);
  });
});

describe('the Today page for visitors who are not signed in', () => {
  it('sends them to sign in, and a tap changes nothing', async () => {
    const response = await server.get('/staff/today');
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toMatch(/^\/staff\/sign-in/);
    const before = await row(lapsed.id);
    const post = await server.get('/staff/today', {
      method: 'POST',
      headers: { Origin: server.url, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: formBody({ place: String(lapsed.id), base: String(before.currentRevisionId), answer: 'open' }),
    });
    expect(post.status).toBe(303);
    expect(await row(lapsed.id)).toEqual(before);
  });
});
