// Status reasons and expected reopening over HTTP against the real built server: set on the
// staff form (with its validation), published through the one revision mechanism, shown to
// residents, and carried by the API, the feeds, the CSV and CAP; the until / expected-reopening
// choice when approving a resident's suggestion, and "approved by" in the staff history.
import { fileURLToPath } from 'node:url';
import { parse as parseCsv } from 'csv-parse/sync';
import { and, desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { places, revisions, services } from '../../db/schema/index.ts';
import type { ApiPlace } from '../../src/lib/open-data/serialize.ts';
import type { PlaceContent, PlaceDraft } from '../../src/lib/revisions/content.ts';
import { createContent } from '../../src/lib/revisions/service.ts';
import { recordSuggestion } from '../../src/lib/suggestions/service.ts';
import { toLondonLocalInput } from '../../src/lib/time/london.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { readHtml, textOf } from '../helpers/html.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { signInAs, type SignedIn } from '../helpers/staff.ts';
import { parseXml, validateWithXmllint, xmlText, type XmlNode } from '../helpers/xml.ts';

const CAP_XSD = fileURLToPath(new URL('../fixtures/cap-1.2.xsd', import.meta.url));

let t: TestDb;
let server: TestServer;
let editor: SignedIn;
let schoolsId: number;
let made = 0;

beforeAll(async () => {
  t = await createTestDb({ seed: true });
  server = await startServer(t.url);
  editor = await signInAs(t, server, 'editor', 'Ed Editor');
  const [row] = await t.db.select({ id: services.id }).from(services).where(eq(services.slug, 'schools'));
  schoolsId = row!.id;
});
afterAll(async () => {
  await server?.stop();
  t?.cleanup();
});

type PlaceRow = typeof places.$inferSelect;

/** A new open school with one approved revision, so tests do not share places. */
async function makeSchool(): Promise<PlaceRow & { draft: PlaceDraft }> {
  made += 1;
  const draft: PlaceDraft = {
    serviceId: schoolsId, slug: `reasons-test-${made}-${Date.now()}`, identifier: null, name: `Reasons Test Primary ${made}`, category: 'Primary',
    address: '1 Hill Top', postcode: 'HD1 1AA', ward: 'Almondbury', latitude: null, longitude: null, status: 'open', noteMarkdown: '',
    statusFrom: null, statusUntil: null, confirmedAt: new Date().toISOString(), retired: false,
  };
  const { targetId } = await createContent(t.db, { kind: 'place', draft }, { author: { accountId: null, label: 'Kirklees Council' }, summary: 'Added' });
  return { ...(await placeRow(targetId)), draft };
}

async function placeRow(id: number): Promise<PlaceRow> {
  const [row] = await t.db.select().from(places).where(eq(places.id, id));
  return row!;
}

/** Midnight London time `days` from today: "the day it reopens". */
function daysAhead(days: number): Date {
  const date = new Date(Date.now() + days * 86_400_000);
  const local = toLondonLocalInput(date).slice(0, 10);
  return new Date(`${local}T00:00:00Z`); // London is on GMT from November to March; checked below
}

function editForm(row: PlaceRow, overrides: Record<string, string> = {}): Record<string, string> {
  return {
    status: row.status, note: row.noteMarkdown, 'status-from': '', 'status-until': '', 'status-reason': '', 'expected-reopening': '',
    name: row.name, category: row.category, address: row.address, postcode: row.postcode, ward: row.ward,
    identifier: row.identifier ?? '', latitude: '', longitude: '', phone: '', website: '',
    summary: 'Closed for snow', base: String(row.currentRevisionId), ...overrides,
  };
}

async function getJson<T>(path: string): Promise<T> {
  const response = await server.get(path);
  expect(response.status, path).toBe(200);
  return (await response.json()) as T;
}

/** A school closed for snow, expected to reopen in three days, set through the staff form. */
async function closedForSnow(): Promise<{ row: PlaceRow; reopening: Date }> {
  const school = await makeSchool();
  const reopening = daysAhead(3);
  const response = await editor.post(`/staff/places/${school.id}`, editForm(school, {
    status: 'closed', note: 'Closed today.', 'status-reason': 'snow_and_ice', 'expected-reopening': toLondonLocalInput(reopening),
  }));
  expect(response.status).toBe(303);
  return { row: await placeRow(school.id), reopening };
}

describe('setting a reason and an expected reopening on the staff form', () => {
  it('publishes them as a new revision and in the published row, in the same write', async () => {
    const { row, reopening } = await closedForSnow();
    expect(row.statusReason).toBe('snow_and_ice');
    expect(row.expectedReopeningAt?.toISOString()).toBe(reopening.toISOString());
    const [latest] = await t.db.select().from(revisions)
      .where(and(eq(revisions.targetKind, 'place'), eq(revisions.targetId, row.id))).orderBy(desc(revisions.id)).limit(1);
    expect(latest!.id).toBe(row.currentRevisionId);
    const content = latest!.content as PlaceContent;
    expect(content.reason).toBe('snow_and_ice');
    expect(content.expectedReopeningAt).toBe(row.expectedReopeningAt!.toISOString());
  });

  it('shows them filled in when the form is opened again, and keeps them when only the note changes', async () => {
    const { row } = await closedForSnow();
    const doc = await readHtml(await editor.get(`/staff/places/${row.id}`));
    expect(doc.querySelector('#status-reason option[selected]')?.getAttribute('value')).toBe('snow_and_ice');
    expect(doc.querySelector('#expected-reopening')?.getAttribute('value')).toBe(toLondonLocalInput(row.expectedReopeningAt!));
    const response = await editor.post(`/staff/places/${row.id}`, editForm(row, {
      note: 'Still closed.', 'status-reason': 'snow_and_ice', 'expected-reopening': toLondonLocalInput(row.expectedReopeningAt!),
    }));
    expect(response.status).toBe(303);
    expect((await placeRow(row.id)).statusReason).toBe('snow_and_ice');
  });

  it('refuses a reason not on the list and a reopening time that is malformed or has passed, with the GOV.UK error summary', async () => {
    const school = await makeSchool();
    const bad = await editor.post(`/staff/places/${school.id}`, editForm(school, { status: 'closed', 'status-reason': 'aliens', 'expected-reopening': '2026-02-30T09:00' }));
    expect(bad.status).toBe(400);
    const doc = await readHtml(bad);
    expect(doc.querySelectorAll('.govuk-error-summary a').map((a) => a.getAttribute('href'))).toEqual(['#status-reason', '#expected-reopening']);
    expect(textOf(doc.querySelector('#status-reason-error'))).toContain('Choose a reason from the list');
    expect(textOf(doc.querySelector('#expected-reopening-error'))).toContain('Enter a real date and time');
    const past = await editor.post(`/staff/places/${school.id}`, editForm(school, { status: 'closed', 'expected-reopening': toLondonLocalInput(new Date(Date.now() - 3_600_000)) }));
    expect(past.status).toBe(400);
    expect(textOf((await readHtml(past)).querySelector('.govuk-error-summary'))).toContain('‘Expected to reopen’ must be in the future');
    expect((await placeRow(school.id)).currentRevisionId).toBe(school.currentRevisionId);
  });
});

describe('what residents see', () => {
  it('says the reason and "Expected to reopen" just under the status on the place page', async () => {
    const { row } = await closedForSnow();
    const doc = await readHtml(await server.get(`/services/schools/${row.slug}`));
    const status = doc.querySelector('.csa-place-status');
    const line = status?.querySelector('[data-status-details]');
    expect(textOf(line)).toMatch(/^Reason: Snow and ice\. Expected to reopen: [A-Z][a-z]+day$/);
    // Right after the status line, before the note.
    expect(line?.previousElementSibling?.textContent).toContain('Status:');
  });

  it('says them in the Details cell of the service table', async () => {
    const { row } = await closedForSnow();
    const doc = await readHtml(await server.get('/services/schools'));
    const link = doc.querySelectorAll('tbody th a').find((a) => a.getAttribute('href') === `/services/schools/${row.slug}`);
    const cells = link?.closest('tr')?.querySelectorAll('td');
    const details = cells?.find((c) => c.getAttribute('data-label') === 'Details');
    expect(textOf(details?.querySelector('[data-status-details]'))).toContain('Reason: Snow and ice. Expected to reopen:');
    expect(textOf(details)).toContain('Closed today.');
  });
});

describe('open data', () => {
  it('gives them in the JSON API', async () => {
    const { row } = await closedForSnow();
    const { place } = await getJson<{ place: ApiPlace }>(`/api/v1/places/${row.id}`);
    expect(place).toMatchObject({ status: 'closed', reason: 'snow_and_ice', reasonLabel: 'Snow and ice', expectedReopeningAt: row.expectedReopeningAt!.toISOString() });
    const other = await makeSchool();
    expect(await getJson<{ place: ApiPlace }>(`/api/v1/places/${other.id}`)).toMatchObject({ place: { reason: null, reasonLabel: null, expectedReopeningAt: null } });
    const { changes } = await getJson<{ changes: { id: number; kind: string; reason: string | null; expectedReopeningAt: string | null }[] }>('/api/v1/changes?since=0&limit=500&service=schools');
    expect(changes.filter((c) => c.kind === 'place' && c.id === row.id).at(-1)).toMatchObject({ reason: 'snow_and_ice', expectedReopeningAt: row.expectedReopeningAt!.toISOString() });
  });

  it('says them in the RSS, Atom and JSON Feed entries, and gives them as data in the JSON Feed', async () => {
    const { row } = await closedForSnow();
    const rss = parseXml(await (await server.get('/feeds/schools.rss')).text(), { arrays: ['item'] });
    const item = (rss.rss.channel.item as XmlNode[]).find((i) => xmlText(i.link).endsWith(`/services/schools/${row.slug}`));
    expect(xmlText(item?.description)).toMatch(/Reason: Snow and ice\. Expected to reopen: [A-Z][a-z]+day \d{1,2} [A-Z][a-z]+/);
    const atom = parseXml(await (await server.get(`/feeds/places/${row.id}.atom`)).text(), { arrays: ['entry'] });
    expect(xmlText((atom.feed.entry as XmlNode[])[0]!.content)).toContain('Reason: Snow and ice');
    const json = await getJson<{ items: { content_html: string; _council_status?: Record<string, unknown> }[] }>(`/feeds/places/${row.id}.json`);
    expect(json.items[0]!.content_html).toContain('Expected to reopen:');
    expect(json.items[0]!._council_status).toEqual({ status: 'closed', reason: 'snow_and_ice', expected_reopening_at: row.expectedReopeningAt!.toISOString() });
  });

  it('adds reason, reason_label and expected_reopening_at columns to the CSV', async () => {
    const { row } = await closedForSnow();
    const body = await (await server.get('/feeds/schools.csv')).text();
    const rows = parseCsv(body, { columns: true }) as Record<string, string>[];
    expect(rows.find((r) => r.id === String(row.id))).toMatchObject({
      reason: 'snow_and_ice', reason_label: 'Snow and ice', expected_reopening_at: row.expectedReopeningAt!.toISOString(),
    });
    expect(rows.find((r) => r.reason === '')).toMatchObject({ expected_reopening_at: '' });
  });

  it('gives them as CAP parameters in the message of an alert about schools, still valid against the CAP 1.2 schema', async () => {
    const { row } = await closedForSnow();
    const { alerts } = await getJson<{ alerts: { id: number; services: string[] }[] }>('/api/v1/alerts');
    const alert = alerts.find((a) => a.services.includes('schools'));
    expect(alert).toBeDefined();
    const xml = await (await server.get(`/feeds/alerts/${alert!.id}.xml`)).text();
    const result = await validateWithXmllint(xml, CAP_XSD);
    expect(result.ok, result.output).toBe(true);
    const doc = parseXml(xml, { arrays: ['info', 'parameter'] });
    const parameters = new Map((doc.alert.info[0].parameter as XmlNode[]).map((p) => [xmlText(p.valueName), xmlText(p.value)]));
    expect(parameters.get(`place:${row.id}:name`)).toBe(row.name);
    expect(parameters.get(`place:${row.id}:status`)).toBe('closed');
    expect(parameters.get(`place:${row.id}:reason`)).toBe('snow_and_ice');
    expect(parameters.get(`place:${row.id}:expectedReopening`)).toBe(`${row.expectedReopeningAt!.toISOString().slice(0, 19)}+00:00`);
  });
});

describe('approving a resident’s suggestion with an until time', () => {
  async function suggestClosed(school: PlaceRow & { draft: PlaceDraft }): Promise<number> {
    const { suggestionId } = await recordSuggestion(t.db, {
      kind: 'change', draft: { kind: 'place', draft: { ...school.draft, status: 'closed', noteMarkdown: 'The library is closed' } },
      targetId: school.id, baseRevisionId: school.currentRevisionId!, serviceId: schoolsId,
      howKnown: 'There is a sign on the door', contactEmail: null, clientHash: 'test-client',
    });
    return suggestionId;
  }

  /** London local time with seconds, as a browser without the picker may send it. */
  const localWithSeconds = (date: Date) => `${toLondonLocalInput(date)}:${String(date.getUTCSeconds()).padStart(2, '0')}`;

  it('offers the until and expected-reopening inputs on the review page', async () => {
    const school = await makeSchool();
    const id = await suggestClosed(school);
    const doc = await readHtml(await editor.get(`/staff/review/${id}`));
    expect(doc.querySelector('#approve-form input[name="approve-until"]')).not.toBeNull();
    expect(doc.querySelector('#approve-form input[name="approve-reopening"]')).not.toBeNull();
    expect(doc.querySelector('#edit-form input[name="edit-until"]')).not.toBeNull();
  });

  it('publishes the status until that time, after which it lapses to not confirmed', async () => {
    const school = await makeSchool();
    const id = await suggestClosed(school);
    const until = new Date(Date.now() + 4_000);
    const reopening = daysAhead(2);
    const response = await editor.post(`/staff/review/${id}`, {
      base: String(school.currentRevisionId), action: 'approve',
      'approve-until': localWithSeconds(until), 'approve-reopening': toLondonLocalInput(reopening),
    });
    expect(response.status).toBe(303);
    const row = await placeRow(school.id);
    expect(row.status).toBe('closed');
    expect(row.statusUntil?.getTime()).toBe(Math.floor(until.getTime() / 1000) * 1000);
    expect(row.expectedReopeningAt?.toISOString()).toBe(reopening.toISOString());
    expect((await getJson<{ place: ApiPlace }>(`/api/v1/places/${school.id}`)).place).toMatchObject({ status: 'closed', lapsed: false });
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, row.statusUntil!.getTime() - Date.now()) + 300));
    expect((await getJson<{ place: ApiPlace }>(`/api/v1/places/${school.id}`)).place).toMatchObject({ status: 'unknown', statusAsSet: 'closed', lapsed: true });
  });

  it('refuses an until time that has passed, with the error summary, and publishes nothing', async () => {
    const school = await makeSchool();
    const id = await suggestClosed(school);
    const response = await editor.post(`/staff/review/${id}`, {
      base: String(school.currentRevisionId), action: 'approve', 'approve-until': toLondonLocalInput(new Date(Date.now() - 3_600_000)),
    });
    expect(response.status).toBe(400);
    const doc = await readHtml(response);
    expect(doc.querySelectorAll('.govuk-error-summary a').map((a) => a.getAttribute('href'))).toEqual(['#approve-until']);
    expect((await placeRow(school.id)).currentRevisionId).toBe(school.currentRevisionId);
  });

  it('shows who approved it in the staff history: suggested by a resident, approved by the editor', async () => {
    const school = await makeSchool();
    const id = await suggestClosed(school);
    expect((await editor.post(`/staff/review/${id}`, { base: String(school.currentRevisionId), action: 'approve' })).status).toBe(303);
    const doc = await readHtml(await editor.get(`/staff/history/place/${school.id}`));
    expect(textOf(doc.querySelector('main'))).toContain('Suggested by a resident, approved by Ed Editor');
    // The public history still credits only "a resident".
    const page = textOf((await readHtml(await server.get(`/services/schools/${school.slug}`))).querySelector('main'));
    expect(page).not.toContain('Ed Editor');
  });
});

describe('the diff page', () => {
  it('lists the changed fields first and folds the unchanged ones into a details element', async () => {
    const { row } = await closedForSnow();
    const [, before] = await t.db.select({ id: revisions.id }).from(revisions)
      .where(and(eq(revisions.targetKind, 'place'), eq(revisions.targetId, row.id))).orderBy(desc(revisions.id)).limit(2);
    const doc = await readHtml(await editor.get(`/staff/history/place/${row.id}/diff?from=${before!.id}&to=${row.currentRevisionId}`));
    const [changedTable] = doc.querySelectorAll('main table.csa-diff');
    expect(changedTable?.closest('details')).toBeNull();
    expect(changedTable!.querySelectorAll('tbody th').map(textOf)).toEqual(['Status', 'Note', 'Reason', 'Expected to reopen', 'Confirmed at']);
    const folded = doc.querySelector('details.csa-diff-unchanged');
    expect(textOf(folded?.querySelector('summary'))).toMatch(/^\d+ unchanged fields$/);
    expect(folded?.querySelectorAll('tbody th').map(textOf)).toContain('Name (unchanged)');
  });
});
