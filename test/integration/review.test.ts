// The review queue and review page over HTTP: the real built server against a real, seeded
// libSQL file. Suggestions are recorded directly with recordSuggestion (the resident side is
// tested on its own); every test makes its own places, so none depends on another.
import { and, count, eq, isNotNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alerts, pages, places, revisions, services, suggestions } from '../../db/schema/index.ts';
import type { AlertDraft, PageContent, PlaceDraft } from '../../src/lib/revisions/content.ts';
import { createContent, publishRevision } from '../../src/lib/revisions/service.ts';
import { recordSuggestion } from '../../src/lib/suggestions/service.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { readHtml, textOf } from '../helpers/html.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { signInAs, type SignedIn } from '../helpers/staff.ts';
import { parseXml, xmlText, type XmlNode } from '../helpers/xml.ts';
import type { HTMLElement } from 'node-html-parser';

let t: TestDb;
let server: TestServer;
let editor: SignedIn;
let otherEditor: SignedIn;
let reporter: SignedIn;
const serviceIds = new Map<string, number>();
let made = 0;

beforeAll(async () => {
  t = await createTestDb({ seed: true });
  server = await startServer(t.url);
  editor = await signInAs(t, server, 'editor', 'Erin Editor');
  otherEditor = await signInAs(t, server, 'editor', 'Omar Other');
  reporter = await signInAs(t, server, 'reporter', 'Rita Reporter');
  for (const row of await t.db.select({ id: services.id, slug: services.slug }).from(services)) serviceIds.set(row.slug, row.id);
});
afterAll(async () => {
  await server?.stop();
  t?.cleanup();
});

const COUNCIL = { accountId: null, label: 'Kirklees Council' };

interface MadePlace {
  id: number;
  revisionId: number;
  name: string;
  slug: string;
  serviceSlug: string;
  draft: PlaceDraft;
}

/** A new, open place with one approved revision. */
async function makePlace(serviceSlug = 'schools'): Promise<MadePlace> {
  made += 1;
  const name = `Review Test ${serviceSlug === 'libraries' ? 'Library' : 'Primary'} ${made}`;
  const slug = `review-test-${made}-${Date.now()}`;
  const draft: PlaceDraft = {
    serviceId: serviceIds.get(serviceSlug)!, slug, identifier: null, name, category: '', address: '1 Hill Top', postcode: 'HD1 1AA',
    ward: 'Almondbury', latitude: null, longitude: null, status: 'open', noteMarkdown: '', statusFrom: null, statusUntil: null,
    confirmedAt: new Date().toISOString(), retired: false,
  };
  const created = await createContent(t.db, { kind: 'place', draft }, { author: COUNCIL, summary: 'Added' });
  return { id: created.targetId, revisionId: created.revisionId, name, slug, serviceSlug, draft };
}

/** A resident's suggested change to a place, based on `baseRevisionId` (by default the place's first revision). */
async function suggestChange(place: MadePlace, changes: Partial<PlaceDraft>, options: { at?: Date; email?: string; baseRevisionId?: number } = {}): Promise<number> {
  const { suggestionId } = await recordSuggestion(
    t.db,
    {
      kind: 'change',
      draft: { kind: 'place', draft: { ...place.draft, ...changes } },
      targetId: place.id,
      baseRevisionId: options.baseRevisionId ?? place.revisionId,
      serviceId: place.draft.serviceId,
      howKnown: 'There is a sign on the door',
      contactEmail: options.email ?? null,
      clientHash: 'test-client',
    },
    options.at,
  );
  return suggestionId;
}

async function suggestMissingPlace(serviceSlug: string, name: string, at?: Date, slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-')): Promise<number> {
  const draft: PlaceDraft = {
    serviceId: serviceIds.get(serviceSlug)!, slug, identifier: null, name, category: '',
    address: 'Market Street', postcode: 'HD1 2AB', ward: '', latitude: null, longitude: null, status: 'closed',
    noteMarkdown: 'Closed for the snow', statusFrom: null, statusUntil: null, confirmedAt: new Date().toISOString(), retired: false,
  };
  const { suggestionId } = await recordSuggestion(
    t.db,
    { kind: 'new', draft: { kind: 'place', draft }, targetId: null, baseRevisionId: null, serviceId: serviceIds.get(serviceSlug)!, howKnown: 'I walk past it', contactEmail: null, clientHash: 'test-client' },
    at,
  );
  return suggestionId;
}

async function suggestInformation(headline: string, body: string): Promise<number> {
  const draft: AlertDraft = { severity: 'info', headline, bodyMarkdown: body, area: '', serviceSlugs: ['roads-and-gritting'], startsAt: new Date(Date.now() - 60_000).toISOString(), expiresAt: null, retired: false };
  const { suggestionId } = await recordSuggestion(t.db, {
    kind: 'new', draft: { kind: 'alert', draft }, targetId: null, baseRevisionId: null, serviceId: serviceIds.get('roads-and-gritting')!,
    howKnown: 'I saw it this morning', contactEmail: 'resident@example.org', clientHash: 'test-client',
  });
  return suggestionId;
}

async function open(session: SignedIn, id: number): Promise<HTMLElement> {
  const response = await session.get(`/staff/review/${id}`);
  expect(response.status).toBe(200);
  return readHtml(response);
}

const baseOf = (doc: HTMLElement) => doc.querySelector('#approve-form input[name="base"]')?.getAttribute('value') ?? '';

async function approve(session: SignedIn, id: number, fields: Record<string, string> = {}): Promise<Response> {
  const base = baseOf(await open(session, id));
  return session.post(`/staff/review/${id}`, { base, action: 'approve', ...fields });
}

async function suggestionRow(id: number) {
  const [row] = await t.db.select().from(suggestions).where(eq(suggestions.id, id));
  return row!;
}

async function publishedBySuggestion(id: number) {
  return t.db.select().from(revisions).where(and(eq(revisions.suggestionId, id), isNotNull(revisions.publishSeq)));
}

async function placeRow(id: number) {
  const [row] = await t.db.select().from(places).where(eq(places.id, id));
  return row!;
}

/** Scripts the site itself serves (external, same-site files) — anything else was injected. */
const OUR_SCRIPTS = new Set(['/scripts/print-link.js', '/scripts/use-my-location.js']);

function expectHarmless(doc: HTMLElement): void {
  expect(doc.querySelectorAll('script').filter((s) => !OUR_SCRIPTS.has(s.getAttribute('src') ?? '') || s.textContent.trim() !== '')).toHaveLength(0);
  expect(doc.querySelectorAll('[onerror]')).toHaveLength(0);
  expect(doc.querySelectorAll('img')).toHaveLength(0);
  expect(doc.querySelectorAll('a').filter((a) => /^\s*javascript:/i.test(a.getAttribute('href') ?? ''))).toHaveLength(0);
}

describe('the review queue', () => {
  it('lists waiting suggestions oldest first, with what each is about, its kind, a summary and its age', async () => {
    const place = await makePlace();
    const now = Date.now();
    const newest = await suggestChange(place, { status: 'closed', noteMarkdown: 'Closed: burst pipe' }, { at: new Date(now - 12 * 60_000) });
    const oldest = await suggestChange(place, { status: 'partially_open' }, { at: new Date(now - 2 * 86_400_000) });
    const middle = await suggestMissingPlace('schools', `Queue Test Academy ${now}`, new Date(now - 3 * 3_600_000));

    const response = await editor.get('/staff/review');
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toContain('no-store');
    const doc = await readHtml(response);
    const ids = doc.querySelectorAll('#suggestions tbody tr').map((row) => Number(row.getAttribute('id')!.replace('suggestion-row-', '')));
    expect(ids.filter((id) => [newest, oldest, middle].includes(id))).toEqual([oldest, middle, newest]);

    const row = doc.querySelector(`#suggestion-row-${newest}`)!;
    expect(row.querySelector('th a')?.getAttribute('href')).toBe(`/services/schools/${place.slug}`);
    expect(textOf(row.querySelector('th a'))).toBe(place.name);
    expect(textOf(row)).toContain('Place');
    expect(textOf(row.querySelector('.govuk-tag'))).toBe('Closed');
    expect(textOf(row)).toContain('Closed: burst pipe');
    expect(textOf(row)).toContain('12 minutes ago');
    expect(row.querySelector('input[type="checkbox"][name="suggestion"]')?.getAttribute('value')).toBe(String(newest));
    expect(row.querySelectorAll('a').some((a) => a.getAttribute('href') === `/staff/review/${newest}`)).toBe(true);
    expect(textOf(doc.querySelector(`#suggestion-row-${oldest} .govuk-tag`))).toBe('Partially open');
    expect(textOf(doc.querySelector(`#suggestion-row-${oldest}`))).toContain('2 days ago');
    expect(textOf(doc.querySelector(`#suggestion-row-${middle}`))).toContain('Something missing');
    expect(textOf(doc.querySelector(`#suggestion-row-${middle}`))).toContain('3 hours ago');
  });

  it('filters by service and by kind with a GET form', async () => {
    const school = await makePlace('schools');
    const library = await makePlace('libraries');
    const schoolSuggestion = await suggestChange(school, { status: 'closed' });
    const librarySuggestion = await suggestChange(library, { status: 'closed' });
    const missing = await suggestMissingPlace('libraries', `Filter Test Library ${Date.now()}`);

    const doc = await readHtml(await editor.get('/staff/review'));
    const filter = doc.querySelector('form#filters');
    expect(filter?.getAttribute('method')).toBe('get');
    expect(filter?.querySelectorAll('select[name="service"] option').map((o) => o.getAttribute('value'))).toContain('libraries');
    expect(filter?.querySelectorAll('select[name="kind"] option').map((o) => o.getAttribute('value'))).toEqual(['', 'place', 'alert', 'page', 'missing']);

    const rowIds = async (query: string) => {
      const response = await editor.get(`/staff/review?${query}`);
      expect(response.status).toBe(200);
      return (await readHtml(response)).querySelectorAll('#suggestions tbody tr').map((row) => Number(row.getAttribute('id')!.replace('suggestion-row-', '')));
    };
    const libraries = await rowIds('service=libraries');
    expect(libraries).toContain(librarySuggestion);
    expect(libraries).toContain(missing);
    expect(libraries).not.toContain(schoolSuggestion);

    const missingOnly = await rowIds('kind=missing');
    expect(missingOnly).toContain(missing);
    expect(missingOnly).not.toContain(librarySuggestion);

    const libraryPlaces = await rowIds('service=libraries&kind=place');
    expect(libraryPlaces).toContain(librarySuggestion);
    expect(libraryPlaces).not.toContain(missing);
    expect(libraryPlaces).not.toContain(schoolSuggestion);
  });

  it('answers an unknown filter with 400 and a message, still showing the queue', async () => {
    const response = await editor.get('/staff/review?service=zoo');
    expect(response.status).toBe(400);
    const doc = await readHtml(response);
    expect(textOf(doc.querySelector('.govuk-error-summary'))).toContain('Choose a service from the list');
    expect(doc.querySelector('.govuk-error-summary a')?.getAttribute('href')).toBe('#filter-service');
  });

  it('shows the waiting count on the dashboard, linking to the queue', async () => {
    const waiting = async () => {
      const doc = await readHtml(await editor.get('/staff'));
      const link = doc.querySelector('#waiting-suggestions a');
      expect(link?.getAttribute('href')).toBe('/staff/review');
      return textOf(link);
    };
    const [row] = await t.db.select({ n: count() }).from(suggestions).where(eq(suggestions.outcome, 'waiting'));
    expect(await waiting()).toBe(`${row!.n} suggestions waiting to be checked`);
    await suggestChange(await makePlace(), { status: 'closed' });
    expect(await waiting()).toBe(`${row!.n + 1} suggestions waiting to be checked`);
  });

  it('offers "Review" in the staff navigation to editors only', async () => {
    const editorNav = (await readHtml(await editor.get('/staff'))).querySelectorAll('nav[aria-label="Staff"] a');
    expect(editorNav.map((a) => a.getAttribute('href'))).toContain('/staff/review');
    const reporterDoc = await readHtml(await reporter.get('/staff'));
    expect(reporterDoc.querySelectorAll('a').map((a) => a.getAttribute('href'))).not.toContain('/staff/review');
  });

  it('declines the ticked suggestions as spam, and leaves the others waiting', async () => {
    const place = await makePlace();
    const [a, b, c] = [
      await suggestChange(place, { noteMarkdown: 'Buy cheap watches' }),
      await suggestChange(place, { noteMarkdown: 'Visit my website' }),
      await suggestChange(place, { status: 'closed' }),
    ];
    const response = await editor.post('/staff/review', { suggestion: [String(a), String(b)], action: 'spam' });
    expect(response.status).toBe(303);
    const location = response.headers.get('location')!;
    expect(location).toMatch(/^\/staff\/review\?.*spam=2/);
    const banner = (await readHtml(await editor.get(location))).querySelector('.govuk-notification-banner--success');
    expect(textOf(banner)).toContain('2 suggestions declined as spam');
    for (const id of [a, b]) {
      const row = await suggestionRow(id);
      expect(row.outcome).toBe('declined');
      expect(row.declineReason).toBe('Spam');
      expect(row.reviewedByAccountId).toBe(editor.accountId);
    }
    expect((await suggestionRow(c)).outcome).toBe('waiting');
    const [pending] = await t.db.select().from(revisions).where(and(eq(revisions.suggestionId, a)));
    expect(pending!.state).toBe('rejected');
  });

  it('keeps the filters and asks again when nothing is ticked for "Decline as spam"', async () => {
    const waitingBefore = await t.db.select({ n: count() }).from(suggestions).where(eq(suggestions.outcome, 'waiting'));
    const response = await editor.post('/staff/review', { service: 'libraries', action: 'spam' });
    expect(response.status).toBe(400);
    const doc = await readHtml(response);
    expect(textOf(doc.querySelector('.govuk-error-summary'))).toContain('Select the suggestions to decline as spam');
    expect(doc.querySelector('select[name="service"] option[selected]')?.getAttribute('value')).toBe('libraries');
    const waitingAfter = await t.db.select({ n: count() }).from(suggestions).where(eq(suggestions.outcome, 'waiting'));
    expect(waitingAfter[0]!.n).toBe(waitingBefore[0]!.n);
  });
});

describe('the review page', () => {
  it('shows what the suggestion is about, how the resident knows, when it was sent, whether an email was given, and the diff', async () => {
    const place = await makePlace();
    const id = await suggestChange(place, { status: 'closed', noteMarkdown: 'Closed because the boiler broke' }, { email: 'someone@example.org' });
    const doc = await open(editor, id);
    const details = textOf(doc.querySelector('#suggestion-details'));
    expect(details).toContain('There is a sign on the door');
    expect(details).toContain('Email address given Yes');
    expect(doc.toString()).not.toContain('someone@example.org');
    expect(details).toMatch(/\d{1,2}:\d{2}(am|pm) today/);
    const links = doc.querySelectorAll('#suggestion-details a').map((a) => a.getAttribute('href'));
    expect(links).toEqual([`/services/schools/${place.slug}`, `/staff/history/place/${place.id}`]);
    const diff = textOf(doc.querySelector('#changes'));
    expect(diff).toContain('Status Open Closed');
    expect(diff).toContain('boiler broke');
    expect(doc.querySelector('#changed-meanwhile')).toBeNull();
    expect(baseOf(doc)).toBe(String(place.revisionId));
    expect(doc.querySelector('#decline-form input[name="base"]')?.getAttribute('value')).toBe(String(place.revisionId));
    expect(doc.querySelector('#edit-form input[name="base"]')?.getAttribute('value')).toBe(String(place.revisionId));
    // The edit form starts from the proposal.
    expect(doc.querySelector('#edit-form input[name="status"][checked]')?.getAttribute('value')).toBe('closed');
    expect(textOf(doc.querySelector('#edit-form textarea[name="note"]'))).toBe('Closed because the boiler broke');
  });

  it('answers 404 for a suggestion that does not exist', async () => {
    expect((await editor.get('/staff/review/999999')).status).toBe(404);
    expect((await editor.get('/staff/review/abc')).status).toBe(404);
  });
});

describe('approving', () => {
  it('publishes the suggestion at once, credited to "a resident", with the reviewer recorded internally', async () => {
    const place = await makePlace();
    const publicPath = `/services/schools/${place.slug}`;
    expect((await server.get(publicPath)).status).toBe(200);
    await server.get('/feeds/changes.rss');
    const id = await suggestChange(place, { status: 'closed', noteMarkdown: 'Closed: no heating' });

    const response = await approve(editor, id);
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`/staff/review?approved=${id}`);
    const queue = await readHtml(await editor.get(response.headers.get('location')!));
    const banner = queue.querySelector('.govuk-notification-banner--success');
    expect(textOf(banner)).toContain(`Published: ${place.name}`);
    expect(banner?.querySelector('a')?.getAttribute('href')).toBe(publicPath);
    expect(queue.querySelector(`#suggestion-row-${id}`)).toBeNull();

    const page = await readHtml(await server.get(publicPath));
    expect(textOf(page.querySelector('main .govuk-tag'))).toBe('Closed');
    expect(textOf(page.querySelector('main'))).toContain('Closed: no heating');
    const history = page.querySelectorAll('main table tbody tr');
    expect(textOf(history[0])).toContain('a resident');

    const items = parseXml(await (await server.get('/feeds/changes.rss')).text(), { arrays: ['item'] }).rss.channel.item as XmlNode[];
    expect(xmlText(items[0]!.title)).toBe(`${place.name}: Closed`);
    const json = (await (await server.get('/feeds/changes.json')).json()) as { items: { title: string; authors: { name: string }[] }[] };
    expect(json.items[0]!.title).toBe(`${place.name}: Closed`);
    expect(json.items[0]!.authors).toEqual([{ name: 'a resident' }]);

    const [published] = await publishedBySuggestion(id);
    expect(published).toMatchObject({ authorLabel: 'a resident', authorAccountId: null, reviewedByAccountId: editor.accountId, state: 'approved', targetId: place.id });
    const row = await suggestionRow(id);
    expect(row.outcome).toBe('approved');
    expect(row.reviewedByAccountId).toBe(editor.accountId);
    expect((await placeRow(place.id)).currentRevisionId).toBe(published!.id);
  });

  it('says who reviewed a suggestion once it has been reviewed, and offers no forms', async () => {
    const place = await makePlace();
    const id = await suggestChange(place, { status: 'closed' });
    expect((await approve(editor, id)).status).toBe(303);
    const doc = await open(otherEditor, id);
    expect(textOf(doc.querySelector('#reviewed'))).toMatch(/Erin Editor approved this suggestion at \d{1,2}:\d{2}(am|pm) today/);
    expect(doc.querySelector('#approve-form')).toBeNull();
    expect(doc.querySelector('#decline-form')).toBeNull();
  });

  it('publishes the editor’s version with "Edit, then approve", recorded as approved with changes', async () => {
    const place = await makePlace();
    const id = await suggestChange(place, { status: 'closed', noteMarkdown: 'closed cos of snow!!' });
    const base = baseOf(await open(editor, id));
    const response = await editor.post(`/staff/review/${id}`, { base, action: 'edit-approve', status: 'closed', note: 'Closed today because of snow.' });
    expect(response.status).toBe(303);
    const banner = (await readHtml(await editor.get(response.headers.get('location')!))).querySelector('.govuk-notification-banner--success');
    expect(textOf(banner)).toContain(`Published with your changes: ${place.name}`);
    expect((await suggestionRow(id)).outcome).toBe('approved_with_changes');
    const published = await placeRow(place.id);
    expect(published.status).toBe('closed');
    expect(published.noteMarkdown).toBe('Closed today because of snow.');
    const page = await readHtml(await server.get(`/services/schools/${place.slug}`));
    expect(textOf(page.querySelector('main .csa-table-note'))).toBe('Closed today because of snow.');
  });

  it('keeps the resident’s unedited text off the public status history: it shows only what was published', async () => {
    const place = await makePlace();
    const id = await suggestChange(place, { status: 'closed', noteMarkdown: 'closed, ring Jo on 07700 900123' });
    const base = baseOf(await open(editor, id));
    const response = await editor.post(`/staff/review/${id}`, { base, action: 'edit-approve', status: 'closed', note: 'Closed today.' });
    expect(response.status).toBe(303);
    const page = await readHtml(await server.get(`/services/schools/${place.slug}`));
    expect(textOf(page.querySelector('main'))).not.toContain('07700 900123');
    const history = page.querySelectorAll('main table tbody tr').map(textOf);
    expect(history).toHaveLength(2);
    expect(history[0]).toContain('a resident');
    expect(history[1]).toContain('Kirklees Council');
  });

  it('counts "Edit, then approve" with nothing changed as a plain approval', async () => {
    const place = await makePlace();
    const id = await suggestChange(place, { status: 'opening_late', noteMarkdown: 'Opening at 10am\nbecause of ice' });
    const base = baseOf(await open(editor, id));
    // Browsers send a textarea's lines with CRLF.
    const response = await editor.post(`/staff/review/${id}`, { base, action: 'edit-approve', status: 'opening_late', note: 'Opening at 10am\r\nbecause of ice\r\n' });
    expect(response.status).toBe(303);
    expect((await suggestionRow(id)).outcome).toBe('approved');
  });

  it('gives the edit form back with its problems (400), keeping what the editor typed', async () => {
    const place = await makePlace();
    const id = await suggestChange(place, { status: 'closed', noteMarkdown: 'Closed' });
    const base = baseOf(await open(editor, id));
    const long = `Too long ${'x'.repeat(1000)}`;
    const response = await editor.post(`/staff/review/${id}`, { base, action: 'edit-approve', status: 'disrupted', note: long });
    expect(response.status).toBe(400);
    const doc = await readHtml(response);
    expect(textOf(doc.querySelector('.govuk-error-summary'))).toContain('Note must be 1,000 characters or fewer');
    expect(doc.querySelector('details#edit')?.hasAttribute('open')).toBe(true);
    expect(doc.querySelector('#edit-form input[name="status"][checked]')?.getAttribute('value')).toBe('disrupted');
    expect(doc.querySelector('#edit-form textarea[name="note"]')?.textContent).toBe(long);
    expect((await suggestionRow(id)).outcome).toBe('waiting');
    expect((await placeRow(place.id)).status).toBe('open');
  });

  it('shows the three-way view when the place changed after the suggestion, and approving keeps the other change', async () => {
    const place = await makePlace();
    const id = await suggestChange(place, { status: 'closed', noteMarkdown: 'Closed: frozen pipes' });
    const later = await publishRevision(t.db, place.id, place.revisionId, { kind: 'place', draft: { ...place.draft, address: '2 Hill Top Lane' } }, { author: COUNCIL, summary: 'Corrected the address' });
    if (!later.ok) throw new Error('could not publish');

    const doc = await open(editor, id);
    expect(textOf(doc.querySelector('#changed-meanwhile'))).toContain('has changed since the resident sent the suggestion');
    expect(textOf(doc.querySelector('#changed-meanwhile'))).toContain('Approving applies only what the resident changed');
    const tables = doc.querySelectorAll('#changes table');
    expect(tables).toHaveLength(3);
    expect(textOf(tables[0])).toContain('Closed');
    expect(textOf(tables[1])).toMatch(/Address .*Hill Top.*Lane/);
    expect(textOf(tables[1])).toContain('Corrected the address');
    expect(textOf(tables[2])).toContain('Closed');
    expect(textOf(tables[2])).not.toContain('Hill Top Lane');
    expect(baseOf(doc)).toBe(String(later.revisionId));

    const response = await editor.post(`/staff/review/${id}`, { base: baseOf(doc), action: 'approve' });
    expect(response.status).toBe(303);
    const published = await placeRow(place.id);
    expect(published.address).toBe('2 Hill Top Lane');
    expect(published.status).toBe('closed');
    expect(published.noteMarkdown).toBe('Closed: frozen pipes');
  });

  it('answers 409 with the refreshed view when someone published after the editor opened the page', async () => {
    const place = await makePlace();
    const id = await suggestChange(place, { status: 'closed' });
    const seen = baseOf(await open(editor, id));
    const later = await publishRevision(t.db, place.id, place.revisionId, { kind: 'place', draft: { ...place.draft, ward: 'Dalton' } }, { author: COUNCIL, summary: 'Moved ward' });
    if (!later.ok) throw new Error('could not publish');

    const response = await editor.post(`/staff/review/${id}`, { base: seen, action: 'edit-approve', status: 'closed', note: 'Typed by the editor' });
    expect(response.status).toBe(409);
    const doc = await readHtml(response);
    expect(textOf(doc.querySelector('#conflict'))).toContain('Nothing has been published');
    expect(doc.querySelector('#changed-meanwhile')).not.toBeNull();
    expect(baseOf(doc)).toBe(String(later.revisionId));
    expect(doc.querySelector('#edit-form textarea[name="note"]')?.textContent).toBe('Typed by the editor');
    expect((await suggestionRow(id)).outcome).toBe('waiting');
    expect((await placeRow(place.id)).currentRevisionId).toBe(later.revisionId);
  });

  it('lets exactly one of two editors approving conflicting suggestions at once publish; the other gets 409', async () => {
    const place = await makePlace();
    const first = await suggestChange(place, { status: 'closed', noteMarkdown: 'Closed all day' });
    const second = await suggestChange(place, { status: 'partially_open', noteMarkdown: 'Only the infants are in' });
    const [baseA, baseB] = [baseOf(await open(editor, first)), baseOf(await open(otherEditor, second))];
    expect(baseA).toBe(baseB);

    const responses = await Promise.all([
      editor.post(`/staff/review/${first}`, { base: baseA, action: 'approve' }),
      otherEditor.post(`/staff/review/${second}`, { base: baseB, action: 'approve' }),
    ]);
    expect(responses.map((r) => r.status).sort()).toEqual([303, 409]);
    const loser = responses.findIndex((r) => r.status === 409);
    expect(textOf((await readHtml(responses[loser]!)).querySelector('#conflict'))).toContain('Nothing has been published');

    const published = await t.db.select().from(revisions).where(and(eq(revisions.targetKind, 'place'), eq(revisions.targetId, place.id), isNotNull(revisions.publishSeq)));
    expect(published).toHaveLength(2);
    const outcomes = [await suggestionRow(first), await suggestionRow(second)].map((s) => s.outcome).sort();
    expect(outcomes).toEqual(['approved', 'waiting']);
    const winner = loser === 0 ? second : first;
    expect((await placeRow(place.id)).status).toBe(winner === first ? 'closed' : 'partially_open');
  });

  it('publishes a suggestion once when two editors approve it at the same moment', async () => {
    const place = await makePlace();
    const id = await suggestChange(place, { status: 'closed' });
    const [baseA, baseB] = [baseOf(await open(editor, id)), baseOf(await open(otherEditor, id))];
    const responses = await Promise.all([
      editor.post(`/staff/review/${id}`, { base: baseA, action: 'approve' }),
      otherEditor.post(`/staff/review/${id}`, { base: baseB, action: 'approve' }),
    ]);
    expect(responses.map((r) => r.status).sort()).toEqual([303, 409]);
    const loser = responses.find((r) => r.status === 409)!;
    expect(textOf((await readHtml(loser)).querySelector('#conflict'))).toMatch(/(Erin Editor|Omar Other) approved this suggestion/);
    expect(await publishedBySuggestion(id)).toHaveLength(1);
    const published = await t.db.select().from(revisions).where(and(eq(revisions.targetKind, 'place'), eq(revisions.targetId, place.id), isNotNull(revisions.publishSeq)));
    expect(published).toHaveLength(2);
  });

  it('creates a missing place, which the service page then lists', async () => {
    const name = `Suggested Community Library ${Date.now()}`;
    expect((await server.get('/services/libraries')).status).toBe(200);
    const id = await suggestMissingPlace('libraries', name);
    const doc = await open(editor, id);
    expect(textOf(doc.querySelector('h1'))).toBe(`Suggestion: ${name}`);
    expect(baseOf(doc)).toBe('');
    expect(doc.querySelector('#edit-form input[name="name"]')?.getAttribute('value')).toBe(name);

    const response = await editor.post(`/staff/review/${id}`, { base: '', action: 'approve' });
    expect(response.status).toBe(303);
    const list = textOf((await readHtml(await server.get('/services/libraries'))).querySelector('main table'));
    expect(list).toContain(name);
    const [published] = await publishedBySuggestion(id);
    expect(published).toMatchObject({ targetKind: 'place', authorLabel: 'a resident', reviewedByAccountId: editor.accountId });
    const banner = (await readHtml(await editor.get(response.headers.get('location')!))).querySelector('.govuk-notification-banner--success');
    expect(textOf(banner)).toContain(`Published: ${name}`);
  });

  it('refuses a missing place whose name another place of the service already has, saying so', async () => {
    const existing = await makePlace('libraries');
    const id = await suggestMissingPlace('libraries', existing.name, undefined, existing.slug);
    const response = await editor.post(`/staff/review/${id}`, { base: '', action: 'approve' });
    expect(response.status).toBe(400);
    const doc = await readHtml(response);
    expect(textOf(doc.querySelector('.govuk-error-summary'))).toContain(`There is already a library called ${existing.name}`);
    expect((await suggestionRow(id)).outcome).toBe('waiting');
  });

  it('publishes suggested information as an information alert', async () => {
    const headline = `Grit bin empty on Moor Lane ${Date.now()}`;
    const id = await suggestInformation(headline, 'The grit bin by the bus stop is empty.');
    const doc = await open(editor, id);
    expect(doc.querySelector('#edit-form input[name="headline"]')?.getAttribute('value')).toBe(headline);
    const response = await editor.post(`/staff/review/${id}`, { base: '', action: 'approve' });
    expect(response.status).toBe(303);
    const [published] = await publishedBySuggestion(id);
    const [alert] = await t.db.select().from(alerts).where(eq(alerts.id, published!.targetId!));
    expect(alert!.severity).toBe('info');
    expect(alert!.headline).toBe(headline);
    const page = await server.get(`/alerts/${alert!.id}`);
    expect(page.status).toBe(200);
    expect(textOf((await readHtml(page)).querySelector('main'))).toContain('The grit bin by the bus stop is empty.');
  });
});

describe('suggestions about an information page', () => {
  it('are listed with the words the resident added, and can be edited before they are published', async () => {
    const [page] = await t.db.select().from(pages).where(eq(pages.slug, 'bad-weather-advice'));
    const [current] = await t.db.select().from(revisions).where(eq(revisions.id, page!.currentRevisionId!));
    const { bodyHtml: _html, ...content } = current!.content as PageContent;
    const { suggestionId: id } = await recordSuggestion(t.db, {
      kind: 'change',
      draft: { kind: 'page', draft: { ...content, bodyMarkdown: `${content.bodyMarkdown}\n\nThe Huddersfield bus station shelter is closed.` } },
      targetId: page!.id, baseRevisionId: page!.currentRevisionId, serviceId: null, howKnown: 'I was there', contactEmail: null, clientHash: 'test-client',
    });

    const row = (await readHtml(await editor.get('/staff/review?kind=page'))).querySelector(`#suggestion-row-${id}`);
    expect(row?.querySelector('th a')?.getAttribute('href')).toBe('/pages/bad-weather-advice');
    expect(textOf(row)).toContain('Information page');
    expect(textOf(row)).toContain('Body: “The Huddersfield bus station shelter is closed.”');

    const doc = await open(editor, id);
    expect(doc.querySelector('#edit-form textarea[name="body"]')?.textContent).toContain('bus station shelter is closed.');
    const body = `${content.bodyMarkdown}\r\n\r\nThe shelter at Huddersfield bus station is closed.`;
    const response = await editor.post(`/staff/review/${id}`, { base: baseOf(doc), action: 'edit-approve', body });
    expect(response.status).toBe(303);
    expect((await suggestionRow(id)).outcome).toBe('approved_with_changes');
    const published = textOf((await readHtml(await server.get('/pages/bad-weather-advice'))).querySelector('main'));
    expect(published).toContain('The shelter at Huddersfield bus station is closed.');
    expect(published).not.toContain('The Huddersfield bus station shelter is closed.');
  });
});

describe('declining', () => {
  const reasons = [
    { reason: 'not-accurate', details: '', recorded: 'Not accurate' },
    { reason: 'already-up-to-date', details: 'We published this at 7am', recorded: 'Already up to date: We published this at 7am' },
    { reason: 'not-council', details: '', recorded: 'Not about a council service' },
    { reason: 'spam', details: '', recorded: 'Spam' },
    { reason: 'other', details: 'The same as an earlier suggestion', recorded: 'The same as an earlier suggestion' },
  ];

  it.each(reasons)('declines with the reason "$reason"', async ({ reason, details, recorded }) => {
    const place = await makePlace();
    const id = await suggestChange(place, { status: 'closed' });
    const base = baseOf(await open(editor, id));
    const response = await editor.post(`/staff/review/${id}`, { base, action: 'decline', reason, 'reason-details': details });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`/staff/review?declined=${id}`);
    const banner = (await readHtml(await editor.get(response.headers.get('location')!))).querySelector('.govuk-notification-banner--success');
    expect(textOf(banner)).toContain(`Suggestion declined: ${place.name}`);
    const row = await suggestionRow(id);
    expect(row.outcome).toBe('declined');
    expect(row.declineReason).toBe(recorded);
    expect(row.reviewedByAccountId).toBe(editor.accountId);
    expect((await placeRow(place.id)).status).toBe('open');
    expect(await publishedBySuggestion(id)).toHaveLength(0);
    const page = await open(otherEditor, id);
    expect(textOf(page.querySelector('#reviewed'))).toContain('Erin Editor declined this suggestion');
    expect(textOf(page.querySelector('#reviewed'))).toContain(`Reason: ${recorded}`);
  });

  it('refuses "Other" without words (400), keeping the choice', async () => {
    const id = await suggestChange(await makePlace(), { status: 'closed' });
    const response = await editor.post(`/staff/review/${id}`, { base: '1', action: 'decline', reason: 'other', 'reason-details': '   ' });
    expect(response.status).toBe(400);
    const doc = await readHtml(response);
    expect(textOf(doc.querySelector('.govuk-error-summary'))).toContain('Enter why you are declining this suggestion');
    expect(doc.querySelector('.govuk-error-summary a')?.getAttribute('href')).toBe('#reason-details');
    expect(doc.querySelector('#decline-form input[name="reason"][checked]')?.getAttribute('value')).toBe('other');
    expect((await suggestionRow(id)).outcome).toBe('waiting');
  });

  it('refuses a reason over 500 characters (400), keeping the text', async () => {
    const id = await suggestChange(await makePlace(), { status: 'closed' });
    const long = 'y'.repeat(501);
    const response = await editor.post(`/staff/review/${id}`, { base: '1', action: 'decline', reason: 'not-accurate', 'reason-details': long });
    expect(response.status).toBe(400);
    const doc = await readHtml(response);
    expect(textOf(doc.querySelector('.govuk-error-summary'))).toContain('Reason must be 500 characters or fewer');
    expect(doc.querySelector('#decline-form textarea[name="reason-details"]')?.textContent).toBe(long);
    expect(doc.querySelector('#decline-form input[name="reason"][checked]')?.getAttribute('value')).toBe('not-accurate');
  });

  it('needs a reason', async () => {
    const id = await suggestChange(await makePlace(), { status: 'closed' });
    const response = await editor.post(`/staff/review/${id}`, { base: '1', action: 'decline' });
    expect(response.status).toBe(400);
    expect(textOf((await readHtml(response)).querySelector('.govuk-error-summary'))).toContain('Select why you are declining this suggestion');
  });
});

describe('markdown in a suggestion', () => {
  it('is harmless in the queue, the review page and the published page', async () => {
    const place = await makePlace();
    const evil = 'Closed <script>alert("x")</script> <img src=x onerror="alert(1)"> [click me](javascript:alert(1)) <a href="javascript:alert(2)">here</a>';
    const id = await suggestChange(place, { status: 'closed', noteMarkdown: evil });

    const queue = await readHtml(await editor.get('/staff/review'));
    expectHarmless(queue);
    expect(textOf(queue.querySelector(`#suggestion-row-${id}`))).toContain('<script>alert("x")</script>');

    const review = await open(editor, id);
    expectHarmless(review);
    expect(textOf(review.querySelector('#changes'))).toContain('onerror');

    expect((await approve(editor, id)).status).toBe(303);
    const page = await readHtml(await server.get(`/services/schools/${place.slug}`));
    expectHarmless(page);
    expect(textOf(page.querySelector('main'))).toContain('click me');
    const list = await readHtml(await server.get('/services/schools'));
    expectHarmless(list);
  });
});

describe('who may review', () => {
  it('refuses reporters every review page and action (403), changing nothing', async () => {
    const place = await makePlace();
    const id = await suggestChange(place, { status: 'closed' });
    const attempts = [
      reporter.get('/staff/review'),
      reporter.get(`/staff/review/${id}`),
      reporter.post('/staff/review', { suggestion: String(id), action: 'spam' }),
      reporter.post(`/staff/review/${id}`, { base: String(place.revisionId), action: 'approve' }),
      reporter.post(`/staff/review/${id}`, { base: String(place.revisionId), action: 'edit-approve', status: 'closed', note: '' }),
      reporter.post(`/staff/review/${id}`, { base: String(place.revisionId), action: 'decline', reason: 'spam' }),
    ];
    for (const response of await Promise.all(attempts)) expect(response.status).toBe(403);
    expect((await suggestionRow(id)).outcome).toBe('waiting');
  });

  it('sends anyone not signed in to sign in', async () => {
    const id = await suggestChange(await makePlace(), { status: 'closed' });
    const page = await server.get(`/staff/review/${id}`);
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe(`/staff/sign-in?next=${encodeURIComponent(`/staff/review/${id}`)}`);
    expect((await server.get('/staff/review')).headers.get('location')).toMatch(/^\/staff\/sign-in\?next=/);
    const post = await server.get(`/staff/review/${id}`, {
      method: 'POST',
      headers: { Origin: server.url, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ base: '1', action: 'approve' }),
    });
    expect(post.status).toBe(303);
    expect(post.headers.get('location')).toMatch(/^\/staff\/sign-in/);
    expect((await suggestionRow(id)).outcome).toBe('waiting');
  });
});
