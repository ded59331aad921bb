// Partners' webhooks: each event POSTed as JSON, signed so the partner can tell it is ours and
// fresh. X-Signature is "sha256=" + hex HMAC-SHA256(secret, timestamp + "." + body), and
// X-Timestamp the Unix time in seconds it was signed at (partners should refuse old ones).
//
// The address comes from an admin form, so the POST must not become a way into our own network:
// as with neighbours' feeds (../neighbours/fetch.ts), every address the host name resolves to
// must be public, and the connection goes to the address that was checked. Redirects are not
// followed (a partner gives the address it means). Only with a http: SITE_URL (development,
// tests) may a hook point at this machine or a private network.
import { createHmac } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { describeConnectionFailure, guardedLookup, isPublicAddress } from '../neighbours/fetch.ts';
import { SendError, type WebhookSender } from './transports.ts';

export function signWebhookBody(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export interface WebhookSenderOptions {
  /** The deadline for connecting, sending and the answer's status (default 10 s). */
  timeoutMs?: number;
  /** Allow loopback and private addresses (only when SITE_URL is http:). */
  allowPrivateAddresses?: boolean;
}

/** Plain words for a failed connection, for the delivery log admins read. */
function describeNetworkError(error: unknown, host: string, timeoutMs: number): string {
  if ((error as Error).name === 'TimeoutError' || (error as Error).name === 'AbortError') return `no answer within ${timeoutMs / 1000} s`;
  const code = (error as { code?: string }).code ?? '';
  const common = describeConnectionFailure(code, host);
  if (common) return common;
  if (code === 'ECONNRESET' || code === 'EPIPE') return `the server at ${host} closed the connection without answering`;
  return `could not connect: ${(error as Error).message || code || 'unknown network error'}`;
}

function post(url: URL, headers: Record<string, string>, body: string, signal: AbortSignal, allowPrivate: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(url, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, signal, lookup: guardedLookup(allowPrivate) }, (response) => {
      // Only the status matters; the partner's body is read and dropped so the socket is freed.
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export function createWebhookSender({ timeoutMs = 10_000, allowPrivateAddresses = false }: WebhookSenderOptions = {}): WebhookSender {
  return {
    async send(message, attempt) {
      const url = new URL(message.url);
      const host = url.hostname.replace(/^\[|\]$/g, '');
      // An address written as an IP is never looked up, so it is checked here.
      if (!allowPrivateAddresses && isIP(host) && !isPublicAddress(host)) {
        throw new SendError(`the address points to a private or local network (${host}), which is not allowed`, true);
      }
      const timestamp = Math.floor(Date.now() / 1000);
      let status: number;
      try {
        status = await post(
          url,
          {
            'content-type': 'application/json',
            'user-agent': 'CouncilServiceAlerts-Webhook/1',
            'x-signature': signWebhookBody(message.secret, timestamp, message.body),
            'x-timestamp': String(timestamp),
            'x-delivery': message.key,
            'x-attempt': String(attempt),
          },
          message.body,
          AbortSignal.timeout(timeoutMs),
          allowPrivateAddresses,
        );
      } catch (error) {
        throw new SendError(describeNetworkError(error, url.hostname, timeoutMs), false);
      }
      if (status >= 200 && status < 300) return { response: `HTTP ${status}` };
      // 410 Gone: the partner has taken the address down; anything else may be passing.
      throw new SendError(`HTTP ${status}`, status === 410, false, status);
    },
  };
}
