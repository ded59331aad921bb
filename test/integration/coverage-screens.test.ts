// The staff screens about neighbours, over HTTP against the built server: the coverage screen
// (us first, the gaps, the items and "draft an alert from this"), the admin screens for feeds
// (add, check now, pause, remove, keywords), the dashboard's gaps, and who may see what.
import { and, eq, sql } from 'drizzle-orm';
import type { HTMLElement } from 'node-html-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, neighbourCouncils, neighbourSources } from '../../db/schema/index.ts';
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
 * A server whose demo council's own updates are three days old (so we have said nothing today)
 * and whose demo neighbours' feeds — served by the site itself, with today's times — have all
 * been read once: Rochdale and Calderdale are talking about school closures.
 */
async function startCoverageSite(): Promise<Site> {
  const t = await createTestDb();
  // Loaded before the server starts (no other process writing meanwhile), then the demo feeds
  // are pointed at this server, which serves them.
  await seedDemoCouncil(t.db, { siteUrl: PLACEHOLDER_ORIGIN, now: new Date(Date.now() - 3 * 86_400_000) });
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

const gapServices = (doc: HTMLElement) => doc.querySelectorAll('#gap-list li').map((li) => li.getAttribute('data-service'));

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

describe('the coverage screen', () => {
  let site: Site;
  beforeAll(async () => {
    site = await startCoverageSite();
  });
  afterAll(async () => site?.stop());

  it('lists us first, then each neighbouring council', async () => {
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
    expect(textOf(schools.querySelector('td[data-column=rochdale]'))).toMatch(/^3 items from Rochdale Council about Schools \d+ (minutes|hours?) ago$/);
  });

  it('shows schools as a gap when Rochdale and Calderdale posted about school closures and we did not', async () => {
    const doc = await readHtml(await site.editor.get('/staff/coverage'));
    expect(gapServices(doc)).toContain('schools');
    const gap = textOf(doc.querySelector('#gap-list li[data-service=schools]'));
    expect(gap).toContain('Calderdale Council');
    expect(gap).toContain('Rochdale Council');
    expect(gap).toMatch(/^Schools: Calderdale Council \(4 items, newest \d+ (minutes?|hours?) ago\), /);
    expect(gap).not.toContain(' ,');
    expect(textOf(doc.querySelector('#coverage-matrix tr[data-service=schools] th'))).toContain('Gap');
  });

  it('lists the items newest first, each linking to its source and to a draft alert filled in from it', async () => {
    const doc = await readHtml(await site.editor.get('/staff/coverage?council=rochdale&service=schools'));
    expect(textOf(doc.querySelector('#items'))).toBe('What Rochdale Council published about schools in the last 24 hours');
    const items = doc.querySelectorAll('#item-list > li');
    expect(items.length).toBeGreaterThan(0);
    for (const item of items) expect(textOf(item)).toContain('Rochdale Council');
    const times = items.map((item) => Date.parse(item.querySelector('time')!.getAttribute('datetime')!));
    expect([...times].sort((a, b) => b - a)).toEqual(times);

    const closure = items.find((item) => textOf(item.querySelector('h3')) === 'All schools in Rochdale closed today')!;
    const source = closure.querySelector('h3 a')!;
    expect(source.getAttribute('rel')).toBe('noopener noreferrer');
    expect(source.getAttribute('target')).toBeUndefined();
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

  it('puts the gaps on editors’ dashboards, not reporters’', async () => {
    const doc = await readHtml(await site.editor.get('/staff'));
    expect(textOf(doc.querySelector('#coverage-gaps'))).toBe('Gaps in our coverage');
    expect(doc.querySelector('a[href="/staff/coverage?hours=24&service=schools#items"]')).not.toBeNull();
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

describe('closing a gap', () => {
  let site: Site;
  beforeAll(async () => {
    site = await startCoverageSite();
  });
  afterAll(async () => site?.stop());

  it('takes schools off the gaps once an editor publishes a schools alert', async () => {
    expect(gapServices(await readHtml(await site.editor.get('/staff/coverage')))).toContain('schools');

    // As a browser would: open the form from the link, send what it shows.
    const link = '/staff/alerts/new?headline=Schools%20closed%20in%20Holmfirth&severity=warning&services=schools&body=Because%20of%20snow.';
    const fields = browserFields(await readHtml(await site.editor.get(link)));
    expect(fields.services).toEqual(['schools']);
    const published = await site.editor.post(link, fields);
    expect(published.status).toBe(303);
    expect(published.headers.get('location')).toMatch(/^\/staff\/alerts\?published=\d+$/);

    const doc = await readHtml(await site.editor.get('/staff/coverage'));
    expect(gapServices(doc)).not.toContain('schools');
    expect(textOf(doc.querySelector('#coverage-matrix tr[data-service=schools] td[data-column=us]'))).toMatch(/^1 item from Kirklees Council about Schools/);
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
    expect(doc.querySelectorAll('section h2').map(textOf)).toEqual([
      'Calderdale Council', 'Leeds City Council', 'Wakefield Council', 'Bradford Council', 'Barnsley Council', 'Oldham Council', 'Rochdale Council',
    ]);
    expect(doc.querySelectorAll('tr[data-feed-id]')).toHaveLength(9);
    const row = textOf(doc.querySelectorAll('tr[data-feed-id]')[0]);
    expect(row).toMatch(/Working Last read successfully \d{1,2}:\d\d[ap]m today/);
    expect(textOf(doc.querySelector('#polling-off'))).toContain('Automatic checks are turned off on this server');
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
    expect((await site.reporter.get('/staff/neighbours')).status).toBe(403);
  });

  it('lets editors and administrators see coverage', async () => {
    expect((await site.editor.get('/staff/coverage')).status).toBe(200);
    expect((await site.admin.get('/staff/coverage')).status).toBe(200);
  });

  it('sends visitors who are not signed in to sign in', async () => {
    for (const path of ['/staff/coverage', '/staff/neighbours', '/staff/neighbours/1']) {
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
