// Nothing lost, nothing twice (within the stated bound) when the delivery worker is killed.
// `npm run notify:work` runs as its own process; the test's SMTP server kills it with SIGKILL at
// the worst moment — a message received, its "250 OK" not yet sent, so the worker can never mark
// it sent — twice, and starts it again each time. Every queued message must arrive, and a message
// may arrive twice at most once per kill: a worker has one message in flight at a time.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { deliveries, places, services } from '../../db/schema/index.ts';
import { publishRevision } from '../../src/lib/revisions/service.ts';
import type { PlaceContent } from '../../src/lib/revisions/content.ts';
import { createTestDb, type TestDb } from '../helpers/db.ts';
import { startSmtpServer, type TestSmtp } from '../helpers/smtp.ts';

const SUBSCRIBERS = 200;
const KILL_AT = [40, 130];

let t: TestDb;
let smtp: TestSmtp;
let worker: ChildProcess | null = null;
let starts = 0;
let output = '';

function startWorker(): ChildProcess {
  starts++;
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/scripts/notify-work.ts'], {
    env: {
      ...process.env,
      DATABASE_URL: t.url,
      SITE_URL: 'http://alerts.example',
      SMTP_URL: smtp.url,
      MAIL_FROM: 'Kirklees Council <alerts@kirklees.example>',
      NOTIFY_LEASE_SECONDS: '2',
      NOTIFY_POLL_MS: '100',
      NOTIFY_MAX_PER_SECOND: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  return child;
}

beforeAll(async () => {
  t = await createTestDb({ seed: true });
  smtp = await startSmtpServer();
  const [service] = await t.db.select({ id: services.id }).from(services).where(eq(services.slug, 'schools'));
  // A school whose demo status does not lapse by itself (so the publish below is the only news).
  const [school] = await t.db.select().from(places).where(and(eq(places.serviceId, service!.id), isNull(places.statusUntil))).limit(1);
  // Its confirmed followers, written directly (the opt-in is tested elsewhere).
  const now = Date.now();
  await t.client.batch(
    Array.from({ length: SUBSCRIBERS }, (_, i) => [
      { sql: `INSERT INTO subscribers (channel, email, token_hash, token_salt, confirmed_at, created_at) VALUES ('email', ?, ?, ?, ?, ?)`, args: [`follower${i}@example.net`, `hash${i}`, `salt${i}`, now, now] },
      { sql: `INSERT INTO subscriptions (subscriber_id, target_kind, target_id, confirmed_at, created_at) VALUES (last_insert_rowid(), 'place', ?, ?, ?)`, args: [school!.id, now, now] },
    ]).flat(),
    'write',
  );
  const content = JSON.parse((await t.client.execute({ sql: 'SELECT content FROM revisions WHERE id = ?', args: [school!.currentRevisionId] })).rows[0]!.content as string) as PlaceContent;
  const { noteHtml: _html, ...draft } = { ...content, status: 'closed' as const, noteMarkdown: 'Closed: the boiler has failed' };
  expect((await publishRevision(t.db, school!.id, school!.currentRevisionId!, { kind: 'place', draft }, { author: { accountId: null, label: 'Test' }, summary: 'Closed' })).ok).toBe(true);
}, 60_000);

afterAll(async () => {
  worker?.kill('SIGKILL');
  await smtp?.stop();
  t?.cleanup();
});

describe('the delivery worker killed mid-send', () => {
  it('delivers every queued message, repeating at most one per kill', async () => {
    let kills = 0;
    smtp.onMessage = (_mail, index) => {
      if (KILL_AT.includes(index) && worker) {
        kills++;
        // The message is in our hands; the worker dies before it hears "250 OK".
        worker.kill('SIGKILL');
      }
    };
    worker = startWorker();
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (worker.exitCode !== null || worker.signalCode !== null) worker = startWorker();
      const unique = new Set(smtp.received.map((m) => m.messageId));
      const [{ n: waiting } = { n: 0 }] = await t.db.select({ n: sql<number>`count(*)` }).from(deliveries).where(sql`${deliveries.state} <> 'sent'`);
      if (unique.size >= SUBSCRIBERS && waiting === 0) break;
      if (Date.now() > deadline) throw new Error(`Only ${unique.size} of ${SUBSCRIBERS} delivered, ${waiting} not marked sent.\n${output.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    // Past any lease a killed worker held: nothing else may trickle in.
    await new Promise((r) => setTimeout(r, 2500));

    const byId = new Map<string, number>();
    for (const mail of smtp.received) byId.set(mail.messageId, (byId.get(mail.messageId) ?? 0) + 1);
    const duplicates = [...byId.values()].reduce((sum, n) => sum + n - 1, 0);
    expect(kills).toBe(KILL_AT.length);
    expect(starts).toBe(KILL_AT.length + 1);
    expect(byId.size).toBe(SUBSCRIBERS);
    expect(new Set(smtp.received.map((m) => m.to)).size).toBe(SUBSCRIBERS);
    expect(duplicates).toBeLessThanOrEqual(kills);
    const states = await t.db.select({ state: deliveries.state, n: sql<number>`count(*)` }).from(deliveries).groupBy(deliveries.state);
    expect(states).toEqual([{ state: 'sent', n: SUBSCRIBERS }]);
    console.log(`delivery crash test: ${SUBSCRIBERS} messages, ${kills} SIGKILLs, ${duplicates} sent twice`);
  }, 90_000);
});
