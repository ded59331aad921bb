// Services for administrators against the real built server: add a service, rename it (its
// address stays), reorder the public navigation, choose the statuses a service's places can have
// (the staff form offers only those and refuses others), retire a service with its places and
// bring it back; every change is in the service's history.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { places, services } from '../../db/schema/index.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { readHtml, textOf } from '../helpers/html.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { signInAs, type SignedIn } from '../helpers/staff.ts';

let t: TestDb;
let server: TestServer;
let admin: SignedIn;
let editor: SignedIn;

beforeAll(async () => {
  t = await createTestDb({ seed: true });
  server = await startServer(t.url);
  admin = await signInAs(t, server, 'admin', 'Ada Admin');
  editor = await signInAs(t, server, 'editor', 'Ed Editor');
});
afterAll(async () => {
  await server?.stop();
  t?.cleanup();
});

/** The services the home page lists, in its order. */
async function publicNav(): Promise<string[]> {
  return (await readHtml(await server.get('/'))).querySelectorAll('.csa-service-list h2 a').map((a) => textOf(a));
}

async function firstPlaceOf(slug: string) {
  const [service] = await t.db.select().from(services).where(eq(services.slug, slug));
  const [place] = await t.db.select().from(places).where(and(eq(places.serviceId, service!.id), eq(places.retired, false))).orderBy(places.id).limit(1);
  return place!;
}

describe('the services screen (/staff/settings/services)', () => {
  it('is for administrators only', async () => {
    expect((await editor.get('/staff/settings/services')).status).toBe(403);
    expect((await editor.post('/staff/settings/services', { name: 'Sneaky', summary: 'x', 'place-label': 'x', 'place-label-plural': 'x' })).status).toBe(403);
  });

  it('adds a service, which the home page lists at once', async () => {
    const added = await admin.post('/staff/settings/services', { name: 'Children’s centres', summary: 'Check if children’s centres are open today.', 'place-label': 'Children’s centre', 'place-label-plural': 'Children’s centres' });
    expect(added.status).toBe(303);
    expect(added.headers.get('location')).toBe('/staff/settings/services/childrens-centres?added');
    expect(await publicNav()).toContain('Children’s centres');
    expect((await server.get('/services/childrens-centres')).status).toBe(200);
    expect(textOf((await readHtml(await admin.get('/staff/settings/services/childrens-centres'))).querySelector('#service-history'))).toContain('Added');
    const again = await admin.post('/staff/settings/services', { name: 'Childrens centres', summary: 'Again', 'place-label': 'x', 'place-label-plural': 'x' });
    expect(again.status).toBe(400);
    expect(textOf((await readHtml(again)).querySelector('.govuk-error-summary'))).toContain('There is already a service called Childrens centres');
  });

  it('asks for every field when adding, in form order', async () => {
    const response = await admin.post('/staff/settings/services', { name: '', summary: '', 'place-label': '', 'place-label-plural': '' });
    expect(response.status).toBe(400);
    const links = (await readHtml(response)).querySelectorAll('.govuk-error-summary__list a').map((a) => a.getAttribute('href'));
    expect(links).toEqual(['#name', '#summary', '#place-label', '#place-label-plural']);
  });

  it('renames a service, keeping its address', async () => {
    const response = await admin.post('/staff/settings/services/libraries', { action: 'save', name: 'Libraries and archives', summary: 'Check if your library or the archives are open today.', 'place-label': 'Library', 'place-label-plural': 'Libraries', statuses: ['open', 'closed', 'partially_open', 'opening_late', 'closing_early', 'disrupted'] });
    expect(response.status).toBe(303);
    expect(await publicNav()).toContain('Libraries and archives');
    expect(textOf((await readHtml(await server.get('/services/libraries'))).querySelector('h1'))).toBe('Libraries and archives');
    const history = textOf((await readHtml(await admin.get('/staff/settings/services/libraries'))).querySelector('#service-history'));
    expect(history).toContain('Renamed from Libraries to Libraries and archives; changed the summary');
    expect(history).toContain('Ada Admin');
  });

  it('reorders the home page’s list', async () => {
    const before = await publicNav();
    const dayCentres = before.indexOf('Day centres');
    const above = before[dayCentres - 1]!;
    expect((await admin.post('/staff/settings/services', { service: 'day-centres', move: 'up' })).headers.get('location')).toBe('/staff/settings/services?moved');
    const after = await publicNav();
    expect(after.indexOf('Day centres')).toBe(after.indexOf(above) - 1);
  });

  it('limits a service’s places to the statuses it uses: the form offers only them and refuses others', async () => {
    const saved = await admin.post('/staff/settings/services/roads-and-gritting', { action: 'save', name: 'Roads and gritting', summary: 'See which main roads have been gritted and which roads are closed or difficult to use.', 'place-label': 'Route', 'place-label-plural': 'Routes', statuses: ['open', 'disrupted', 'closed'] });
    expect(saved.status).toBe(303);
    const road = await firstPlaceOf('roads-and-gritting');
    const form = await readHtml(await editor.get(`/staff/places/${road.id}`));
    const offered = form.querySelectorAll('input[name="status"]').map((i) => i.getAttribute('value'));
    expect(offered.sort()).toEqual([...new Set(['open', 'closed', 'disrupted', 'unknown', road.status])].sort());
    const refused = await editor.post(`/staff/places/${road.id}`, {
      status: 'opening_late', note: '', 'status-from': '', 'status-until': '', name: road.name, category: road.category, address: road.address,
      postcode: road.postcode, ward: road.ward, identifier: road.identifier ?? '', latitude: String(road.latitude ?? ''), longitude: String(road.longitude ?? ''),
      summary: 'Trying a status roads do not use', base: String(road.currentRevisionId),
    });
    expect(refused.status).toBe(400);
    expect(textOf((await readHtml(refused)).querySelector('.govuk-error-summary'))).toContain('Choose one of the statuses roads and gritting use');
    const bulk = (await readHtml(await editor.get('/staff/services/roads-and-gritting'))).querySelectorAll('#bulk-status option').map((o) => o.getAttribute('value')).filter(Boolean);
    expect(bulk).toEqual(['closed', 'disrupted', 'open', 'unknown']);
  });

  it('refuses a status set with nothing ticked', async () => {
    const response = await admin.post('/staff/settings/services/day-centres', { action: 'save', name: 'Day centres', summary: 'x', 'place-label': 'Day centre', 'place-label-plural': 'Day centres' });
    expect(response.status).toBe(400);
    expect(textOf((await readHtml(response)).querySelector('.govuk-error-summary'))).toContain('Choose at least one status its places can have');
  });

  it('retires a service with its places, and brings it back', async () => {
    const centre = await firstPlaceOf('leisure-centres');
    expect((await server.get(`/services/leisure-centres/${centre.slug}`)).status).toBe(200);
    expect((await admin.post('/staff/settings/services/leisure-centres', { action: 'retire' })).headers.get('location')).toBe('/staff/settings/services/leisure-centres?retired');
    expect(await publicNav()).not.toContain('Leisure centres');
    expect((await server.get('/services/leisure-centres')).status).toBe(404);
    expect((await server.get(`/services/leisure-centres/${centre.slug}`)).status).toBe(404);
    expect(textOf((await readHtml(await server.get('/api/v1/services'))))).not.toContain('leisure-centres');
    expect(textOf((await readHtml(await admin.get('/staff/settings/services'))).querySelector('#services'))).toMatch(/Leisure centres\s*Retired/);

    expect((await admin.post('/staff/settings/services/leisure-centres', { action: 'restore' })).status).toBe(303);
    expect(await publicNav()).toContain('Leisure centres');
    expect((await server.get(`/services/leisure-centres/${centre.slug}`)).status).toBe(200);
  });
});
