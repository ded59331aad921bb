// Editing places over HTTP against the real built server: one place, many at once (the bulk
// status update), edit conflicts, trusted reporters, adding and retiring places.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, count, eq, gt } from 'drizzle-orm';
import { placeGrants, places, revisions, services } from '../../db/schema/index.ts';
import type { PlaceContent } from '../../src/lib/revisions/content.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { readHtml, resultRows, textOf } from '../helpers/html.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { signInAs, type SignedIn } from '../helpers/staff.ts';

let t: TestDb;
let server: TestServer;
let editor: SignedIn;

beforeAll(async () => {
  t = await createTestDb({ seed: true });
  server = await startServer(t.url);
  editor = await signInAs(t, server, 'editor', 'Edna Editor');
});
afterAll(async () => {
  await server?.stop();
  t?.cleanup();
});

type PlaceRow = typeof places.$inferSelect;

async function serviceId(slug: string): Promise<number> {
  const [row] = await t.db.select({ id: services.id }).from(services).where(eq(services.slug, slug));
  return row!.id;
}

async function place(id: number): Promise<PlaceRow> {
  const [row] = await t.db.select().from(places).where(eq(places.id, id));
  return row!;
}

/** Published, not retired schools with this status, skipping the first `skip` (so tests use different ones). */
async function schools(status: PlaceRow['status'], n: number, skip = 0): Promise<PlaceRow[]> {
  const rows = await t.db
    .select()
    .from(places)
    .where(and(eq(places.serviceId, await serviceId('schools')), eq(places.status, status), eq(places.retired, false)))
    .orderBy(places.id);
  // Only statuses in force (a lapsed "until" reads as not confirmed on the public page).
  const inForce = rows.filter((r) => !r.statusUntil || r.statusUntil > new Date());
  expect(inForce.length).toBeGreaterThanOrEqual(skip + n);
  return inForce.slice(skip, skip + n);
}

async function revisionCount(placeId?: number): Promise<number> {
  const where = placeId === undefined ? undefined : and(eq(revisions.targetKind, 'place'), eq(revisions.targetId, placeId));
  const [row] = await t.db.select({ n: count() }).from(revisions).where(where);
  return row!.n;
}

/** The edit form as the page fills it in, with some fields changed. */
function editForm(row: PlaceRow, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    status: row.status, note: row.noteMarkdown, 'status-from': '', 'status-until': '',
    name: row.name, category: row.category, address: row.address, postcode: row.postcode, ward: row.ward,
    identifier: row.identifier ?? '', latitude: row.latitude === null ? '' : String(row.latitude),
    longitude: row.longitude === null ? '' : String(row.longitude),
    summary: 'Test change', base: String(row.currentRevisionId), ...overrides,
  };
}

const publicPath = (row: PlaceRow, service = 'schools') => `/services/${service}/${row.slug}`;

/** Everything the bulk form on the staff service page would send, with `ids` ticked. */
async function bulkForm(ids: number[], fields: Record<string, string>): Promise<Record<string, string | string[]>> {
  const doc = await readHtml(await editor.get('/staff/services/schools'));
  const hidden: Record<string, string> = {};
  for (const input of doc.querySelectorAll('form[method="post"] input[type="hidden"]')) {
    hidden[input.getAttribute('name')!] = input.getAttribute('value') ?? '';
  }
  return { ...hidden, place: ids.map(String), ...fields };
}

describe('editing one place', () => {
  it('publishes the change, and the public page shows it on the next request', async () => {
    const [school] = await schools('unknown', 1);
    const before = await server.get(publicPath(school!));
    expect(textOf((await readHtml(before)).querySelector('main'))).not.toContain('Burst water pipe');

    const response = await editor.post(`/staff/places/${school!.id}`, editForm(school!, { status: 'closed', note: 'Burst water pipe', summary: 'Closed: no water' }));
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`/staff/places/${school!.id}?saved`);

    const after = await readHtml(await server.get(publicPath(school!)));
    expect(textOf(after.querySelector('main'))).toContain('Burst water pipe');
    expect(textOf(after.querySelector('main .govuk-tag'))).toBe('Closed');
    const row = resultRows(await readHtml(await server.get('/services/schools'))).find((r) => r.name === school!.name);
    expect(row?.status).toBe('Closed');

    const saved = await place(school!.id);
    expect(saved.confirmedAt!.getTime()).toBeGreaterThan(Date.now() - 60_000);
    const [revision] = await t.db.select().from(revisions).where(eq(revisions.id, saved.currentRevisionId!));
    expect(revision).toMatchObject({ parentId: school!.currentRevisionId, summary: 'Closed: no water', authorLabel: 'Kirklees Council', state: 'approved' });

    const page = await readHtml(await editor.get(response.headers.get('location')!));
    expect(textOf(page.querySelector('.govuk-notification-banner--success'))).toContain('Your changes have been published');
  });

  it('shows the edit form filled in, with links to the public page and the history', async () => {
    const [school] = await schools('unknown', 1, 1);
    const response = await editor.get(`/staff/places/${school!.id}`);
    expect(response.status).toBe(200);
    const doc = await readHtml(response);
    expect(doc.querySelector('input[name="base"]')?.getAttribute('value')).toBe(String(school!.currentRevisionId));
    expect(doc.querySelector('input[name="status"][value="unknown"]')?.hasAttribute('checked')).toBe(true);
    expect(doc.querySelectorAll('input[name="status"]')).toHaveLength(7);
    expect(doc.querySelector('#name')?.getAttribute('value')).toBe(school!.name);
    expect(doc.querySelector('#status-until')?.getAttribute('type')).toBe('datetime-local');
    const links = doc.querySelectorAll('main a').map((a) => a.getAttribute('href'));
    expect(links).toContain(publicPath(school!));
    expect(links).toContain(`/staff/history/place/${school!.id}`);
  });

  it('answers 400 and keeps everything typed when the form has errors, saving nothing', async () => {
    const [school] = await schools('unknown', 1, 2);
    const before = await revisionCount();
    const longNote = `Closed ${'x'.repeat(1000)}`;
    const response = await editor.post(
      `/staff/places/${school!.id}`,
      editForm(school!, { status: 'closed', note: longNote, name: '', postcode: 'NOT A POSTCODE', 'status-until': '2026-02-30T09:00', summary: '' }),
    );
    expect(response.status).toBe(400);
    const doc = await readHtml(response);
    expect(textOf(doc.querySelector('title'))).toMatch(/^Error: /);
    const links = doc.querySelectorAll('.govuk-error-summary a').map((a) => a.getAttribute('href'));
    expect(links).toEqual(['#note', '#status-until', '#name', '#postcode', '#summary']);
    expect(textOf(doc.querySelector('.govuk-error-summary'))).toContain('Note must be 1,000 characters or fewer');
    expect(doc.querySelector('#note')?.textContent).toBe(longNote);
    expect(doc.querySelector('#postcode')?.getAttribute('value')).toBe('NOT A POSTCODE');
    expect(doc.querySelector('#name')?.getAttribute('value')).toBe('');
    expect(doc.querySelector('#status-until')?.getAttribute('value')).toBe('2026-02-30T09:00');
    expect(doc.querySelector('input[name="status"][value="closed"]')?.hasAttribute('checked')).toBe(true);
    expect(doc.querySelector('input[name="base"]')?.getAttribute('value')).toBe(String(school!.currentRevisionId));
    expect(await revisionCount()).toBe(before);
    expect((await place(school!.id)).status).toBe('unknown');
  });

  it('answers 409 to an edit based on an outdated revision, showing both versions and saving nothing', async () => {
    const [school] = await schools('unknown', 1, 3);
    const theirs = await editor.post(`/staff/places/${school!.id}`, editForm(school!, { status: 'opening_late', note: 'Opening at 10am', summary: 'Late start' }));
    expect(theirs.status).toBe(303);
    const published = await place(school!.id);
    const before = await revisionCount(school!.id);

    const mine = await editor.post(`/staff/places/${school!.id}`, editForm(school!, { status: 'closed', note: 'Closed all day', summary: 'Closing' }));
    expect(mine.status).toBe(409);
    const doc = await readHtml(mine);
    const text = textOf(doc.querySelector('main'));
    expect(text).toContain('Someone else changed this place while you were editing it');
    expect(text).toContain('Edna Editor');
    const diffs = doc.querySelectorAll('table.csa-diff');
    expect(diffs).toHaveLength(2);
    expect(textOf(diffs[0])).toContain('Opening at 10am');
    expect(textOf(diffs[1])).toContain('Closed all day');
    // The form keeps what was typed, now based on the current version: saving again is a choice.
    expect(doc.querySelector('#note')?.textContent).toBe('Closed all day');
    expect(doc.querySelector('input[name="status"][value="closed"]')?.hasAttribute('checked')).toBe(true);
    expect(doc.querySelector('input[name="base"]')?.getAttribute('value')).toBe(String(published.currentRevisionId));

    expect(await revisionCount(school!.id)).toBe(before);
    expect(await place(school!.id)).toEqual(published);

    const again = await editor.post(`/staff/places/${school!.id}`, editForm(published, { status: 'closed', note: 'Closed all day', summary: 'Closing' }));
    expect(again.status).toBe(303);
    expect((await place(school!.id)).status).toBe('closed');
  });

  it('answers 400 to a form that does not say which version it was based on', async () => {
    const [school] = await schools('unknown', 1);
    const before = await revisionCount(school!.id);
    expect((await editor.post(`/staff/places/${school!.id}`, editForm(school!, { status: 'closed', base: '' }))).status).toBe(400);
    expect(await revisionCount(school!.id)).toBe(before);
  });

  it('answers 404 for a place that does not exist', async () => {
    expect((await editor.get('/staff/places/999999')).status).toBe(404);
    expect((await editor.get('/staff/places/not-a-number')).status).toBe(404);
  });

  it('sends people who are not signed in to the sign-in page', async () => {
    const [school] = await schools('unknown', 1);
    const response = await server.get(`/staff/places/${school!.id}`);
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toMatch(/^\/staff\/sign-in\?next=/);
  });
});

describe('the bulk status update', () => {
  it('makes exactly one revision per ticked place, and the public page shows them closed', async () => {
    const picked = await schools('unknown', 5, 10);
    const ids = picked.map((p) => p.id);
    const before = await revisionCount();
    const form = await bulkForm(ids, { 'bulk-status': 'closed', 'bulk-note': 'Closed because of **snow**', 'bulk-until': '', 'bulk-summary': 'Snow closures' });
    const response = await editor.post('/staff/services/schools', form);
    expect(response.status).toBe(303);
    const location = response.headers.get('location')!;
    expect(new URL(location, server.url).searchParams.get('updated')).toBe('5');

    expect(await revisionCount()).toBe(before + 5);
    for (const id of ids) {
      const row = await place(id);
      expect(row).toMatchObject({ status: 'closed', noteMarkdown: 'Closed because of **snow**' });
      const [revision] = await t.db.select().from(revisions).where(eq(revisions.id, row.currentRevisionId!));
      expect(revision).toMatchObject({ summary: 'Snow closures', parentId: picked.find((p) => p.id === id)!.currentRevisionId });
    }
    const rows = resultRows(await readHtml(await server.get('/services/schools')));
    for (const school of picked) expect(rows.find((r) => r.name === school.name)?.status).toBe('Closed');

    const confirmation = await readHtml(await editor.get(location));
    expect(textOf(confirmation.querySelector('.govuk-notification-banner--success'))).toContain('5 schools updated');
  });

  it('saves the others and reports the one someone changed in the meantime', async () => {
    const picked = await schools('unknown', 5, 20);
    const ids = picked.map((p) => p.id);
    const form = await bulkForm(ids, { 'bulk-status': 'closed', 'bulk-note': '', 'bulk-until': '', 'bulk-summary': 'Snow closures' });
    // Someone else updates the third school after the page was loaded.
    const changed = picked[2]!;
    expect((await editor.post(`/staff/places/${changed.id}`, editForm(changed, { status: 'partially_open', summary: 'Year 6 only' }))).status).toBe(303);
    const before = await revisionCount();

    const response = await editor.post('/staff/services/schools', form);
    expect(response.status).toBe(303);
    const location = new URL(response.headers.get('location')!, server.url);
    expect(location.searchParams.get('updated')).toBe('4');
    expect(location.searchParams.get('changed')).toBe(String(changed.id));
    expect(await revisionCount()).toBe(before + 4);
    expect((await place(changed.id)).status).toBe('partially_open');
    for (const school of picked.filter((p) => p !== changed)) expect((await place(school.id)).status).toBe('closed');

    const banner = textOf((await readHtml(await editor.get(location.pathname + location.search))).querySelector('.govuk-notification-banner'));
    expect(banner).toContain('4 schools updated');
    expect(banner).toContain(`1 school was not updated: ${changed.name}: someone else changed it`);
  });

  it('answers 400 and keeps the ticks and what was typed when no status is chosen (a blank summary is allowed)', async () => {
    const picked = await schools('unknown', 2, 30);
    const before = await revisionCount();
    const form = await bulkForm(picked.map((p) => p.id), { 'bulk-status': '', 'bulk-note': 'Snow', 'bulk-until': '', 'bulk-summary': '' });
    const response = await editor.post('/staff/services/schools', form);
    expect(response.status).toBe(400);
    const doc = await readHtml(response);
    expect(doc.querySelectorAll('.govuk-error-summary a').map((a) => a.getAttribute('href'))).toEqual(['#bulk-status']);
    for (const school of picked) expect(doc.querySelector(`#place-${school.id}`)?.hasAttribute('checked')).toBe(true);
    expect(doc.querySelector('#bulk-note')?.textContent).toBe('Snow');
    expect(await revisionCount()).toBe(before);
  });

  it('lists, filters and searches the places of a service', async () => {
    const [school] = await schools('unknown', 1, 40);
    const doc = await readHtml(await editor.get(`/staff/services/schools?q=${encodeURIComponent(school!.name)}`));
    const ids = doc.querySelectorAll('tbody tr').map((r) => r.getAttribute('data-place-id'));
    expect(ids).toContain(String(school!.id));
    expect(doc.querySelector(`a[href="/staff/places/${school!.id}"]`)).not.toBeNull();
    expect(doc.querySelector('a[href="/staff/places/new?service=schools"]')).not.toBeNull();
    const closed = await readHtml(await editor.get('/staff/services/schools?status=closed'));
    expect(closed.querySelectorAll('tbody .govuk-tag').map((tag) => textOf(tag)).every((s) => s === 'Closed')).toBe(true);
    expect((await editor.get('/staff/services/schools?status=shut')).status).toBe(400);
    expect((await editor.get('/staff/services/no-such-service')).status).toBe(404);
  });
});

describe('trusted reporters', () => {
  let reporter: SignedIn;
  let granted: PlaceRow;
  let other: PlaceRow;

  beforeAll(async () => {
    [granted, other] = (await schools('unknown', 2, 50)) as [PlaceRow, PlaceRow];
    reporter = await signInAs(t, server, 'reporter', 'Almondbury School Office');
    await t.db.insert(placeGrants).values({ accountId: reporter.accountId, placeId: granted.id });
  });

  it('publish the status of a granted school under their own name, but cannot change its details', async () => {
    const page = await readHtml(await reporter.get(`/staff/places/${granted.id}`));
    expect(page.querySelector('#name')).toBeNull();
    expect(textOf(page.querySelector('.govuk-summary-list'))).toContain(granted.name);

    const response = await reporter.post(
      `/staff/places/${granted.id}`,
      editForm(granted, { status: 'closed', note: 'Heating has failed', name: 'Renamed by the office', postcode: 'HD1 1AA', summary: 'No heating' }),
    );
    expect(response.status).toBe(303);
    const saved = await place(granted.id);
    expect(saved).toMatchObject({ status: 'closed', noteMarkdown: 'Heating has failed', name: granted.name, postcode: granted.postcode });
    const [revision] = await t.db.select().from(revisions).where(eq(revisions.id, saved.currentRevisionId!));
    expect(revision?.authorLabel).toBe('Almondbury School Office');
    const publicPage = textOf((await readHtml(await server.get(publicPath(granted)))).querySelector('main'));
    expect(publicPage).toContain('Heating has failed');
  });

  it('cannot publish to a school not granted to them (403, nothing saved)', async () => {
    const before = await revisionCount(other.id);
    const response = await reporter.post(`/staff/places/${other.id}`, editForm(other, { status: 'closed', summary: 'Not mine' }));
    expect(response.status).toBe(403);
    expect((await reporter.get(`/staff/places/${other.id}`)).status).toBe(403);
    expect(await revisionCount(other.id)).toBe(before);
    expect((await place(other.id)).status).toBe('unknown');
  });

  it('cannot use the bulk update, add or retire places', async () => {
    const current = await place(granted.id);
    expect((await reporter.get('/staff/services/schools')).status).toBe(403);
    expect((await reporter.post('/staff/services/schools', { place: String(granted.id), [`base-${granted.id}`]: String(current.currentRevisionId), 'bulk-status': 'closed', 'bulk-summary': 'x' })).status).toBe(403);
    expect((await reporter.get('/staff/places/new?service=schools')).status).toBe(403);
    expect((await reporter.post(`/staff/places/${granted.id}`, { action: 'retire', base: String(current.currentRevisionId) })).status).toBe(403);
    expect((await place(granted.id)).retired).toBe(false);
  });
});

describe('adding and retiring places', () => {
  it('adds a place, published at once, with a web address made from its name', async () => {
    const response = await editor.post('/staff/places/new?service=libraries', {
      name: 'Marsden Pop-up Library', category: 'Library', address: 'Peel Street, Marsden', postcode: 'hd7 6ba', ward: 'Colne Valley',
      identifier: '', latitude: '53.6003', longitude: '-1.9301', status: 'open', note: 'Open for the winter', 'status-from': '', 'status-until': '', summary: '',
    });
    expect(response.status).toBe(303);
    const id = Number(/^\/staff\/places\/(\d+)\?created$/.exec(response.headers.get('location') ?? '')?.[1]);
    const created = await place(id);
    expect(created).toMatchObject({ slug: 'marsden-pop-up-library', postcode: 'HD7 6BA', status: 'open', retired: false });
    const [revision] = await t.db.select().from(revisions).where(eq(revisions.id, created.currentRevisionId!));
    expect(revision).toMatchObject({ parentId: null, summary: 'Added this place', state: 'approved' });
    const publicPage = await server.get('/services/libraries/marsden-pop-up-library');
    expect(publicPage.status).toBe(200);
    expect(textOf((await readHtml(publicPage)).querySelector('h1'))).toBe('Marsden Pop-up Library');
  });

  it('says so when the name or the reference number is taken in the service', async () => {
    const [existing] = await schools('unknown', 1, 60);
    const before = await revisionCount();
    const response = await editor.post('/staff/places/new?service=schools', {
      name: existing!.name.toUpperCase(), identifier: existing!.identifier!, status: 'unknown', postcode: '', latitude: '', longitude: '',
      category: '', address: '', ward: '', note: '', 'status-from': '', 'status-until': '', summary: '',
    });
    expect(response.status).toBe(400);
    const doc = await readHtml(response);
    expect(doc.querySelectorAll('.govuk-error-summary a').map((a) => a.getAttribute('href'))).toEqual(['#name', '#identifier']);
    expect(textOf(doc.querySelector('.govuk-error-summary'))).toContain(`already has the reference number ${existing!.identifier}`);
    expect(doc.querySelector('#name')?.getAttribute('value')).toBe(existing!.name.toUpperCase());
    expect(await revisionCount()).toBe(before);
  });

  it('refuses to give a place the reference number of another', async () => {
    const [a, b] = await schools('unknown', 2, 62);
    const response = await editor.post(`/staff/places/${a!.id}`, editForm(a!, { identifier: b!.identifier! }));
    expect(response.status).toBe(400);
    expect(textOf((await readHtml(response)).querySelector('.govuk-error-summary'))).toContain(`Another school already has the reference number ${b!.identifier}`);
  });

  it('retires a place: a new revision, and it vanishes from public pages', async () => {
    const [school] = await schools('unknown', 1, 70);
    expect((await server.get(publicPath(school!))).status).toBe(200);
    const response = await editor.post(`/staff/places/${school!.id}`, { action: 'retire', base: String(school!.currentRevisionId) });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`/staff/places/${school!.id}?retired`);
    const retired = await place(school!.id);
    expect(retired.retired).toBe(true);
    const [revision] = await t.db.select().from(revisions).where(eq(revisions.id, retired.currentRevisionId!));
    expect((revision!.content as PlaceContent).retired).toBe(true);
    expect(revision!.parentId).toBe(school!.currentRevisionId);

    expect((await server.get(publicPath(school!))).status).toBe(404);
    expect(resultRows(await readHtml(await server.get('/services/schools'))).map((r) => r.name)).not.toContain(school!.name);
    const staffPage = await readHtml(await editor.get(`/staff/places/${school!.id}?retired`));
    expect(textOf(staffPage.querySelector('.govuk-warning-text'))).toContain('has been retired');
  });

  it('does not retire a place that changed since the page was loaded', async () => {
    const [school] = await schools('unknown', 1, 71);
    expect((await editor.post(`/staff/places/${school!.id}`, editForm(school!, { note: 'Gritted', summary: 'Note' }))).status).toBe(303);
    const response = await editor.post(`/staff/places/${school!.id}`, { action: 'retire', base: String(school!.currentRevisionId) });
    expect(response.status).toBe(409);
    expect((await place(school!.id)).retired).toBe(false);
    const newer = await t.db.select({ n: count() }).from(revisions).where(and(eq(revisions.targetId, school!.id), gt(revisions.id, school!.currentRevisionId!)));
    expect(newer[0]!.n).toBe(1);
  });
});
