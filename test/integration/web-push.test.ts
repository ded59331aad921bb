// Web push against a real mock push service (web-push-testing, test/helpers/push-service.ts)
// and the real built server: a browser's subscription posted to /subscribe/push is saved and
// confirmed; an editor's status change arrives at the push service, encrypted for that browser,
// with the status in its title; a subscription the push service has ended (410 Gone) is
// forgotten. And /subscribe/push refuses other sites' pages and bad requests with a message.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import webPush from 'web-push';
import { deliveries, places, services, subscribers, subscriptions } from '../../db/schema/index.ts';
import { hashSubscriberToken } from '../../src/lib/notifications/tokens.ts';
import { readHtml } from '../helpers/html.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { startPushService, TEST_CA_CERT, type BrowserSubscription, type PushService } from '../helpers/push-service.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { signInAs, type SignedIn } from '../helpers/staff.ts';

let t: TestDb;
let push: PushService;
let server: TestServer;
let editor: SignedIn;
const vapid = webPush.generateVAPIDKeys();

beforeAll(async () => {
  t = await createTestDb({ seed: true });
  push = await startPushService();
  server = await startServer(t.url, {
    VAPID_PUBLIC_KEY: vapid.publicKey,
    VAPID_PRIVATE_KEY: vapid.privateKey,
    VAPID_SUBJECT: 'mailto:webteam@example.org',
    NOTIFY_POLL_MS: '100',
    NODE_EXTRA_CA_CERTS: TEST_CA_CERT,
  });
  editor = await signInAs(t, server, 'editor');
});
afterAll(async () => {
  await server?.stop();
  await push?.stop();
  t?.cleanup();
});

type PlaceRow = typeof places.$inferSelect;

let schoolsTaken = 0;
/** A published school with no status yet, a different one for each caller. */
async function school(): Promise<PlaceRow> {
  const [service] = await t.db.select({ id: services.id }).from(services).where(eq(services.slug, 'schools'));
  const rows = await t.db.select().from(places).where(and(eq(places.serviceId, service!.id), eq(places.status, 'unknown'), eq(places.retired, false))).orderBy(places.id);
  const row = rows[schoolsTaken++];
  expect(row).toBeDefined();
  return row!;
}

async function reload(id: number): Promise<PlaceRow> {
  const [row] = await t.db.select().from(places).where(eq(places.id, id));
  return row!;
}

/** Publishes a new status for a place through the staff edit form, as an editor does. */
async function publishStatus(row: PlaceRow, status: string, note: string): Promise<void> {
  const response = await editor.post(`/staff/places/${row.id}`, {
    status, note, 'status-from': '', 'status-until': '',
    name: row.name, category: row.category, address: row.address, postcode: row.postcode, ward: row.ward,
    identifier: row.identifier ?? '', latitude: row.latitude === null ? '' : String(row.latitude),
    longitude: row.longitude === null ? '' : String(row.longitude),
    summary: `Now ${status}`, base: String(row.currentRevisionId),
  });
  expect(response.status).toBe(303);
}

function postSubscription(body: unknown, headers: Record<string, string> = { Origin: '', 'Content-Type': 'application/json' }): Promise<Response> {
  const sent = { ...headers };
  if (sent.Origin === '') sent.Origin = server.url;
  return server.get('/subscribe/push', { method: 'POST', headers: sent, body: typeof body === 'string' ? body : JSON.stringify(body) });
}

/** What a browser sends: its subscription as PushSubscription.toJSON() gives it. */
const browserJson = (s: BrowserSubscription) => ({ endpoint: s.endpoint, expirationTime: null, keys: s.keys });

async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}; last: ${JSON.stringify(value)}\n${server.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

const subscriberByEndpoint = async (endpoint: string) => (await t.db.select().from(subscribers).where(eq(subscribers.pushEndpoint, endpoint)))[0];

describe('subscribing a browser', () => {
  it('saves the subscription, confirmed at once, and answers with the private manage link', async () => {
    const row = await school();
    const browser = await push.subscribe(vapid.publicKey);
    const response = await postSubscription({ target: `place:${row.id}`, subscription: browserJson(browser) });
    expect(response.status).toBe(200);
    const answer = (await response.json()) as { ok: boolean; manageUrl: string };
    expect(answer.ok).toBe(true);
    expect(answer.manageUrl).toMatch(new RegExp(`^${server.url}/updates/[A-Za-z0-9_-]{32}$`));

    const subscriber = await subscriberByEndpoint(browser.endpoint);
    expect(subscriber).toMatchObject({ channel: 'push', email: null, pushKeys: browser.keys, frequency: 'immediate' });
    expect(subscriber!.confirmedAt).not.toBeNull();
    // The link's token is the one the subscriber's row keeps the hash of.
    expect(subscriber!.tokenHash).toBe(hashSubscriberToken(answer.manageUrl.split('/').at(-1)!));
    const follows = await t.db.select().from(subscriptions).where(eq(subscriptions.subscriberId, subscriber!.id));
    expect(follows).toHaveLength(1);
    expect(follows[0]).toMatchObject({ targetKind: 'place', targetId: row.id, ward: '' });
    expect(follows[0]!.confirmedAt).not.toBeNull();
  });

  it('finds the browser again by its endpoint: the same thing twice changes nothing, another thing is added', async () => {
    const row = await school();
    expect(row.ward).not.toBe('');
    const browser = await push.subscribe(vapid.publicKey);
    const first = (await (await postSubscription({ target: `place:${row.id}`, subscription: browserJson(browser) })).json()) as { manageUrl: string };
    const again = (await (await postSubscription({ target: `place:${row.id}`, subscription: browserJson(browser) })).json()) as { manageUrl: string };
    expect(again.manageUrl).toBe(first.manageUrl);
    const [schools] = await t.db.select({ id: services.id }).from(services).where(eq(services.slug, 'schools'));
    const ward = (await postSubscription({ target: `service:${schools!.id}:${row.ward}`, subscription: browserJson(browser) })).status;
    expect(ward).toBe(200);
    expect((await postSubscription({ target: 'severe_alerts', subscription: browserJson(browser) })).status).toBe(200);

    const matching = await t.db.select().from(subscribers).where(eq(subscribers.pushEndpoint, browser.endpoint));
    expect(matching).toHaveLength(1);
    const follows = await t.db.select().from(subscriptions).where(eq(subscriptions.subscriberId, matching[0]!.id));
    expect(follows.map((f) => `${f.targetKind}:${f.targetId}:${f.ward}`).sort()).toEqual([`place:${row.id}:`, `service:${schools!.id}:${row.ward}`, 'severe_alerts:0:'].sort());
  });
});

describe('telling a browser', () => {
  it('pushes a published status change with the status in the title, and forgets the browser once the push service says it is gone', async () => {
    const row = await school();
    const browser = await push.subscribe(vapid.publicKey);
    expect((await postSubscription({ target: `place:${row.id}`, subscription: browserJson(browser) })).status).toBe(200);

    await publishStatus(row, 'closed', 'No heating');
    const messages = await eventually(() => push.messages(browser.clientHash), (m) => m.length > 0, 'the push message');
    expect(messages).toHaveLength(1);
    const message = JSON.parse(messages[0]!) as { title: string; body: string; url: string; tag: string };
    expect(message.title).toContain(row.name);
    expect(message.title).toMatch(/Closed/);
    expect(message.url).toBe(`${server.url}/services/schools/${row.slug}`);
    expect(message.body).toContain('No heating');
    const subscriber = await subscriberByEndpoint(browser.endpoint);
    const [sent] = await t.db.select().from(deliveries).where(eq(deliveries.key, message.tag));
    expect(sent).toMatchObject({ state: 'sent', recipientKind: 'subscriber', recipientId: subscriber!.id, lastResponse: 'HTTP 201' });

    // The resident blocked notifications (or the browser dropped the subscription): 410 Gone.
    await push.expire(browser.clientHash);
    await publishStatus(await reload(row.id), 'open', 'Heating fixed');
    await eventually(() => subscriberByEndpoint(browser.endpoint), (s) => s === undefined, 'the subscriber to be deleted');
    expect(await t.db.select().from(subscriptions).where(eq(subscriptions.subscriberId, subscriber!.id))).toEqual([]);
    const [failed] = await t.db.select().from(deliveries).where(and(eq(deliveries.recipientId, subscriber!.id), eq(deliveries.state, 'failed')));
    expect(failed?.lastError).toContain('410');
    expect(await push.messages(browser.clientHash)).toHaveLength(1);
  });
});

describe('the subscribe page', () => {
  it('offers the device button beside the email form, for the same thing, with the site’s key', async () => {
    const row = await school();
    const doc = await readHtml(await server.get(`/subscribe?target=place:${row.id}`));
    const block = doc.querySelector('[data-push-subscribe]');
    expect(block?.getAttribute('data-target')).toBe(`place:${row.id}`);
    expect(block?.getAttribute('data-public-key')).toBe(vapid.publicKey);
    expect(block?.hasAttribute('hidden')).toBe(true);
    expect(doc.querySelector('form[action="/subscribe"]')).not.toBeNull();
  });
});

describe('the service worker and the button’s script', () => {
  it('are served from the site itself, at the top so the worker’s scope is the whole site, as scripts the page’s policy allows', async () => {
    for (const path of ['/sw.js', '/scripts/push-subscribe.js']) {
      const response = await server.get(path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    }
    expect(await (await server.get('/sw.js')).text()).toContain("addEventListener('push'");
    // Workers fall back to script-src, which allows the site's own files (and nothing inline).
    const policy = (await server.get('/')).headers.get('content-security-policy') ?? '';
    expect(policy).toContain("script-src 'self'");
    expect(policy).not.toMatch(/worker-src/);
  });
});

describe('refusing what it should', () => {
  let row: PlaceRow;
  let browser: BrowserSubscription;
  beforeAll(async () => {
    row = await school();
    browser = await push.subscribe(vapid.publicKey);
  });

  async function refused(response: Response, status: number, message: RegExp) {
    expect(response.status).toBe(status);
    const answer = (await response.json()) as { ok: boolean; message: string };
    expect(answer.ok).toBe(false);
    expect(answer.message).toMatch(message);
    expect(await subscriberByEndpoint(browser.endpoint)).toBeUndefined();
  }

  it('answers 403 without an Origin, or with another site’s', async () => {
    const body = { target: `place:${row.id}`, subscription: browserJson(browser) };
    await refused(await postSubscription(body, { 'Content-Type': 'application/json' }), 403, /only be set up from this website/);
    await refused(await postSubscription(body, { 'Content-Type': 'application/json', Origin: 'https://elsewhere.example' }), 403, /only be set up from this website/);
    await refused(await postSubscription(body, { 'Content-Type': 'application/json', Origin: server.url.replace('127.0.0.1', 'localhost') }), 403, /only be set up/);
  });

  it('answers 400 with a message for JSON it cannot read, and 415 for a body that is not JSON', async () => {
    await refused(await postSubscription('{"target": "place:1", "subscription": '), 400, /not valid JSON/);
    await refused(await postSubscription(`target=place:${row.id}`, { Origin: server.url, 'Content-Type': 'text/plain' }), 415, /as JSON/);
  });

  it('answers 400 with what is wrong for a subscription or a target it cannot use', async () => {
    const good = browserJson(browser);
    const cases: [unknown, RegExp][] = [
      [{ target: `place:${row.id}` }, /did not send a push subscription/],
      [{ target: `place:${row.id}`, subscription: { ...good, endpoint: browser.endpoint.replace('https:', 'http:') } }, /must start with https/],
      [{ target: `place:${row.id}`, subscription: { ...good, endpoint: 'https://10.0.0.8/push/abc' } }, /public internet/],
      [{ target: `place:${row.id}`, subscription: { ...good, keys: { ...good.keys, p256dh: 'c2hvcnQ' } } }, /push key is not valid/],
      [{ target: `place:${row.id}`, subscription: { ...good, keys: { p256dh: good.keys.p256dh } } }, /did not send its push secret/],
      [{ target: `place:${row.id}`, subscription: { ...good, keys: { ...good.keys, auth: 'not base64url!' } } }, /push secret is not valid/],
      [{ subscription: good }, /Say what you want updates about/],
      [{ target: 'place:999999', subscription: good }, /could not find that place/],
      [{ target: 'alert:1', subscription: good }, /not one we know/],
      [{ target: 'service:1:Nowhere Ward', subscription: good }, /could not find that area/],
      [{ target: `place:${row.id}`, subscription: { ...good, endpoint: `${browser.endpoint}/${'x'.repeat(1000)}` } }, /too long/],
    ];
    for (const [body, message] of cases) await refused(await postSubscription(body), 400, message);
  });

  it('takes only POST, and at most a small body', async () => {
    expect((await server.get('/subscribe/push')).status).toBe(405);
    const huge = JSON.stringify({ target: `place:${row.id}`, subscription: browserJson(browser), padding: 'x'.repeat(8 * 1024) });
    expect((await postSubscription(huge)).status).toBe(413);
    expect(await subscriberByEndpoint(browser.endpoint)).toBeUndefined();
  });
});
