// Who may do what under /staff: a route-by-route matrix over every staff page and action, for
// visitors who are not signed in and for each role — refused requests must change nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { count, eq } from 'drizzle-orm';
import { accounts, alerts, auditEvents, neighbourSources, pages, placeGrants, places, revisions, sessions, staffNotificationPreferences, webhooks } from '../../db/schema/index.ts';
import type { Role } from '../../src/lib/auth/roles.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { formBody, signInAs, type SignedIn } from '../helpers/staff.ts';

let t: TestDb;
let server: TestServer;
let as: Record<Role, SignedIn>;
let placeId: number;
let grantedPlaceId: number;
let alertId: number;
let pageId: number;
let accountId: number;
let placeRevision: string;
let sourceId: number;
let webhookId: number;
let base: (table: typeof places | typeof alerts | typeof pages, id: number) => Promise<string>;

type Need = Role | 'granted';
interface Route {
  path: () => string;
  get?: Need;
  post?: Need;
  /** A plausible form, so a missing guard would really change something. */
  fields?: () => Promise<Record<string, string | string[]>>;
}

const routes: Route[] = [
  { path: () => '/staff', get: 'reporter' },
  {
    path: () => '/staff/services/schools',
    get: 'editor',
    post: 'editor',
    fields: async () => ({ places: [String(placeId)], [`base-${placeId}`]: await base(places, placeId), status: 'closed', note: 'x', summary: 'x' }),
  },
  {
    path: () => `/staff/places/${placeId}`,
    get: 'granted',
    post: 'granted',
    fields: async () => ({ base: await base(places, placeId), status: 'closed', note: 'matrix', summary: 'matrix' }),
  },
  { path: () => '/staff/places/new?service=schools', get: 'editor', post: 'editor', fields: async () => ({ name: 'Matrix School', status: 'open', summary: 'x' }) },
  { path: () => '/staff/alerts', get: 'editor' },
  { path: () => '/staff/alerts/new', get: 'editor', post: 'editor', fields: async () => ({ severity: 'info', headline: 'Matrix alert', body: 'x', summary: 'x' }) },
  {
    path: () => `/staff/alerts/${alertId}`,
    get: 'editor',
    post: 'editor',
    fields: async () => ({ base: await base(alerts, alertId), action: 'retire', summary: 'x' }),
  },
  { path: () => '/staff/pages', get: 'editor' },
  { path: () => '/staff/pages/new', get: 'editor', post: 'editor', fields: async () => ({ title: 'Matrix page', body: 'x', summary: 'x' }) },
  {
    path: () => `/staff/pages/${pageId}`,
    get: 'editor',
    post: 'editor',
    fields: async () => ({ base: await base(pages, pageId), action: 'retire', summary: 'x' }),
  },
  {
    path: () => `/staff/history/place/${placeId}`,
    get: 'granted',
    post: 'editor',
    fields: async () => ({ revision: await base(places, placeId), base: await base(places, placeId) }),
  },
  { path: () => `/staff/history/place/${placeId}/diff?from=${placeRevision}&to=${placeRevision}`, get: 'granted' },
  { path: () => `/staff/history/alert/${alertId}`, get: 'editor' },
  { path: () => `/staff/history/page/${pageId}`, get: 'editor' },
  { path: () => '/staff/accounts', get: 'admin', post: 'admin', fields: async () => ({ name: 'Matrix', email: 'matrix@example.org', role: 'admin', password: 'a long matrix password' }) },
  { path: () => `/staff/accounts/${accountId}`, get: 'admin', post: 'admin', fields: async () => ({ action: 'disable' }) },
  { path: () => '/staff/audit', get: 'admin' },
  { path: () => '/staff/security', get: 'reporter' },
  { path: () => '/staff/coverage', get: 'editor' },
  { path: () => '/staff/review', get: 'editor', post: 'editor', fields: async () => ({ action: 'spam', suggestion: ['1'] }) },
  {
    path: () => '/staff/neighbours',
    get: 'admin',
    post: 'admin',
    fields: async () => ({ action: 'add-feed', councilId: '1', title: 'Matrix feed', url: 'https://example.org/feed.xml' }),
  },
  { path: () => `/staff/neighbours/${sourceId}`, get: 'admin', post: 'admin', fields: async () => ({ action: 'pause' }) },
  { path: () => '/staff/webhooks', get: 'admin', post: 'admin', fields: async () => ({ action: 'add', name: 'Matrix hook', url: 'https://example.org/hook' }) },
  { path: () => `/staff/webhooks/${webhookId}`, get: 'admin', post: 'admin', fields: async () => ({ action: 'pause' }) },
  { path: () => '/staff/notifications', get: 'reporter', post: 'editor', fields: async () => ({ waiting: 'yes', waitingMinutes: '5', uncovered: 'yes' }) },
];

const ROLES: Role[] = ['reporter', 'editor', 'admin'];
const RANK: Record<Need, number> = { granted: 1, reporter: 1, editor: 2, admin: 3 };

/** Whether `role` passes `need` for the shared place (reporters hold a grant on `grantedPlaceId`, not on `placeId`). */
function allowed(role: Role, need: Need): boolean {
  if (need === 'granted') return role !== 'reporter';
  return RANK[role] >= RANK[need];
}

async function snapshot() {
  const n = async (table: typeof revisions | typeof accounts | typeof auditEvents | typeof placeGrants) => ((await t.db.select({ n: count() }).from(table))[0]!.n);
  const disabled = (await t.db.select({ d: accounts.disabledAt }).from(accounts).where(eq(accounts.id, accountId)))[0]!.d;
  const feeds = await t.db.select({ id: neighbourSources.id, paused: neighbourSources.paused }).from(neighbourSources);
  const hooks = await t.db.select({ id: webhooks.id, active: webhooks.active }).from(webhooks);
  const staffEmails = await t.db.select().from(staffNotificationPreferences);
  return { revisions: await n(revisions), accounts: await n(accounts), grants: await n(placeGrants), disabled, feeds, hooks, staffEmails };
}

beforeAll(async () => {
  t = await createTestDb({ seed: true });
  server = await startServer(t.url);
  base = async (table, id) => String((await t.db.select({ r: table.currentRevisionId }).from(table).where(eq(table.id, id)))[0]!.r);
  const schoolRows = await t.db.select({ id: places.id }).from(places).limit(2);
  placeId = schoolRows[0]!.id;
  grantedPlaceId = schoolRows[1]!.id;
  alertId = (await t.db.select({ id: alerts.id }).from(alerts).limit(1))[0]!.id;
  pageId = (await t.db.select({ id: pages.id }).from(pages).limit(1))[0]!.id;
  as = {
    reporter: await signInAs(t, server, 'reporter'),
    editor: await signInAs(t, server, 'editor'),
    admin: await signInAs(t, server, 'admin'),
  };
  await t.db.insert(placeGrants).values({ accountId: as.reporter.accountId, placeId: grantedPlaceId });
  accountId = as.editor.accountId;
  placeRevision = await base(places, placeId);
  sourceId = (await t.db.select({ id: neighbourSources.id }).from(neighbourSources).limit(1))[0]!.id;
  webhookId = (await t.db.insert(webhooks).values({ name: 'Matrix partner', url: 'https://example.org/partner', secret: 'x', createdAt: new Date() }).returning({ id: webhooks.id }))[0]!.id;
});
afterAll(async () => {
  await server?.stop();
  t?.cleanup();
});

describe('visitors who are not signed in', () => {
  it('are sent to sign in from every staff page', async () => {
    for (const route of routes.filter((r) => r.get)) {
      const response = await server.get(route.path());
      expect(response.status, route.path()).toBe(303);
      expect(response.headers.get('location'), route.path()).toMatch(/^\/staff\/sign-in\?next=/);
    }
  });

  it('change nothing with any staff action', async () => {
    const before = await snapshot();
    for (const route of routes.filter((r) => r.post)) {
      const response = await server.get(route.path(), {
        method: 'POST',
        headers: { Origin: server.url, 'Content-Type': 'application/x-www-form-urlencoded' },
        body: formBody(await route.fields!()),
      });
      expect(response.status, route.path()).toBe(303);
      expect(response.headers.get('location'), route.path()).toMatch(/^\/staff\/sign-in/);
    }
    expect(await snapshot()).toEqual(before);
  });
});

describe.each(ROLES)('a signed-in %s', (role) => {
  it('sees the pages its role allows and is refused the others', async () => {
    for (const route of routes.filter((r) => r.get)) {
      const response = await as[role].get(route.path());
      expect(response.status, `${role} GET ${route.path()}`).toBe(allowed(role, route.get!) ? 200 : 403);
    }
  });

  it('is refused every action its role does not allow, and nothing changes', async () => {
    const refused = routes.filter((r) => r.post && !allowed(role, r.post));
    const before = await snapshot();
    for (const route of refused) {
      const response = await as[role].post(route.path(), await route.fields!());
      expect(response.status, `${role} POST ${route.path()}`).toBe(403);
      expect(await response.text(), route.path()).toContain('You do not have access to this page');
    }
    expect(await snapshot()).toEqual(before);
  });
});

describe('reporters', () => {
  it('publish to the place granted to them, and not to another', async () => {
    const granted = await as.reporter.post(`/staff/places/${grantedPlaceId}`, {
      base: await base(places, grantedPlaceId), status: 'closed', note: 'Closed by the school office', summary: 'Snow',
    });
    expect(granted.status).toBe(303);
    const [row] = await t.db.select().from(places).where(eq(places.id, grantedPlaceId));
    expect(row).toMatchObject({ status: 'closed', noteMarkdown: 'Closed by the school office' });

    const before = await snapshot();
    const other = await as.reporter.post(`/staff/places/${placeId}`, { base: await base(places, placeId), status: 'closed', note: 'x', summary: 'x' });
    expect(other.status).toBe(403);
    expect(await snapshot()).toEqual(before);
  });
});

describe('requests from another site', () => {
  it('are refused for every staff action, even with a valid session', async () => {
    const before = await snapshot();
    for (const route of routes.filter((r) => r.post)) {
      const response = await as.admin.post(route.path(), await route.fields!(), { headers: { Origin: 'https://evil.example' } });
      expect(response.status, route.path()).toBe(403);
    }
    const noOrigin = await server.get(`/staff/places/${placeId}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: as.admin.cookie },
      body: formBody(await routes[2]!.fields!()),
    });
    expect(noOrigin.status).toBe(403);
    expect(await snapshot()).toEqual(before);
  });
});

describe('sessions and public pages', () => {
  it('a signed-out session no longer works', async () => {
    const editor = await signInAs(t, server, 'editor');
    expect((await editor.get('/staff')).status).toBe(200);
    expect((await editor.post('/staff/sign-out', {})).status).toBe(303);
    expect((await editor.get('/staff')).status).toBe(303);
  });

  it('a forged or unknown session cookie is treated as signed out', async () => {
    for (const cookie of ['csa_session=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'csa_session=../../etc', 'csa_session=']) {
      const response = await server.get('/staff', { headers: { Cookie: cookie } });
      expect(response.status, cookie).toBe(303);
    }
  });

  it('stores only a hash of the session token', async () => {
    const token = as.editor.cookie.split('=')[1]!;
    const ids = (await t.db.select({ id: sessions.id }).from(sessions)).map((s) => s.id);
    expect(ids).not.toContain(token);
    expect(ids.every((id) => /^[0-9a-f]{64}$/.test(id))).toBe(true);
  });

  it('public pages set no cookie, even for signed-in staff', async () => {
    for (const path of ['/', '/services/schools', `/services/schools`, '/api/v1/alerts', '/feeds/changes.rss']) {
      const response = await as.admin.get(path);
      expect(response.headers.get('set-cookie'), path).toBeNull();
    }
  });

  it('staff pages are never stored by shared caches', async () => {
    expect((await as.editor.get('/staff')).headers.get('cache-control')).toBe('private, no-store');
  });
});
