// Snow-day mode over HTTP: one admin switch, with a confirmation, that publishes the prepared
// alert from its template page and puts school closures first on the home page, and switches
// both off again — every step kept in the alert's history and in Recent changes.
import { and, desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alerts, changeSets, revisions, settings } from '../../db/schema/index.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { readHtml, textOf } from '../helpers/html.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { signInAs, type SignedIn } from '../helpers/staff.ts';

let t: TestDb;
let server: TestServer;
let admin: SignedIn;
let editor: SignedIn;
let reporter: SignedIn;

const TEMPLATE_HEADLINE = 'Snow is closing schools and disrupting services today';

beforeAll(async () => {
  t = await createTestDb({ seed: true });
  server = await startServer(t.url);
  admin = await signInAs(t, server, 'admin', 'Ada Admin');
  editor = await signInAs(t, server, 'editor');
  reporter = await signInAs(t, server, 'reporter');
});
afterAll(async () => {
  await server?.stop();
  t?.cleanup();
});

async function snapshot() {
  const [alertRows, setRows, settingRows, revisionRows] = await Promise.all([
    t.db.select({ id: alerts.id, retired: alerts.retired }).from(alerts),
    t.db.select({ id: changeSets.id }).from(changeSets),
    t.db.select().from(settings).where(eq(settings.key, 'snow_day')),
    t.db.select({ id: revisions.id }).from(revisions),
  ]);
  return { alertRows, setRows, settingRows, revisions: revisionRows.length };
}

async function homeServiceHeadings(): Promise<string[]> {
  const doc = await readHtml(await server.get('/'));
  return doc.querySelectorAll('main h2 a').map((a) => textOf(a));
}

async function bannerText(path: string): Promise<string> {
  const response = await server.get(path);
  expect(response.status, path).toBe(200);
  return textOf(await readHtml(response));
}

describe('snow-day mode', () => {
  it('is refused to editors and reporters, and nothing changes', async () => {
    const before = await snapshot();
    for (const who of [editor, reporter]) {
      expect((await who.get('/staff/snow-day')).status).toBe(403);
      const response = await who.post('/staff/snow-day', { action: 'on', confirm: 'yes' });
      expect(response.status).toBe(403);
    }
    expect(await snapshot()).toEqual(before);
  });

  it('needs the confirmation tick: a switch without it changes nothing', async () => {
    const before = await snapshot();
    const response = await admin.post('/staff/snow-day', { action: 'on' });
    expect(response.status).toBe(400);
    const doc = await readHtml(response);
    expect(textOf(doc.querySelector('.govuk-error-summary'))).toContain('Tick the box to confirm');
    expect(await snapshot()).toEqual(before);
  });

  it('keeps the alert templates out of the footer and off the public site', async () => {
    const doc = await readHtml(await server.get('/'));
    expect(doc.querySelectorAll('footer a').map((a) => a.getAttribute('href'))).not.toContain('/pages/template-snow-day');
    expect((await server.get('/pages/template-snow-day')).status).toBe(404);
    const page = await readHtml(await admin.get('/staff/snow-day'));
    expect(textOf(page.querySelector('#snow-day-template'))).toContain(TEMPLATE_HEADLINE);
  });

  it('keeps the alert templates out of the open data', async () => {
    expect((await server.get('/api/v1/pages/template-snow-day')).status).toBe(404);
    expect((await server.get('/api/v1/pages/bad-weather-advice')).status).toBe(200);
    const changes = (await (await server.get('/api/v1/changes?since=0&limit=500')).json()) as { changes: { kind: string; page?: { slug: string } }[] };
    const pageSlugs = changes.changes.filter((c) => c.kind === 'page').map((c) => JSON.stringify(c));
    expect(pageSlugs.length).toBeGreaterThan(0);
    expect(pageSlugs.filter((c) => c.includes('template-snow-day'))).toEqual([]);
    expect(await (await server.get('/feeds/changes.atom')).text()).not.toContain('template-snow-day');
  });

  it('on and off leaves a complete history', async () => {
    const normalOrder = await homeServiceHeadings();
    expect(normalOrder.join('|')).not.toContain('See all school closures');

    // Switch on.
    const on = await admin.post('/staff/snow-day', { action: 'on', confirm: 'yes' });
    expect(on.status).toBe(303);
    expect(on.headers.get('location')).toBe('/staff/snow-day?done=on');
    const [alert] = await t.db.select().from(alerts).orderBy(desc(alerts.id)).limit(1);
    expect(alert).toMatchObject({ headline: TEMPLATE_HEADLINE, retired: false, severity: 'warning' });
    expect(alert!.bodyHtml).toContain('href="/services/schools"');
    const [setting] = await t.db.select().from(settings).where(eq(settings.key, 'snow_day'));
    expect(setting?.value).toMatchObject({ on: true, alertId: alert!.id });

    // The alert is on every public page's banner.
    for (const path of ['/', '/services/schools', '/pages/bad-weather-advice', '/find']) {
      expect(await bannerText(path), path).toContain(TEMPLATE_HEADLINE);
    }
    // School closures first on the home page, with a direct link.
    const home = await readHtml(await server.get('/'));
    const first = home.querySelector('#closures-first');
    expect(textOf(first?.querySelector('h2'))).toBe('Schools');
    expect(first?.querySelectorAll('a').map((a) => textOf(a))).toContain('See all school closures');
    const mainText = textOf(home.querySelector('main'));
    expect(mainText.indexOf('See all school closures')).toBeLessThan(mainText.indexOf('Roads and gritting'));

    // The change set is in Recent changes, and the alert's history has the revision by the admin.
    const [onSet] = await t.db.select().from(changeSets).orderBy(desc(changeSets.id)).limit(1);
    expect(onSet).toMatchObject({ kind: 'snow_day', authorAccountId: admin.accountId });
    const changes = textOf(await readHtml(await admin.get('/staff/changes')));
    expect(changes).toContain(onSet!.summary);
    const firstRevisions = await t.db.select().from(revisions).where(and(eq(revisions.targetKind, 'alert'), eq(revisions.targetId, alert!.id)));
    expect(firstRevisions).toHaveLength(1);
    expect(firstRevisions[0]).toMatchObject({ changeSetId: onSet!.id, authorAccountId: admin.accountId, state: 'approved' });

    // Switching on again changes nothing.
    const before = await snapshot();
    expect((await admin.post('/staff/snow-day', { action: 'on', confirm: 'yes' })).headers.get('location')).toBe('/staff/snow-day?done=already-on');
    expect(await snapshot()).toEqual(before);

    // Switching off needs the tick too.
    expect((await admin.post('/staff/snow-day', { action: 'off' })).status).toBe(400);
    expect(await snapshot()).toEqual(before);

    // Switch off.
    const off = await admin.post('/staff/snow-day', { action: 'off', confirm: 'yes' });
    expect(off.status).toBe(303);
    expect(off.headers.get('location')).toBe('/staff/snow-day?done=off');
    const [withdrawn] = await t.db.select().from(alerts).where(eq(alerts.id, alert!.id));
    expect(withdrawn?.retired).toBe(true);
    expect(await t.db.select().from(settings).where(eq(settings.key, 'snow_day'))).toHaveLength(0);
    expect(await bannerText('/')).not.toContain(TEMPLATE_HEADLINE);
    const after = await readHtml(await server.get('/'));
    expect(after.querySelector('#closures-first')).toBeNull();
    expect(await homeServiceHeadings()).toEqual(normalOrder);

    // The history has both: the alert's two revisions, each in its own snow-day change set.
    const history = await t.db.select().from(revisions).where(and(eq(revisions.targetKind, 'alert'), eq(revisions.targetId, alert!.id))).orderBy(revisions.id);
    expect(history).toHaveLength(2);
    const [offSet] = await t.db.select().from(changeSets).orderBy(desc(changeSets.id)).limit(1);
    expect(offSet).toMatchObject({ kind: 'snow_day', authorAccountId: admin.accountId });
    expect(history[1]).toMatchObject({ parentId: history[0]!.id, changeSetId: offSet!.id, authorAccountId: admin.accountId });
    const historyPage = textOf(await readHtml(await admin.get(`/staff/history/alert/${alert!.id}`)));
    expect(historyPage).toContain('Snow-day mode switched on');
    expect(historyPage).toContain('Snow-day mode switched off');
    const changesAfter = textOf(await readHtml(await admin.get('/staff/changes')));
    expect(changesAfter).toContain(onSet!.summary);
    expect(changesAfter).toContain(offSet!.summary);
    const audit = textOf((await readHtml(await admin.get('/staff/audit'))).querySelector('main'));
    expect(audit).toContain('Snow-day mode switched on');
    expect(audit).toContain('Snow-day mode switched off');
  });

  it('switches on once when two admins confirm at the same moment', async () => {
    const other = await signInAs(t, server, 'admin', 'Another Admin');
    const before = await t.db.select({ id: alerts.id }).from(alerts);
    const answers = await Promise.all([admin, other].map((who) => who.post('/staff/snow-day', { action: 'on', confirm: 'yes' })));
    expect(answers.map((r) => r.status)).toEqual([303, 303]);
    expect(answers.map((r) => r.headers.get('location')).sort()).toEqual(['/staff/snow-day?done=already-on', '/staff/snow-day?done=on']);
    const after = await t.db.select({ id: alerts.id }).from(alerts);
    expect(after).toHaveLength(before.length + 1);
    expect((await admin.post('/staff/snow-day', { action: 'off', confirm: 'yes' })).status).toBe(303);
  });

  it('reads as off once its alert is withdrawn by hand, and can be switched on again', async () => {
    expect((await admin.post('/staff/snow-day', { action: 'on', confirm: 'yes' })).status).toBe(303);
    const [setting] = await t.db.select().from(settings).where(eq(settings.key, 'snow_day'));
    const alertId = (setting!.value as { alertId: number }).alertId;
    const [row] = await t.db.select({ base: alerts.currentRevisionId }).from(alerts).where(eq(alerts.id, alertId));
    expect((await editor.post(`/staff/alerts/${alertId}`, { action: 'retire', base: String(row!.base) })).status).toBe(303);
    expect((await readHtml(await server.get('/'))).querySelector('#closures-first')).toBeNull();
    expect(textOf((await readHtml(await admin.get('/staff/snow-day'))).querySelector('#snow-day-state'))).toMatch(/^Snow-day mode is off/);

    expect((await admin.post('/staff/snow-day', { action: 'on', confirm: 'yes' })).headers.get('location')).toBe('/staff/snow-day?done=on');
    const [again] = await t.db.select().from(settings).where(eq(settings.key, 'snow_day'));
    expect((again!.value as { alertId: number }).alertId).not.toBe(alertId);
    expect((await readHtml(await server.get('/'))).querySelector('#closures-first')).not.toBeNull();
    expect((await admin.post('/staff/snow-day', { action: 'off', confirm: 'yes' })).status).toBe(303);
  });
});
