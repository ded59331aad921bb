// Staff notifications against the real built server and a real SMTP server started here: an
// editor opts in on /staff/notifications, then hears by email of a suggestion that has waited
// longer than they said, and of a neighbour's new item in a service we have not covered — and
// nobody who did not ask (or cannot act on it) is emailed.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, sql } from 'drizzle-orm';
import { deliveries, neighbourItems, notificationEvents, places, services, staffNotificationPreferences, suggestions } from '../../db/schema/index.ts';
import { pollNeighbourSource } from '../../src/lib/neighbours/poll.ts';
import { findNeighbourSource, insertNeighbourCouncil, insertNeighbourSource, setNeighbourSourcePaused } from '../../src/lib/neighbours/repository.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { parse as parseHtml } from 'node-html-parser';
import { readHtml, textOf } from '../helpers/html.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { formBody, signInAs, type SignedIn } from '../helpers/staff.ts';

interface Mail {
  to: string[];
  subject: string;
  /** The raw message with quoted-printable undone, to search. */
  text: string;
}

let t: TestDb;
let server: TestServer;
let smtp: SMTPServer;
let feeds: Server;
let feedsUrl: string;
let editor: SignedIn & { email: string };
let patient: SignedIn & { email: string };
let reporter: SignedIn & { email: string };
let admin: SignedIn & { email: string };
const mail: Mail[] = [];
/** What the fixture neighbour feed serves (RSS items). */
let feedItems: { guid: string; title: string; at: Date }[] = [];

/** Undoes quoted-printable (soft line breaks, =XX bytes) and RFC 2047 encoded words. */
function readable(raw: string): string {
  const qp = raw.replace(/=\r?\n/g, '').replace(/(?:=[0-9A-F]{2})+/g, (hex) => Buffer.from(hex.replace(/=/g, ''), 'hex').toString('utf8'));
  return qp.replace(/=\?utf-8\?([QB])\?([^?]*)\?=/gi, (_m, kind: string, text: string) =>
    kind.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8') : text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))),
  );
}

function subjectOf(raw: string): string {
  const headers = raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ');
  return readable(/^Subject: (.*)$/im.exec(headers)?.[1] ?? '').replace(/\?=\s+=\?/g, '');
}

async function waitFor<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}\n${server.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const mailTo = (email: string) => mail.filter((m) => m.to.includes(email));

/** A resident suggests a correction to a place, through the public form. */
async function suggestAbout(placeId: number): Promise<number> {
  const doc = parseHtml(await (await server.get(`/suggest?target=place:${placeId}`)).text());
  const form = doc.querySelector('form#suggest-form')!;
  const hidden: Record<string, string> = {};
  for (const input of form.querySelectorAll('input[type="hidden"]')) hidden[input.getAttribute('name')!] = input.getAttribute('value') ?? '';
  const response = await server.get(form.getAttribute('action')!, {
    method: 'POST',
    headers: { Origin: server.url, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: formBody({ ...hidden, website: '', status: 'closed', note: 'The gates are locked.', 'how-known': 'I walked past', email: '' }),
  });
  expect(response.status).toBe(303);
  const [row] = await t.db.select({ id: suggestions.id }).from(suggestions).orderBy(sql`${suggestions.id} DESC`).limit(1);
  return row!.id;
}

beforeAll(async () => {
  smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      let raw = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => (raw += chunk));
      stream.on('end', () => {
        mail.push({ to: session.envelope.rcptTo.map((r) => r.address), subject: subjectOf(raw), text: readable(raw) });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  feeds = createServer((_req, res) => {
    const items = feedItems
      .map((i) => `<item><title>${i.title}</title><link>https://fixtureshire.example/news/${i.guid}</link><guid>${i.guid}</guid><pubDate>${i.at.toUTCString()}</pubDate></item>`)
      .join('');
    res.writeHead(200, { 'content-type': 'application/rss+xml' }).end(`<?xml version="1.0"?><rss version="2.0"><channel><title>Fixtureshire news</title><link>https://fixtureshire.example/</link><description>News</description>${items}</channel></rss>`);
  });
  await new Promise<void>((resolve) => feeds.listen(0, '127.0.0.1', resolve));
  feedsUrl = `http://127.0.0.1:${(feeds.address() as AddressInfo).port}/news.rss`;

  t = await createTestDb({ seed: true });
  server = await startServer(t.url, {
    SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
    MAIL_FROM: 'Kirklees Council <alerts@kirklees.example>',
    NOTIFY_POLL_MS: '100',
    NEIGHBOUR_POLL_MINUTES: '0',
    SUGGESTION_MIN_FILL_SECONDS: '0',
    SUGGESTIONS_PER_ADDRESS_PER_HOUR: '100000',
  });
  editor = await signInAs(t, server, 'editor', 'Edna Editor');
  patient = await signInAs(t, server, 'editor', 'Pat Patient');
  reporter = await signInAs(t, server, 'reporter', 'Rita Reporter');
  admin = await signInAs(t, server, 'admin', 'Ada Admin');
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
  await new Promise((resolve) => feeds?.close(resolve));
  t?.cleanup();
});

describe('choosing what to be told', () => {
  it('saves an editor’s choices and shows them again, with their address masked', async () => {
    const response = await editor.post('/staff/notifications', { waiting: 'yes', waitingMinutes: '10', uncovered: 'yes' });
    expect(response.status).toBe(303);
    expect(response.headers.get('location')).toBe('/staff/notifications?done=saved');
    const doc = await readHtml(await editor.get('/staff/notifications?done=saved'));
    expect(textOf(doc.querySelector('.govuk-notification-banner'))).toContain('Your choices have been saved');
    expect(doc.querySelector('#waiting')?.hasAttribute('checked')).toBe(true);
    expect(doc.querySelector('#waitingMinutes')?.getAttribute('value')).toBe('10');
    expect(doc.querySelector('#uncovered')?.hasAttribute('checked')).toBe(true);
    const main = textOf(doc.querySelector('main'));
    expect(main).not.toContain(editor.email);
    expect(main).toContain(`${editor.email[0]}…@example.org`);
  });

  it('refuses a number of minutes out of range with the error summary, saving nothing', async () => {
    for (const minutes of ['3', '1441', 'ten', '']) {
      const response = await patient.post('/staff/notifications', { waiting: 'yes', waitingMinutes: minutes });
      expect(response.status, minutes).toBe(400);
      const doc = await readHtml(response);
      expect(textOf(doc.querySelector('title'))).toMatch(/^Error: /);
      expect(doc.querySelector('.govuk-error-summary a')?.getAttribute('href')).toBe('#waitingMinutes');
      expect(doc.querySelector('#waitingMinutes')?.getAttribute('value')).toBe(minutes);
      expect(doc.querySelector('#waiting')?.hasAttribute('checked')).toBe(true);
    }
    expect(await t.db.select().from(staffNotificationPreferences).where(eq(staffNotificationPreferences.accountId, patient.accountId))).toHaveLength(0);
  });

  it('offers reporters nothing to choose, and refuses their posts', async () => {
    const doc = await readHtml(await reporter.get('/staff/notifications'));
    expect(doc.querySelector('#not-for-role')).not.toBeNull();
    expect(doc.querySelector('form[action="/staff/notifications"]')).toBeNull();
    expect((await reporter.post('/staff/notifications', { waiting: 'yes', waitingMinutes: '5' })).status).toBe(403);
  });
});

describe('a suggestion waiting too long', () => {
  it('is emailed to the editor who asked, once it has waited as long as they said — and to nobody else', async () => {
    // Pat asks after an hour; the reporter's choice (written straight to the table) must not count.
    expect((await patient.post('/staff/notifications', { waiting: 'yes', waitingMinutes: '60' })).status).toBe(303);
    await t.db.insert(staffNotificationPreferences).values({ accountId: reporter.accountId, suggestionWaitingMinutes: 5, neighbourUncovered: true, updatedAt: new Date() });

    const [schools] = await t.db.select({ id: services.id }).from(services).where(eq(services.slug, 'schools'));
    const [place] = await t.db.select().from(places).where(eq(places.serviceId, schools!.id)).orderBy(places.id).limit(1);
    const id = await suggestAbout(place!.id);
    // It came in twelve minutes ago (the server's clock cannot be moved; the row's time can).
    await t.db.update(suggestions).set({ createdAt: new Date(Date.now() - 12 * 60_000) }).where(eq(suggestions.id, id));

    const [message] = await waitFor('the email to the editor', () => {
      const found = mailTo(editor.email).filter((m) => m.text.includes(`/staff/review/${id}`));
      return found.length > 0 && found;
    });
    expect(message!.subject).toBe(`A suggestion has waited 12 minutes: ${place!.name}`);
    expect(message!.text).toContain(`${server.url}/staff/review/${id}`);
    expect(message!.text).toContain(`${server.url}/staff/notifications`);

    // Pat's hour has not come: a message is queued for then, not sent.
    const [event] = await t.db.select().from(notificationEvents).where(eq(notificationEvents.key, `waiting:${id}`));
    const [queued] = await t.db.select().from(deliveries).where(eq(deliveries.key, `staff:${event!.id}:${patient.accountId}`));
    expect(queued!.state).toBe('queued');
    expect(Math.abs(queued!.nextAttemptAt.getTime() - (Date.now() - 12 * 60_000 + 60 * 60_000))).toBeLessThan(60_000);
    expect(mailTo(patient.email).filter((m) => m.text.includes(`/staff/review/${id}`))).toHaveLength(0);
    // Reporters cannot review, and the admin did not ask.
    expect(await t.db.select().from(deliveries).where(eq(deliveries.key, `staff:${event!.id}:${reporter.accountId}`))).toHaveLength(0);
    expect(mailTo(reporter.email)).toHaveLength(0);
    expect(mailTo(admin.email)).toHaveLength(0);
    // Once: the next rounds do not send it again.
    await new Promise((r) => setTimeout(r, 500));
    expect(mailTo(editor.email).filter((m) => m.text.includes(`/staff/review/${id}`))).toHaveLength(1);
  });

  it('is not emailed when it passed the limit long ago (a backlog is on the review queue, not in a burst of emails)', async () => {
    const [place] = await t.db.select().from(places).orderBy(places.id).limit(1);
    const id = await suggestAbout(place!.id);
    await t.db.update(suggestions).set({ createdAt: new Date(Date.now() - 3 * 86_400_000) }).where(eq(suggestions.id, id));
    const event = await waitFor('the wait to be recorded and fanned out', async () => {
      const [row] = await t.db.select().from(notificationEvents).where(eq(notificationEvents.key, `waiting:${id}`));
      return row?.fannedOutAt ? row : undefined;
    });
    expect(await t.db.select().from(deliveries).where(eq(deliveries.eventId, event.id))).toHaveLength(0);
  });
});

describe('a neighbour publishing something we have not covered', () => {
  it('is recorded with the new item and emailed to the editor who asked; old and unclassified items are not', async () => {
    const councilId = (await insertNeighbourCouncil(t.db, { slug: 'fixtureshire', name: 'Fixtureshire Council', websiteUrl: '', sortOrder: 99 }))!;
    const sourceId = (await insertNeighbourSource(t.db, { councilId, title: 'News', url: feedsUrl }))!;
    await setNeighbourSourcePaused(t.db, sourceId, true);
    feedItems = [
      { guid: 'fresh', title: 'All pupils at Upper Dale nursery to learn from home', at: new Date(Date.now() - 10 * 60_000) },
      { guid: 'old', title: 'School photographs rearranged for pupils', at: new Date(Date.now() - 5 * 86_400_000) },
      { guid: 'other', title: 'Mayor opens the summer fete', at: new Date(Date.now() - 5 * 60_000) },
    ];
    const result = await pollNeighbourSource(t.db, (await findNeighbourSource(t.db, sourceId))!, { fetch: { allowPrivateAddresses: true } });
    expect(result.error).toBeNull();
    expect(result.new).toBe(3);

    const items = await t.db.select().from(neighbourItems).where(eq(neighbourItems.councilId, councilId));
    const fresh = items.find((i) => i.itemKey === 'fresh')!;
    expect(fresh.serviceSlug).toBe('schools');
    const events = await t.db.select().from(notificationEvents).where(eq(notificationEvents.kind, 'neighbour_uncovered'));
    expect(events.map((e) => [e.key, e.neighbourItemId])).toEqual([[`uncovered:${fresh.id}`, fresh.id]]);

    const [message] = await waitFor('the email about the gap', () => {
      const found = mailTo(editor.email).filter((m) => m.subject.startsWith('Not covered yet'));
      return found.length > 0 && found;
    });
    expect(message!.subject).toBe('Not covered yet: Fixtureshire Council: All pupils at Upper Dale nursery to learn from home');
    expect(message!.text).toContain(`${server.url}/staff/coverage/items/${fresh.id}`);
    // Pat did not ask for these; the reporter asked but cannot cover gaps.
    expect(mailTo(patient.email).filter((m) => m.subject.startsWith('Not covered yet'))).toHaveLength(0);
    expect(await t.db.select().from(deliveries).where(and(eq(deliveries.recipientKind, 'account'), eq(deliveries.recipientId, reporter.accountId)))).toHaveLength(0);

    // Read again, nothing is new, and nothing is recorded again.
    const again = await pollNeighbourSource(t.db, (await findNeighbourSource(t.db, sourceId))!, { fetch: { allowPrivateAddresses: true } });
    expect(again.new).toBe(0);
    expect(await t.db.select().from(notificationEvents).where(eq(notificationEvents.kind, 'neighbour_uncovered'))).toHaveLength(1);
  });

  it('tells staff of at most three gaps from one read of a feed, the newest first', async () => {
    const councilId = (await insertNeighbourCouncil(t.db, { slug: 'busyshire', name: 'Busyshire Council', websiteUrl: '', sortOrder: 98 }))!;
    const sourceId = (await insertNeighbourSource(t.db, { councilId, title: 'News', url: feedsUrl }))!;
    await setNeighbourSourcePaused(t.db, sourceId, true);
    feedItems = [1, 2, 3, 4, 5].map((n) => ({ guid: `busy-${n}`, title: `Pupils at Busyshire school number ${n} sent home early`, at: new Date(Date.now() - n * 60_000) }));
    const result = await pollNeighbourSource(t.db, (await findNeighbourSource(t.db, sourceId))!, { fetch: { allowPrivateAddresses: true } });
    expect(result.new).toBe(5);
    const items = await t.db.select().from(neighbourItems).where(eq(neighbourItems.councilId, councilId));
    const idOf = new Map(items.map((i) => [i.itemKey, i.id]));
    const events = await t.db.select().from(notificationEvents).where(eq(notificationEvents.kind, 'neighbour_uncovered'));
    const busy = events.filter((e) => items.some((i) => i.id === e.neighbourItemId));
    expect(busy.map((e) => e.neighbourItemId).sort()).toEqual(['busy-1', 'busy-2', 'busy-3'].map((k) => idOf.get(k)).sort());
  });
});
