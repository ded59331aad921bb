// Partners' webhooks: each event POSTed as JSON, signed so the partner can tell it is ours and
// fresh. X-Signature is "sha256=" + hex HMAC-SHA256(secret, timestamp + "." + body), and
// X-Timestamp the Unix time in seconds it was signed at (partners should refuse old ones).
import { createHmac } from 'node:crypto';
import { SendError, type WebhookSender } from './transports.ts';

export function signWebhookBody(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function createWebhookSender({ timeoutMs = 10_000 }: { timeoutMs?: number } = {}): WebhookSender {
  return {
    async send(message, attempt) {
      const timestamp = Math.floor(Date.now() / 1000);
      let response: Response;
      try {
        response = await fetch(message.url, {
          method: 'POST',
          redirect: 'manual',
          signal: AbortSignal.timeout(timeoutMs),
          headers: {
            'content-type': 'application/json',
            'user-agent': 'CouncilServiceAlerts-Webhook/1',
            'x-signature': signWebhookBody(message.secret, timestamp, message.body),
            'x-timestamp': String(timestamp),
            'x-delivery': message.key,
            'x-attempt': String(attempt),
          },
          body: message.body,
        });
      } catch (error) {
        const why = (error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : `could not connect: ${(error as Error).message}`;
        throw new SendError(why, false);
      }
      await response.body?.cancel();
      if (response.status >= 200 && response.status < 300) return { response: `HTTP ${response.status}` };
      // 410 Gone: the partner has taken the address down; anything else may be passing.
      throw new SendError(`HTTP ${response.status}`, response.status === 410, false, response.status);
    },
  };
}
