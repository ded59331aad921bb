// Starts the delivery worker once per process, with the senders the settings ask for.
import { logEvent } from '../logging/log.ts';
import type { Database } from '../server/database.ts';
import { createPushSender } from './push-sender.ts';
import type { NotificationSettings } from './settings.ts';
import { createEmailSender } from './transports.ts';
import { webhooksMayUsePrivateAddresses } from '../webhooks/validation.ts';
import { createWebhookSender } from './webhook-sender.ts';
import { createWebSubSender } from './websub.ts';
import { createDeliveryWorker, type DeliveryWorker } from './worker.ts';

let worker: DeliveryWorker | null = null;

export function createSenders(settings: NotificationSettings) {
  return {
    email: createEmailSender(settings.mail),
    push: settings.push ? createPushSender(settings.push) : null,
    webhook: createWebhookSender({ allowPrivateAddresses: webhooksMayUsePrivateAddresses(settings.worker.siteUrl) }),
    webSub: settings.webSubHubUrl ? createWebSubSender(settings.webSubHubUrl) : null,
  };
}

/** Starts this process's worker (later calls return it); null when NOTIFY_WORKER is off. */
export function startDeliveryWorker(db: Database, settings: NotificationSettings): DeliveryWorker | null {
  if (worker) return worker;
  if (!settings.workerEnabled) return null;
  const senders = createSenders(settings);
  worker = createDeliveryWorker(db, settings.worker, { senders });
  worker.start();
  logEvent('info', 'delivery worker started', { owner: worker.owner, email: senders.email.name, push: senders.push !== null });
  return worker;
}
