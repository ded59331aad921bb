// Residents' email updates end to end against the real built server, its delivery worker and a
// real SMTP server started here: double opt-in, the status in the subject, one-click
// unsubscribe (RFC 8058), one message per subscriber for a 40-school change set, no message for
// an edit residents would not notice, and the outcome emails of suggestions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { deliveries, places, services, subscribers, suggestions } from '../../db/schema/index.ts';
import { recordSuggestion, approveSuggestion, declineSuggestions } from '../../src/lib/suggestions/service.ts';
import type { PlaceContent } from '../../src/lib/revisions/content.ts';
import { endOfLondonDay, toLondonLocalInput } from '../../src/lib/time/london.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { readHtml } from '../helpers/html.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { formBody, signInAs, type SignedIn } from '../helpers/staff.ts';
import { startSmtpServer, type ReceivedMail, type TestSmtp } from '../helpers/smtp.ts';

let t: TestDb;
let server: TestServer;
let smtp: TestSmtp;
let editor: SignedIn;
let schoolsId: number;

beforeAll(async () => {
  t = await createTestDb({ seed: true });
  smtp = await startSmtpServer();
  server = await startServer(t.url, {
    SMTP_URL: smtp.url, MAIL_FROM: 'Kirklees Council <alerts@kirklees.example>', NOTIFY_POLL_MS: '200',
    // Every sign-up here comes from 127.0.0.1; the limit has its own test below.
    SUBSCRIPTIONS_PER_ADDRESS_PER_HOUR: '1000',
  });
  editor = await signInAs(t, server, 'editor', 'Edna Editor');
  const [row] = await t.db.select({ id: services.id }).from(services).where(eq(services.slug, 'schools'));
  schoolsId = row!.id;
});
afterAll(async () => {
  await server?.stop();
  await smtp?.stop();
  t?.cleanup();
});

type PlaceRow = typeof places.$inferSelect;
let nextSchool = 0;
/** A different open school for each test, so tests do not follow each other's changes. */
async function freshSchools(n: number): Promise<PlaceRow[]> {
  const rows = await t.db.select().from(places).where(and(eq(places.serviceId, schoolsId), eq(places.retired, false))).orderBy(places.id);
  const picked = rows.slice(nextSchool, nextSchool + n);
  nextSchool += n;
  expect(picked).toHaveLength(n);
  return picked;
}

async function current(id: number): Promise<PlaceRow> {
  const [row] = await t.db.select().from(places).where(eq(places.id, id));
  return row!;
}

/** Publishes a status through the staff edit form, as an editor would. */
async function publishStatus(id: number, fields: Record<string, string>): Promise<void> {
  const row = await current(id);
  const response = await editor.post(`/staff/places/${id}`, {
    status: row.status, note: row.noteMarkdown, 'status-from': '', 'status-until': '', 'status-reason': '', 'expected-reopening': '',
    name: row.name, category: row.category, address: row.address, postcode: row.postcode, ward: row.ward,
    identifier: row.identifier ?? '', latitude: row.latitude === null ? '' : String(row.latitude),
    longitude: row.longitude === null ? '' : String(row.longitude), phone: row.phone ?? '', website: row.website ?? '',
    summary: 'Test change', base: String(row.currentRevisionId), ...fields,
  });
  expect(response.status, await response.clone().text().then((s) => s.slice(0, 300))).toBe(303);
}

async function subscribe(email: string, target: string, extra: Record<string, string> = {}): Promise<Response> {
  return server.get('/subscribe', {
    method: 'POST',
    headers: { Origin: server.url, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: formBody({ target, email, frequency: 'immediate', ...extra }),
  });
}

/** Opens the confirmation link from the email and presses its button, as a resident would. */
async function confirmFrom(mail: ReceivedMail): Promise<string> {
  const link = mail.links.find((l) => l.includes('/confirm'));
  expect(link, mail.text).toBeTruthy();
  const path = new URL(link!).pathname;
  const page = await server.get(path);
  expect(page.status).toBe(200);
  const doc = await readHtml(page);
  expect(doc.querySelector('button')?.text).toContain('Confirm my updates');
  const pressed = await server.get(path, { method: 'POST', headers: { Origin: server.url, 'Content-Type': 'application/x-www-form-urlencoded' }, body: '' });
  expect(pressed.status).toBe(303);
  return path.replace(/\/confirm$/, '');
}

const to = (address: string) => (mail: ReceivedMail) => mail.to.includes(address);

/** Gives the worker time to have sent anything it was going to (it polls every 200 ms). */
async function settle(): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const queued = await t.db.select({ id: deliveries.id }).from(deliveries).where(eq(deliveries.state, 'queued'));
    const pendingEvents = await t.client.execute('SELECT count(*) AS n FROM notification_events WHERE fanned_out_at IS NULL');
    if (queued.length === 0 && Number(pendingEvents.rows[0]!.n) === 0) {
      await new Promise((r) => setTimeout(r, 400));
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('The delivery worker did not finish its queue');
}

describe('subscribing to a school by email', () => {
  it('sends nothing but the confirmation until the link is used, then the status in the subject', async () => {
    const [school] = await freshSchools(1);
    const email = 'parent.one@example.net';
    const response = await subscribe(email, `place:${school!.id}`);
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toContain('/subscribe/check-email');

    const [confirmation] = await smtp.waitFor(to(email));
    expect(confirmation!.subject).toBe('Confirm your updates from Kirklees Council');
    expect(confirmation!.text).toContain(school!.name);

    // Not confirmed yet: a change to the school sends nothing.
    await publishStatus(school!.id, { status: 'disrupted', note: 'Heating is off in one block' });
    await settle();
    expect(smtp.received.filter(to(email))).toHaveLength(1);

    const managePath = await confirmFrom(confirmation!);
    const manage = await readHtml(await server.get(managePath));
    expect(manage.querySelector('h1')?.text).toBe('Your updates');
    expect(manage.querySelector('.govuk-summary-list')?.text).toContain(school!.name);

    const until = toLondonLocalInput(endOfLondonDay(new Date()));
    await publishStatus(school!.id, { status: 'closed', note: 'Closed because of snow', 'status-until': until, 'status-reason': 'snow_and_ice' });
    const [, update] = await smtp.waitFor(to(email), 2);
    expect(update!.subject).toBe(`${school!.name}: Closed today (snow and ice)`);
    expect(update!.text).toContain('Closed because of snow');
    expect(update!.text).toContain(`${server.url}/services/schools/${school!.slug}`);
    expect(update!.text).toMatch(/Updated at \d{1,2}:\d{2}(am|pm) on /);
    // RFC 8058: both headers, the one-click address a POST target on this site.
    expect(update!.header('list-unsubscribe')).toMatch(new RegExp(`<${server.url}/updates/[A-Za-z0-9_-]{32}/unsubscribe>`));
    expect(update!.header('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    expect(update!.text).toContain('Stop all updates');
  });

  it('stops at once on the one-click POST a mail provider sends, and deletes the address', async () => {
    const [school] = await freshSchools(1);
    const email = 'parent.two@example.net';
    await subscribe(email, `place:${school!.id}`);
    const [confirmation] = await smtp.waitFor(to(email));
    await confirmFrom(confirmation!);
    await publishStatus(school!.id, { status: 'opening_late', note: 'Opening at 10am' });
    const [, update] = await smtp.waitFor(to(email), 2);
    const oneClick = /<([^>]+)>/.exec(update!.header('list-unsubscribe'))![1]!;

    // A mail provider's server: no Origin, no cookies, the body RFC 8058 prescribes.
    const response = await fetch(oneClick, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click', redirect: 'manual' });
    expect(response.status).toBe(200);
    expect(await t.db.select().from(subscribers).where(eq(subscribers.email, email))).toHaveLength(0);

    await publishStatus(school!.id, { status: 'open', note: '' });
    await settle();
    expect(smtp.received.filter(to(email))).toHaveLength(2);
  });

  it('refuses a malformed address with a clear message and keeps what was typed', async () => {
    const [school] = await freshSchools(1);
    const response = await subscribe('not an address', `place:${school!.id}`);
    expect(response.status).toBe(400);
    const doc = await readHtml(response);
    expect(doc.querySelector('.govuk-error-summary')?.text).toContain('Enter an email address in the correct format, like name@example.com');
    expect(doc.querySelector('#email')?.getAttribute('value')).toBe('not an address');
  });

  it('turns away a flood of sign-ups from one network, saying so, and sends nothing for them', async () => {
    // A database of its own: the sign-ups above counted against 127.0.0.1 in this one.
    const own = await createTestDb({ seed: true });
    const limited = await startServer(own.url, { NOTIFY_WORKER: 'off', SUBSCRIPTIONS_PER_ADDRESS_PER_HOUR: '2' });
    try {
      const [school] = await own.db.select().from(places).where(eq(places.serviceId, schoolsId)).limit(1);
      const post = (email: string) =>
        limited.get('/subscribe', { method: 'POST', headers: { Origin: limited.url, 'Content-Type': 'application/x-www-form-urlencoded' }, body: formBody({ target: `place:${school!.id}`, email, frequency: 'immediate' }) });
      expect((await post('flood1@example.net')).status).toBe(303);
      expect((await post('flood2@example.net')).status).toBe(303);
      const third = await post('flood3@example.net');
      expect(third.status).toBe(429);
      expect(third.headers.get('retry-after')).toBe('3600');
      const doc = await readHtml(third);
      expect(doc.querySelector('.govuk-error-summary')?.text).toContain('too many sign-ups from your network');
      expect(doc.querySelector('#email')?.getAttribute('value')).toBe('flood3@example.net');
      expect(await own.db.select().from(subscribers).where(eq(subscribers.email, 'flood3@example.net'))).toHaveLength(0);
      expect(await own.db.select().from(subscribers).where(eq(subscribers.email, 'flood2@example.net'))).toHaveLength(1);
    } finally {
      await limited.stop();
      own.cleanup();
    }
  });

  it('answers an unknown target with a page that says what to do', async () => {
    const response = await server.get('/subscribe?target=place:999999');
    expect(response.status).toBe(404);
    expect((await readHtml(response)).querySelector('h1')?.text).toBe('Page not found');
  });
});

describe('a change set and edits residents would not notice', () => {
  it('sends each subscriber one message for 40 schools closed at once, listing the ones they follow', async () => {
    const closing = await freshSchools(40);
    const serviceFollower = 'head.of.transport@example.net';
    const placeFollower = 'parent.three@example.net';
    await subscribe(serviceFollower, 'service:schools');
    await subscribe(placeFollower, `place:${closing[0]!.id}`);
    await subscribe(placeFollower, `place:${closing[1]!.id}`);
    await subscribe(placeFollower, `place:${closing[2]!.id}`);
    const [serviceConfirmation] = await smtp.waitFor(to(serviceFollower));
    await confirmFrom(serviceConfirmation!);
    const placeConfirmations = await smtp.waitFor(to(placeFollower), 3);
    await confirmFrom(placeConfirmations.at(-1)!);
    const before = smtp.received.length;

    const doc = await readHtml(await editor.get('/staff/services/schools'));
    const hidden: Record<string, string> = {};
    for (const input of doc.querySelectorAll('form[method="post"] input[type="hidden"]')) hidden[input.getAttribute('name')!] = input.getAttribute('value') ?? '';
    const response = await editor.post('/staff/services/schools', {
      ...hidden, place: closing.map((p) => String(p.id)), 'bulk-status': 'closed', 'bulk-note': 'Snow', 'bulk-until': '', 'bulk-summary': 'Snow closures',
    });
    expect(response.status).toBe(303);

    const [forService] = await smtp.waitFor(to(serviceFollower), 2);
    const forPlaces = await smtp.waitFor(to(placeFollower), 4);
    await settle();
    // Exactly one new message each.
    expect(smtp.received.slice(before).filter(to(serviceFollower))).toHaveLength(1);
    expect(smtp.received.slice(before).filter(to(placeFollower))).toHaveLength(1);
    const serviceMail = smtp.received.slice(before).find(to(serviceFollower))!;
    expect(serviceMail.subject).toMatch(/: Closed \(and 39 more updates\)$/);
    for (const school of closing) expect(serviceMail.text).toContain(school.name);
    const placeMail = forPlaces.at(-1)!;
    expect(placeMail.subject).toMatch(/: Closed \(and 2 more updates\)$/);
    for (const school of closing.slice(0, 3)) expect(placeMail.text).toContain(school.name);
    expect(placeMail.text).not.toContain(closing[3]!.name);
    expect(forService).toBeDefined();
  });

  it('sends nothing for an edit that changes nothing residents see', async () => {
    const [school] = await freshSchools(1);
    const email = 'parent.four@example.net';
    await subscribe(email, `place:${school!.id}`);
    const [confirmation] = await smtp.waitFor(to(email));
    await confirmFrom(confirmation!);
    await publishStatus(school!.id, { address: `${school!.address} (corrected)` });
    await settle();
    expect(smtp.received.filter(to(email))).toHaveLength(1);
  });
});

describe('what staff see of it', () => {
  it('shows how many get updates and that messages are going out, never who', async () => {
    const [school] = await freshSchools(1);
    await subscribe('parent.five@example.net', `place:${school!.id}`);
    await confirmFrom((await smtp.waitFor(to('parent.five@example.net')))[0]!);
    await settle();
    const doc = await readHtml(await editor.get('/staff'));
    const confirmed = await t.db.select({ email: subscribers.email }).from(subscribers);
    expect(confirmed.length).toBeGreaterThan(0);
    const section = doc.querySelector('#subscriber-count')?.text ?? '';
    expect(section.replace(/\s+/g, ' ').trim()).toMatch(/^\d+ email address(es)? and 0 devices get updates\. \d+ messages? sent in the last hour\.$/);
    const page = doc.toString();
    for (const { email } of confirmed) expect(page).not.toContain(email!);
  });
});

describe('what happened to a suggestion', () => {
  async function suggest(email: string, school: PlaceRow, status: PlaceContent['status']) {
    const content = (await t.client.execute({ sql: 'SELECT content FROM revisions WHERE id = ?', args: [school.currentRevisionId] })).rows[0]!.content as string;
    const draft = { ...(JSON.parse(content) as PlaceContent), status };
    const { noteHtml: _drop, ...withoutHtml } = draft;
    const { suggestionId } = await recordSuggestion(t.db, {
      kind: 'change', draft: { kind: 'place', draft: withoutHtml }, targetId: school.id, serviceId: schoolsId, baseRevisionId: school.currentRevisionId,
      howKnown: 'I walked past', contactEmail: email, clientHash: 'test',
    } as Parameters<typeof recordSuggestion>[1]);
    const [row] = await t.db.select().from(suggestions).where(eq(suggestions.id, suggestionId));
    return { row: row!, draft: withoutHtml };
  }

  it('tells the resident it was published, published with changes, or not used (with the reason), with the tracking link', async () => {
    const [a, b, c] = await freshSchools(3);
    const one = await suggest('resident.a@example.net', a!, 'closed');
    const two = await suggest('resident.b@example.net', b!, 'closed');
    const three = await suggest('resident.c@example.net', c!, 'closed');
    const reviewer = (await t.client.execute("SELECT id FROM accounts WHERE role = 'editor' LIMIT 1")).rows[0]!.id as number;

    expect(await approveSuggestion(t.db, { suggestion: one.row, draft: one.draft, baseRevisionId: a!.currentRevisionId, edited: false, reviewerId: reviewer, summary: 'From a resident' })).toMatchObject({ ok: true });
    expect(await approveSuggestion(t.db, { suggestion: two.row, draft: { ...two.draft, status: 'partially_open' }, baseRevisionId: b!.currentRevisionId, edited: true, reviewerId: reviewer, summary: 'From a resident, changed' })).toMatchObject({ ok: true });
    expect(await declineSuggestions(t.db, [three.row.id], 'The school told us it is open', reviewer)).toBe(1);

    const [approved] = await smtp.waitFor(to('resident.a@example.net'));
    const [changed] = await smtp.waitFor(to('resident.b@example.net'));
    const [declined] = await smtp.waitFor(to('resident.c@example.net'));
    expect(approved!.subject).toBe(`Your suggestion is now on the website: ${a!.name}`);
    expect(changed!.subject).toBe(`Your suggestion is now on the website, with some changes: ${b!.name}`);
    expect(declined!.subject).toBe(`We did not use your suggestion: ${c!.name}`);
    expect(declined!.text).toContain('The reason: The school told us it is open');
    for (const mail of [approved!, changed!, declined!]) {
      const tracking = mail.links.find((l) => l.includes('/suggestions/'))!;
      expect((await server.get(new URL(tracking).pathname)).status).toBe(200);
    }
    // The address was kept for that one email only.
    await settle();
    const left = await t.db.select({ email: suggestions.contactEmail }).from(suggestions).where(eq(suggestions.id, one.row.id));
    expect(left[0]!.email).toBeNull();
  });
});
