// `npm run bench:notify`: how long a change that 10,000 people follow takes to reach them all.
// A temporary database with the demo council and BENCH_SUBSCRIBERS (10,000) confirmed email
// subscribers of one school; a real SMTP server on loopback (smtp-server, counting messages);
// `npm run notify:work` as its own process. The clock starts at the publish and stops when the
// SMTP server has accepted the last message. Prints the time to the first and last message and
// messages per second. Loopback only; it stops by itself.
import { spawn } from 'node:child_process';
import { and, eq, isNull } from 'drizzle-orm';
import { SMTPServer } from 'smtp-server';
import { places, services } from '../../db/schema/index.ts';
import { publishRevision } from '../../src/lib/revisions/service.ts';
import type { PlaceContent } from '../../src/lib/revisions/content.ts';
import { createTestDb } from '../helpers/db.ts';
import { freePort } from '../helpers/server.ts';

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 10_000);
const t = await createTestDb({ seed: true });
const [service] = await t.db.select({ id: services.id }).from(services).where(eq(services.slug, 'schools'));
const [school] = await t.db.select().from(places).where(and(eq(places.serviceId, service!.id), isNull(places.statusUntil))).limit(1);

const now = Date.now();
for (let from = 0; from < SUBSCRIBERS; from += 1000) {
  const rows = Array.from({ length: Math.min(1000, SUBSCRIBERS - from) }, (_, k) => from + k);
  await t.client.batch(
    rows.flatMap((i) => [
      { sql: `INSERT INTO subscribers (channel, email, token_hash, token_salt, confirmed_at, created_at) VALUES ('email', ?, ?, ?, ?, ?)`, args: [`reader${i}@example.net`, `hash${i}`, `salt${i}`, now, now] },
      { sql: `INSERT INTO subscriptions (subscriber_id, target_kind, target_id, confirmed_at, created_at) VALUES (last_insert_rowid(), 'place', ?, ?, ?)`, args: [school!.id, now, now] },
    ]),
    'write',
  );
}

let accepted = 0;
let firstAt = 0;
let lastAt = 0;
const smtpPort = await freePort();
const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onData(stream, _session, callback) {
    stream.on('data', () => undefined);
    stream.on('end', () => {
      accepted++;
      lastAt = performance.now();
      if (accepted === 1) firstAt = lastAt;
      callback();
    });
  },
});
await new Promise<void>((resolve) => smtp.listen(smtpPort, '127.0.0.1', () => resolve()));

const worker = spawn(process.execPath, ['--import', 'tsx', 'src/scripts/notify-work.ts'], {
  env: { ...process.env, DATABASE_URL: t.url, SITE_URL: 'http://alerts.example', SMTP_URL: `smtp://127.0.0.1:${smtpPort}`, MAIL_FROM: 'Alerts <alerts@example.net>', NOTIFY_MAX_PER_SECOND: '0', NOTIFY_POLL_MS: '50' },
  stdio: ['ignore', 'pipe', 'inherit'],
});
await new Promise((resolve) => worker.stdout!.once('data', resolve)); // its first line: ready

const content = JSON.parse((await t.client.execute({ sql: 'SELECT content FROM revisions WHERE id = ?', args: [school!.currentRevisionId] })).rows[0]!.content as string) as PlaceContent;
const { noteHtml: _html, ...draft } = { ...content, status: 'closed' as const, noteMarkdown: 'Closed: snow and ice' };
const publishedAt = performance.now();
await publishRevision(t.db, school!.id, school!.currentRevisionId!, { kind: 'place', draft }, { author: { accountId: null, label: 'Bench' }, summary: 'Closed' });

const deadline = publishedAt + 600_000;
while (accepted < SUBSCRIBERS && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
worker.kill('SIGTERM');
smtp.close();
t.cleanup();

const seconds = (lastAt - publishedAt) / 1000;
console.log(`Notifications: one change followed by ${SUBSCRIBERS.toLocaleString('en-GB')} email subscribers, SMTP on loopback, one worker`);
console.log(`  accepted by the SMTP server: ${accepted.toLocaleString('en-GB')} of ${SUBSCRIBERS.toLocaleString('en-GB')}`);
console.log(`  publish → first message:     ${((firstAt - publishedAt) / 1000).toFixed(2)} s`);
console.log(`  publish → last message:      ${seconds.toFixed(1)} s`);
console.log(`  messages per second:         ${Math.round(accepted / seconds).toLocaleString('en-GB')}`);
process.exit(accepted === SUBSCRIBERS ? 0 : 1);
