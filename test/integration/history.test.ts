// The staff history, diff and revert pages over HTTP: the real built server against a real,
// seeded libSQL file. Revisions are set up directly with the revision mechanism; every test
// makes its own place (or page) so none depends on another.
import { and, count, desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { placeGrants, revisions, services } from '../../db/schema/index.ts';
import type { PlaceDraft } from '../../src/lib/revisions/content.ts';
import { createContent, publishRevision } from '../../src/lib/revisions/service.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { readHtml, textOf } from '../helpers/html.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { createStaffAccount, formBody, signInAs, type SignedIn } from '../helpers/staff.ts';
import { parseXml, xmlText, type XmlNode } from '../helpers/xml.ts';

let t: TestDb;
let server: TestServer;
let editor: SignedIn;
let writerId: number;
let schoolsId: number;
let made = 0;

beforeAll(async () => {
  t = await createTestDb({ seed: true });
  server = await startServer(t.url);
  editor = await signInAs(t, server, 'editor', 'Erin Editor');
  writerId = (await createStaffAccount(t, 'editor', 'Wendy Writer')).id;
  const [schools] = await t.db.select({ id: services.id }).from(services).where(eq(services.slug, 'schools'));
  schoolsId = schools!.id;
});
afterAll(async () => {
  await server?.stop();
  t?.cleanup();
});

interface MadePlace {
  id: number;
  name: string;
  slug: string;
  /** Revision ids, oldest first: opened, closed for snow, note reworded. */
  revisions: [number, number, number];
}

/** A new school with three approved revisions: open → closed → closed with a reworded note. */
async function makePlace(): Promise<MadePlace> {
  made += 1;
  const name = `History Test Primary ${made}`;
  const slug = `history-test-primary-${made}`;
  const draft = (overrides: Partial<PlaceDraft>): { kind: 'place'; draft: PlaceDraft } => ({
    kind: 'place',
    draft: {
      serviceId: schoolsId, slug, identifier: null, name, category: 'Primary', address: '1 Hill Top', postcode: 'HD1 1AA',
      ward: 'Almondbury', latitude: null, longitude: null, status: 'open', noteMarkdown: '', statusFrom: null,
      statusUntil: null, confirmedAt: new Date().toISOString(), retired: false, ...overrides,
    },
  });
  const council = { accountId: null, label: 'Kirklees Council' };
  const writer = { accountId: writerId, label: 'Kirklees Council' };
  const first = await createContent(t.db, draft({}), { author: council, summary: 'Added the school' });
  const second = await publishRevision(t.db, first.targetId, first.revisionId, draft({ status: 'closed', noteMarkdown: 'Closed because the road is blocked by snow' }), { author: writer, summary: 'Closed for snow' });
  if (!second.ok) throw new Error('could not publish the second revision');
  const third = await publishRevision(t.db, first.targetId, second.revisionId, draft({ status: 'closed', noteMarkdown: 'Closed because the hill is blocked by ice' }), { author: writer, summary: 'Corrected the reason' });
  if (!third.ok) throw new Error('could not publish the third revision');
  return { id: first.targetId, name, slug, revisions: [first.revisionId, second.revisionId, third.revisionId] };
}

async function revisionCount(kind: 'place' | 'alert' | 'page', id: number): Promise<number> {
  const [row] = await t.db.select({ n: count() }).from(revisions).where(and(eq(revisions.targetKind, kind), eq(revisions.targetId, id)));
  return row!.n;
}

async function publicStatus(place: MadePlace): Promise<string> {
  const response = await server.get(`/services/schools/${place.slug}`);
  expect(response.status).toBe(200);
  return textOf((await readHtml(response)).querySelector('main .govuk-tag'));
}

async function newestFeedTitle(): Promise<string> {
  const response = await server.get('/feeds/changes.rss');
  expect(response.status).toBe(200);
  const items = parseXml(await response.text(), { arrays: ['item'] }).rss.channel.item as XmlNode[];
  return xmlText(items[0]!.title);
}

describe('the history page', () => {
  it('lists every revision newest first, with who made it, when and the edit summary', async () => {
    const place = await makePlace();
    const response = await editor.get(`/staff/history/place/${place.id}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toContain('no-store');
    const doc = await readHtml(response);
    expect(textOf(doc.querySelector('h1'))).toBe(place.name);
    const rows = doc.querySelectorAll('#compare tbody tr');
    expect(rows.map((r) => r.getAttribute('id'))).toEqual([...place.revisions].reverse().map((id) => `revision-${id}`));
    const [newest, middle, oldest] = rows.map(textOf);
    expect(newest).toContain('Corrected the reason');
    expect(newest).toContain('Kirklees Council');
    expect(newest).toContain('Account: Wendy Writer');
    expect(newest).toContain('Approved');
    expect(newest).toMatch(/\d{1,2}:\d{2}(am|pm) today/);
    expect(middle).toContain('Closed for snow');
    expect(oldest).toContain('Added the school');
    expect(oldest).not.toContain('Account:');
  });

  it('marks the current revision and offers a revert on every other approved one', async () => {
    const place = await makePlace();
    const doc = await readHtml(await editor.get(`/staff/history/place/${place.id}`));
    const [newest, ...older] = doc.querySelectorAll('#compare tbody tr');
    expect(textOf(newest!.querySelector('.govuk-tag--blue'))).toBe('Current');
    expect(newest!.querySelector('button[name="revision"]')).toBeNull();
    expect(older.map((r) => r.querySelector('button[name="revision"]')?.getAttribute('value'))).toEqual(
      [place.revisions[1], place.revisions[0]].map(String),
    );
    expect(older.every((r) => textOf(r.querySelector('button')).startsWith('Revert to this version'))).toBe(true);
    // The buttons open the confirmation step; nothing is posted from the history page itself.
    const revert = doc.querySelector('form#revert');
    expect(revert?.getAttribute('method')).toBe('get');
    expect(revert?.getAttribute('action')).toBe(`/staff/history/place/${place.id}/revert`);
    expect(revert?.querySelector('input[name="base"]')?.getAttribute('value')).toBe(String(place.revisions[2]));
  });

  it('offers a compare form that starts from the previous and the current revision', async () => {
    const place = await makePlace();
    const doc = await readHtml(await editor.get(`/staff/history/place/${place.id}`));
    const form = doc.querySelector('form#compare');
    expect(form?.getAttribute('method')).toBe('get');
    expect(form?.getAttribute('action')).toBe(`/staff/history/place/${place.id}/diff`);
    expect(doc.querySelectorAll('input[name="from"]')).toHaveLength(3);
    expect(doc.querySelector('input[name="from"][checked]')?.getAttribute('value')).toBe(String(place.revisions[1]));
    expect(doc.querySelector('input[name="to"][checked]')?.getAttribute('value')).toBe(String(place.revisions[2]));
  });

  it('serves alerts and information pages from the same history', async () => {
    const { targetId } = await createContent(
      t.db,
      { kind: 'page', draft: { slug: `history-test-${Date.now()}`, title: 'Gritting routes explained', summary: '', bodyMarkdown: 'Main roads first.', retired: false } },
      { author: { accountId: null, label: 'Kirklees Council' }, summary: 'Wrote the page' },
    );
    const response = await editor.get(`/staff/history/page/${targetId}`);
    expect(response.status).toBe(200);
    const doc = await readHtml(response);
    expect(textOf(doc.querySelector('h1'))).toBe('Gritting routes explained');
    expect(textOf(doc.querySelector('#compare tbody'))).toContain('Wrote the page');
  });
});

describe('the diff page', () => {
  it('shows a word-level change between two revisions, with the unchanged fields and both revisions’ details', async () => {
    const place = await makePlace();
    const [, before, after] = place.revisions;
    const response = await editor.get(`/staff/history/place/${place.id}/diff?from=${before}&to=${after}`);
    expect(response.status).toBe(200);
    const doc = await readHtml(response);
    const note = doc.querySelectorAll('table.csa-diff tbody tr').find((r) => textOf(r.querySelector('th')) === 'Note');
    expect(note?.querySelectorAll('del').map(textOf)).toEqual(expect.arrayContaining([expect.stringContaining('road')]));
    expect(note?.querySelectorAll('ins').map(textOf)).toEqual(expect.arrayContaining([expect.stringContaining('hill')]));
    // Words both versions share are not marked.
    expect(note?.querySelectorAll('del, ins').map(textOf).join(' ')).not.toContain('blocked');
    const name = doc.querySelectorAll('table.csa-diff tbody tr').find((r) => textOf(r.querySelector('th')).startsWith('Name'));
    expect(textOf(name)).toContain('(unchanged)');
    const details = textOf(doc.querySelector('main table'));
    expect(details).toContain('Closed for snow');
    expect(details).toContain('Corrected the reason');
    expect(details).toContain('Wendy Writer');
  });

  it('compares any two revisions, older against newer too', async () => {
    const place = await makePlace();
    const response = await editor.get(`/staff/history/place/${place.id}/diff?from=${place.revisions[2]}&to=${place.revisions[0]}`);
    expect(response.status).toBe(200);
    const status = (await readHtml(response)).querySelectorAll('table.csa-diff tbody tr').find((r) => textOf(r.querySelector('th')) === 'Status');
    expect(textOf(status?.querySelector('del'))).toBe('Closed');
    expect(textOf(status?.querySelector('ins'))).toBe('Open');
  });

  it('answers 400 with a clear message for revision numbers that are missing, malformed or of something else', async () => {
    const place = await makePlace();
    const other = await makePlace();
    const cases: [string, string][] = [
      [`from=abc&to=${place.revisions[2]}`, 'The version to compare from must be a revision number, like 12'],
      [`from=${place.revisions[0]}&to=${other.revisions[2]}`, `Revision ${other.revisions[2]} is not a version of this place`],
      [`to=${place.revisions[0]}`, 'Choose a version to compare from'],
      [`from=${place.revisions[0]}&to=99999999`, 'Revision 99999999 is not a version of this place'],
    ];
    for (const [query, message] of cases) {
      const response = await editor.get(`/staff/history/place/${place.id}/diff?${query}`);
      expect(response.status, query).toBe(400);
      const doc = await readHtml(response);
      expect(textOf(doc.querySelector('.govuk-error-summary')), query).toContain(message);
      expect(doc.querySelector('select#from'), query).not.toBeNull();
    }
  });
});

describe('reverting', () => {
  it('makes a new revision with the old content, and the public page and change feed follow at once', async () => {
    const place = await makePlace();
    const [oldest, , current] = place.revisions;
    expect(await publicStatus(place)).toBe('Closed');
    await newestFeedTitle(); // the feed is now rendered (and cached) before the revert
    const before = await revisionCount('place', place.id);

    const response = await editor.post(`/staff/history/place/${place.id}`, { revision: String(oldest), base: String(current), confirm: 'yes' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`/staff/history/place/${place.id}?reverted=${oldest}`);

    expect(await revisionCount('place', place.id)).toBe(before + 1);
    const [newest] = await t.db.select().from(revisions).where(and(eq(revisions.targetKind, 'place'), eq(revisions.targetId, place.id))).orderBy(desc(revisions.id)).limit(1);
    const [original] = await t.db.select().from(revisions).where(eq(revisions.id, oldest));
    expect(newest!.content).toEqual(original!.content);
    expect(newest).toMatchObject({ parentId: current, state: 'approved', authorAccountId: editor.accountId, summary: `Reverted to revision ${oldest}` });

    expect(await publicStatus(place)).toBe('Open');
    expect(await newestFeedTitle()).toBe(`${place.name}: Open`);

    const doc = await readHtml(await editor.get(response.headers.get('location')!));
    expect(textOf(doc.querySelector('.govuk-notification-banner--success'))).toContain(`reverted to revision ${oldest}`);
    expect(doc.querySelector('#compare tbody tr')?.getAttribute('id')).toBe(`revision-${newest!.id}`);
  });

  it('answers 409 and saves nothing when someone changed the item since the page was opened', async () => {
    const place = await makePlace();
    const [oldest, stale] = place.revisions;
    const before = await revisionCount('place', place.id);
    const response = await editor.post(`/staff/history/place/${place.id}`, { revision: String(oldest), base: String(stale), confirm: 'yes' });
    expect(response.status).toBe(409);
    const doc = await readHtml(response);
    expect(textOf(doc.querySelector('.govuk-notification-banner'))).toContain('Nothing was saved');
    expect(textOf(doc.querySelector('.govuk-notification-banner'))).toContain(`Revision ${place.revisions[2]} was published`);
    // The page offers the revert again, now on top of the current revision.
    expect(doc.querySelector('form#revert input[name="base"]')?.getAttribute('value')).toBe(String(place.revisions[2]));
    expect(await revisionCount('place', place.id)).toBe(before);
    expect(await publicStatus(place)).toBe('Closed');
  });

  it('refuses to revert to the current revision or to a revision of something else, saving nothing', async () => {
    const place = await makePlace();
    const other = await makePlace();
    const before = await revisionCount('place', place.id);
    for (const revision of [place.revisions[2], other.revisions[0], 'abc']) {
      const response = await editor.post(`/staff/history/place/${place.id}`, { revision: String(revision), base: String(place.revisions[2]), confirm: 'yes' });
      expect(response.status, String(revision)).toBe(400);
      expect((await readHtml(response)).querySelector('.govuk-error-summary'), String(revision)).not.toBeNull();
    }
    expect(await revisionCount('place', place.id)).toBe(before);
  });
});

describe('the revert confirmation step', () => {
  it('shows what will change and a “Yes, revert” button that posts the revert, confirmed', async () => {
    const place = await makePlace();
    const [oldest, , current] = place.revisions;
    const before = await revisionCount('place', place.id);
    const response = await editor.get(`/staff/history/place/${place.id}/revert?revision=${oldest}&base=${current}`);
    expect(response.status).toBe(200);
    const doc = await readHtml(response);
    expect(textOf(doc.querySelector('h1'))).toBe(`Revert this place to revision ${oldest}?`);
    const diff = textOf(doc.querySelector('table'));
    expect(diff).toContain('Closed because the hill is blocked by ice');
    expect(diff).toContain('Open');
    const form = doc.querySelector('form#confirm-revert');
    expect(form?.getAttribute('method')).toBe('post');
    expect(form?.getAttribute('action')).toBe(`/staff/history/place/${place.id}`);
    const fields = Object.fromEntries(form!.querySelectorAll('input[type="hidden"]').map((i) => [i.getAttribute('name'), i.getAttribute('value')]));
    expect(fields).toEqual({ revision: String(oldest), base: String(current), confirm: 'yes' });
    expect(textOf(form!.querySelector('button'))).toBe('Yes, revert');
    // Looking at the confirmation changes nothing.
    expect(await revisionCount('place', place.id)).toBe(before);
    expect(await publicStatus(place)).toBe('Closed');
    const reverted = await editor.post(`/staff/history/place/${place.id}`, fields as Record<string, string>);
    expect(reverted.headers.get('location')).toBe(`/staff/history/place/${place.id}?reverted=${oldest}`);
    expect(await publicStatus(place)).toBe('Open');
  });

  it('reverts nothing from a post without the confirmation, and sends it to the confirmation page', async () => {
    const place = await makePlace();
    const [oldest, , current] = place.revisions;
    const before = await revisionCount('place', place.id);
    const response = await editor.post(`/staff/history/place/${place.id}`, { revision: String(oldest), base: String(current) });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`/staff/history/place/${place.id}/revert?revision=${oldest}`);
    expect(await revisionCount('place', place.id)).toBe(before);
    expect(await publicStatus(place)).toBe('Closed');
  });

  it('answers 400 for the current revision or a revision of something else, and 403 for reporters', async () => {
    const place = await makePlace();
    const other = await makePlace();
    for (const revision of [place.revisions[2], other.revisions[0], 'abc']) {
      const response = await editor.get(`/staff/history/place/${place.id}/revert?revision=${revision}`);
      expect(response.status, String(revision)).toBe(400);
      expect((await readHtml(response)).querySelector('.govuk-error-summary'), String(revision)).not.toBeNull();
    }
    const reporter = await signInAs(t, server, 'reporter', 'Confirmation office');
    await t.db.insert(placeGrants).values({ accountId: reporter.accountId, placeId: place.id });
    expect((await reporter.get(`/staff/history/place/${place.id}/revert?revision=${place.revisions[0]}`)).status).toBe(403);
  });
});

describe('who may see history', () => {
  it('lets a trusted reporter see its own places’ history without offering a revert', async () => {
    const place = await makePlace();
    const reporter = await signInAs(t, server, 'reporter', 'Hill Top office');
    await t.db.insert(placeGrants).values({ accountId: reporter.accountId, placeId: place.id });
    const response = await reporter.get(`/staff/history/place/${place.id}`);
    expect(response.status).toBe(200);
    const doc = await readHtml(response);
    expect(doc.querySelectorAll('#compare tbody tr')).toHaveLength(3);
    expect(doc.querySelector('button[name="revision"]')).toBeNull();
    expect(doc.querySelector('form#revert')).toBeNull();
    expect((await reporter.get(`/staff/history/place/${place.id}/diff?from=${place.revisions[0]}&to=${place.revisions[2]}`)).status).toBe(200);
  });

  it('refuses a trusted reporter other places, alerts, pages and any revert (403)', async () => {
    const mine = await makePlace();
    const theirs = await makePlace();
    const reporter = await signInAs(t, server, 'reporter', 'Another school office');
    await t.db.insert(placeGrants).values({ accountId: reporter.accountId, placeId: mine.id });
    expect((await reporter.get(`/staff/history/place/${theirs.id}`)).status).toBe(403);
    expect((await reporter.get(`/staff/history/place/${theirs.id}/diff?from=${theirs.revisions[0]}&to=${theirs.revisions[1]}`)).status).toBe(403);
    expect((await reporter.get('/staff/history/page/1')).status).toBe(403);
    const before = await revisionCount('place', mine.id);
    const revert = await reporter.post(`/staff/history/place/${mine.id}`, { revision: String(mine.revisions[0]), base: String(mine.revisions[2]) });
    expect(revert.status).toBe(403);
    expect(await revisionCount('place', mine.id)).toBe(before);
  });

  it('sends anonymous visitors to sign in, for the history, the diff and a revert', async () => {
    const place = await makePlace();
    const history = await server.get(`/staff/history/place/${place.id}`);
    expect(history.status).toBe(303);
    expect(history.headers.get('location')).toBe(`/staff/sign-in?next=${encodeURIComponent(`/staff/history/place/${place.id}`)}`);
    expect((await server.get(`/staff/history/place/${place.id}/diff?from=1&to=2`)).headers.get('location')).toMatch(/^\/staff\/sign-in\?next=/);
    const before = await revisionCount('place', place.id);
    const revert = await server.get(`/staff/history/place/${place.id}`, {
      method: 'POST',
      headers: { Origin: server.url, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: formBody({ revision: String(place.revisions[0]), base: String(place.revisions[2]) }),
    });
    expect(revert.status).toBe(303);
    expect(revert.headers.get('location')).toMatch(/^\/staff\/sign-in\?next=/);
    expect(await revisionCount('place', place.id)).toBe(before);
  });

  it('answers 404 for an unknown kind or id', async () => {
    for (const path of ['/staff/history/thing/1', '/staff/history/place/99999999', '/staff/history/place/abc', '/staff/history/alert/99999999/diff?from=1&to=2']) {
      expect((await editor.get(path)).status, path).toBe(404);
    }
  });
});
