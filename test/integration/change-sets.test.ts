// Change sets over HTTP against the real built server, and the publishing mechanism directly: a
// bulk update is one change set written in one batch; it is undone in one confirmed step (places
// changed since are listed and left alone); an undo is itself a set and happens once, even when
// two editors confirm at the same moment; the bulk form's review, filter and select-all steps.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, count, eq, inArray, isNull, ne } from 'drizzle-orm';
import { changeSets, places, revisions, services } from '../../db/schema/index.ts';
import { publishChangeSet, type ChangeSetItem } from '../../src/lib/revisions/service.ts';
import { withoutHtml } from '../../src/lib/revisions/editing.ts';
import type { PlaceContent } from '../../src/lib/revisions/content.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { readHtml, textOf } from '../helpers/html.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { signInAs, type SignedIn } from '../helpers/staff.ts';

let t: TestDb;
let server: TestServer;
let editor: SignedIn;
let other: SignedIn;

beforeAll(async () => {
  t = await createTestDb({ seed: true });
  server = await startServer(t.url);
  editor = await signInAs(t, server, 'editor', 'Ed Editor');
  other = await signInAs(t, server, 'editor', 'Olive Other');
});
afterAll(async () => {
  await server?.stop();
  t?.cleanup();
});

type PlaceRow = typeof places.$inferSelect;
let used = 0;

/** `n` schools not closed, different ones for each test. */
async function freshSchools(n: number): Promise<PlaceRow[]> {
  const [schools] = await t.db.select().from(services).where(eq(services.slug, 'schools'));
  const rows = await t.db.select().from(places)
    .where(and(eq(places.serviceId, schools!.id), eq(places.retired, false), ne(places.status, 'closed'), isNull(places.statusUntil)))
    .orderBy(places.id);
  const picked = rows.slice(used, used + n);
  used += n;
  expect(picked).toHaveLength(n);
  return picked;
}

async function place(id: number): Promise<PlaceRow> {
  const [row] = await t.db.select().from(places).where(eq(places.id, id));
  return row!;
}

function bulkFields(rows: PlaceRow[], extra: Record<string, string> = {}): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = {
    place: rows.map((r) => String(r.id)),
    'bulk-status': 'closed', 'bulk-note': 'Closed because of snow', 'bulk-until-choice': 'end-of-today', 'bulk-until': '', 'bulk-summary': '',
    ...extra,
  };
  for (const r of rows) fields[`base-${r.id}`] = String(r.currentRevisionId);
  return fields;
}

/** Bulk-closes `rows` over HTTP (confirmed); returns the change set's id. */
async function bulkClose(rows: PlaceRow[]): Promise<number> {
  const response = await editor.post('/staff/services/schools', bulkFields(rows, { action: 'confirm' }));
  expect(response.status).toBe(303);
  const setId = new URL(response.headers.get('location')!, server.url).searchParams.get('set');
  expect(setId).toMatch(/^\d+$/);
  return Number(setId);
}

async function revisionCount(): Promise<number> {
  const [row] = await t.db.select({ n: count() }).from(revisions);
  return row!.n;
}

describe('publishing a change set', () => {
  it('writes 40 revisions and one change_sets row in one batch, and prints how long it took', async () => {
    const rows = await freshSchools(40);
    const items: ChangeSetItem[] = [];
    for (const row of rows) {
      const [current] = await t.db.select().from(revisions).where(eq(revisions.id, row.currentRevisionId!));
      const draft = { ...withoutHtml<'place'>(current!.content as PlaceContent), status: 'closed' as const, noteMarkdown: 'Snow' };
      items.push({ targetId: row.id, baseRevisionId: row.currentRevisionId!, draft: { kind: 'place', draft } });
    }
    const started = performance.now();
    const result = await publishChangeSet(t.db, items, { kind: 'bulk', summary: 'Closed 40 schools', author: { accountId: editor.accountId, label: 'Kirklees Council' } });
    const ms = performance.now() - started;
    console.log(`One 40-place bulk update committed in ${ms.toFixed(1)} ms (one batch: 1 change set, 40 revisions, 40 place rows)`);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.published).toHaveLength(40);
    expect(result.conflicts).toEqual([]);
    const linked = await t.db.select({ n: count() }).from(revisions).where(eq(revisions.changeSetId, result.changeSetId!));
    expect(linked[0]!.n).toBe(40);
    for (const row of rows) expect((await place(row.id)).status).toBe('closed');
  });

  it('leaves alone a place whose base is out of date, publishes the rest, and keeps no empty set', async () => {
    const rows = await freshSchools(3);
    const items = (base: (r: PlaceRow) => number): ChangeSetItem[] => rows.map((row) => ({
      targetId: row.id, baseRevisionId: base(row),
      draft: { kind: 'place', draft: { ...withoutHtml<'place'>({ ...(row as unknown as PlaceContent), noteHtml: '' }), statusFrom: null, statusUntil: null, confirmedAt: null, expectedReopeningAt: null, status: 'disrupted' } },
    }));
    const setsBefore = (await t.db.select({ n: count() }).from(changeSets))[0]!.n;
    // Every base wrong: nothing published, and the set is deleted in the same batch.
    const none = await publishChangeSet(t.db, items(() => 1), { kind: 'bulk', summary: 'x', author: { accountId: null, label: 'x' } });
    expect(none).toMatchObject({ ok: true, changeSetId: null, published: [] });
    expect((await t.db.select({ n: count() }).from(changeSets))[0]!.n).toBe(setsBefore);
    const some = await publishChangeSet(t.db, items((r) => (r === rows[1] ? 1 : r.currentRevisionId!)), { kind: 'bulk', summary: 'y', author: { accountId: null, label: 'x' } });
    expect(some.ok && some.published.map((p) => p.targetId)).toEqual([rows[0]!.id, rows[2]!.id]);
    expect(some.ok && some.conflicts.map((c) => c.targetId)).toEqual([rows[1]!.id]);
    expect((await place(rows[1]!.id)).status).toBe(rows[1]!.status);
  });
});

describe('the bulk form', () => {
  it('shows a confirmation listing every place and its change before saving anything', async () => {
    const rows = await freshSchools(3);
    const before = await revisionCount();
    const response = await editor.post('/staff/services/schools', bulkFields(rows, { action: 'review' }));
    expect(response.status).toBe(200);
    const doc = await readHtml(response);
    expect(textOf(doc.querySelector('h1'))).toBe('Check your changes');
    expect(textOf(doc.querySelector('#confirm-summary'))).toMatch(/^3 schools will change to ‘Closed’ until 11:59pm today/);
    expect(doc.querySelectorAll('#confirm-places tbody tr').map((r) => r.getAttribute('data-place-id'))).toEqual(rows.map((r) => String(r.id)));
    expect(textOf(doc.querySelector('button[value="confirm"]'))).toBe('Confirm: closed 3 schools');
    expect(await revisionCount()).toBe(before);
  });

  it('keeps ticks the filter hides, and "Select all N shown" adds the filtered list', async () => {
    const rows = await freshSchools(2);
    const response = await editor.post('/staff/services/schools', { ...bulkFields(rows, { action: 'filter' }), q: 'zzzz-no-such-school' });
    const doc = await readHtml(response);
    expect(textOf(doc.querySelector('#hidden-ticked'))).toContain('2 schools you selected are not in this list and stay selected');
    expect(doc.querySelectorAll('#hidden-ticked input[name="place"]').map((i) => i.getAttribute('value'))).toEqual(rows.map((r) => String(r.id)));
    // "Clear filters" is a button of the same form: the ticks come back into view, still ticked.
    const cleared = await readHtml(await editor.post('/staff/services/schools', { ...bulkFields(rows, { action: 'show-all' }), q: 'zzzz-no-such-school' }));
    for (const r of rows) expect(cleared.querySelector(`#place-${r.id}`)?.hasAttribute('checked')).toBe(true);
    expect(cleared.querySelector('#hidden-ticked')).toBeNull();

    const ward = rows[0]!.ward;
    const all = await readHtml(await editor.post('/staff/services/schools', { ...bulkFields([], { action: 'select-all' }), ward }));
    const shown = all.querySelectorAll('tbody tr input[type="checkbox"]');
    expect(shown.length).toBeGreaterThan(0);
    expect(shown.every((box) => box.hasAttribute('checked'))).toBe(true);
    expect(textOf(all.querySelector('#bulk-selected'))).toContain(`${shown.length} school`);
  });

  it('after saving, lists the places changed with links, and Recent changes shows the set with who and what', async () => {
    const rows = await freshSchools(4);
    const setId = await bulkClose(rows);
    const [set] = await t.db.select().from(changeSets).where(eq(changeSets.id, setId));
    expect(set).toMatchObject({ kind: 'bulk', summary: 'Closed 4 schools', authorAccountId: editor.accountId });
    const location = `/staff/services/schools?updated=4&to=closed&set=${setId}`;
    const doc = await readHtml(await editor.get(location));
    expect(doc.querySelectorAll('#outcome-changed a').map((a) => a.getAttribute('href'))).toEqual(rows.map((r) => `/staff/places/${r.id}`));
    const list = await readHtml(await editor.get('/staff/changes'));
    const row = list.querySelector(`tr[data-change-set-id="${setId}"]`);
    expect(textOf(row)).toMatch(/^Closed 4 schools Ed Editor \d{1,2}:\d{2}[ap]m today Undo/);
  });
});

describe('a bulk update with a place changed meanwhile', () => {
  it('saves the rest, lists that place, and names the set by what it really changed', async () => {
    const rows = await freshSchools(3);
    const stale = rows.map((r, i) => (i === 1 ? { ...r, currentRevisionId: r.currentRevisionId! - 1 } : r));
    const response = await editor.post('/staff/services/schools', bulkFields(stale, { action: 'confirm' }));
    const location = new URL(response.headers.get('location')!, server.url);
    expect(location.searchParams.get('changed')).toBe(String(rows[1]!.id));
    const [set] = await t.db.select().from(changeSets).where(eq(changeSets.id, Number(location.searchParams.get('set'))));
    expect(set!.summary).toBe('Closed 2 schools');
    const doc = await readHtml(await editor.get(location.pathname + location.search));
    expect(textOf(doc.querySelector('#outcome-not-updated'))).toContain(`${rows[1]!.name}: someone else changed it`);
    expect(doc.querySelectorAll('#outcome-changed a').length).toBe(2);
  });
});

describe('undoing a change set', () => {
  it('asks for confirmation first', async () => {
    const rows = await freshSchools(2);
    const setId = await bulkClose(rows);
    const doc = await readHtml(await editor.get(`/staff/changes/${setId}?undo`));
    expect(textOf(doc.querySelector('#undo'))).toContain('Undo “Closed 2 schools”? 2 items go back to how they were before this change.');
    expect(doc.querySelector('#undo form')?.getAttribute('method')).toBe('post');
  });

  it('reverts every place but the one edited meanwhile, which is listed and left untouched', async () => {
    const rows = await freshSchools(5);
    const setId = await bulkClose(rows);
    const edited = await place(rows[2]!.id);
    // Someone reopens one school after the bulk change.
    const [current] = await t.db.select().from(revisions).where(eq(revisions.id, edited.currentRevisionId!));
    const { publishRevision } = await import('../../src/lib/revisions/service.ts');
    const draft = { ...withoutHtml<'place'>(current!.content as PlaceContent), status: 'open' as const, noteMarkdown: 'Open after all' };
    expect((await publishRevision(t.db, edited.id, edited.currentRevisionId!, { kind: 'place', draft }, { author: { accountId: other.accountId, label: 'Kirklees Council' }, summary: 'Reopened' })).ok).toBe(true);
    const editedNow = await place(edited.id);

    const response = await editor.post(`/staff/changes/${setId}`, {});
    expect(response.status).toBe(303);
    const location = new URL(response.headers.get('location')!, server.url);
    const undoId = Number(/^\/staff\/changes\/(\d+)$/.exec(location.pathname)?.[1]);
    expect(location.searchParams.get('changed')).toBe(String(edited.id));
    const [undo] = await t.db.select().from(changeSets).where(eq(changeSets.id, undoId));
    expect(undo).toMatchObject({ kind: 'undo', undoesChangeSetId: setId, summary: 'Undid “Closed 5 schools”' });

    for (const row of rows.filter((r) => r.id !== edited.id)) {
      const now = await place(row.id);
      expect(now, row.name).toMatchObject({ status: row.status, noteMarkdown: row.noteMarkdown, statusUntil: row.statusUntil });
      const [revision] = await t.db.select().from(revisions).where(eq(revisions.id, now.currentRevisionId!));
      expect(revision!.changeSetId).toBe(undoId);
    }
    expect(await place(edited.id)).toEqual(editedNow);
    const undoRevisions = await t.db.select().from(revisions).where(eq(revisions.changeSetId, undoId));
    expect(undoRevisions.map((r) => r.targetId).sort()).toEqual(rows.filter((r) => r.id !== edited.id).map((r) => r.id).sort());

    const doc = await readHtml(await editor.get(location.pathname + location.search));
    expect(textOf(doc.querySelector('#left-alone'))).toBe(edited.name);
    expect(textOf(doc.querySelector('#outcome'))).toContain('1 place was changed by someone since, so it was left alone');
    const original = await readHtml(await editor.get(`/staff/changes/${setId}`));
    expect(original.querySelector(`a[href="/staff/changes/${undoId}"]`)).not.toBeNull();
    expect(original.querySelector('a[href$="?undo#undo"]')).toBeNull();
  });

  it('happens once when two editors confirm at the same moment', async () => {
    const rows = await freshSchools(6);
    const setId = await bulkClose(rows);
    const before = await revisionCount();
    const responses = await Promise.all([editor.post(`/staff/changes/${setId}`, {}), other.post(`/staff/changes/${setId}`, {})]);
    expect(responses.map((r) => r.status)).toEqual([303, 303]);
    const undos = await t.db.select().from(changeSets).where(eq(changeSets.undoesChangeSetId, setId));
    expect(undos).toHaveLength(1);
    expect(await revisionCount()).toBe(before + 6);
    const locations = responses.map((r) => r.headers.get('location'));
    expect(locations.filter((l) => l === `/staff/changes/${setId}?already-undone`)).toHaveLength(1);
    for (const row of rows) expect((await place(row.id)).status).toBe(row.status);
    const undone = await t.db.select().from(places).where(inArray(places.id, rows.map((r) => r.id)));
    expect(undone.every((p) => p.status !== 'closed')).toBe(true);
  });

  it('is for editors only', async () => {
    const reporter = await signInAs(t, server, 'reporter');
    expect((await reporter.get('/staff/changes')).status).toBe(403);
    expect((await reporter.post('/staff/changes/1', {})).status).toBe(403);
  });
});
