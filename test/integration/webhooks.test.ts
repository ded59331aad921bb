// Partners' webhooks against the real built server: an admin registers hooks on local HTTP
// receivers through the staff pages, an editor publishes a change, and each receiver gets what
// it asked for — signed with the shared secret (checked here with node:crypto, independently of
// the sender's code), retried with back-off when it fails, with the delivery log showing why.
import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { deliveries, places, services, webhooks } from '../../db/schema/index.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { readHtml, textOf } from '../helpers/html.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { signInAs, type SignedIn } from '../helpers/staff.ts';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A partner's endpoint: records every POST and answers with the status `answer` gives. */
class Receiver {
  readonly received: Received[] = [];
  private server: Server | null = null;
  url = '';
  constructor(private readonly answer: (n: number) => number) {}

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        this.received.push({ path: req.url ?? '', headers: req.headers, body });
        res.writeHead(this.answer(this.received.length)).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
    return this;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

let t: TestDb;
let server: TestServer;
let admin: SignedIn;
let editor: SignedIn;
const good = new Receiver(() => 200);
const flaky = new Receiver((n) => (n <= 2 ? 500 : 200));
const roads = new Receiver(() => 200);

type PlaceRow = typeof places.$inferSelect;

async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}\n${server.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Registers a hook through the staff page; returns its id and the secret the page showed once. */
async function addHook(name: string, url: string, serviceSlugs: string[]): Promise<{ id: number; secret: string }> {
  const response = await admin.post('/staff/webhooks', { action: 'add', name, url, services: serviceSlugs });
  expect(response.status).toBe(200);
  const doc = await readHtml(response);
  expect(textOf(doc.querySelector('.govuk-notification-banner'))).toContain(`Webhook added: ${name}`);
  const secret = textOf(doc.querySelector('#webhook-secret'));
  expect(secret).toMatch(/^[0-9a-f]{64}$/);
  const [row] = await t.db.select({ id: webhooks.id }).from(webhooks).where(eq(webhooks.name, name));
  return { id: row!.id, secret };
}

async function aSchool(): Promise<PlaceRow> {
  const [schools] = await t.db.select({ id: services.id }).from(services).where(eq(services.slug, 'schools'));
  const rows = await t.db.select().from(places).where(and(eq(places.serviceId, schools!.id), eq(places.status, 'unknown'), eq(places.retired, false))).orderBy(places.id).limit(1);
  return rows[0]!;
}

/** Closes a school through the staff edit form, as an editor would. */
async function closeSchool(row: PlaceRow, note: string): Promise<void> {
  const response = await editor.post(`/staff/places/${row.id}`, {
    status: 'closed', note, 'status-from': '', 'status-until': '',
    name: row.name, category: row.category, address: row.address, postcode: row.postcode, ward: row.ward,
    identifier: row.identifier ?? '', latitude: row.latitude === null ? '' : String(row.latitude),
    longitude: row.longitude === null ? '' : String(row.longitude), summary: 'Closed', base: String(row.currentRevisionId),
  });
  expect(response.status).toBe(303);
}

/** The signature a partner works out: HMAC-SHA256 of "timestamp.body" with the shared secret. */
const expectedSignature = (secret: string, timestamp: string, body: string) => `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;

let goodHook: { id: number; secret: string };
let flakyHook: { id: number; secret: string };
let roadsHook: { id: number; secret: string };
let school: PlaceRow;

beforeAll(async () => {
  await Promise.all([good.start(), flaky.start(), roads.start()]);
  t = await createTestDb({ seed: true });
  // Retries 200 ms, 400 ms … apart instead of 30 s, 1 min …; the worker looks every 100 ms.
  server = await startServer(t.url, { NOTIFY_RETRY_BASE_MS: '200', NOTIFY_POLL_MS: '100' });
  admin = await signInAs(t, server, 'admin', 'Ada Admin');
  editor = await signInAs(t, server, 'editor', 'Edna Editor');
  goodHook = await addHook('School website', good.url, ['schools']);
  flakyHook = await addHook('Radio newsroom', flaky.url, ['schools']);
  roadsHook = await addHook('Road haulage', roads.url, ['roads-and-gritting']);
  school = await aSchool();
  await closeSchool(school, 'Burst water pipe');
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await Promise.all([good.stop(), flaky.stop(), roads.stop()]);
  t?.cleanup();
});

describe('registering a webhook', () => {
  it('lists each hook with its services and state', async () => {
    const doc = await readHtml(await admin.get('/staff/webhooks'));
    const row = doc.querySelector(`#webhook-${goodHook.id}`);
    expect(textOf(row)).toContain('School website');
    expect(textOf(row)).toContain(good.url);
    expect(textOf(row?.querySelector('[data-label="Services"]'))).toBe('Schools');
    expect(textOf(row?.querySelector('[data-label="State"]'))).toBe('Active');
    // The secret is shown only in the answer that made it, never again.
    expect(doc.toString()).not.toContain(goodHook.secret);
    expect((await (await admin.get(`/staff/webhooks/${goodHook.id}`)).text())).not.toContain(goodHook.secret);
  });

  it('answers 400 with the error summary and keeps what was typed when the address is not allowed', async () => {
    const before = (await t.db.select().from(webhooks)).length;
    const response = await admin.post('/staff/webhooks', { action: 'add', name: 'Local paper', url: 'http://example.org/hook', services: ['schools', 'libraries'] });
    expect(response.status).toBe(400);
    const doc = await readHtml(response);
    expect(textOf(doc.querySelector('title'))).toMatch(/^Error: /);
    expect(textOf(doc.querySelector('.govuk-error-summary'))).toContain('starts with https://');
    expect(doc.querySelector('.govuk-error-summary a')?.getAttribute('href')).toBe('#url');
    expect(doc.querySelector('#name')?.getAttribute('value')).toBe('Local paper');
    expect(doc.querySelector('#url')?.getAttribute('value')).toBe('http://example.org/hook');
    expect(doc.querySelector('input[name="services"][value="libraries"]')?.hasAttribute('checked')).toBe(true);
    expect((await t.db.select().from(webhooks)).length).toBe(before);
  });

  it('is for administrators only', async () => {
    const response = await editor.get('/staff/webhooks');
    expect(response.status).toBe(403);
    const post = await editor.post('/staff/webhooks', { action: 'add', name: 'Sneaky', url: good.url });
    expect(post.status).toBe(403);
    expect(await t.db.select().from(webhooks).where(eq(webhooks.name, 'Sneaky'))).toHaveLength(0);
  });
});

describe('a published change', () => {
  it('is POSTed as JSON whose X-Signature verifies with the shared secret', async () => {
    const [message] = await waitFor('the school website to be sent the change', () => good.received.length > 0 && good.received);
    expect(message!.headers['content-type']).toBe('application/json');
    const timestamp = String(message!.headers['x-timestamp']);
    expect(Math.abs(Date.now() / 1000 - Number(timestamp))).toBeLessThan(120);
    expect(message!.headers['x-signature']).toBe(expectedSignature(goodHook.secret, timestamp, message!.body));
    // Another hook's secret does not verify it: each partner has its own.
    expect(message!.headers['x-signature']).not.toBe(expectedSignature(flakyHook.secret, timestamp, message!.body));
    const json = JSON.parse(message!.body) as { kind: string; changes: { kind: string; id: number; service: string; name: string; status: string; note: string; url: string }[] };
    expect(json.kind).toBe('publish');
    expect(json.changes).toHaveLength(1);
    expect(json.changes[0]).toMatchObject({ kind: 'place', id: school.id, service: 'schools', name: school.name, note: 'Burst water pipe' });
    expect(json.changes[0]!.status).toMatch(/^Closed/);
    expect(json.changes[0]!.url).toBe(`${server.url}/services/schools/${school.slug}`);
    expect(good.received).toHaveLength(1);
  });

  it('is retried after a failure, and the log shows the HTTP 500s and then the success', async () => {
    await waitFor('the third try to the radio newsroom', () => flaky.received.length >= 3);
    expect(flaky.received).toHaveLength(3);
    // One message, tried three times: the same delivery id, the try number counting up.
    expect(new Set(flaky.received.map((r) => r.headers['x-delivery'])).size).toBe(1);
    expect(flaky.received.map((r) => r.headers['x-attempt'])).toEqual(['1', '2', '3']);
    for (const r of flaky.received) expect(r.headers['x-signature']).toBe(expectedSignature(flakyHook.secret, String(r.headers['x-timestamp']), r.body));

    const page = await waitFor('the log to show the success', async () => {
      const doc = await readHtml(await admin.get(`/staff/webhooks/${flakyHook.id}`));
      return doc.querySelectorAll('#delivery-log tbody tr').length === 3 && doc;
    });
    const rows = page.querySelectorAll('#delivery-log tbody tr').map((row) => ({
      attempt: textOf(row.querySelector('[data-label="Try"]')),
      answer: textOf(row.querySelector('[data-label="Answer"]')),
      why: textOf(row.querySelector('[data-label="Why it failed"]')),
      result: textOf(row.querySelector('[data-label="Result"]')),
    }));
    // Newest first.
    expect(rows).toEqual([
      { attempt: '3', answer: 'HTTP 200', why: '', result: 'Delivered' },
      { attempt: '2', answer: 'HTTP 500', why: 'HTTP 500', result: 'Tried again' },
      { attempt: '1', answer: 'HTTP 500', why: 'HTTP 500', result: 'Tried again' },
    ]);
    expect(textOf(page.querySelector('#nothing-waiting'))).toBe('Nothing is waiting.');
    expect(textOf(page.querySelector('#last-result'))).toMatch(/^Delivered .* \(HTTP 200\)$/);
    const list = await readHtml(await admin.get('/staff/webhooks'));
    expect(textOf(list.querySelector(`#webhook-${flakyHook.id} [data-label="Last delivery"]`))).toMatch(/^Delivered/);
  });

  it('is not sent to a hook that wants another service', async () => {
    // By now the change has gone everywhere it was going (the flaky hook's third try included).
    await waitFor('the radio newsroom to be delivered to', () => flaky.received.length >= 3);
    expect(roads.received).toHaveLength(0);
    expect(await t.db.select().from(deliveries).where(and(eq(deliveries.recipientKind, 'webhook'), eq(deliveries.recipientId, roadsHook.id)))).toHaveLength(0);
    const doc = await readHtml(await admin.get(`/staff/webhooks/${roadsHook.id}`));
    expect(textOf(doc.querySelector('#empty-log'))).toBe('Nothing has been sent to this webhook yet.');
  });
});

describe('managing a webhook', () => {
  it('sends nothing while paused, and again once resumed', async () => {
    const paused = await admin.post(`/staff/webhooks/${goodHook.id}`, { action: 'pause' });
    expect(paused.status).toBe(303);
    expect(paused.headers.get('location')).toBe(`/staff/webhooks/${goodHook.id}?done=paused`);
    expect(textOf((await readHtml(await admin.get(paused.headers.get('location')!))).querySelector('#webhook-state'))).toBe('Paused');
    const before = good.received.length;
    const [schools] = await t.db.select({ id: services.id }).from(services).where(eq(services.slug, 'schools'));
    const [next] = await t.db.select().from(places).where(and(eq(places.serviceId, schools!.id), eq(places.status, 'unknown'), eq(places.retired, false))).orderBy(places.id).limit(1);
    await closeSchool(next!, 'No heating');
    // The flaky hook (still active) hears of it; the paused one does not.
    await waitFor('the radio newsroom to hear of the second change', () => flaky.received.some((r) => r.body.includes('No heating')));
    expect(good.received).toHaveLength(before);

    expect((await admin.post(`/staff/webhooks/${goodHook.id}`, { action: 'resume' })).status).toBe(303);
    expect(textOf((await readHtml(await admin.get(`/staff/webhooks/${goodHook.id}`))).querySelector('#webhook-state'))).toBe('Active');
  });

  it('gives a hook a new secret, shown once, that signs what is sent from then on', async () => {
    const response = await admin.post(`/staff/webhooks/${roadsHook.id}`, { action: 'new-secret' });
    expect(response.status).toBe(200);
    const secret = textOf((await readHtml(response)).querySelector('#webhook-secret'));
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(secret).not.toBe(roadsHook.secret);
    const [row] = await t.db.select({ secret: webhooks.secret }).from(webhooks).where(eq(webhooks.id, roadsHook.id));
    expect(row!.secret).toBe(secret);
  });

  it('stops trying a failing hook once it is removed', async () => {
    const down = await new Receiver(() => 503).start();
    try {
      const hook = await addHook('Parish newsletter', down.url, []);
      const [schools] = await t.db.select({ id: services.id }).from(services).where(eq(services.slug, 'schools'));
      const [next] = await t.db.select().from(places).where(and(eq(places.serviceId, schools!.id), eq(places.status, 'unknown'), eq(places.retired, false))).orderBy(places.id).limit(1);
      await closeSchool(next!, 'Boiler broken');
      await waitFor('the first failed try', () => down.received.length >= 1);
      const waiting = await readHtml(await admin.get(`/staff/webhooks/${hook.id}`));
      expect(textOf(waiting.querySelector('#waiting-deliveries'))).toContain('HTTP 503');

      expect((await admin.post(`/staff/webhooks/${hook.id}`, { action: 'remove', confirm: 'yes' })).status).toBe(303);
      const tries = down.received.length;
      const [delivery] = await t.db.select().from(deliveries).where(and(eq(deliveries.recipientKind, 'webhook'), eq(deliveries.recipientId, hook.id)));
      expect(delivery).toMatchObject({ state: 'failed', lastError: 'the webhook was removed' });
      // Retries were 200 ms, 400 ms … apart: a second and a half is several chances to try again.
      await new Promise((r) => setTimeout(r, 1500));
      expect(down.received.length).toBeLessThanOrEqual(tries + 1);
      expect((await t.db.select().from(deliveries).where(eq(deliveries.id, delivery!.id)))[0]!.state).toBe('failed');
    } finally {
      await down.stop();
    }
  });

  it('removes a hook only after the confirmation step', async () => {
    const first = await admin.post(`/staff/webhooks/${roadsHook.id}`, { action: 'remove' });
    expect(first.headers.get('location')).toBe(`/staff/webhooks/${roadsHook.id}?confirm=remove`);
    expect(await t.db.select().from(webhooks).where(eq(webhooks.id, roadsHook.id))).toHaveLength(1);
    const confirmed = await admin.post(`/staff/webhooks/${roadsHook.id}`, { action: 'remove', confirm: 'yes' });
    expect(confirmed.headers.get('location')).toBe('/staff/webhooks?done=removed');
    expect(await t.db.select().from(webhooks).where(eq(webhooks.id, roadsHook.id))).toHaveLength(0);
    expect((await admin.get(`/staff/webhooks/${roadsHook.id}`)).status).toBe(404);
  });
});
