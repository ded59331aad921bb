// The notification settings, from environment variables (the README's table lists them):
// one reader for the server (through astro:env, in config.ts) and for `npm run notify:work`.
import type { MailSettings } from './transports.ts';
import type { WorkerSettings } from './worker.ts';

export interface PushSettings {
  publicKey: string;
  privateKey: string;
  /** A mailto: or https: address push services can contact (VAPID_SUBJECT). */
  subject: string;
}

export interface NotificationSettings {
  /** Whether this process runs the delivery worker (NOTIFY_WORKER, default true). */
  workerEnabled: boolean;
  mail: MailSettings;
  push: PushSettings | null;
  worker: WorkerSettings;
  /** A WebSub hub the feeds announce and the site pings after each publish (WEBSUB_HUB_URL). */
  webSubHubUrl: string | null;
  /** Email sign-ups accepted from one network address in an hour (SUBSCRIPTIONS_PER_ADDRESS_PER_HOUR). */
  subscriptionsPerAddressPerHour: number;
}

/** process.env, or astro:env's module (which also holds a getSecret function: never read here). */
type Values = Readonly<Record<string, unknown>>;

const text = (v: Values[string]) => (v === undefined || v === '' ? undefined : String(v));
const number = (v: Values[string], fallback: number) => {
  const n = Number(text(v) ?? fallback);
  return Number.isFinite(n) && n >= 0 ? n : fallback;
};

export function readNotificationSettings(values: Values): NotificationSettings {
  const publicKey = text(values.VAPID_PUBLIC_KEY);
  const privateKey = text(values.VAPID_PRIVATE_KEY);
  const siteUrl = text(values.SITE_URL) ?? 'http://localhost:4321';
  return {
    workerEnabled: !['false', 'off', '0'].includes(String(values.NOTIFY_WORKER ?? 'true').toLowerCase()),
    mail: {
      smtpUrl: text(values.SMTP_URL),
      from: text(values.MAIL_FROM) ?? 'Council Service Alerts <alerts@localhost>',
      notifyApiKey: text(values.NOTIFY_API_KEY),
      notifyTemplateId: text(values.NOTIFY_EMAIL_TEMPLATE_ID),
      notifyBaseUrl: text(values.NOTIFY_BASE_URL),
    },
    push: publicKey && privateKey ? { publicKey, privateKey, subject: text(values.VAPID_SUBJECT) ?? `mailto:webteam@${new URL(siteUrl).hostname}` } : null,
    worker: {
      siteUrl,
      maxPerSecond: number(values.NOTIFY_MAX_PER_SECOND, 50),
      perAddressPerHour: number(values.NOTIFY_PER_ADDRESS_PER_HOUR, 20),
      leaseMs: number(values.NOTIFY_LEASE_SECONDS, 60) * 1000,
      pollMs: number(values.NOTIFY_POLL_MS, 1000),
      retryBaseMs: number(values.NOTIFY_RETRY_BASE_MS, 30_000),
      webSubHubUrl: text(values.WEBSUB_HUB_URL) ?? null,
    },
    webSubHubUrl: text(values.WEBSUB_HUB_URL) ?? null,
    subscriptionsPerAddressPerHour: number(values.SUBSCRIPTIONS_PER_ADDRESS_PER_HOUR, 30),
  };
}
