// Residents suggesting updates through the real built server: every form (a place, an alert, a
// page, a missing place, other information) goes in as a pending suggestion and changes nothing
// public; bad input is refused with everything kept; the abuse defences (honeypot, minimum fill
// time, signed stamp, hourly limit, waiting cap, body size) refuse without storing anything; the
// tracking page tells the resident what happened; and 200 suggestions at once are all kept.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, count, eq, isNull } from 'drizzle-orm';
import { parse as parseHtml } from 'node-html-parser';
import { alerts, pages, places, revisions, services, suggestions } from '../../db/schema/index.ts';
import type { AlertContent, PageContent, PlaceContent } from '../../src/lib/revisions/content.ts';
import { approveSuggestion, declineSuggestions, findProposal, findSuggestionByToken, tokenHash } from '../../src/lib/suggestions/service.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { readHtml, textOf } from '../helpers/html.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { createStaffAccount, formBody } from '../helpers/staff.ts';

let t: TestDb;
/** Minimum fill time off (the stamp must still be ours), hourly limit raised. */
let server: TestServer;
/** The defaults: a form must be open for 3 seconds. */
let patient: TestServer;
/** Nothing may wait: every suggestion meets the cap. */
let full: TestServer;

beforeAll(async () => {
  t = await createTestDb({ seed: true });
  [server, patient, full] = await Promise.all([
    startServer(t.url, { SUGGESTION_MIN_FILL_SECONDS: '0', SUGGESTIONS_PER_ADDRESS_PER_HOUR: '100000' }),
    startServer(t.url, { SUGGESTIONS_PER_ADDRESS_PER_HOUR: '100000' }),
    startServer(t.url, { SUGGESTION_MIN_FILL_SECONDS: '0', SUGGESTIONS_PER_ADDRESS_PER_HOUR: '100000', SUGGESTIONS_WAITING_CAP: '0' }),
  ]);
});
afterAll(async () => {
  await Promise.all([server?.stop(), patient?.stop(), full?.stop()]);
  t?.cleanup();
});

// ─── Helpers ─────────────────────────────────────────────────────────────────────────────────

interface OpenForm {
  action: string;
  /** The hidden fields as the page sent them (target, base or missing, started). */
  hidden: Record<string, string>;
}

/** Opens the suggestion form as a browser would and reads what it will post back. */
async function openForm(query: string, on: TestServer = server): Promise<OpenForm> {
  const response = await on.get(`/suggest?${query}`);
  expect(response.status).toBe(200);
  return formOf(await response.text());
}

function formOf(html: string): OpenForm {
  const doc = parseHtml(html);
  const form = doc.querySelector('form#suggest-form');
  expect(form, 'the suggestion form').not.toBeNull();
  const hidden: Record<string, string> = {};
  for (const input of form!.querySelectorAll('input[type="hidden"]')) hidden[input.getAttribute('name')!] = input.getAttribute('value') ?? '';
  return { action: form!.getAttribute('action')!, hidden };
}


function post(on: TestServer, path: string, fields: Record<string, string | string[]>, headers: Record<string, string> = {}): Promise<Response> {
  return on.get(path, {
    method: 'POST',
    headers: { Origin: on.url, 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: formBody(fields),
  });
}

/** Fills in and sends a form; `fields` are what the resident typed. */
async function suggest(query: string, fields: Record<string, string | string[]>, on: TestServer = server): Promise<Response> {
  const form = await openForm(query, on);
  return post(on, form.action, { ...form.hidden, website: '', ...fields });
}

const TOKEN_IN_LOCATION = /^\/suggestions\/([a-z2-7]{32})(?:\?sent)?$/;

function tokenOf(response: Response): string {
  expect(response.status).toBe(303);
  const match = TOKEN_IN_LOCATION.exec(response.headers.get('location') ?? '');
  expect(match, response.headers.get('location') ?? '(no location)').not.toBeNull();
  return match![1]!;
}

async function suggestionCount(): Promise<number> {
  const [row] = await t.db.select({ n: count() }).from(suggestions);
  return row!.n;
}

async function tracking(token: string, on: TestServer = server) {
  const response = await on.get(`/suggestions/${token}`);
  expect(response.status).toBe(200);
  return readHtml(response);
}

async function stateOn(token: string): Promise<string> {
  return textOf((await tracking(token)).querySelector('#suggestion-state'));
}

/** The resident's pending revision of a suggestion. */
async function pendingRevision(token: string) {
  const suggestion = await findSuggestionByToken(t.db, token);
  expect(suggestion).toBeDefined();
  const [row] = await t.db.select().from(revisions).where(eq(revisions.suggestionId, suggestion!.id));
  return { suggestion: suggestion!, revision: row! };
}

async function aPlace(slug = 'holmfirth-high-school') {
  const [row] = await t.db.select().from(places).where(eq(places.slug, slug));
  expect(row).toBeDefined();
  return row!;
}

async function aPage(slug = 'bad-weather-advice') {
  const [row] = await t.db.select().from(pages).where(eq(pages.slug, slug));
  return row!;
}

async function anAlert() {
  const [row] = await t.db.select().from(alerts).where(eq(alerts.retired, false)).orderBy(alerts.id).limit(1);
  expect(row).toBeDefined();
  return row!;
}

const placeReport = { status: 'open', note: 'The sign on the door says it is open as normal.', 'how-known': 'I walked past at 8am', email: '' };

/** The field's error message and the error summary, as a person sees them. */
async function problemsOn(response: Response) {
  const doc = await readHtml(response);
  return {
    doc,
    summary: textOf(doc.querySelector('.govuk-error-summary')),
    errorFor: (field: string) => textOf(doc.querySelector(`#${field}-error`)),
  };
}

// ─── The forms ───────────────────────────────────────────────────────────────────────────────

describe('the suggestion links on public pages', () => {
  it('offers “Suggest an update” on a place, an alert and an information page, and “Tell us something is missing” on a service page', async () => {
    const place = await aPlace();
    const alert = await anAlert();
    const page = await aPage();
    const link = async (path: string, href: string) => {
      const doc = await readHtml(await server.get(path));
      return doc.querySelectorAll('a').find((a) => a.getAttribute('href') === href);
    };
    expect(textOf(await link(`/services/schools/${place.slug}`, `/suggest?target=place:${place.id}`))).toBe('Suggest an update');
    expect(textOf(await link(`/alerts/${alert.id}`, `/suggest?target=alert:${alert.id}`))).toBe('Suggest an update');
    expect(textOf(await link(`/pages/${page.slug}`, `/suggest?target=page:${page.id}`))).toBe('Suggest an update');
    expect(textOf(await link('/services/schools', '/suggest?target=new&service=schools'))).toBe('Tell us something is missing');
  });
});

describe('suggesting an update to a place', () => {
  it('is kept as a suggestion waiting to be checked, and the public page does not change', async () => {
    const place = await aPlace();
    const publicBefore = textOf((await readHtml(await server.get(`/services/schools/${place.slug}`))).querySelector('main .govuk-tag'));
    const token = tokenOf(await suggest(`target=place:${place.id}`, { ...placeReport, email: 'resident@example.org' }));

    expect(await stateOn(token)).toBe('Waiting to be checked');
    expect(await aPlace()).toEqual(place);
    const publicAfter = textOf((await readHtml(await server.get(`/services/schools/${place.slug}`))).querySelector('main .govuk-tag'));
    expect(publicAfter).toBe(publicBefore);

    const { suggestion, revision } = await pendingRevision(token);
    expect(suggestion).toMatchObject({ kind: 'change', targetKind: 'place', targetId: place.id, howKnown: 'I walked past at 8am', contactEmail: 'resident@example.org', outcome: 'waiting' });
    expect(revision).toMatchObject({ state: 'pending', targetId: place.id, parentId: place.currentRevisionId, authorLabel: 'a resident', publishSeq: null });
    const content = revision.content as PlaceContent;
    expect(content).toMatchObject({ name: place.name, status: 'open', noteMarkdown: placeReport.note, statusUntil: null });
    expect(content.noteHtml).toContain('The sign on the door says it is open as normal.');
    expect(content.confirmedAt).not.toBeNull();
  });

  it('asks how the resident knows, and keeps everything they typed', async () => {
    const place = await aPlace();
    const response = await suggest(`target=place:${place.id}`, { ...placeReport, 'how-known': '  ', email: 'kept@example.org' });
    expect(response.status).toBe(400);
    const { doc, summary, errorFor } = await problemsOn(response);
    expect(summary).toContain('Enter how you know');
    expect(errorFor('how-known')).toContain('Enter how you know');
    expect(doc.querySelector('input[name="status"][value="open"]')?.hasAttribute('checked')).toBe(true);
    expect(doc.querySelector('#note')?.textContent).toBe(placeReport.note);
    expect(doc.querySelector('#email')?.getAttribute('value')).toBe('kept@example.org');
  });

  it('refuses a note or an answer that is too long', async () => {
    const place = await aPlace();
    const response = await suggest(`target=place:${place.id}`, { ...placeReport, note: 'a'.repeat(501), 'how-known': 'b'.repeat(501) });
    expect(response.status).toBe(400);
    const { errorFor, doc } = await problemsOn(response);
    expect(errorFor('note')).toContain('Details must be 500 characters or fewer');
    expect(errorFor('how-known')).toContain('How you know must be 500 characters or fewer');
    expect(doc.querySelector('#note')?.textContent).toBe('a'.repeat(501));
  });

  it('refuses a status that is not one of the choices', async () => {
    const place = await aPlace();
    for (const status of ['banana', '', 'unknown']) {
      const response = await suggest(`target=place:${place.id}`, { ...placeReport, status });
      expect(response.status).toBe(400);
      expect((await problemsOn(response)).errorFor('status')).toContain('Select what the status is now');
    }
  });

  it('allows three links but not four', async () => {
    const place = await aPlace();
    const three = 'See https://example.org/a and http://example.org/b';
    expect((await suggest(`target=place:${place.id}`, { ...placeReport, note: three, 'how-known': 'It is on www.example.org' })).status).toBe(303);
    const response = await suggest(`target=place:${place.id}`, { ...placeReport, note: `${three} and www.example.org/c`, 'how-known': 'https://example.org/d' });
    expect(response.status).toBe(400);
    const { summary, doc } = await problemsOn(response);
    expect(summary).toContain('Remove some links: you can include up to 3');
    expect(doc.querySelector('#note')?.textContent).toContain('www.example.org/c');
  });

  it('refuses an email address that is not one', async () => {
    const place = await aPlace();
    const response = await suggest(`target=place:${place.id}`, { ...placeReport, email: 'not an email' });
    expect(response.status).toBe(400);
    const { errorFor, doc } = await problemsOn(response);
    expect(errorFor('email')).toContain('Enter an email address in the correct format, like name@example.com');
    expect(doc.querySelector('#email')?.getAttribute('value')).toBe('not an email');
  });
});

describe('suggesting new text for an alert or a page', () => {
  it('starts with the published text, and keeps the new text as a suggestion without changing the alert', async () => {
    const alert = await anAlert();
    const doc = await readHtml(await server.get(`/suggest?target=alert:${alert.id}`));
    expect(doc.querySelector('#body')?.textContent).toBe(alert.bodyMarkdown);
    const body = `${alert.bodyMarkdown}\n\nThe gritters have also done **Station Road**.`;
    const token = tokenOf(await suggest(`target=alert:${alert.id}`, { body, 'how-known': 'I live there', email: '' }));

    expect(await stateOn(token)).toBe('Waiting to be checked');
    expect(await anAlert()).toEqual(alert);
    const publicPage = await (await server.get(`/alerts/${alert.id}`)).text();
    expect(publicPage).not.toContain('Station Road');
    const { suggestion, revision } = await pendingRevision(token);
    expect(suggestion).toMatchObject({ kind: 'change', targetKind: 'alert', targetId: alert.id, contactEmail: null });
    expect(revision.parentId).toBe(alert.currentRevisionId);
    const content = revision.content as AlertContent;
    expect(content).toMatchObject({ headline: alert.headline, severity: alert.severity, bodyMarkdown: body });
    expect(content.bodyHtml).toContain('<strong>Station Road</strong>');
  });

  it('reads text sent with Windows line breaks as unchanged, and asks for a change', async () => {
    const alert = await anAlert();
    const response = await suggest(`target=alert:${alert.id}`, { body: alert.bodyMarkdown.replace(/\n/g, '\r\n'), 'how-known': 'I read it' });
    expect(response.status).toBe(400);
    expect((await problemsOn(response)).errorFor('body')).toContain('Change the text to show what you think it should say');
  });

  it('refuses alert text over 5,000 characters', async () => {
    const alert = await anAlert();
    const response = await suggest(`target=alert:${alert.id}`, { body: 'x'.repeat(5001), 'how-known': 'I read it' });
    expect(response.status).toBe(400);
    expect((await problemsOn(response)).errorFor('body')).toContain('Your text must be 5,000 characters or fewer');
  });

  it('keeps new text for an information page as a suggestion without changing the page', async () => {
    const page = await aPage();
    const body = `${page.bodyMarkdown}\n\nThe grit bin on Mill Lane is empty.`;
    const token = tokenOf(await suggest(`target=page:${page.id}`, { body, 'how-known': 'I tried to use it' }));
    expect(await stateOn(token)).toBe('Waiting to be checked');
    expect(await aPage()).toEqual(page);
    expect(await (await server.get(`/pages/${page.slug}`)).text()).not.toContain('Mill Lane is empty');
    const { revision } = await pendingRevision(token);
    expect((revision.content as PageContent).bodyMarkdown).toBe(body);
    expect(revision.parentId).toBe(page.currentRevisionId);
  });

  it('refuses page text over 20,000 characters, and does not count links already on the page', async () => {
    const page = await aPage();
    const long = await suggest(`target=page:${page.id}`, { body: 'x'.repeat(20_001), 'how-known': 'I read it' });
    expect(long.status).toBe(400);
    expect((await problemsOn(long)).errorFor('body')).toContain('Your text must be 20,000 characters or fewer');
    const withLinks = `${page.bodyMarkdown}\n\nhttps://a.example https://b.example https://c.example`;
    expect((await suggest(`target=page:${page.id}`, { body: withLinks, 'how-known': 'I read it' })).status).toBe(303);
  });
});

describe('telling us something is missing', () => {
  it('first asks what is missing, keeping the service it came from', async () => {
    const response = await server.get('/suggest?target=new&service=libraries');
    expect(response.status).toBe(200);
    const doc = await readHtml(response);
    expect(textOf(doc.querySelector('h1'))).toBe('Tell us something is missing');
    expect(doc.querySelector('input[name="service"]')?.getAttribute('value')).toBe('libraries');
    const unchosen = await server.get('/suggest?target=new&chose=1');
    expect(unchosen.status).toBe(400);
    expect((await problemsOn(unchosen)).summary).toContain('Select what is missing');
  });

  it('keeps a missing place as a suggested new place, not on the public list', async () => {
    const [service] = await t.db.select().from(services).where(eq(services.slug, 'libraries'));
    const form = await readHtml(await server.get('/suggest?target=new&missing=place&service=libraries'));
    expect(form.querySelector('#service option[selected]')?.getAttribute('value')).toBe('libraries');
    const token = tokenOf(
      await suggest('target=new&missing=place', {
        service: 'libraries', name: 'Slaithwaite Community Library', address: 'Carr Lane, Slaithwaite', postcode: 'hd7 5ah',
        status: 'closed', note: 'Closed because of snow', 'how-known': 'I volunteer there',
      }),
    );
    expect(await stateOn(token)).toBe('Waiting to be checked');
    const { suggestion, revision } = await pendingRevision(token);
    expect(suggestion).toMatchObject({ kind: 'new', targetKind: 'place', targetId: null, serviceId: service!.id });
    expect(revision).toMatchObject({ targetId: null, parentId: null, state: 'pending' });
    expect(revision.content).toMatchObject({ name: 'Slaithwaite Community Library', slug: 'slaithwaite-community-library', postcode: 'HD7 5AH', status: 'closed', serviceId: service!.id });
    const listed = await t.db.select().from(places).where(eq(places.slug, 'slaithwaite-community-library'));
    expect(listed).toHaveLength(0);
    expect(await (await server.get('/services/libraries')).text()).not.toContain('Slaithwaite Community Library');
  });

  it('asks which list and what the place is called, and points to a place we already list', async () => {
    const missing = await suggest('target=new&missing=place', { service: '', name: '', postcode: 'nowhere', status: 'closed', 'how-known': 'I saw it' });
    expect(missing.status).toBe(400);
    const problems = await problemsOn(missing);
    expect(problems.errorFor('service')).toContain('Select the list the place is missing from');
    expect(problems.errorFor('name')).toContain('Enter the name of the place');
    expect(problems.errorFor('postcode')).toContain('Enter a real postcode, like HD1 2TA');
    const place = await aPlace();
    const listed = await suggest('target=new&missing=place', { service: 'schools', name: place.name, status: 'closed', 'how-known': 'I saw it' });
    expect(listed.status).toBe(400);
    expect((await problemsOn(listed)).errorFor('name')).toContain(`We already list ${place.name}`);
  });

  it('keeps other information as a suggested new alert, not shown on the site', async () => {
    const [before] = await t.db.select({ n: count() }).from(alerts);
    const headline = 'Grit bin on Moor Lane is empty';
    const token = tokenOf(
      await suggest('target=new&missing=information', { headline, details: 'It has been empty **since Tuesday**.', services: ['roads-and-gritting'], 'how-known': 'I live next to it' }),
    );
    expect(await stateOn(token)).toBe('Waiting to be checked');
    const { suggestion, revision } = await pendingRevision(token);
    expect(suggestion).toMatchObject({ kind: 'new', targetKind: 'alert', targetId: null });
    const content = revision.content as AlertContent;
    expect(content).toMatchObject({ severity: 'info', headline, serviceSlugs: ['roads-and-gritting'], expiresAt: null, retired: false });
    expect(content.bodyHtml).toContain('<strong>since Tuesday</strong>');
    const [after] = await t.db.select({ n: count() }).from(alerts);
    expect(after!.n).toBe(before!.n);
    expect(await (await server.get('/')).text()).not.toContain(headline);
  });

  it('asks for a headline and details, each within its limit', async () => {
    const response = await suggest('target=new&missing=information', { headline: 'h'.repeat(121), details: '', services: ['no-such-service'], 'how-known': 'I saw it' });
    expect(response.status).toBe(400);
    const { errorFor, doc } = await problemsOn(response);
    expect(errorFor('headline')).toContain('Headline must be 120 characters or fewer');
    expect(errorFor('details')).toContain('Enter the details');
    expect(errorFor('services')).toContain('Select services from the list');
    expect(doc.querySelector('#headline')?.getAttribute('value')).toBe('h'.repeat(121));
  });
});

describe('what is not a suggestion form', () => {
  it('answers an unknown or malformed target with a 404 that helps', async () => {
    for (const target of ['place:999999', 'alert:999999', 'page:999999', 'banana', 'place:abc', 'place:0', '']) {
      const response = await server.get(`/suggest?target=${target}`);
      expect(response.status, target).toBe(404);
      const doc = await readHtml(response);
      const hrefs = doc.querySelectorAll('main a').map((a) => a.getAttribute('href'));
      expect(hrefs).toContain('/');
      expect(hrefs).toContain('/suggest?target=new');
    }
    const form = await openForm(`target=place:${(await aPlace()).id}`);
    const posted = await post(server, '/suggest?target=place:999999', { ...form.hidden, target: 'place:999999', ...placeReport });
    expect(posted.status).toBe(404);
  });

  it('refuses a body that is not a form with a 400', async () => {
    const before = await suggestionCount();
    const response = await server.get('/suggest?target=new&missing=information', {
      method: 'POST',
      headers: { Origin: server.url, 'Content-Type': 'application/json' },
      body: JSON.stringify({ headline: 'x' }),
    });
    expect(response.status).toBe(400);
    expect(await suggestionCount()).toBe(before);
  });

  it('is never cached by anyone else', async () => {
    const response = await server.get(`/suggest?target=place:${(await aPlace()).id}`);
    expect(response.headers.get('cache-control')).toBe('private, no-store');
    expect(response.headers.get('set-cookie')).toBeNull();
  });
});

// ─── Abuse resistance ────────────────────────────────────────────────────────────────────────

describe('keeping robots out without locking residents out', () => {
  it('stores nothing when the hidden “leave this empty” field is filled in', async () => {
    const place = await aPlace();
    const before = await suggestionCount();
    const response = await suggest(`target=place:${place.id}`, { ...placeReport, website: 'https://spam.example' });
    expect(response.status).toBe(400);
    const { summary, doc } = await problemsOn(response);
    expect(summary).toContain('Please check your suggestion, then send it again');
    expect(doc.querySelector('#website')?.getAttribute('value')).toBe('');
    expect(doc.querySelector('#note')?.textContent).toBe(placeReport.note);
    expect(await suggestionCount()).toBe(before);
  });

  it('hides the trap from people and assistive technology', async () => {
    const doc = await readHtml(await server.get(`/suggest?target=place:${(await aPlace()).id}`));
    const input = doc.querySelector('#website')!;
    expect(input.getAttribute('tabindex')).toBe('-1');
    expect(input.getAttribute('autocomplete')).toBe('off');
    expect(input.parentNode?.getAttribute('aria-hidden')).toBe('true');
    expect(textOf(doc.querySelector('label[for="website"]'))).toBe('Leave this empty');
  });

  it('asks to send again a form sent faster than a person could fill it in, then accepts it', async () => {
    const place = await aPlace();
    const before = await suggestionCount();
    const form = await openForm(`target=place:${place.id}`, patient);
    const tooFast = await post(patient, form.action, { ...form.hidden, ...placeReport });
    expect(tooFast.status).toBe(400);
    const html = await tooFast.text();
    expect(html).toContain('Please check your suggestion, then send it again');
    const again = formOf(html);
    expect(again.hidden.started).not.toBe(form.hidden.started);
    expect(await suggestionCount()).toBe(before);
    await new Promise((r) => setTimeout(r, 3_100));
    tokenOf(await post(patient, again.action, { ...again.hidden, ...placeReport }));
  });

  it('refuses a missing or made-up “started” stamp', async () => {
    const place = await aPlace();
    const before = await suggestionCount();
    const form = await openForm(`target=place:${place.id}`);
    const [ms] = form.hidden.started!.split('.');
    const forgeries = ['', `${Date.now() - 60_000}.${'A'.repeat(43)}`, `${Number(ms) - 60_000}.${form.hidden.started!.split('.')[1]}`, 'yesterday'];
    for (const started of forgeries) {
      const response = await post(server, form.action, { ...form.hidden, started, ...placeReport });
      expect(response.status, started).toBe(400);
      expect(await response.text()).toContain('Please check your suggestion, then send it again');
    }
    expect(await suggestionCount()).toBe(before);
  });

  it('refuses a body over 64 KB with 413, by its declared length or while reading it', async () => {
    const before = await suggestionCount();
    const form = await openForm('target=new&missing=information');
    const huge = formBody({ ...form.hidden, headline: 'Big', details: 'x'.repeat(70_000), 'how-known': 'I saw it' }).toString();
    const declared = await server.get(form.action, {
      method: 'POST',
      headers: { Origin: server.url, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: huge,
    });
    expect(declared.status).toBe(413);
    expect(await declared.text()).toContain('Your suggestion is too long');
    // Sent in chunks with no Content-Length: counted as it arrives.
    const bytes = new TextEncoder().encode(huge);
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 8_192) controller.enqueue(bytes.slice(i, i + 8_192));
        controller.close();
      },
    });
    const chunked = await server.get(form.action, {
      method: 'POST',
      headers: { Origin: server.url, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(await suggestionCount()).toBe(before);
  });

  it('says the queue is full (503) when too many suggestions are waiting, keeping the text', async () => {
    const before = await suggestionCount();
    const response = await suggest('target=new&missing=information', { headline: 'Bins not collected on Bank Street', details: 'Since Monday', 'how-known': 'My bin' }, full);
    expect(response.status).toBe(503);
    const html = await response.text();
    expect(html).toContain('We have a lot of suggestions to check right now. Please try again later, or call 01484 221000');
    expect(parseHtml(html).querySelector('#headline')?.getAttribute('value')).toBe('Bins not collected on Bank Street');
    expect(await suggestionCount()).toBe(before);
  });
});

describe('the hourly limit per address', () => {
  let own: TestDb;
  let limited: TestServer;
  beforeAll(async () => {
    own = await createTestDb({ seed: true });
    limited = await startServer(own.url, { SUGGESTION_MIN_FILL_SECONDS: '0', SUGGESTIONS_PER_ADDRESS_PER_HOUR: '3' });
  });
  afterAll(async () => {
    await limited?.stop();
    own?.cleanup();
  });

  it('takes 3 suggestions an hour from one address, then answers 429 keeping the text', async () => {
    const fields = { headline: 'Footpath on Park Road not gritted', details: 'Very icy', 'how-known': 'I slipped' };
    for (let i = 0; i < 3; i++) tokenOf(await suggest('target=new&missing=information', fields, limited));
    const response = await suggest('target=new&missing=information', fields, limited);
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('3600');
    const html = await response.text();
    expect(html).toContain('You have sent a lot of suggestions');
    expect(parseHtml(html).querySelector('#details')?.textContent).toBe('Very icy');
    const [row] = await own.db.select({ n: count() }).from(suggestions);
    expect(row!.n).toBe(3);
  });
});

describe('markdown a resident writes', () => {
  it('is stored and shown without any script, event handler or javascript: link', async () => {
    const alert = await anAlert();
    const body = `${alert.bodyMarkdown}\n\n<script>alert(1)</script>\n\n<img src="x" onerror="alert(2)">\n\n[Click me](javascript:alert(3))`;
    const token = tokenOf(await suggest(`target=alert:${alert.id}`, { body, 'how-known': 'Testing' }));
    const { revision } = await pendingRevision(token);
    const html = (revision.content as AlertContent).bodyHtml;
    expect(html).not.toMatch(/<script|onerror|javascript:|<img/i);
    expect(html).toContain('Click me');

    const page = await (await server.get(`/suggestions/${token}`)).text();
    const doc = parseHtml(page);
    expect(doc.querySelectorAll('script')).toHaveLength(0);
    expect(doc.querySelectorAll('[onerror]')).toHaveLength(0);
    expect(doc.querySelectorAll('a').some((a) => (a.getAttribute('href') ?? '').toLowerCase().startsWith('javascript'))).toBe(false);
    expect(textOf(doc.querySelector('#suggestion-proposal'))).toContain('Click me');
  });
});

// ─── The tracking page ───────────────────────────────────────────────────────────────────────

describe('the tracking page', () => {
  let reviewerId: number;
  beforeAll(async () => {
    reviewerId = (await createStaffAccount(t, 'editor', 'Rita Reviewer')).id;
  });

  async function approve(token: string, edited: boolean) {
    const suggestion = (await findSuggestionByToken(t.db, token))!;
    const proposal = (await findProposal<'place'>(t.db, suggestion.id))!;
    const { noteHtml: _html, ...draft } = proposal.content;
    const result = await approveSuggestion(t.db, {
      suggestion,
      draft: edited ? { ...draft, noteMarkdown: `${draft.noteMarkdown} (checked)` } : draft,
      baseRevisionId: proposal.parentId,
      edited,
      reviewerId,
      summary: 'Checked with the school',
    });
    expect(result.ok).toBe(true);
  }

  it('says what was sent, when, and about what, is private and asks to be bookmarked', async () => {
    const place = await aPlace('hade-edge-junior-and-infant-school');
    const response = await suggest(`target=place:${place.id}`, { ...placeReport, status: 'partially_open', note: 'Only **years 5 and 6** are in.' });
    const token = tokenOf(response);
    expect(response.headers.get('location')).toBe(`/suggestions/${token}?sent`);
    const sent = await server.get(response.headers.get('location')!);
    expect(sent.status).toBe(200);
    expect(sent.headers.get('cache-control')).toBe('private, no-store');
    const doc = await readHtml(sent);
    expect(textOf(doc.querySelector('.govuk-notification-banner'))).toContain('We have your suggestion');
    expect(doc.querySelector('meta[name="robots"]')?.getAttribute('content')).toBe('noindex');
    expect(doc.querySelector('meta[name="referrer"]')?.getAttribute('content')).toBe('no-referrer');
    expect(textOf(doc.querySelector('#suggestion-state'))).toBe('Waiting to be checked');
    const proposal = doc.querySelector('#suggestion-proposal');
    expect(textOf(proposal?.querySelector('.govuk-tag'))).toBe('Partially open');
    expect(proposal?.innerHTML).toContain('<strong>years 5 and 6</strong>');
    expect(doc.querySelectorAll('a').some((a) => a.getAttribute('href') === `/services/schools/${place.slug}`)).toBe(true);
    expect(textOf(doc.querySelector('main'))).toMatch(/Sent \d{1,2}:\d{2}(am|pm) today/);
    expect(textOf(doc.querySelector('main'))).toContain('Bookmark this page');
    expect(textOf(doc.querySelector('main'))).toContain(`${server.url}/suggestions/${token}`);
  });

  it('says “Approved” once the web team publishes it, with when it was checked', async () => {
    const place = await aPlace('holme-junior-and-infant-school');
    const token = tokenOf(await suggest(`target=place:${place.id}`, placeReport));
    await approve(token, false);
    const doc = await tracking(token);
    expect(textOf(doc.querySelector('#suggestion-state'))).toBe('Approved');
    expect(textOf(doc.querySelector('main'))).toMatch(/Checked \d{1,2}:\d{2}(am|pm) today/);
    expect(doc.querySelectorAll('a').some((a) => a.getAttribute('href') === `/services/schools/${place.slug}`)).toBe(true);
  });

  it('says “Approved with changes” when the web team changed it first', async () => {
    const place = await aPlace('hepworth-junior-and-infant-school');
    const token = tokenOf(await suggest(`target=place:${place.id}`, placeReport));
    await approve(token, true);
    expect(await stateOn(token)).toBe('Approved with changes');
  });

  it('says “Not used” with the reason when it was declined', async () => {
    const place = await aPlace('upperthong-junior-and-infant-school');
    const token = tokenOf(await suggest(`target=place:${place.id}`, placeReport));
    const suggestion = (await findSuggestionByToken(t.db, token))!;
    expect(await declineSuggestions(t.db, [suggestion.id], 'The school told us it is closed all day.', reviewerId)).toBe(1);
    const doc = await tracking(token);
    expect(textOf(doc.querySelector('#suggestion-state'))).toBe('Not used');
    expect(textOf(doc.querySelector('#suggestion-reason'))).toBe('The school told us it is closed all day.');
    expect(textOf(doc.querySelector('main'))).toMatch(/Checked \d{1,2}:\d{2}(am|pm) today/);
  });

  it('answers 404 for a token nobody was given', async () => {
    expect((await server.get(`/suggestions/${'a'.repeat(32)}`)).status).toBe(404);
    expect((await server.get('/suggestions/not-a-token')).status).toBe(404);
  });
});

// ─── Under load ──────────────────────────────────────────────────────────────────────────────

describe('200 suggestions at once', () => {
  let own: TestDb;
  let busy: TestServer;
  beforeAll(async () => {
    own = await createTestDb({ seed: true });
    busy = await startServer(own.url, { SUGGESTION_MIN_FILL_SECONDS: '0', SUGGESTIONS_PER_ADDRESS_PER_HOUR: '100000' });
  });
  afterAll(async () => {
    await busy?.stop();
    own?.cleanup();
  });

  it('keeps every one that was accepted exactly once, with its pending revision', async () => {
    const [place] = await own.db.select().from(places).where(eq(places.slug, 'holmfirth-high-school'));
    const form = await openForm(`target=place:${place!.id}`, busy);
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        post(busy, form.action, { ...form.hidden, status: 'closed', note: `Report ${i}`, 'how-known': `Resident ${i}` }),
      ),
    );
    const accepted = responses.filter((r) => r.status === 303);
    expect(accepted).toHaveLength(200);
    const tokens = accepted.map((r) => tokenOf(r));
    expect(new Set(tokens).size).toBe(200);

    const stored = await own.db.select({ id: suggestions.id, tokenHash: suggestions.tokenHash, howKnown: suggestions.howKnown }).from(suggestions);
    expect(stored).toHaveLength(200);
    expect(new Set(stored.map((s) => s.tokenHash))).toEqual(new Set(tokens.map(tokenHash)));
    expect(new Set(stored.map((s) => s.howKnown)).size).toBe(200);

    const pending = await own.db
      .select({ suggestionId: revisions.suggestionId })
      .from(revisions)
      .where(and(eq(revisions.state, 'pending'), isNull(revisions.publishSeq)));
    expect(pending).toHaveLength(200);
    expect(new Set(pending.map((p) => p.suggestionId))).toEqual(new Set(stored.map((s) => s.id)));
  });
});
