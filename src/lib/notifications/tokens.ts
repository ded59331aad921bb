// The private "manage my updates" token of a subscriber: derived from the database's secret and
// the subscriber's own salt, so every email can carry the link although only its hash is kept.
import { createHash, createHmac, randomBytes } from 'node:crypto';

export function newTokenSalt(): string {
  return randomBytes(16).toString('base64url');
}

/** The token in a subscriber's links: 32 characters of HMAC-SHA256(secret, salt). */
export function subscriberToken(secret: string, salt: string): string {
  return createHmac('sha256', secret).update(`updates:${salt}`).digest('base64url').slice(0, 32);
}

export function hashSubscriberToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
