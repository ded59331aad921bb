// Places imports against a real database and the real built server: a GIAS-format fixture
// (windows-1252, closed establishments, another authority's rows, a changed school) gives exactly
// the expected dry run; an administrator uploads it, reads the dry run and applies it as ONE
// change set (a resubmitted form applies nothing more); undo in one step restores every place —
// the new ones withdrawn; a file that is not a GIAS export is refused with a clear message.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, count, eq } from 'drizzle-orm';
import { changeSets, places, revisions, services } from '../../db/schema/index.ts';
import { planImportFile } from '../../src/lib/import/service.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { readHtml, textOf } from '../helpers/html.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { signInAs, type SignedIn } from '../helpers/staff.ts';

const FIXTURE = new URL('../fixtures/import/gias-kirklees.csv', import.meta.url);
const bytes = () => new Uint8Array(readFileSync(FIXTURE));

let t: TestDb;
let server: TestServer;
let admin: SignedIn;
let editor: SignedIn;
let schoolsId: number;

beforeAll(async () => {
  t = await createTestDb({ seed: true });
  server = await startServer(t.url);
  admin = await signInAs(t, server, 'admin', 'Ada Admin');
  editor = await signInAs(t, server, 'editor', 'Ed Editor');
  const [schools] = await t.db.select().from(services).where(eq(services.slug, 'schools'));
  schoolsId = schools!.id;
});
afterAll(async () => {
  await server?.stop();
  t?.cleanup();
});

async function school(identifier: string) {
  const [row] = await t.db.select().from(places).where(and(eq(places.serviceId, schoolsId), eq(places.identifier, identifier)));
  return row;
}

function upload(file: Uint8Array, fields: Record<string, string>, name = 'edubasealldata.csv'): Promise<Response> {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  form.append('file', new Blob([new Uint8Array(file)], { type: 'text/csv' }), name);
  return server.get('/staff/import', { method: 'POST', headers: { Origin: server.url, Cookie: admin.cookie }, body: form });
}

describe('the dry run of a GIAS file', () => {
  it('reports exactly the new, changed and closed schools of local authority 382, decoding windows-1252', async () => {
    const planned = await planImportFile(t.db, { id: schoolsId }, { source: 'gias', bytes: bytes(), laCode: '382' });
    expect(planned.ok).toBe(true);
    if (!planned.ok) return;
    const { plan } = planned;
    expect(plan.created.map((c) => c.name)).toEqual(['St Mary’s Catholic Primary School', 'Café Lane Nursery School']);
    expect(plan.created.map((c) => c.ward)).toEqual(['Newsome', 'Ashbrow']);
    expect(plan.changed.map((c) => c.name)).toEqual(['Ashbrow School and Nursery']);
    expect(plan.changed[0]!.changes).toEqual([
      { field: 'name', label: 'Name', before: 'Ashbrow School', after: 'Ashbrow School and Nursery' },
      { field: 'phone', label: 'Phone', before: '(none)', after: '01484 226000' },
    ]);
    expect(plan.withdrawn.map((w) => w.name)).toEqual(['Woodhouse Primary Academy']);
    expect(plan.unchanged).toBe(1);
    expect(plan.otherAuthority).toBe(1);
    expect(plan.closedNotListed).toBe(2);
    expect(plan.problems).toEqual([]);
    // GIAS's phone without its leading 0 and website without a scheme are repaired.
    expect(plan.created[0]!.draft.phone).toBe('01484000111');
    expect(plan.created[0]!.draft.website).toBe('https://www.st-marys-huddersfield.example');
  });

  it('finds nothing for an authority that is not in the file, and says so', async () => {
    const planned = await planImportFile(t.db, { id: schoolsId }, { source: 'gias', bytes: bytes(), laCode: '999' });
    expect(planned).toEqual({ ok: false, message: 'The file has no establishments of local authority 999 (it has 8 of other authorities)' });
  });
});

describe('importing over HTTP', () => {
  it('refuses a file that is not a GIAS export with an error summary, keeping what was chosen', async () => {
    const response = await upload(new TextEncoder().encode('name,address\nHuddersfield Library,Princess Alexandra Walk\n'), { service: 'schools', source: 'gias', 'la-code': '382' });
    expect(response.status).toBe(400);
    const doc = await readHtml(response);
    expect(textOf(doc.querySelector('.govuk-error-summary'))).toContain('The file is not a GIAS establishment export: it has no ‘URN’');
    expect(doc.querySelector('#la-code')?.getAttribute('value')).toBe('382');
  });

  it('asks for the local authority code and a file when they are missing', async () => {
    const response = await upload(new Uint8Array(), { service: 'schools', source: 'gias', 'la-code': '' });
    expect(response.status).toBe(400);
    const summary = textOf((await readHtml(response)).querySelector('.govuk-error-summary'));
    expect(summary).toContain('Enter your local authority code');
    expect(summary).toContain('Choose a CSV file to upload');
  });

  it('is for administrators only', async () => {
    const response = await editor.get('/staff/import');
    expect(response.status).toBe(403);
  });

  it('uploads, shows the dry run, applies it once as one change set, and undo restores every school', async () => {
    const before = { ashbrow: await school('145858'), woodhouse: await school('143448'), longley: await school('113441') };
    const [{ n: setsBefore } = { n: -1 }] = await t.db.select({ n: count() }).from(changeSets);

    const uploaded = await upload(bytes(), { service: 'schools', source: 'gias', 'la-code': '382' });
    expect(uploaded.status).toBe(303);
    const runPath = uploaded.headers.get('location')!;
    expect(runPath).toMatch(/^\/staff\/import\/[A-Za-z0-9_-]{24}$/);
    // Nothing is published by the upload.
    expect(await school('990001')).toBeUndefined();

    const dryRun = await readHtml(await admin.get(runPath));
    expect(textOf(dryRun.querySelector('#count-new'))).toBe('2');
    expect(textOf(dryRun.querySelector('#count-changed'))).toBe('1');
    expect(textOf(dryRun.querySelector('#count-withdrawn'))).toBe('1');
    expect(textOf(dryRun.querySelector('#count-unchanged'))).toBe('1');
    expect(textOf(dryRun.querySelector('#new-places'))).toContain('St Mary’s Catholic Primary School');
    expect(textOf(dryRun.querySelector('#changed-places'))).toContain('Ashbrow School and Nursery');
    expect(textOf(dryRun.querySelector('#withdrawn-places'))).toContain('Woodhouse Primary Academy');
    const runId = runPath.split('/').pop()!;

    const applied = await admin.post(runPath, { run: runId });
    expect(applied.status).toBe(303);
    expect(applied.headers.get('location')).toBe(`${runPath}?applied`);
    // The same form again (a reload that resubmits, a second click) applies nothing more.
    const again = await admin.post(runPath, { run: runId });
    expect(again.headers.get('location')).toBe(`${runPath}?already-applied`);

    const sets = await t.db.select().from(changeSets).where(eq(changeSets.kind, 'import'));
    expect(sets).toHaveLength(1);
    const [{ n: setsAfter } = { n: -1 }] = await t.db.select({ n: count() }).from(changeSets);
    expect(setsAfter).toBe(setsBefore + 1);
    const setId = sets[0]!.id;
    expect(sets[0]!.summary).toBe('Imported schools from GIAS: 2 new, 1 changed, 1 withdrawn');
    const [{ n: inSet } = { n: -1 }] = await t.db.select({ n: count() }).from(revisions).where(eq(revisions.changeSetId, setId));
    expect(inSet).toBe(4);

    const result = await readHtml(await admin.get(`${runPath}?applied`));
    expect(result.querySelector('#change-set-link')?.getAttribute('href')).toBe(`/staff/changes/${setId}`);
    // The change set says what happened to each school: added, changed, taken off.
    const rows = (await readHtml(await editor.get(`/staff/changes/${setId}`))).querySelectorAll('#change-set-items tbody tr').map((r) => textOf(r));
    expect(rows.find((r) => r.includes('St Mary’s'))).toMatch(/Not on the site\s*Not confirmed/);
    expect(rows.find((r) => r.includes('Woodhouse'))).toContain('Taken off the site');

    const stMarys = await school('990001');
    expect(stMarys).toMatchObject({ name: 'St Mary’s Catholic Primary School', ward: 'Newsome', postcode: 'HD1 3AX', status: 'unknown', retired: false });
    expect((await school('145858'))).toMatchObject({ name: 'Ashbrow School and Nursery', phone: '01484 226000' });
    expect((await school('143448'))!.retired).toBe(true);
    // The unchanged school's grid reference was derived from its demo coordinates: no revision, no move.
    expect((await school('113441'))!.currentRevisionId).toBe(before.longley!.currentRevisionId);

    const publicPage = await readHtml(await server.get('/services/schools'));
    expect(textOf(publicPage)).toContain('St Mary’s Catholic Primary School');
    expect(textOf(publicPage)).not.toContain('Woodhouse Primary Academy');

    // Undo, in one step, from Recent changes.
    const undone = await editor.post(`/staff/changes/${setId}`, {});
    expect(undone.status).toBe(303);
    expect(undone.headers.get('location')).toMatch(/\?undone$/);
    const ashbrow = await school('145858');
    expect({ name: ashbrow!.name, phone: ashbrow!.phone }).toEqual({ name: before.ashbrow!.name, phone: before.ashbrow!.phone });
    expect((await school('143448'))!.retired).toBe(false);
    expect((await school('990001'))!.retired).toBe(true);
    expect((await school('990002'))!.retired).toBe(true);
    const afterUndo = textOf(await readHtml(await server.get('/services/schools')));
    expect(afterUndo).not.toContain('St Mary’s Catholic Primary School');
    expect(afterUndo).toContain('Woodhouse Primary Academy');

    // Importing again after the undo lists the withdrawn new schools again (matched by URN), not twice.
    const planned = await planImportFile(t.db, { id: schoolsId }, { source: 'gias', bytes: bytes(), laCode: '382' });
    expect(planned.ok && planned.plan.created).toEqual([]);
    expect(planned.ok && planned.plan.changed.map((c) => c.name).sort()).toEqual(['Ashbrow School and Nursery', 'Café Lane Nursery School', 'St Mary’s Catholic Primary School']);
  });
});

describe('importing any places from CSV', () => {
  it('adds and updates libraries by name, with British National Grid coordinates converted and a nameless row left out', async () => {
    const [libraries] = await t.db.select().from(services).where(eq(services.slug, 'libraries'));
    const csv = 'Name,Address,Postcode,Ward,Easting,Northing,Phone\n'
      + 'Huddersfield Library,"Princess Alexandra Walk, Huddersfield",HD1 2SU,Greenhead,412703,417391,01484 221950\n'
      + 'Scissett Library,"Wakefield Road, Scissett",HD8 9HR,Denby Dale,424791,409888,\n'
      + ',No name here,,,,,\n';
    const planned = await planImportFile(t.db, { id: libraries!.id }, { source: 'csv', bytes: new TextEncoder().encode(csv) });
    expect(planned.ok).toBe(true);
    if (!planned.ok) return;
    expect(planned.plan.created.map((c) => c.name)).toEqual(['Scissett Library']);
    // 424791 E, 409888 N was derived from 53.585, -1.627 with the same definition: rounded to whole metres, it comes back to 4 decimal places.
    expect(planned.plan.created[0]!.draft.latitude).toBeCloseTo(53.585, 4);
    expect(planned.plan.created[0]!.draft.longitude).toBeCloseTo(-1.627, 4);
    expect(planned.plan.created[0]!.draft.slug).toBe('scissett-library');
    expect(planned.plan.changed.map((c) => c.name)).toEqual(['Huddersfield Library']);
    expect(planned.plan.changed[0]!.changes.map((c) => c.field)).toEqual(['postcode', 'phone']);
    expect(planned.plan.problems).toEqual([{ line: 4, message: 'A row with no name: Enter a name', leftOut: true }]);
  });
});
