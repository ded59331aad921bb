// Editors publishing and correcting alerts and information pages, through the real built
// server: what they publish is on the public site at the next request, bad input is refused
// with everything kept, and an edit on an outdated version never overwrites anyone.
import type { HTMLElement } from 'node-html-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, count, eq } from 'drizzle-orm';
import { alerts, pages, revisions } from '../../db/schema/index.ts';
import { toLondonLocalInput } from '../../src/lib/time/london.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { readHtml, textOf } from '../helpers/html.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { signInAs, type SignedIn } from '../helpers/staff.ts';

let t: TestDb;
let server: TestServer;
let editor: SignedIn;
let otherEditor: SignedIn;
let reporter: SignedIn;

beforeAll(async () => {
  t = await createTestDb({ seed: true });
  server = await startServer(t.url);
  [editor, otherEditor, reporter] = await Promise.all([
    signInAs(t, server, 'editor', 'Sam Editor'),
    signInAs(t, server, 'editor', 'Alex Editor'),
    signInAs(t, server, 'reporter', 'Almondbury School office'),
  ]);
});
afterAll(async () => {
  await server?.stop();
  t?.cleanup();
});

const inMinutes = (minutes: number) => toLondonLocalInput(new Date(Date.now() + minutes * 60_000));

function alertFields(overrides: Record<string, string | string[]> = {}): Record<string, string | string[]> {
  return {
    severity: 'warning',
    headline: `Gritters out on all main roads ${Math.random().toString(36).slice(2, 8)}`,
    body: 'Take care on **untreated** side roads.',
    area: 'Kirklees-wide',
    services: ['roads-and-gritting'],
    starts: inMinutes(-5),
    expires: inMinutes(600),
    editSummary: 'New alert',
    ...overrides,
  };
}

/** The hidden fields of the preview's form, as "Publish" and "Change" send them back. */
function previewFields(doc: HTMLElement): Record<string, string | string[]> {
  const fields: Record<string, string | string[]> = {};
  for (const input of doc.querySelectorAll('#preview-form input[type="hidden"]')) {
    const name = input.getAttribute('name')!;
    const value = input.getAttribute('value') ?? '';
    const had = fields[name];
    fields[name] = had === undefined ? (name === 'services' ? [value] : value) : [...(Array.isArray(had) ? had : [had]), value];
  }
  return fields;
}

/** Publishes an alert as `who` the way the form does (the preview, then "Publish") and gives its id. */
async function publishAlert(fields: Record<string, string | string[]>, who: SignedIn = editor): Promise<number> {
  const preview = await who.post('/staff/alerts/new', fields);
  expect(preview.status).toBe(200);
  const response = await who.post('/staff/alerts/new', { ...previewFields(await readHtml(preview)), step: 'publish' });
  expect(response.status).toBe(303);
  const location = response.headers.get('location') ?? '';
  const match = /^\/staff\/alerts\?published=(\d+)$/.exec(location);
  expect(match, location).not.toBeNull();
  return Number(match![1]);
}

/** The edit form's hidden base revision. */
async function baseOf(path: string, who: SignedIn = editor): Promise<string> {
  const doc = await readHtml(await who.get(path));
  const base = doc.querySelector('form input[name="base"]')?.getAttribute('value');
  expect(base).toMatch(/^\d+$/);
  return base!;
}

async function bannerHeadlines(): Promise<string[]> {
  const doc = await readHtml(await server.get('/'));
  return doc.querySelectorAll('.csa-alert__link').map((a) => textOf(a));
}

async function apiHeadlines(state = 'active'): Promise<string[]> {
  const body = (await (await server.get(`/api/v1/alerts?state=${state}`)).json()) as { alerts: { headline: string }[] };
  return body.alerts.map((a) => a.headline);
}

async function revisionCount(): Promise<number> {
  const [row] = await t.db.select({ n: count() }).from(revisions);
  return row!.n;
}

const valueOf = (doc: Awaited<ReturnType<typeof readHtml>>, selector: string) => doc.querySelector(selector)?.getAttribute('value');

describe('publishing an alert', () => {
  it('shows it in the banner on every page at the next request, and in the API', async () => {
    const fields = alertFields();
    // Warm the page cache first: the publish must still show at once.
    expect(await bannerHeadlines()).not.toContain(fields.headline);
    const id = await publishAlert(fields);
    expect(await bannerHeadlines()).toContain(fields.headline);
    expect((await readHtml(await server.get('/services/schools'))).querySelectorAll('.csa-alert__link').map(textOf)).toContain(fields.headline);
    expect(await apiHeadlines()).toContain(fields.headline);
    const page = await server.get(`/alerts/${id}`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<strong>untreated</strong>');
  });

  it('credits the council publicly and the editor in the history', async () => {
    const id = await publishAlert(alertFields());
    const [revision] = await t.db.select().from(revisions).where(and(eq(revisions.targetKind, 'alert'), eq(revisions.targetId, id)));
    expect(revision).toMatchObject({ targetKind: 'alert', authorLabel: 'Kirklees Council', authorAccountId: editor.accountId, state: 'approved', summary: 'New alert' });
  });

  it('says so on the list of alerts, with a link to the public alert', async () => {
    const fields = alertFields();
    const id = await publishAlert(fields);
    const doc = await readHtml(await editor.get(`/staff/alerts?published=${id}`));
    expect(textOf(doc.querySelector('.govuk-notification-banner--success'))).toContain(`Alert published: ${fields.headline}`);
    expect(doc.querySelector('.govuk-notification-banner a')?.getAttribute('href')).toBe(`/alerts/${id}`);
    const row = doc.querySelector(`tr[data-alert-id="${id}"]`);
    expect(textOf(row)).toContain('Showing now');
    expect(textOf(row)).toContain('Warning');
    expect(row?.querySelector(`a[href="/staff/alerts/${id}"]`)).not.toBeNull();
    expect(row?.querySelector(`a[href="/staff/history/alert/${id}"]`)).not.toBeNull();
  });

  it('keeps an alert that starts later out of the banner, and lists it as scheduled', async () => {
    const fields = alertFields({ starts: inMinutes(120), expires: '' });
    const id = await publishAlert(fields);
    expect(await bannerHeadlines()).not.toContain(fields.headline);
    expect(await apiHeadlines()).not.toContain(fields.headline);
    expect(await apiHeadlines('all')).toContain(fields.headline);
    const doc = await readHtml(await editor.get('/staff/alerts'));
    expect(textOf(doc.querySelector(`tr[data-alert-id="${id}"]`))).toContain('Scheduled');
  });

  it('fills the new-alert form from a link', async () => {
    const query = new URLSearchParams({ headline: 'Calderdale schools closed', body: 'From their website', severity: 'severe', area: 'Calder Valley', services: 'schools,libraries' });
    const doc = await readHtml(await editor.get(`/staff/alerts/new?${query}`));
    expect(valueOf(doc, '#headline')).toBe('Calderdale schools closed');
    expect(textOf(doc.querySelector('#body'))).toBe('From their website');
    expect(valueOf(doc, '#area')).toBe('Calder Valley');
    expect(doc.querySelector('input[name="severity"][value="severe"]')?.hasAttribute('checked')).toBe(true);
    expect(doc.querySelector('input[name="services"][value="schools"]')?.hasAttribute('checked')).toBe(true);
    expect(doc.querySelector('input[name="services"][value="libraries"]')?.hasAttribute('checked')).toBe(true);
    expect(doc.querySelector('input[name="services"][value="waste-and-recycling"]')?.hasAttribute('checked')).toBe(false);
  });

  it('starts a blank alert now', async () => {
    const doc = await readHtml(await editor.get('/staff/alerts/new'));
    const starts = valueOf(doc, '#starts') ?? '';
    expect(Math.abs(new Date(`${starts}:00Z`).getTime() - new Date(`${inMinutes(0)}:00Z`).getTime())).toBeLessThanOrEqual(60_000);
    expect(doc.querySelector('input[name="base"]')).toBeNull();
  });
});

describe('the preview before an alert is published', () => {
  it('shows what the banner, the alert page and the feed entry will say, and publishes nothing', async () => {
    const before = await revisionCount();
    const fields = alertFields({ body: 'Take care on **untreated** side roads.', editSummary: 'Gritters out tonight' });
    const response = await editor.post('/staff/alerts/new', fields);
    expect(response.status).toBe(200);
    const doc = await readHtml(response);
    expect(textOf(doc.querySelector('h1'))).toBe('Check the alert before you publish it');
    expect(textOf(doc.querySelector('#preview-banner .csa-alert'))).toBe(`Warning: ${fields.headline} (Kirklees-wide)`);
    const page = doc.querySelector('#preview-page');
    expect(textOf(page)).toContain(fields.headline);
    expect(page?.querySelector('strong')?.textContent).toBe('untreated');
    expect(textOf(page)).toContain('Roads and gritting');
    const feed = Object.fromEntries(doc.querySelectorAll('#preview-feed .govuk-summary-list__row').map((row) => [textOf(row.querySelector('dt')), textOf(row.querySelector('dd'))]));
    expect(feed).toEqual({ Title: fields.headline, Summary: 'Gritters out tonight', From: 'Kirklees Council', Text: 'Take care on untreated side roads.' });
    const buttons = doc.querySelectorAll('#preview-form button').map((b) => [b.getAttribute('name'), b.getAttribute('value'), textOf(b)]);
    expect(buttons).toEqual([['step', 'publish', 'Publish alert'], ['step', 'change', 'Change the alert']]);
    expect(previewFields(doc)).toEqual(fields);
    expect(await revisionCount()).toBe(before);
    expect(await apiHeadlines('all')).not.toContain(fields.headline);
  });

  it('gives the form back as typed with “Change”, publishing nothing', async () => {
    const before = await revisionCount();
    const fields = alertFields({ area: 'Holme Valley', services: ['schools', 'libraries'] });
    const response = await editor.post('/staff/alerts/new', { ...fields, step: 'change' });
    expect(response.status).toBe(200);
    const doc = await readHtml(response);
    expect(valueOf(doc, '#headline')).toBe(fields.headline);
    expect(valueOf(doc, '#area')).toBe('Holme Valley');
    expect(doc.querySelectorAll('input[name="services"][checked]').map((i) => i.getAttribute('value'))).toEqual(['schools', 'libraries']);
    expect(textOf(doc.querySelector('main form button[type="submit"]'))).toBe('Preview the alert');
    expect(await revisionCount()).toBe(before);
  });

  it('previews an edit too, carrying the version it is based on', async () => {
    const fields = alertFields();
    const id = await publishAlert(fields);
    const base = await baseOf(`/staff/alerts/${id}`);
    const before = await revisionCount();
    const response = await editor.post(`/staff/alerts/${id}`, { ...fields, headline: `${fields.headline} (changed)`, editSummary: 'Reworded', base });
    expect(response.status).toBe(200);
    const doc = await readHtml(response);
    expect(textOf(doc.querySelector('h1'))).toBe('Check your changes before you publish them');
    expect(previewFields(doc)).toMatchObject({ base, headline: `${fields.headline} (changed)` });
    expect(await revisionCount()).toBe(before);
    const published = await editor.post(`/staff/alerts/${id}`, { ...previewFields(doc), step: 'publish' });
    expect(published.headers.get('location')).toBe(`/staff/alerts?updated=${id}`);
    expect(await bannerHeadlines()).toContain(`${fields.headline} (changed)`);
  });

  it('says when to use each severity, next to the choices', async () => {
    const doc = await readHtml(await editor.get('/staff/alerts/new'));
    const hints = doc.querySelectorAll('.govuk-radios__hint').map((h) => textOf(h));
    expect(hints).toHaveLength(3);
    expect(hints[0]).toMatch(/^Use for/);
    expect(hints[1]).toContain('snow');
    expect(hints[2]).toContain('danger to life');
  });
});

describe('a new alert with mistakes', () => {
  it('asks for a headline and keeps everything else typed', async () => {
    const before = await revisionCount();
    const fields = alertFields({ headline: '', body: 'Line one\n\nLine <two>', area: 'Holme Valley', services: ['schools', 'libraries'], severity: 'severe' });
    const response = await editor.post('/staff/alerts/new', fields);
    expect(response.status).toBe(400);
    const doc = await readHtml(response);
    expect(textOf(doc.querySelector('title'))).toMatch(/^Error: /);
    expect(textOf(doc.querySelector('.govuk-error-summary'))).toContain('Enter a headline');
    expect(doc.querySelector('.govuk-error-summary a')?.getAttribute('href')).toBe('#headline');
    expect(textOf(doc.querySelector('#headline-error'))).toContain('Enter a headline');
    expect(doc.querySelector('#body')?.textContent).toBe('Line one\n\nLine <two>');
    expect(valueOf(doc, '#area')).toBe('Holme Valley');
    expect(valueOf(doc, '#starts')).toBe(fields.starts);
    expect(valueOf(doc, '#expires')).toBe(fields.expires);
    expect(doc.querySelector('input[name="severity"][value="severe"]')?.hasAttribute('checked')).toBe(true);
    expect(doc.querySelectorAll('input[name="services"][checked]').map((i) => i.getAttribute('value'))).toEqual(['schools', 'libraries']);
    expect(await revisionCount()).toBe(before);
  });

  it('refuses an end before the start', async () => {
    const fields = alertFields({ starts: inMinutes(60), expires: inMinutes(30) });
    const response = await editor.post('/staff/alerts/new', fields);
    expect(response.status).toBe(400);
    const doc = await readHtml(response);
    expect(textOf(doc.querySelector('#expires-error'))).toContain('Expiry must be after the start');
    expect(valueOf(doc, '#headline')).toBe(fields.headline);
    expect(await apiHeadlines('all')).not.toContain(fields.headline);
  });

  it('refuses a service that does not exist, still showing it ticked', async () => {
    const fields = alertFields({ services: ['schools', 'space-travel'] });
    const response = await editor.post('/staff/alerts/new', fields);
    expect(response.status).toBe(400);
    const doc = await readHtml(response);
    expect(textOf(doc.querySelector('#services-error'))).toContain('Select services from the list');
    expect(doc.querySelectorAll('input[name="services"][checked]').map((i) => i.getAttribute('value'))).toEqual(['schools', 'space-travel']);
    expect(await apiHeadlines('all')).not.toContain(fields.headline);
  });

  it('answers 400 to a form that is not a form', async () => {
    const response = await server.get('/staff/alerts/new', {
      method: 'POST',
      headers: { Origin: server.url, Cookie: editor.cookie, 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(400);
  });
});

describe('editing an alert', () => {
  it('publishes the change, and the banner follows', async () => {
    const fields = alertFields();
    const id = await publishAlert(fields);
    const base = await baseOf(`/staff/alerts/${id}`);
    const edited = { ...fields, headline: `${fields.headline} (corrected)`, editSummary: 'Fixed the headline', base };
    const response = await editor.post(`/staff/alerts/${id}`, { ...edited, step: 'publish' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`/staff/alerts?updated=${id}`);
    const headlines = await bannerHeadlines();
    expect(headlines).toContain(edited.headline);
    expect(headlines).not.toContain(fields.headline);
    const history = await t.db.select().from(revisions).where(eq(revisions.targetId, id));
    expect(history.filter((r) => r.targetKind === 'alert').map((r) => r.summary)).toEqual(['New alert', 'Fixed the headline']);
  });

  it('shows the published alert in the form, in London time', async () => {
    const fields = alertFields();
    const id = await publishAlert(fields);
    const doc = await readHtml(await editor.get(`/staff/alerts/${id}`));
    expect(valueOf(doc, '#headline')).toBe(fields.headline);
    expect(valueOf(doc, '#starts')).toBe(fields.starts);
    expect(valueOf(doc, '#expires')).toBe(fields.expires);
    expect(valueOf(doc, '#editSummary')).toBe('');
    expect(doc.querySelector(`a[href="/staff/history/alert/${id}"]`)).not.toBeNull();
  });

  it('refuses an edit on an outdated version with 409, showing both sides and saving nothing', async () => {
    const fields = alertFields();
    const id = await publishAlert(fields);
    const base = await baseOf(`/staff/alerts/${id}`);
    // Two editors open the same version; Alex publishes first.
    const theirs = { ...fields, headline: 'Gritters out: A62 closed at Milnsbridge', editSummary: 'Added the A62', base };
    expect((await otherEditor.post(`/staff/alerts/${id}`, { ...theirs, step: 'publish' })).status).toBe(303);
    const before = await revisionCount();
    const mine = { ...fields, body: 'My new details', area: 'Huddersfield', editSummary: 'Better details', base, step: 'publish' };
    const response = await editor.post(`/staff/alerts/${id}`, mine);
    expect(response.status).toBe(409);
    expect(await revisionCount()).toBe(before);
    const [row] = await t.db.select().from(alerts).where(eq(alerts.id, id));
    expect(row).toMatchObject({ headline: theirs.headline, bodyMarkdown: fields.body, area: fields.area });

    const doc = await readHtml(response);
    const notice = textOf(doc.querySelector('.govuk-error-summary'));
    expect(notice).toContain('Someone else changed this alert');
    expect(notice).toContain('Alex Editor');
    const tables = doc.querySelectorAll('table.csa-diff');
    expect(tables).toHaveLength(2);
    expect(textOf(tables[0])).toContain('A62 closed at Milnsbridge');
    expect(textOf(tables[1])).toContain('My new details');
    // The form is Sam's version again, now based on Alex's.
    expect(doc.querySelector('#body')?.textContent).toBe('My new details');
    expect(valueOf(doc, '#area')).toBe('Huddersfield');
    expect(valueOf(doc, '#editSummary')).toBe('Better details');
    expect(valueOf(doc, 'input[name="base"]')).toBe(String(row!.currentRevisionId));

    // Publishing again from that form goes ahead, knowingly on top of Alex's version.
    const again = await editor.post(`/staff/alerts/${id}`, { ...mine, base: String(row!.currentRevisionId) });
    expect(again.status).toBe(303);
    const [after] = await t.db.select().from(alerts).where(eq(alerts.id, id));
    expect(after).toMatchObject({ bodyMarkdown: 'My new details', area: 'Huddersfield' });
  });

  it('keeps what was typed when an edit has mistakes', async () => {
    const id = await publishAlert(alertFields());
    const base = await baseOf(`/staff/alerts/${id}`);
    const response = await editor.post(`/staff/alerts/${id}`, alertFields({ headline: 'x'.repeat(121), editSummary: '', base }));
    expect(response.status).toBe(400);
    const doc = await readHtml(response);
    expect(textOf(doc.querySelector('.govuk-error-summary'))).toContain('Headline must be 120 characters or fewer');
    expect(textOf(doc.querySelector('.govuk-error-summary'))).toContain('Enter a summary of your change');
    expect(valueOf(doc, '#headline')).toBe('x'.repeat(121));
    expect(valueOf(doc, 'input[name="base"]')).toBe(base);
  });

  it('answers 400 when the form does not say which version it was based on', async () => {
    const id = await publishAlert(alertFields());
    expect((await editor.post(`/staff/alerts/${id}`, alertFields())).status).toBe(400);
  });

  it('answers 404 for an alert that does not exist', async () => {
    expect((await editor.get('/staff/alerts/999999')).status).toBe(404);
    expect((await editor.get('/staff/alerts/abc')).status).toBe(404);
    expect((await editor.post('/staff/alerts/999999', alertFields({ base: '1' }))).status).toBe(404);
  });
});

describe('withdrawing an alert', () => {
  it('takes it off the site at once, and it can be published again', async () => {
    const fields = alertFields();
    const id = await publishAlert(fields);
    expect(await bannerHeadlines()).toContain(fields.headline);
    const response = await editor.post(`/staff/alerts/${id}`, { action: 'retire', base: await baseOf(`/staff/alerts/${id}`) });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe(`/staff/alerts?withdrawn=${id}`);
    expect(await bannerHeadlines()).not.toContain(fields.headline);
    expect(await apiHeadlines('all')).not.toContain(fields.headline);
    expect((await server.get(`/alerts/${id}`)).status).toBe(404);
    const list = await readHtml(await editor.get(`/staff/alerts?withdrawn=${id}`));
    expect(textOf(list.querySelector('.govuk-notification-banner'))).toContain(`Alert withdrawn: ${fields.headline}`);
    expect(textOf(list.querySelector(`tr[data-alert-id="${id}"]`))).toContain('Withdrawn');
    const [latest] = await t.db.select().from(revisions).where(eq(revisions.id, (await t.db.select().from(alerts).where(eq(alerts.id, id)))[0]!.currentRevisionId!));
    expect(latest?.content).toMatchObject({ retired: true, headline: fields.headline });

    const restored = await editor.post(`/staff/alerts/${id}`, { action: 'restore', base: await baseOf(`/staff/alerts/${id}`) });
    expect(restored.status).toBe(303);
    expect(await bannerHeadlines()).toContain(fields.headline);
  });

  it('does not withdraw on an outdated version, showing what changed', async () => {
    const fields = alertFields();
    const id = await publishAlert(fields);
    const base = await baseOf(`/staff/alerts/${id}`);
    expect((await otherEditor.post(`/staff/alerts/${id}`, { ...fields, headline: `${fields.headline} updated`, editSummary: 'x', base, step: 'publish' })).status).toBe(303);
    const response = await editor.post(`/staff/alerts/${id}`, { action: 'retire', base });
    expect(response.status).toBe(409);
    expect(await bannerHeadlines()).toContain(`${fields.headline} updated`);
  });
});

describe('markdown in an alert or page', () => {
  const nasty = [
    'Hello <script>alert(1)</script>',
    '<img src="x" onerror="alert(2)">',
    '[click me](javascript:alert(3))',
    '<a href="javascript:alert(4)" onclick="alert(5)">link</a>',
    '<iframe src="https://evil.example"></iframe>',
  ].join('\n\n');

  function expectHarmless(html: string) {
    expect(html).not.toMatch(/<script>alert/i);
    expect(html).not.toMatch(/onerror/i);
    expect(html).not.toMatch(/onclick/i);
    expect(html).not.toMatch(/javascript:/i);
    expect(html).not.toMatch(/<iframe/i);
  }

  it('is published harmless in an alert', async () => {
    const id = await publishAlert(alertFields({ body: nasty }));
    const response = await server.get(`/alerts/${id}`);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('Hello');
    expectHarmless(html);
    const api = (await (await server.get('/api/v1/alerts')).json()) as { alerts: { id: number; bodyHtml: string }[] };
    expectHarmless(api.alerts.find((a) => a.id === id)!.bodyHtml);
  });

  it('is published harmless in a page', async () => {
    const response = await editor.post('/staff/pages/new', { title: 'Harmless test page', summary: '', slug: '', body: nasty, editSummary: 'New page' });
    expect(response.status).toBe(303);
    const page = await server.get('/pages/harmless-test-page');
    expect(page.status).toBe(200);
    expectHarmless(await page.text());
  });
});

describe('information pages', () => {
  it('creates a page, with its address made from the title', async () => {
    const response = await editor.post('/staff/pages/new', {
      title: 'Winter driving',
      summary: 'How to get about when it snows.',
      slug: '',
      body: '## Before you set off\n\nCheck the forecast.',
      editSummary: 'New page',
    });
    expect(response.status).toBe(303);
    const id = Number(/published=(\d+)/.exec(response.headers.get('location') ?? '')![1]);
    const page = await readHtml(await server.get('/pages/winter-driving'));
    expect(textOf(page.querySelector('h1'))).toBe('Winter driving');
    expect(textOf(page.querySelector('main'))).toContain('Check the forecast.');
    const list = await readHtml(await editor.get(`/staff/pages?published=${id}`));
    expect(textOf(list.querySelector('.govuk-notification-banner'))).toContain('Page published: Winter driving');
    expect(list.querySelector(`tr[data-page-id="${id}"] a[href="/staff/history/page/${id}"]`)).not.toBeNull();
  });

  it('publishes an edit and the public page follows', async () => {
    const [row] = await t.db.select().from(pages).where(eq(pages.slug, 'bad-weather-advice'));
    const path = `/staff/pages/${row!.id}`;
    const form = await readHtml(await editor.get(path));
    expect(valueOf(form, '#title')).toBe(row!.title);
    const response = await editor.post(path, {
      title: 'Bad weather advice (updated)',
      summary: row!.summary,
      body: `${row!.bodyMarkdown}\n\nGrit bins are refilled every Monday.`,
      editSummary: 'Added grit bins',
      // A changed address is ignored: links to the page must keep working.
      slug: 'something-else',
      base: await baseOf(path),
    });
    expect(response.status).toBe(303);
    const page = await readHtml(await server.get('/pages/bad-weather-advice'));
    expect(textOf(page.querySelector('h1'))).toBe('Bad weather advice (updated)');
    expect(textOf(page.querySelector('main'))).toContain('Grit bins are refilled every Monday.');
    expect((await server.get('/pages/something-else')).status).toBe(404);
  });

  it('refuses a web address that is already taken, keeping what was typed', async () => {
    const before = await revisionCount();
    const response = await editor.post('/staff/pages/new', { title: 'Another about page', summary: 'Short', slug: 'about', body: 'Some words', editSummary: 'New page' });
    expect(response.status).toBe(400);
    const doc = await readHtml(response);
    expect(textOf(doc.querySelector('#slug-error'))).toContain('There is already a page at this web address');
    expect(valueOf(doc, '#title')).toBe('Another about page');
    expect(valueOf(doc, '#slug')).toBe('about');
    expect(doc.querySelector('#body')?.textContent).toBe('Some words');
    expect(await revisionCount()).toBe(before);
  });

  it('refuses a page edit on an outdated version with 409', async () => {
    const created = await editor.post('/staff/pages/new', { title: 'Conflict page', summary: '', slug: '', body: 'First', editSummary: 'New page' });
    const id = Number(/published=(\d+)/.exec(created.headers.get('location') ?? '')![1]);
    const base = await baseOf(`/staff/pages/${id}`);
    const common = { title: 'Conflict page', summary: '', editSummary: 'Edit', base };
    expect((await otherEditor.post(`/staff/pages/${id}`, { ...common, body: 'Theirs' })).status).toBe(303);
    const before = await revisionCount();
    const response = await editor.post(`/staff/pages/${id}`, { ...common, body: 'Mine' });
    expect(response.status).toBe(409);
    expect(await revisionCount()).toBe(before);
    const doc = await readHtml(response);
    expect(doc.querySelector('#body')?.textContent).toBe('Mine');
    expect(textOf(doc.querySelector('table.csa-diff'))).toContain('Theirs');
    expect(textOf((await readHtml(await server.get('/pages/conflict-page'))).querySelector('main'))).toContain('Theirs');
  });

  it('retires a page: its address is not found and the history is kept', async () => {
    await editor.post('/staff/pages/new', { title: 'Short-lived page', summary: '', slug: 'short-lived', body: 'Soon gone', editSummary: 'New page' });
    const [row] = await t.db.select().from(pages).where(eq(pages.slug, 'short-lived'));
    expect((await server.get('/pages/short-lived')).status).toBe(200);
    const response = await editor.post(`/staff/pages/${row!.id}`, { action: 'retire', base: await baseOf(`/staff/pages/${row!.id}`) });
    expect(response.status).toBe(303);
    expect((await server.get('/pages/short-lived')).status).toBe(404);
    const history = await t.db.select().from(revisions).where(eq(revisions.targetId, row!.id));
    expect(history.filter((r) => r.targetKind === 'page')).toHaveLength(2);
  });

  it('answers 404 for a page that does not exist', async () => {
    expect((await editor.get('/staff/pages/999999')).status).toBe(404);
  });
});

describe('who may edit', () => {
  const paths = ['/staff/alerts', '/staff/alerts/new', '/staff/alerts/1', '/staff/pages', '/staff/pages/new', '/staff/pages/1'];

  it('refuses trusted reporters every page and action with 403, changing nothing', async () => {
    const before = await revisionCount();
    // The lists take no POST from anyone (405, before any role is looked at); the forms refuse reporters.
    const takesPost = (path: string) => !['/staff/alerts', '/staff/pages'].includes(path);
    for (const path of paths) {
      expect((await reporter.get(path)).status, `GET ${path}`).toBe(403);
      const posted = await reporter.post(path, { ...alertFields(), title: 'x', body: 'x', action: 'retire', base: '1' });
      expect(posted.status, `POST ${path}`).toBe(takesPost(path) ? 403 : 405);
    }
    expect(await revisionCount()).toBe(before);
  });

  it('sends people who are not signed in to sign in', async () => {
    for (const path of paths) {
      const response = await server.get(path);
      expect(response.status).toBe(303);
      expect(response.headers.get('location')).toBe(`/staff/sign-in?next=${encodeURIComponent(path)}`);
    }
  });

  it('refuses a form posted from another site', async () => {
    const response = await editor.post('/staff/alerts/new', alertFields(), { headers: { Origin: 'https://evil.example' } });
    expect(response.status).toBe(403);
  });
});
