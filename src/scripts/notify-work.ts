// `npm run notify:work`: the delivery worker on its own (run it beside servers started with
// NOTIFY_WORKER=false, or as well as them: workers share the queue). It sends until stopped
// (Ctrl+C finishes the message in flight first); with `--until-empty` it stops when nothing is
// due. Prints a line per round that did something: "sent 120, skipped 0, retrying 2, failed 0".
// Reads DATABASE_URL, DATABASE_AUTH_TOKEN, SITE_URL and the NOTIFY_*, SMTP_URL, MAIL_FROM and
// VAPID_* variables of the README.
import { readNotificationSettings } from '../lib/notifications/settings.ts';
import { createSenders } from '../lib/notifications/start.ts';
import { createDeliveryWorker, type RoundReport } from '../lib/notifications/worker.ts';
import { openScriptDatabase } from './open-script-database.ts';

const untilEmpty = process.argv.includes('--until-empty');
const settings = readNotificationSettings(process.env);
const handle = await openScriptDatabase();
const senders = createSenders(settings);
const worker = createDeliveryWorker(handle.db, settings.worker, { senders });
console.log(`Delivery worker ${worker.owner}: email by ${senders.email.name}, web push ${senders.push ? 'on' : 'off (no VAPID keys)'}.`);

const describe = (r: RoundReport) =>
  `sent ${r.sent}, skipped ${r.skipped}, retrying ${r.retried}, failed ${r.failed}` + (r.fannedOut ? `, ${r.fannedOut} new events` : '') + (r.digests ? `, ${r.digests} summaries queued` : '');

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    stopping = true;
  });
}
while (!stopping) {
  const report = await worker.runRound();
  if (report.sent + report.skipped + report.retried + report.failed + report.fannedOut + report.digests > 0) console.log(describe(report));
  if (untilEmpty && report.sent + report.skipped + report.retried + report.failed === 0) break;
  if (!stopping) await new Promise((resolve) => setTimeout(resolve, settings.worker.pollMs));
}
await worker.stop();
handle.client.close();
