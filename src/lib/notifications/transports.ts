// How a message leaves the building. One interface per kind of message (email, push, webhook),
// so the delivery worker does not care whether mail goes by SMTP, by GOV.UK Notify, or — with
// nothing configured — into the log. A failure says whether trying again could help.
import { createTransport, type Transporter } from 'nodemailer';
import { NotifyClient } from 'notifications-node-client';
import { logEvent } from '../logging/log.ts';

export interface EmailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The idempotency key, also the Message-ID, so a repeated message can be recognised. */
  key: string;
  /** The one-click unsubscribe address (RFC 8058), for every message but the confirmation. */
  unsubscribeUrl: string | null;
}

export interface PushMessage {
  endpoint: string;
  keys: { p256dh: string; auth: string };
  title: string;
  body: string;
  url: string;
  key: string;
}

export interface WebhookMessage {
  url: string;
  secret: string;
  /** The JSON body, exactly as signed. */
  body: string;
  key: string;
}

/** What the receiving end said: an SMTP reply, an HTTP status line. */
export interface SendReceipt {
  response: string;
}

/**
 * A send that did not work. `permanent`: trying again will not help (the address or endpoint is
 * refused; a push subscription is gone). `gone`: the recipient no longer exists at all.
 */
export class SendError extends Error {
  override name = 'SendError';
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly gone = false,
    readonly httpStatus: number | null = null,
  ) {
    super(message);
  }
}

export interface EmailSender {
  readonly name: 'smtp' | 'notify' | 'log';
  send(message: EmailMessage): Promise<SendReceipt>;
  close(): void;
}

export interface PushSender {
  send(message: PushMessage): Promise<SendReceipt>;
}

export interface WebhookSender {
  send(message: WebhookMessage, attempt: number): Promise<SendReceipt>;
}

export interface MailSettings {
  /** smtp://user:pass@host:port or smtps://… (SMTP_URL). */
  smtpUrl?: string | undefined;
  /** The From address, "Kirklees Council <alerts@kirklees.gov.uk>" (MAIL_FROM). */
  from: string;
  /** GOV.UK Notify instead of SMTP (NOTIFY_API_KEY, NOTIFY_EMAIL_TEMPLATE_ID, NOTIFY_BASE_URL for tests). */
  notifyApiKey?: string | undefined;
  notifyTemplateId?: string | undefined;
  notifyBaseUrl?: string | undefined;
}

/** The email sender the settings ask for: Notify, SMTP, or the log when neither is set. */
export function createEmailSender(settings: MailSettings): EmailSender {
  if (settings.notifyApiKey) return notifySender(settings);
  if (settings.smtpUrl) return smtpSender(settings.smtpUrl, settings.from);
  return logSender();
}

function messageIdFor(key: string, from: string): string {
  const domain = /@([^>\s]+)/.exec(from)?.[1] ?? 'localhost';
  return `<${key.replace(/[^A-Za-z0-9.:_-]/g, '-')}@${domain}>`;
}

function smtpSender(url: string, from: string): EmailSender {
  // One pooled connection: messages go one after another, each marked sent before the next.
  const transport: Transporter = createTransport({ url, pool: true, maxConnections: 1, maxMessages: Infinity, connectionTimeout: 10_000, socketTimeout: 20_000 });
  return {
    name: 'smtp',
    async send(message) {
      try {
        const info = await transport.sendMail({
          from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          html: message.html,
          messageId: messageIdFor(message.key, from),
          headers: {
            'X-Idempotency-Key': message.key,
            'Auto-Submitted': 'auto-generated',
            // RFC 8058: mail apps show an unsubscribe button that POSTs this, with no page to visit.
            ...(message.unsubscribeUrl ? { 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' } : {}),
          },
          ...(message.unsubscribeUrl ? { list: { unsubscribe: { url: message.unsubscribeUrl } } } : {}),
        });
        return { response: String(info.response ?? 'accepted') };
      } catch (error) {
        const code = (error as { responseCode?: number }).responseCode;
        throw new SendError(`SMTP: ${(error as Error).message}`, typeof code === 'number' && code >= 500 && code < 600);
      }
    },
    close: () => transport.close(),
  };
}

function notifySender(settings: MailSettings): EmailSender {
  if (!settings.notifyTemplateId) throw new Error('NOTIFY_EMAIL_TEMPLATE_ID is needed with NOTIFY_API_KEY');
  const client = settings.notifyBaseUrl ? new NotifyClient(settings.notifyBaseUrl, settings.notifyApiKey!) : new NotifyClient(settings.notifyApiKey!);
  const templateId = settings.notifyTemplateId;
  return {
    name: 'notify',
    async send(message) {
      try {
        // The template is "((subject))" / "((body))": our wording stays in one place, ours.
        const response = await client.sendEmail(templateId, message.to, {
          personalisation: { subject: message.subject, body: message.text },
          reference: message.key,
          ...(message.unsubscribeUrl ? { oneClickUnsubscribeURL: message.unsubscribeUrl } : {}),
        });
        return { response: `Notify ${response.status} ${response.data.id}` };
      } catch (error) {
        const status = (error as { response?: { status?: number } }).response?.status ?? null;
        // 400/403: a bad address or key — trying again will not help. 429 and 5xx: later.
        throw new SendError(`Notify: ${status ?? ''} ${(error as Error).message}`.trim(), status !== null && status >= 400 && status < 500 && status !== 429, false, status);
      }
    },
    close: () => undefined,
  };
}

/** No mail settings: each message is written to the log instead ("email not sent"), whole. */
function logSender(): EmailSender {
  return {
    name: 'log',
    async send(message) {
      logEvent('info', 'email not sent: no SMTP_URL or NOTIFY_API_KEY', {
        to: maskEmail(message.to),
        subject: message.subject,
        key: message.key,
        text: message.text,
      });
      return { response: 'logged' };
    },
    close: () => undefined,
  };
}

/** "j…@example.com": how an address appears in logs and to staff, never in full. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '…';
  return `${email[0]}…${email.slice(at)}`;
}
