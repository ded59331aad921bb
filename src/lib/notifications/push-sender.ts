// Web push through the `web-push` package (VAPID, aes128gcm). The payload is small JSON the
// service worker shows as a notification: { title, body, url }.
import webPush from 'web-push';
import type { PushSettings } from './settings.ts';
import { SendError, type PushSender } from './transports.ts';

export function createPushSender(settings: PushSettings): PushSender {
  const vapidDetails = { subject: settings.subject, publicKey: settings.publicKey, privateKey: settings.privateKey };
  return {
    async send(message) {
      const payload = JSON.stringify({ title: message.title, body: message.body, url: message.url, tag: message.key });
      try {
        const result = await webPush.sendNotification({ endpoint: message.endpoint, keys: message.keys }, payload, {
          vapidDetails,
          TTL: 6 * 3600,
          urgency: 'high',
          timeout: 10_000,
        });
        return { response: `HTTP ${result.statusCode}` };
      } catch (error) {
        const status = (error as { statusCode?: number }).statusCode ?? null;
        // 404/410: the browser ended the subscription — forget it. 400/403/413: ours to fix.
        const gone = status === 404 || status === 410;
        throw new SendError(`Push: ${status ?? ''} ${(error as Error).message}`.trim(), gone || (status !== null && status >= 400 && status < 500 && status !== 429), gone, status);
      }
    },
  };
}
