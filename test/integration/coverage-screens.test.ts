// The staff screens about neighbours, over HTTP against the built server: the coverage screen
// (us first, the gaps item by item, each item's coverage with the link to ours, "draft an
// alert from this", "mark a place", dismissing and putting back, audited), the staff feed of
// urgent gaps and its private addresses, the admin screens for feeds (add, check now, pause,
// remove, keywords, urgent services and public pages), the dashboard's gaps, who may see what,
// and the public service page's "What neighbouring councils are saying".
import { and, eq, sql } from 'drizzle-orm';
import type { HTMLElement } from 'node-html-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accounts, auditEvents, neighbourCouncils, neighbourItems, neighbourSources, services } from '../../db/schema/index.ts';
import { seedDemoCouncil } from '../../db/seed.ts';
import { pollAllSources, pollNeighbourSource } from '../../src/lib/neighbours/poll.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { readHtml, textOf } from '../helpers/html.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { signInAs, type SignedIn } from '../helpers/staff.ts';

interface Site {
  t: TestDb;
  server: TestServer;
  admin: SignedIn;
  editor: SignedIn;
  reporter: SignedIn;
  stop: () => Promise<void>;
}

/**
 * A server whose demo council's own updates are `ourAgeMs` old (by default three days, so we
 * have said nothing today) and whose demo neighbours' feeds — served by the site itself, with
 * today's times — have all been read once: Rochdale and Calderdale are talking about school
 * closures, Oldham has closed the A62 at Standedge.
 */
async function startCoverageSite(ourAgeMs = 3 * 86_400_000): Promise<Site> {
  const t = await createTestDb();
  // Loaded before the server starts (no other process writing meanwhile), then the demo feeds
  // are pointed at this server, which serves them.
  await seedDemoCouncil(t.db, { siteUrl: PLACEHOLDER_ORIGIN, now: new Date(Date.now() - ourAgeMs) });
  const server = await startServer(t.url, { NEIGHBOUR_POLL_MINUTES: '0', NEIGHBOUR_FEEDS_ALLOW_PRIVATE: 'true' });
  await t.db.update(neighbourSources).set({ url: sql`replace(${neighbourSources.url}, ${PLACEHOLDER_ORIGIN}, ${server.url})` });
  const options = { all: true, concurrency: 1, fetch: { allowPrivateAddresses: true, timeoutMs: 5_000 } };
  const results = await pollAllSources(t.db, options);
  // A poll that lost a race for the database file to the server is simply read again.
  for (const failed of results.filter((r) => r.error)) expect((await pollNeighbourSource(t.db, failed.source, options)).error).toBeNull();
  const [admin, editor, reporter] = await Promise.all([signInAs(t, server, 'admin'), signInAs(t, server, 'editor'), signInAs(t, server, 'reporter')]);
  return {
    t, server, admin, editor, reporter,
    stop: async () => {
      await server.stop();
      t.cleanup();
    },
  };
}

const PLACEHOLDER_ORIGIN = 'http://coverage-screens.invalid';

const gapServices = (doc: HTMLElement) => doc.querySelectorAll('#gap-list > li').map((li) => li.getAttribute('data-service'));
const gapTitles = (doc: HTMLElement) => doc.querySelectorAll('#gap-list > li h3').map((h) => textOf(h).replace(/^Urgent /, ''));
const itemId = async (site: Site, title: string) => (await site.t.db.select({ id: neighbourItems.id }).from(neighbourItems).where(eq(neighbourItems.title, title)))[0]!.id;
const A62 = 'A62 Huddersfield Road closed at Standedge';
const VOUCHERS = 'Free school meal vouchers during closures';

/** The fields a browser would send for the page's first POST form: what is filled in, ticked or selected. */
function browserFields(doc: HTMLElement): Record<string, string[]> {
  const form = doc.querySelectorAll('form').find((f) => (f.getAttribute('method') ?? '').toLowerCase() === 'post' && f.querySelector('button[type=submit]') && !f.getAttribute('action'))!;
  const fields: Record<string, string[]> = {};
  const add = (name: string | undefined, value: string) => {
    if (name) (fields[name] ??= []).push(value);
  };
  for (const input of form.querySelectorAll('input')) {
    const type = (input.getAttribute('type') ?? 'text').toLowerCase();
    if ((type === 'radio' || type === 'checkbox') && !input.hasAttribute('checked')) continue;
    add(input.getAttribute('name'), input.getAttribute('value') ?? (type === 'checkbox' || type === 'radio' ? 'on' : ''));
  }
  for (const textarea of form.querySelectorAll('textarea')) add(textarea.getAttribute('name'), textarea.textContent.replace(/^\n/, ''));
  for (const select of form.querySelectorAll('select')) {
    const chosen = select.querySelector('option[selected]') ?? select.querySelector('option');
    add(select.getAttribute('name'), chosen?.getAttribute('value') ?? '');
  }
  return fields;
}

/** Sends an alert form as a browser would: its first submit shows the preview, whose "Publish" button publishes. */
async function publishThroughPreview(signedIn: Site['editor'], link: string, fields: Record<string, string[]>): Promise<Response> {
  const preview = await signedIn.post(link, fields);
  expect(preview.status).toBe(200);
  return signedIn.post(link, { ...browserFields(await readHtml(preview)), step: ['publish'] });
}

describe('the coverage screen', () => {
  let site: Site;
  beforeAll(async () => {
    site = await startCoverageSite();
  });
  afterAll(async () => site?.stop());

  it('lists us first, then each neighbouring council, with how many items of each we have not covered', async () => {
    const response = await site.editor.get('/staff/coverage');
    expect(response.status).toBe(200);
    const doc = await readHtml(response);
    const headers = doc.querySelectorAll('#coverage-matrix thead th').map(textOf);
    expect(headers).toEqual([
      'Service', 'Kirklees Council (us)', 'Calderdale Council', 'Leeds City Council', 'Wakefield Council', 'Bradford Council', 'Barnsley Council', 'Oldham Council', 'Rochdale Council',
    ]);
    const schools = doc.querySelector('#coverage-matrix tr[data-service=schools]')!;
    expect(textOf(schools.querySelector('td[data-column=us]'))).toBe('0');
    const rochdale = schools.querySelector('td[data-column=rochdale] a')!;
    expect(rochdale.getAttribute('href')).toBe('/staff/coverage?hours=24&council=rochdale&service=schools#items');
    expect(textOf(schools.querySelector('td[data-column=rochdale]'))).toMatch(/^3 items from Rochdale Council about Schools 3 not covered \d+ (minutes|hours?) ago$/);
    expect(textOf(schools.querySelector('th'))).toContain('Gap');
  });

  it('lists the gaps item by item, newest first, with council, age and what to do', async () => {
    const doc = await readHtml(await site.editor.get('/staff/coverage'));
    const titles = gapTitles(doc);
    expect(titles).toEqual(expect.arrayContaining([A62, VOUCHERS, 'All schools in Rochdale closed today', '34 schools closed in Calderdale today because of snow']));
    expect(titles).not.toContain('Heavy snow across Oldham'); // about none of our services
    const times = doc.querySelectorAll('#gap-list > li time').map((time) => Date.parse(time.getAttribute('datetime')!));
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(textOf(doc.querySelector('#gap-count'))).toMatch(/^\d+ items neighbouring councils published in the last 24 hours that nothing we published covers, newest first\. Gaps in Schools, Roads and gritting are urgent\.$/);

    const vouchers = doc.querySelectorAll('#gap-list > li').find((li) => textOf(li.querySelector('h3')).endsWith(VOUCHERS))!;
    expect(vouchers.getAttribute('data-service')).toBe('schools');
    expect(textOf(vouchers.querySelector('h3'))).toBe(`Urgent ${VOUCHERS}`);
    expect(textOf(vouchers)).toMatch(/Rochdale Council, \d+ minutes ago \(\d{1,2}:\d\d[ap]m (?:today|yesterday)\)\. About schools\./);
    expect(vouchers.querySelector('a[href^="/staff/alerts/new?"]')).not.toBeNull();
    expect(vouchers.querySelector(`a[href="/staff/coverage/items/${await itemId(site, VOUCHERS)}"]`)).not.toBeNull();
  });

  it('lists the items newest first, each linking to its source and to a draft alert filled in from it', async () => {
    const doc = await readHtml(await site.editor.get('/staff/coverage?council=rochdale&service=schools'));
    expect(textOf(doc.querySelector('#items'))).toBe('What Rochdale Council published about schools in the last 24 hours');
    const items = doc.querySelectorAll('#item-list > li');
    expect(items.length).toBe(3);
    for (const item of items) expect(textOf(item)).toContain('Rochdale Council');
    for (const item of items) expect(item.getAttribute('data-state')).toBe('not_covered');
    const times = items.map((item) => Date.parse(item.querySelector('time')!.getAttribute('datetime')!));
    expect([...times].sort((a, b) => b - a)).toEqual(times);

    const closure = items.find((item) => textOf(item.querySelector('h3')) === 'All schools in Rochdale closed today')!;
    const source = closure.querySelector('h3 a')!;
    expect(source.getAttribute('rel')).toBe('noopener noreferrer');
    expect(source.getAttribute('target')).toBeUndefined();
    expect(textOf(closure.querySelector('[data-coverage-state]'))).toBe('Not covered');
    const draft = new URL(closure.querySelector('a[href^="/staff/alerts/new"]')!.getAttribute('href')!, site.server.url);
    expect(textOf(closure.querySelector('a[href^="/staff/alerts/new"]'))).toBe('Draft an alert from this: All schools in Rochdale closed today');
    expect(draft.searchParams.get('headline')).toBe('All schools in Rochdale closed today');
    expect(draft.searchParams.get('severity')).toBe('warning');
    expect(draft.searchParams.getAll('services')).toEqual(['schools']);
    expect(draft.searchParams.get('body')).toContain(`Source: Rochdale Council, ${source.getAttribute('href')}`);

    // The new-alert form opens with all of it filled in.
    const form = await readHtml(await site.editor.get(`${draft.pathname}${draft.search}`));
    expect(form.querySelector('#headline')!.getAttribute('value')).toBe('All schools in Rochdale closed today');
    expect(form.querySelector('input[name=severity][value=warning]')!.hasAttribute('checked')).toBe(true);
    expect(form.querySelector('input[name=services][value=schools]')!.hasAttribute('checked')).toBe(true);
    expect(textOf(form.querySelector('#body'))).toContain('Source: Rochdale Council');
  });

  it('refuses a window it does not offer with a 400, and shows the last 24 hours', async () => {
    const response = await site.editor.get('/staff/coverage?hours=5');
    expect(response.status).toBe(400);
    const doc = await readHtml(response);
    expect(textOf(doc.querySelector('.govuk-error-summary'))).toContain('Select how far back to look');
    expect(doc.querySelector('#hours option[selected]')!.getAttribute('value')).toBe('24');
  });

  it('looks back as far as asked', async () => {
    const doc = await readHtml(await site.editor.get('/staff/coverage?hours=6'));
    expect(doc.querySelector('#hours option[selected]')!.getAttribute('value')).toBe('6');
    expect(textOf(doc.querySelector('h1 + p'))).toContain('in the last 6 hours');
  });

  it('lists the official warnings first, each with its level in words, a link to it and a draft alert', async () => {
    const response = await site.editor.get('/staff/coverage');
    const html = await response.clone().text();
    expect(html.indexOf('id="official-warnings"')).toBeGreaterThan(0);
    expect(html.indexOf('id="official-warnings"')).toBeLessThan(html.indexOf('id="gaps"'));
    const doc = await readHtml(response);
    expect(textOf(doc.querySelector('#official-warnings'))).toBe('Official warnings');
    const amber = doc.querySelectorAll('#official-warning-list > li').find((li) => textOf(li).includes('Amber warning for snow'))!;
    expect(amber.getAttribute('data-issuer')).toBe('met-office');
    expect(amber.getAttribute('data-covered')).toBe('no');
    expect(textOf(amber.querySelector('p'))).toMatch(/^Amber Amber warning for snow, Yorkshire & Humber, issued \d\d:\d\d(?: yesterday)? — nothing published by us$/);
    expect(textOf(amber.querySelector('strong.govuk-tag.govuk-tag--orange'))).toBe('Amber');
    expect(amber.querySelector('a.govuk-link')!.getAttribute('href')).toMatch(/^https:\/\/www\.metoffice\.gov\.uk\//);
    expect(doc.querySelectorAll('#official-warning-list > li').some((li) => li.getAttribute('data-issuer') === 'gov-uk-alerts')).toBe(true);
    expect(textOf(doc.querySelector('#official-warning-count'))).toMatch(/nothing published by us\.$/);

    const draft = amber.querySelector('a[href^="/staff/alerts/new?"]')!.getAttribute('href')!;
    const form = await readHtml(await site.editor.get(draft));
    expect(form.querySelector('input[name=headline]')!.getAttribute('value')).toBe('Amber warning for snow, Yorkshire & Humber');
    expect(form.querySelector('textarea[name=body]')!.textContent).toContain('Source: Met Office, https://www.metoffice.gov.uk/');
  });

  it('keeps the national issuers out of the councils filter', async () => {
    const doc = await readHtml(await site.editor.get('/staff/coverage'));
    const councils = doc.querySelectorAll('#council option').map(textOf);
    expect(councils).toHaveLength(8); // "All councils" and the seven
    expect(councils).not.toContain('Met Office');
  });

  it('puts the count of gaps and the urgent ones on editors’ dashboards, not reporters’', async () => {
    const doc = await readHtml(await site.editor.get('/staff'));
    expect(textOf(doc.querySelector('#coverage-gaps'))).toBe('Gaps in our coverage');
    expect(textOf(doc.querySelector('#gap-count'))).toMatch(/^\d+ items from neighbouring councils we have not covered in the last 24 hours\.$/);
    expect(doc.querySelector('#gap-count a')!.getAttribute('href')).toBe('/staff/coverage#gaps');
    const urgent = textOf(doc.querySelector('#urgent-gaps'));
    expect(urgent).toMatch(/\d+ are about urgent services \(Schools, Roads and gritting\):/);
    expect(urgent).toContain(`${A62} (Oldham Council)`);
    expect(urgent).not.toContain('Libraries closing at 3pm');
    expect(doc.querySelector(`#urgent-gaps a[href="/staff/coverage/items/${await itemId(site, A62)}"]`)).not.toBeNull();
    expect(textOf(doc.querySelector('#official-warning-gaps'))).toMatch(/^\d+ official warnings? \(Met Office or emergency alerts\) with nothing published by us\.$/);
    expect(doc.querySelector('#official-warning-gaps a')!.getAttribute('href')).toBe('/staff/coverage#official-warnings');
    const reporter = await readHtml(await site.reporter.get('/staff'));
    expect(reporter.querySelector('#coverage-gaps')).toBeNull();
  });

  it('shows Coverage in editors’ navigation, and Neighbours only in administrators’', async () => {
    const nav = async (who: SignedIn) => (await readHtml(await who.get('/staff'))).querySelectorAll('nav[aria-label=Staff] a').map(textOf);
    expect(await nav(site.editor)).toContain('Coverage');
    expect(await nav(site.editor)).not.toContain('Neighbours');
    expect(await nav(site.admin)).toEqual(expect.arrayContaining(['Coverage', 'Neighbours']));
    expect(await nav(site.reporter)).not.toContain('Coverage');
  });
});

describe('covering an official warning', () => {
  let site: Site;
  beforeAll(async () => {
    site = await startCoverageSite();
  });
  afterAll(async () => site?.stop());

  it('covers the amber snow warning with the alert an editor drafts from it', async () => {
    const amberOf = (doc: HTMLElement) => doc.querySelectorAll('#official-warning-list > li').find((li) => textOf(li).includes('Amber warning for snow'))!;
    const link = amberOf(await readHtml(await site.editor.get('/staff/coverage'))).querySelector('a[href^="/staff/alerts/new?"]')!.getAttribute('href')!;
    const published = await publishThroughPreview(site.editor, link, browserFields(await readHtml(await site.editor.get(link))));
    expect(published.status).toBe(303);
    const alertId = /^\/staff\/alerts\?published=(\d+)$/.exec(published.headers.get('location') ?? '')?.[1];
    const amber = amberOf(await readHtml(await site.editor.get('/staff/coverage')));
    expect(amber.getAttribute('data-covered')).toBe('yes');
    expect(textOf(amber.querySelector('p'))).toMatch(/issued \d\d:\d\d(?: yesterday)? — covered by our alert ‘Amber warning for snow, Yorkshire & Humber’$/);
    expect(amber.querySelector(`a[href="/alerts/${alertId}"]`)).not.toBeNull();
    expect(amber.querySelector('a[href^="/staff/alerts/new?"]')).toBeNull();
  });
});

describe('closing a gap', () => {
  let site: Site;
  beforeAll(async () => {
    site = await startCoverageSite();
  });
  afterAll(async () => site?.stop());

  it('covers the item an editor drafts an alert from, and only that one: the rest of the service stays gaps', async () => {
    expect(gapTitles(await readHtml(await site.editor.get('/staff/coverage')))).toContain('All schools in Rochdale closed today');

    // As a browser would: open the form from the item's link, send what it shows.
    const before = await readHtml(await site.editor.get('/staff/coverage?council=rochdale&service=schools'));
    const item = before.querySelectorAll('#item-list > li').find((li) => textOf(li.querySelector('h3')) === 'All schools in Rochdale closed today')!;
    const link = item.querySelector('a[href^="/staff/alerts/new"]')!.getAttribute('href')!;
    const fields = browserFields(await readHtml(await site.editor.get(link)));
    expect(fields.services).toEqual(['schools']);
    const published = await publishThroughPreview(site.editor, link, fields);
    expect(published.status).toBe(303);
    const alertId = /^\/staff\/alerts\?published=(\d+)$/.exec(published.headers.get('location') ?? '')?.[1];
    expect(alertId).toBeDefined();

    const doc = await readHtml(await site.editor.get('/staff/coverage'));
    expect(gapTitles(doc)).not.toContain('All schools in Rochdale closed today');
    expect(gapTitles(doc)).toContain(VOUCHERS);
    expect(gapServices(doc)).toContain('schools');
    expect(textOf(doc.querySelector('#coverage-matrix tr[data-service=schools] td[data-column=us]'))).toMatch(/^1 item from Kirklees Council about Schools/);
    expect(textOf(doc.querySelector('#coverage-matrix tr[data-service=schools] td[data-column=rochdale]'))).toContain('2 not covered');
    const covered = doc.querySelectorAll('#item-list > li').find((li) => textOf(li.querySelector('h3')) === 'All schools in Rochdale closed today')!;
    expect(covered.getAttribute('data-state')).toBe('covered');
    expect(textOf(covered.querySelector('[data-coverage-state]'))).toMatch(/^Covered by our alert All schools in Rochdale closed today \(the same words: /);
    expect(covered.querySelector('[data-coverage-state] a')!.getAttribute('href')).toBe(`/alerts/${alertId}`);
  });

  it('marks our road closed from Oldham’s closure of it, and the closure is covered', async () => {
    const gaps = await readHtml(await site.editor.get('/staff/coverage'));
    const gap = gaps.querySelectorAll('#gap-list > li').find((li) => textOf(li.querySelector('h3')).endsWith(A62))!;
    const mark = gap.querySelectorAll('a').find((a) => textOf(a).startsWith('Mark a place'))!;
    // Our A62 place is three days old here, so the item's page offers the choice, the A62 places first.
    expect(mark.getAttribute('href')).toBe(`/staff/coverage/items/${await itemId(site, A62)}#mark-place`);
    const page = await readHtml(await site.editor.get(mark.getAttribute('href')!.replace(/#.*/, '')));
    const choices = page.querySelectorAll('#place option').map(textOf);
    expect(choices.slice(0, 2)).toEqual(['A62 Manchester Road, Huddersfield to Marsden', 'A62 Leeds Road, Huddersfield to Cooper Bridge']);
    const placeId = page.querySelector('#place option[selected]')!.getAttribute('value')!;

    const chosen = await site.editor.get(`/staff/coverage/items/${await itemId(site, A62)}?place=${placeId}`);
    expect(chosen.status).toBe(303);
    const edit = new URL(chosen.headers.get('location')!, site.server.url);
    expect(edit.pathname).toBe(`/staff/places/${placeId}`);
    expect(edit.searchParams.get('status')).toBe('closed');
    expect(edit.searchParams.get('note')).toContain('Source: Oldham Council, https://www.oldham.gov.uk/alerts/a62-standedge');

    // The place's form opens filled in; publishing it as a browser would covers the closure.
    const form = await readHtml(await site.editor.get(`${edit.pathname}${edit.search}`));
    expect(form.querySelector('input[name=status][value=closed]')!.hasAttribute('checked')).toBe(true);
    expect(textOf(form.querySelector('#note'))).toContain('Source: Oldham Council');
    expect(form.querySelector('#summary')!.getAttribute('value')).toBe(`From Oldham Council: ${A62}`);
    const published = await site.editor.post(`/staff/places/${placeId}`, browserFields(form));
    expect(published.status).toBe(303);

    const after = await readHtml(await site.editor.get('/staff/coverage'));
    expect(gapTitles(after)).not.toContain(A62);
    const covered = after.querySelectorAll('#item-list > li').find((li) => textOf(li.querySelector('h3')) === A62)!;
    expect(textOf(covered.querySelector('[data-coverage-state]'))).toMatch(/^Covered by our place A62 Manchester Road, Huddersfield to Marsden \(same road \(A62\)/);
    expect(covered.querySelector('[data-coverage-state] a')!.getAttribute('href')).toBe('/services/roads-and-gritting/a62-manchester-road-huddersfield-to-marsden');
  });
});

describe('the coverage screen on the demo this morning', () => {
  let site: Site;
  beforeAll(async () => {
    // Our own updates are this morning's, as on a fresh demo.
    site = await startCoverageSite(0);
  });
  afterAll(async () => site?.stop());

  it('still lists the A62 closure and the meal vouchers as gaps, and marks what we covered with links to ours', async () => {
    const doc = await readHtml(await site.editor.get('/staff/coverage'));
    expect(gapTitles(doc)).toEqual(expect.arrayContaining([A62, VOUCHERS]));
    expect(gapTitles(doc)).toHaveLength(12);
    const a62 = doc.querySelectorAll('#gap-list > li').find((li) => textOf(li.querySelector('h3')).endsWith(A62))!;
    expect(textOf(a62.querySelector('[data-conflict]'))).toBe('Our A62 Manchester Road, Huddersfield to Marsden says Disrupted; they say Closed.');
    // Our place on that road is known, so "Mark a place" opens its form directly.
    const mark = a62.querySelectorAll('a').find((a) => textOf(a).startsWith('Mark a place'))!;
    expect(mark.getAttribute('href')).toMatch(/^\/staff\/places\/\d+\?status=closed&note=/);

    const items = doc.querySelectorAll('#item-list > li');
    expect(items.filter((li) => li.getAttribute('data-state') === 'covered')).toHaveLength(14);
    const bins = items.find((li) => textOf(li.querySelector('h3')) === 'Bin collections suspended today')!;
    expect(textOf(bins.querySelector('[data-coverage-state]'))).toMatch(/^Covered by our alert Bin collections: some rounds suspended today \(the same words: “bin”, “collections”, “suspended”\)$/);
    expect(bins.querySelector('[data-coverage-state] a')!.getAttribute('href')).toMatch(/^\/alerts\/\d+$/);
    // At 6 and 72 hours too, the gaps are there: one old schools notice hides nothing.
    for (const hours of [6, 72]) expect(gapTitles(await readHtml(await site.editor.get(`/staff/coverage?hours=${hours}`)))).toEqual(expect.arrayContaining([A62, VOUCHERS]));
  });

  it('explains an item on its own page', async () => {
    const page = await readHtml(await site.editor.get(`/staff/coverage/items/${await itemId(site, VOUCHERS)}`));
    expect(textOf(page.querySelector('h1'))).toBe(VOUCHERS);
    expect(textOf(page.querySelector('#item-state'))).toBe('Not covered Urgent');
    expect(textOf(page.querySelector('#explanation'))).toMatch(/^Nothing we published about this service from a day before it until now says the same\. The closest was our .+ \(the same words: .+, \d+% of their headline; 60% is needed\)\.$/);
    expect((await site.editor.get('/staff/coverage/items/999999')).status).toBe(404);
    expect((await site.editor.get('/staff/coverage/items/abc')).status).toBe(404);
  });

  it('dismisses an item with a reason: off the gaps, remembered with who and when, audited, and can be put back', async () => {
    const id = await itemId(site, 'Ripponden J&I School – closed');
    const dismissed = await site.editor.post(`/staff/coverage/items/${id}`, { action: 'dismiss', reason: 'Not about our area' });
    expect(dismissed.status).toBe(303);
    expect(dismissed.headers.get('location')).toBe(`/staff/coverage?done=dismissed&item=${id}#gaps`);
    const doc = await readHtml(await site.editor.get(dismissed.headers.get('location')!));
    expect(textOf(doc.querySelector('.govuk-notification-banner'))).toContain('Dismissed: Ripponden J&I School – closed (Calderdale Council)');
    expect(gapTitles(doc)).not.toContain('Ripponden J&I School – closed');
    const item = doc.querySelector(`#item-list > li[data-item-id="${id}"]`)!;
    expect(item.getAttribute('data-state')).toBe('dismissed');
    expect(textOf(item.querySelector('[data-coverage-state]'))).toMatch(/^Dismissed by editor \d+, \d{1,2}:\d\d[ap]m today: Not about our area$/);

    const [event] = await site.t.db.select().from(auditEvents).where(eq(auditEvents.action, 'neighbour-item-dismissed'));
    expect(event).toMatchObject({ accountId: site.editor.accountId, subject: 'Ripponden J&I School – closed (Calderdale Council)', detail: { itemId: id, reason: 'Not about our area', state: 'not_covered' } });

    const restored = await site.editor.post(`/staff/coverage/items/${id}`, { action: 'restore' });
    expect(restored.status).toBe(303);
    expect(gapTitles(await readHtml(await site.editor.get('/staff/coverage')))).toContain('Ripponden J&I School – closed');
    expect((await site.t.db.select().from(auditEvents).where(eq(auditEvents.action, 'neighbour-item-restored'))).map((e) => e.subject)).toEqual(['Ripponden J&I School – closed (Calderdale Council)']);
  });

  it('asks why, keeping what was chosen, and dismisses nothing without a reason', async () => {
    const id = await itemId(site, 'Heptonstall J, I & N School – closed');
    const none = await site.editor.post(`/staff/coverage/items/${id}`, { action: 'dismiss' });
    expect(none.status).toBe(400);
    const noneDoc = await readHtml(none);
    expect(textOf(noneDoc.querySelector('.govuk-error-summary'))).toContain('Select why this needs nothing from us');
    expect(noneDoc.querySelector('.govuk-error-summary a')!.getAttribute('href')).toBe('#reason');

    const blank = await site.editor.post(`/staff/coverage/items/${id}`, { action: 'dismiss', reason: 'other', otherReason: '  ' });
    expect(blank.status).toBe(400);
    const blankDoc = await readHtml(blank);
    expect(textOf(blankDoc.querySelector('.govuk-error-summary'))).toContain('Enter why this needs nothing from us');
    expect(blankDoc.querySelector('input[name=reason][value=other]')!.hasAttribute('checked')).toBe(true);

    const own = await site.editor.post(`/staff/coverage/items/${id}`, { action: 'dismiss', reason: 'other', otherReason: 'Calderdale school, we were told by phone' });
    expect(own.status).toBe(303);
    const page = await readHtml(await site.editor.get(`/staff/coverage/items/${id}`));
    expect(textOf(page.querySelector('#dismissal'))).toMatch(/: Calderdale school, we were told by phone$/);
    expect((await site.editor.post(`/staff/coverage/items/${id}`, { action: 'nonsense' })).status).toBe(400);
  });

  it('refuses reporters the item pages and changes nothing', async () => {
    const id = await itemId(site, 'Brighouse High School – opening at 10am');
    expect((await site.reporter.get(`/staff/coverage/items/${id}`)).status).toBe(403);
    expect((await site.reporter.post(`/staff/coverage/items/${id}`, { action: 'dismiss', reason: 'Not about our area' })).status).toBe(403);
    expect(gapTitles(await readHtml(await site.editor.get('/staff/coverage')))).toContain('Brighouse High School – opening at 10am');
  });
});

describe('the staff feed of urgent gaps', () => {
  let site: Site;
  beforeAll(async () => {
    site = await startCoverageSite(0);
  });
  afterAll(async () => site?.stop());

  const entryTitles = (xml: string) => [...xml.matchAll(/<entry>[\s\S]*?<title>([^<]*)<\/title>/g)].map((m) => m[1]!.replace(/&amp;/g, '&'));
  const addressOf = async (response: Response) => textOf((await readHtml(response)).querySelector('#feed-address'));

  it('lists the urgent services’ gaps for an editor signed in, and sends visitors to sign in', async () => {
    const response = await site.editor.get('/staff/coverage/gaps.atom');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('private, no-store');
    const xml = await response.text();
    const titles = entryTitles(xml);
    expect(titles).toEqual(expect.arrayContaining([`${A62} (Oldham Council)`, `${VOUCHERS} (Rochdale Council)`]));
    expect(titles.join('\n')).not.toContain('Libraries closing at 3pm'); // libraries are not urgent
    expect(xml).toContain(`${site.server.url}/staff/coverage/items/${await itemId(site, A62)}`);
    expect(xml).toContain('<title>Kirklees Council: urgent gaps in our coverage</title>');

    const visitor = await site.server.get('/staff/coverage/gaps.atom');
    expect(visitor.status).toBe(303);
    expect(visitor.headers.get('location')).toMatch(/^\/staff\/sign-in/);
    expect((await site.reporter.get('/staff/coverage/gaps.atom')).status).toBe(403);
  });

  it('gives an editor a private address a feed reader can use, shown once, audited, replaceable and revocable', async () => {
    expect(textOf((await readHtml(await site.editor.get('/staff/coverage/feed'))).querySelector('#address-state'))).toBe('You do not have a private address.');
    const made = await site.editor.post('/staff/coverage/feed', { action: 'make' });
    expect(made.status).toBe(200);
    const address = await addressOf(made);
    expect(address).toMatch(new RegExp(`^${site.server.url}/staff/coverage/gaps\\.atom\\?token=[A-Za-z0-9_-]{43}$`));
    const path = address.slice(site.server.url.length);

    // A feed reader: no cookie.
    const read = await site.server.get(path);
    expect(read.status).toBe(200);
    expect(entryTitles(await read.text())).toContain(`${A62} (Oldham Council)`);
    const page = await readHtml(await site.editor.get('/staff/coverage/feed'));
    expect(textOf(page.querySelector('#address-state'))).toMatch(/^You made your address \d{1,2}:\d\d[ap]m today\. A feed reader last used it \d{1,2}:\d\d[ap]m today\.$/);
    expect(page.querySelector('#feed-address')).toBeNull(); // the secret is never shown again

    const remade = await site.editor.post('/staff/coverage/feed', { action: 'make' });
    const newPath = (await addressOf(remade)).slice(site.server.url.length);
    const refused = await site.server.get(path);
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain('This feed address does not work any more');
    expect((await site.server.get(newPath)).status).toBe(200);

    const stopped = await site.editor.post('/staff/coverage/feed', { action: 'stop' });
    expect(stopped.status).toBe(303);
    expect((await site.server.get(newPath)).status).toBe(403);
    const audit = await site.t.db.select().from(auditEvents).where(eq(auditEvents.accountId, site.editor.accountId));
    expect(audit.map((e) => e.action).filter((a) => a.startsWith('staff-feed'))).toEqual(['staff-feed-address-created', 'staff-feed-address-created', 'staff-feed-address-revoked']);
  });

  it('stops an address working when its owner is no longer an editor, and refuses made-up ones', async () => {
    const editor = await signInAs(site.t, site.server, 'editor');
    const path = (await addressOf(await editor.post('/staff/coverage/feed', { action: 'make' }))).slice(site.server.url.length);
    expect((await site.server.get(path)).status).toBe(200);
    await site.t.db.update(accounts).set({ role: 'reporter' }).where(eq(accounts.id, editor.accountId));
    expect((await site.server.get(path)).status).toBe(403);
    expect((await site.server.get(`/staff/coverage/gaps.atom?token=${'a'.repeat(43)}`)).status).toBe(403);
    expect((await site.server.get('/staff/coverage/gaps.atom?token=short')).status).toBe(403);
    expect((await site.reporter.get('/staff/coverage/feed')).status).toBe(403);
  });
});

describe('services’ settings for neighbours', () => {
  let site: Site;
  beforeAll(async () => {
    site = await startCoverageSite(0);
  });
  afterAll(async () => site?.stop());

  it('lets an administrator choose the urgent services and the pages that show neighbours, audited', async () => {
    const doc = await readHtml(await site.admin.get('/staff/neighbours'));
    const ticked = (name: string) => doc.querySelectorAll(`input[name=${name}][checked]`).map((i) => i.getAttribute('value'));
    expect(ticked('urgent')).toEqual(['schools', 'roads-and-gritting']);
    expect(ticked('showNeighbours')).toEqual(['roads-and-gritting']);

    const saved = await site.admin.post('/staff/neighbours', { action: 'switches', urgent: ['schools', 'libraries'], showNeighbours: ['roads-and-gritting', 'schools'] });
    expect(saved.status).toBe(303);
    const after = await readHtml(await site.admin.get(saved.headers.get('location')!));
    expect(textOf(after.querySelector('.govuk-notification-banner'))).toContain('Services’ settings saved');
    const rows = await site.t.db.select({ slug: services.slug, urgent: services.coverageUrgent, show: services.showNeighbours }).from(services);
    expect(rows.filter((r) => r.urgent).map((r) => r.slug).sort()).toEqual(['libraries', 'schools']);
    expect(rows.filter((r) => r.show).map((r) => r.slug).sort()).toEqual(['roads-and-gritting', 'schools']);
    const [event] = await site.t.db.select().from(auditEvents).where(eq(auditEvents.action, 'coverage-settings-changed'));
    expect(event!.subject).toBe('Schools, Roads and gritting, Libraries');

    // Libraries' gaps are urgent now.
    expect(await (await site.editor.get('/staff/coverage/gaps.atom')).text()).toContain('Libraries closing at 3pm (Rochdale Council)');
    expect((await site.editor.post('/staff/neighbours', { action: 'switches', urgent: [] })).status).toBe(403);
  });
});

describe('what neighbouring councils are saying, on a service’s public page', () => {
  let site: Site;
  beforeAll(async () => {
    site = await startCoverageSite(0);
  });
  afterAll(async () => site?.stop());

  const section = (doc: HTMLElement) => doc.querySelectorAll('h2').find((h) => textOf(h) === 'What neighbouring councils are saying');

  it('lists the neighbours’ items about the service, marked as theirs, when switched on', async () => {
    // The demo shows it on roads and gritting.
    const doc = await readHtml(await site.server.get('/services/roads-and-gritting'));
    const heading = section(doc);
    expect(heading).toBeDefined();
    const box = heading!.parentNode!;
    expect(textOf(box)).toContain('It is their information, not ours');
    const first = box.querySelectorAll('li').find((li) => textOf(li).startsWith(A62))!;
    expect(textOf(first)).toMatch(new RegExp(`^${A62} \\(Oldham Council website\\) Oldham Council, \\d{1,2}:\\d\\d[ap]m (?:today|yesterday)$`));
    expect(first.querySelector('a')!.getAttribute('href')).toBe('https://www.oldham.gov.uk/alerts/a62-standedge');
    expect(first.querySelector('a')!.getAttribute('rel')).toBe('noopener noreferrer');
    // Never mixed into our statuses: the table of our routes is as it was.
    expect(doc.querySelectorAll('table.govuk-table tbody tr').map((r) => textOf(r.querySelector('th a')))).not.toContain(A62);
  });

  it('is not there when switched off', async () => {
    expect(section(await readHtml(await site.server.get('/services/schools')))).toBeUndefined();
    await site.admin.post('/staff/neighbours', { action: 'switches', urgent: ['schools'], showNeighbours: [] });
    // Public pages are cached; switching it off refreshes them within the cache's check interval.
    await expect.poll(async () => section(await readHtml(await site.server.get('/services/roads-and-gritting'))), { timeout: 5_000 }).toBeUndefined();
  });
});

describe('the neighbours screens', () => {
  let site: Site;
  let rochdaleId: number;
  beforeAll(async () => {
    site = await startCoverageSite();
    const [rochdale] = await site.t.db.select().from(neighbourCouncils).where(eq(neighbourCouncils.slug, 'rochdale'));
    rochdaleId = rochdale!.id;
  });
  afterAll(async () => site?.stop());

  it('lists every council with its feeds and how each is doing, in plain words', async () => {
    const response = await site.admin.get('/staff/neighbours');
    expect(response.status).toBe(200);
    const doc = await readHtml(response);
    // The national warning feeds are managed here like the councils' (the coverage screen lists them apart).
    expect(doc.querySelectorAll('section h2').map(textOf)).toEqual([
      'Calderdale Council', 'Leeds City Council', 'Wakefield Council', 'Bradford Council', 'Barnsley Council', 'Oldham Council', 'Rochdale Council',
      'Met Office', 'GOV.UK Emergency Alerts',
    ]);
    expect(doc.querySelectorAll('tr[data-feed-id]')).toHaveLength(11);
    const row = textOf(doc.querySelectorAll('tr[data-feed-id]')[0]);
    expect(row).toMatch(/Working Last read successfully \d{1,2}:\d\d[ap]m today/);
    expect(textOf(doc.querySelector('#polling-off'))).toContain('Automatic checks are turned off on this server');
  });

  it('shows what the reader remarked on a good read, without calling the feed broken', async () => {
    const [feed] = await site.t.db.select().from(neighbourSources).where(eq(neighbourSources.councilId, rochdaleId));
    await site.t.db.update(neighbourSources).set({ lastNote: 'the feed has 900 items; only the newest 500 were read' }).where(eq(neighbourSources.id, feed!.id));
    const doc = await readHtml(await site.admin.get('/staff/neighbours'));
    const row = textOf(doc.querySelector(`tr[data-feed-id="${feed!.id}"]`));
    expect(row).toContain('Read with a note: The feed has 900 items; only the newest 500 were read');
    expect(row).toMatch(/^.*Working Last read successfully/);
    expect(row).not.toContain('Not working');
    await site.t.db.update(neighbourSources).set({ lastNote: null }).where(eq(neighbourSources.id, feed!.id));
  });

  it('lets an administrator add a feed for a new council, check it, pause it and remove it', async () => {
    const url = `${site.server.url}/demo/neighbour-feeds/rochdale-school-closures.rss`;
    const added = await site.admin.post('/staff/neighbours', {
      action: 'add-feed', councilId: 'new', newCouncilName: 'Sheffield City Council', newCouncilWebsite: 'https://www.sheffield.gov.uk', title: 'School closures', url,
    });
    expect(added.status).toBe(303);
    const id = Number(/feed=(\d+)/.exec(added.headers.get('location') ?? '')?.[1]);
    const list = await readHtml(await site.admin.get(added.headers.get('location')!));
    expect(textOf(list.querySelector('.govuk-notification-banner'))).toContain('Feed added: School closures (Sheffield City Council)');
    expect(textOf(list.querySelector(`#feed-${id}`))).toContain('Not read yet');

    const checked = await site.admin.post(`/staff/neighbours/${id}`, { action: 'check', from: 'list' });
    expect(checked.status).toBe(303);
    const afterCheck = await readHtml(await site.admin.get(checked.headers.get('location')!));
    expect(textOf(afterCheck.querySelector('.govuk-notification-banner'))).toContain('Checked School closures (Sheffield City Council) 4 new items, 0 changed, 0 unchanged.');
    expect(textOf(afterCheck.querySelector(`#feed-${id}`))).toContain('Working');

    const paused = await site.admin.post(`/staff/neighbours/${id}`, { action: 'pause' });
    expect(paused.status).toBe(303);
    const feedPage = await readHtml(await site.admin.get(paused.headers.get('location')!));
    expect(textOf(feedPage.querySelector('.govuk-notification-banner'))).toContain('Feed paused: School closures (Sheffield City Council)');
    expect(textOf(feedPage.querySelector('#feed-state'))).toContain('Paused');
    expect(feedPage.querySelectorAll('main button').map(textOf)).toContain('Resume');

    // Removing asks first.
    const asked = await site.admin.post(`/staff/neighbours/${id}`, { action: 'remove' });
    expect(asked.status).toBe(303);
    expect(asked.headers.get('location')).toBe(`/staff/neighbours/${id}?confirm=remove`);
    const confirm = await readHtml(await site.admin.get(asked.headers.get('location')!));
    expect(textOf(confirm.querySelector('h1'))).toBe('Are you sure you want to remove “School closures”?');
    expect((await site.t.db.select().from(neighbourSources).where(eq(neighbourSources.id, id))).length).toBe(1);

    const removed = await site.admin.post(`/staff/neighbours/${id}`, { action: 'remove', confirm: 'yes' });
    expect(removed.status).toBe(303);
    expect(removed.headers.get('location')).toBe('/staff/neighbours?done=removed');
    expect(await site.t.db.select().from(neighbourSources).where(eq(neighbourSources.id, id))).toEqual([]);
    expect((await site.admin.get(`/staff/neighbours/${id}`)).status).toBe(404);

    const audit = await site.t.db.select().from(auditEvents).where(eq(auditEvents.subject, 'School closures (Sheffield City Council)')).orderBy(auditEvents.id);
    expect(audit.map((e) => e.action)).toEqual(['neighbour-source-added', 'neighbour-source-changed', 'neighbour-source-removed']);
  });

  it('shows why a feed could not be read after “Check now”', async () => {
    const added = await site.admin.post('/staff/neighbours', {
      action: 'add-feed', councilId: String(rochdaleId), title: 'Gone away', url: `${site.server.url}/demo/neighbour-feeds/nope.rss`,
    });
    const id = Number(/feed=(\d+)/.exec(added.headers.get('location') ?? '')?.[1]);
    const checked = await site.admin.post(`/staff/neighbours/${id}`, { action: 'check' });
    const page = await readHtml(await site.admin.get(checked.headers.get('location')!));
    const banner = textOf(page.querySelector('.govuk-notification-banner'));
    expect(banner).toContain('Could not read Gone away (Rochdale Council)');
    expect(banner).toMatch(/404/);
    expect(textOf(page.querySelector('#feed-state'))).toMatch(/Not working .*Last problem \d{1,2}:\d\d[ap]m today: .*404/);
  });

  it('changes a feed’s name, keeping what was typed when the address is wrong', async () => {
    const [feed] = await site.t.db.select().from(neighbourSources).where(and(eq(neighbourSources.councilId, rochdaleId), eq(neighbourSources.title, 'Service disruption')));
    const refused = await site.admin.post(`/staff/neighbours/${feed!.id}`, { action: 'change', councilId: String(rochdaleId), title: 'Disruption', url: 'ftp://example.org/x' });
    expect(refused.status).toBe(400);
    const doc = await readHtml(refused);
    expect(doc.querySelector('#title')!.getAttribute('value')).toBe('Disruption');
    expect(doc.querySelector('#url')!.getAttribute('value')).toBe('ftp://example.org/x');

    const saved = await site.admin.post(`/staff/neighbours/${feed!.id}`, { action: 'change', councilId: String(rochdaleId), title: 'Service disruption today', url: feed!.url });
    expect(saved.status).toBe(303);
    const page = await readHtml(await site.admin.get(saved.headers.get('location')!));
    expect(textOf(page.querySelector('.govuk-notification-banner'))).toContain('Changes to Service disruption today (Rochdale Council) saved');
  });

  it.each([
    ['an ftp address', 'ftp://example.org/feed.rss'],
    ['a javascript: address', 'javascript:alert(1)'],
    ['an address over 2,000 characters', `https://example.org/${'a'.repeat(2_000)}`],
  ])('refuses %s for a feed with a 400, keeping what was typed', async (_name, url) => {
    const before = await site.t.db.select().from(neighbourSources);
    const response = await site.admin.post('/staff/neighbours', { action: 'add-feed', councilId: String(rochdaleId), title: 'Bad feed', url });
    expect(response.status).toBe(400);
    const doc = await readHtml(response);
    expect(textOf(doc.querySelector('.govuk-error-summary'))).toMatch(/web address/i);
    expect(doc.querySelector('.govuk-error-summary a')!.getAttribute('href')).toBe('#url');
    expect(doc.querySelector('#url')!.getAttribute('value')).toBe(url);
    expect(doc.querySelector('#title')!.getAttribute('value')).toBe('Bad feed');
    expect(doc.querySelector(`#councilId option[value="${rochdaleId}"]`)!.hasAttribute('selected')).toBe(true);
    expect(await site.t.db.select().from(neighbourSources)).toHaveLength(before.length);
  });

  it('asks for the new council’s name and adds nothing when it is missing', async () => {
    const councils = await site.t.db.select().from(neighbourCouncils);
    const response = await site.admin.post('/staff/neighbours', { action: 'add-feed', councilId: 'new', newCouncilName: '', title: 'News', url: 'https://example.org/news.rss' });
    expect(response.status).toBe(400);
    const doc = await readHtml(response);
    expect(doc.querySelector('.govuk-error-summary a')!.getAttribute('href')).toBe('#newCouncilName');
    expect(doc.querySelector('#url')!.getAttribute('value')).toBe('https://example.org/news.rss');
    expect(await site.t.db.select().from(neighbourCouncils)).toHaveLength(councils.length);
  });

  it('saves a service’s keywords, and refuses more than 50 phrases keeping what was typed', async () => {
    const doc = await readHtml(await site.admin.get('/staff/neighbours'));
    const current = doc.querySelector('#keywords-libraries')!.textContent.trim();
    expect(current.split('\n')).toContain('mobile library');

    const saved = await site.admin.post('/staff/neighbours', { action: 'keywords', service: 'libraries', keywords: `${current}\nbook returns box` });
    expect(saved.status).toBe(303);
    const after = await readHtml(await site.admin.get(saved.headers.get('location')!));
    expect(textOf(after.querySelector('.govuk-notification-banner'))).toContain('Keywords for Libraries saved');
    expect(after.querySelector('#keywords-libraries')!.textContent).toContain('book returns box');

    const tooMany = Array.from({ length: 51 }, (_, i) => `phrase ${i}`).join('\n');
    const refused = await site.admin.post('/staff/neighbours', { action: 'keywords', service: 'libraries', keywords: tooMany });
    expect(refused.status).toBe(400);
    const page = await readHtml(refused);
    expect(textOf(page.querySelector('.govuk-error-summary'))).toContain('Enter 50 words or phrases or fewer');
    expect(page.querySelector('.govuk-error-summary a')!.getAttribute('href')).toBe('#keywords-libraries');
    expect(page.querySelector('#keywords-libraries')!.textContent.trim()).toBe(tooMany);
  });
});

describe('who may see the screens', () => {
  let site: Site;
  beforeAll(async () => {
    site = await startCoverageSite();
  });
  afterAll(async () => site?.stop());

  it('refuses editors the neighbours screens (403) and changes nothing', async () => {
    const [feed] = await site.t.db.select().from(neighbourSources).limit(1);
    expect((await site.editor.get('/staff/neighbours')).status).toBe(403);
    expect((await site.editor.get(`/staff/neighbours/${feed!.id}`)).status).toBe(403);
    const before = await site.t.db.select().from(neighbourSources);
    expect((await site.editor.post('/staff/neighbours', { action: 'add-feed', councilId: String(feed!.councilId), title: 'x', url: 'https://example.org/x.rss' })).status).toBe(403);
    expect((await site.editor.post(`/staff/neighbours/${feed!.id}`, { action: 'pause' })).status).toBe(403);
    expect((await site.editor.post(`/staff/neighbours/${feed!.id}`, { action: 'remove', confirm: 'yes' })).status).toBe(403);
    expect(await site.t.db.select().from(neighbourSources)).toEqual(before);
  });

  it('refuses reporters both screens (403)', async () => {
    expect((await site.reporter.get('/staff/coverage')).status).toBe(403);
    expect((await site.reporter.get('/staff/coverage/feed')).status).toBe(403);
    expect((await site.reporter.post('/staff/coverage/feed', { action: 'make' })).status).toBe(403);
    expect((await site.reporter.get('/staff/neighbours')).status).toBe(403);
  });

  it('lets editors and administrators see coverage', async () => {
    expect((await site.editor.get('/staff/coverage')).status).toBe(200);
    expect((await site.admin.get('/staff/coverage')).status).toBe(200);
  });

  it('sends visitors who are not signed in to sign in', async () => {
    for (const path of ['/staff/coverage', '/staff/coverage/items/1', '/staff/coverage/feed', '/staff/coverage/gaps.atom', '/staff/neighbours', '/staff/neighbours/1']) {
      const response = await site.server.get(path);
      expect(response.status, path).toBe(303);
      expect(response.headers.get('location'), path).toBe(`/staff/sign-in?next=${encodeURIComponent(path)}`);
    }
    const before = await site.t.db.select().from(neighbourSources);
    const post = await site.server.get('/staff/neighbours', {
      method: 'POST',
      headers: { Origin: site.server.url, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ action: 'add-feed', councilId: '1', title: 'x', url: 'https://example.org/x.rss' }),
    });
    expect(post.status).toBe(303);
    expect(post.headers.get('location')).toMatch(/^\/staff\/sign-in/);
    expect(await site.t.db.select().from(neighbourSources)).toEqual(before);
  });

  it('answers 404 for a feed that does not exist', async () => {
    expect((await site.admin.get('/staff/neighbours/999999')).status).toBe(404);
    expect((await site.admin.get('/staff/neighbours/abc')).status).toBe(404);
    expect((await site.admin.post('/staff/neighbours/999999', { action: 'check' })).status).toBe(404);
  });
});
