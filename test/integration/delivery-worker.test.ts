// The delivery worker on a fake clock, against a real libSQL file and a real SMTP server:
// morning summaries at the chosen time, lapses ("not confirmed since …"), retries with back-off,
// a refusal that is final, and the per-address limit.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { deliveries, places, services, subscribers } from '../../db/schema/index.ts';
import { publishRevision } from '../../src/lib/revisions/service.ts';
import type { PlaceContent } from '../../src/lib/revisions/content.ts';
import { confirmSubscriber, requestSubscription, type Frequency } from '../../src/lib/notifications/subscriptions.ts';
import { createEmailSender } from '../../src/lib/notifications/transports.ts';
import { createWebhookSender } from '../../src/lib/notifications/webhook-sender.ts';
import { createDeliveryWorker, type DeliveryWorker } from '../../src/lib/notifications/worker.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { startSmtpServer, type ReceivedMail, type TestSmtp } from '../helpers/smtp.ts';

const START = new Date('2026-12-03T04:00:00Z'); // 4am in London (GMT in December)
let t: TestDb;
let smtp: TestSmtp;
let clock = START;
let schoolsId: number;
const workers: DeliveryWorker[] = [];

beforeAll(async () => {
  t = await createTestDb({ seed: true, now: START });
  smtp = await startSmtpServer();
  const [row] = await t.db.select({ id: services.id }).from(services).where(eq(services.slug, 'schools'));
  schoolsId = row!.id;
});
afterEach(() => {
  smtp.onMessage = null;
});
afterAll(async () => {
  for (const worker of workers) await worker.stop();
  await smtp?.stop();
  t?.cleanup();
});

function worker(overrides: { perAddressPerHour?: number } = {}): DeliveryWorker {
  const w = createDeliveryWorker(
    t.db,
    { siteUrl: 'http://alerts.example', maxPerSecond: 0, perAddressPerHour: overrides.perAddressPerHour ?? 20, leaseMs: 30_000, pollMs: 100 },
    { senders: { email: createEmailSender({ smtpUrl: smtp.url, from: 'Kirklees Council <alerts@kirklees.example>' }), push: null, webhook: createWebhookSender() }, now: () => clock },
  );
  workers.push(w);
  return w;
}

type PlaceRow = typeof places.$inferSelect;
let nextSchool = 0;
async function freshSchool(): Promise<PlaceRow> {
  const rows = await t.db.select().from(places).where(and(eq(places.serviceId, schoolsId), eq(places.retired, false))).orderBy(places.id);
  return rows[nextSchool++]!;
}

async function setStatus(id: number, change: Partial<PlaceContent>, at: Date): Promise<void> {
  const [row] = await t.db.select().from(places).where(eq(places.id, id));
  const revision = (await t.client.execute({ sql: 'SELECT content FROM revisions WHERE id = ?', args: [row!.currentRevisionId] })).rows[0]!;
  const { noteHtml: _html, ...draft } = { ...(JSON.parse(revision.content as string) as PlaceContent), ...change };
  const result = await publishRevision(t.db, id, row!.currentRevisionId!, { kind: 'place', draft }, { author: { accountId: null, label: 'Test' }, summary: 'Test', at });
  expect(result.ok).toBe(true);
}

/** A confirmed subscriber (as if the confirmation link had been used). */
async function follow(email: string, placeId: number, frequency: Frequency = 'immediate', digestTime = '06:30'): Promise<void> {
  await requestSubscription(t.db, { email, target: { kind: 'place', id: placeId, ward: '' }, frequency, digestTime }, clock);
  const [row] = await t.db.select().from(subscribers).where(eq(subscribers.email, email));
  await confirmSubscriber(t.db, row!, clock);
}

const to = (address: string) => (mail: ReceivedMail) => mail.to.includes(address);
const mailsTo = (address: string) => smtp.received.filter(to(address));

describe('morning summaries', () => {
  it('sends one summary at the chosen time with where each followed place stands, and nothing before', async () => {
    const w = worker();
    const school = await freshSchool();
    const email = 'summary.reader@example.net';
    clock = new Date('2026-12-03T05:00:00Z');
    await follow(email, school.id, 'digest', '06:30');
    await setStatus(school.id, { status: 'opening_late', noteMarkdown: 'Opening at 10am' }, new Date('2026-12-03T05:10:00Z'));
    clock = new Date('2026-12-03T05:40:00Z');
    await setStatus(school.id, { status: 'closed', noteMarkdown: 'Closed: the road is blocked', reason: 'snow_and_ice' }, clock);

    clock = new Date('2026-12-03T06:29:00Z');
    await w.runRound();
    expect(mailsTo(email)).toHaveLength(0);

    clock = new Date('2026-12-03T06:31:00Z');
    const report = await w.runRound();
    expect(report.digests).toBe(1);
    const [summary] = mailsTo(email);
    expect(summary!.subject).toBe(`Morning summary: ${school.name}: Closed (snow and ice)`);
    expect(summary!.text).toContain('Closed: the road is blocked');
    expect(summary!.text).not.toContain('Opening at 10am');

    clock = new Date('2026-12-03T07:30:00Z');
    await w.runRound();
    clock = new Date('2026-12-04T06:45:00Z'); // the next morning, nothing changed since
    await w.runRound();
    expect(mailsTo(email)).toHaveLength(1);
  });
});

describe('lapses', () => {
  it('tells followers when a status set until a time is no longer confirmed', async () => {
    const w = worker();
    const school = await freshSchool();
    const email = 'lapse.watcher@example.net';
    clock = new Date('2026-12-05T07:00:00Z');
    await follow(email, school.id);
    await setStatus(school.id, { status: 'closed', statusUntil: '2026-12-05T12:00:00.000Z', noteMarkdown: 'Closed this morning' }, clock);
    await w.runRound();
    expect(mailsTo(email).map((m) => m.subject)).toEqual([`${school.name}: Closed today`]);

    clock = new Date('2026-12-05T12:01:00Z');
    await w.runRound();
    await w.runRound(); // once only
    expect(mailsTo(email).map((m) => m.subject)).toEqual([`${school.name}: Closed today`, `${school.name}: Not confirmed since 12:00pm (was: Closed)`]);
  });
});

describe('when the mail server says no', () => {
  it('tries again later after a temporary refusal, and gives up at once on a permanent one', async () => {
    const w = worker();
    const [kept, refused] = [await freshSchool(), await freshSchool()];
    clock = new Date('2026-12-06T07:00:00Z');
    await follow('busy.server@example.net', kept.id);
    await follow('no.such.user@example.net', refused.id);
    smtp.onMessage = (mail) => {
      if (mail.to.includes('no.such.user')) return Object.assign(new Error('No such mailbox'), { responseCode: 550 });
      if (mail.to.includes('busy.server')) return Object.assign(new Error('Try again later'), { responseCode: 451 });
    };
    // A new note each time: a change residents see, whatever the demo had the school at.
    await setStatus(kept.id, { status: 'closed', noteMarkdown: 'Closed: no heating' }, clock);
    await setStatus(refused.id, { status: 'closed', noteMarkdown: 'Closed: no heating' }, clock);
    const first = await w.runRound();
    expect(first).toMatchObject({ sent: 0, retried: 1, failed: 1 });
    const [failed] = await t.db.select().from(deliveries).where(eq(deliveries.state, 'failed'));
    expect(failed!.lastError).toContain('No such mailbox');

    smtp.onMessage = null;
    clock = new Date(clock.getTime() + 10_000); // before the back-off has passed: nothing
    expect((await w.runRound()).sent).toBe(0);
    clock = new Date(clock.getTime() + 60_000);
    expect((await w.runRound()).sent).toBe(1);
    expect(mailsTo('busy.server@example.net')).toHaveLength(1);
    expect(mailsTo('no.such.user@example.net')).toHaveLength(0);
  });

  it('holds back messages over the per-address limit until the hour has passed', async () => {
    const w = worker({ perAddressPerHour: 2 });
    const email = 'many.schools@example.net';
    clock = new Date('2026-12-07T07:00:00Z');
    const schools = [await freshSchool(), await freshSchool(), await freshSchool()];
    for (const school of schools) await follow(email, school.id);
    for (const school of schools) {
      await setStatus(school.id, { status: 'closed', noteMarkdown: 'Closed: a burst pipe' }, clock);
      await w.runRound();
    }
    expect(mailsTo(email)).toHaveLength(2);
    clock = new Date(clock.getTime() + 61 * 60_000);
    await w.runRound();
    expect(mailsTo(email)).toHaveLength(3);
  });
});
