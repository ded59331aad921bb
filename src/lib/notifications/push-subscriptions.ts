// Web push subscriptions: the use case behind POST /subscribe/push, which the "Get updates on
// this device" button (src/components/PushSubscribe.astro, /scripts/push-subscribe.js) calls
// with the browser's PushSubscription and what to follow ("place:12", "service:3:Almondbury",
// "severe_alerts"). One browser is one subscriber, found again by its endpoint; each thing it
// follows is one subscription. Both are confirmed at once: the browser's own permission prompt
// is the resident's consent (email needs double opt-in; a push endpoint cannot be someone
// else's address). Framework-free: the route passes the database and the settings.
import { and, count, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { places, services, subscribers, subscriptions } from '../../../db/schema/index.ts';
import { hashClientAddress, isLimited, recordEvent, type RateLimit } from '../auth/rate-limit.ts';
import { logEvent } from '../logging/log.ts';
import { isPublicAddress } from '../neighbours/fetch.ts';
import type { Database } from '../server/database.ts';
import { getHashSecret } from '../settings/repository.ts';
import { hashSubscriberToken, newTokenSalt, subscriberToken } from './tokens.ts';

export type SubscriptionTarget =
  | { kind: 'place'; id: number }
  | { kind: 'service'; id: number; ward: string }
  | { kind: 'severe_alerts' };

/** The most things one browser may follow. */
export const MAX_FOLLOWS_PER_BROWSER = 50;
/** Sign-ups from one network address in an hour (a family behind one router is far below it). */
export const PUSH_SUBSCRIBE_PER_ADDRESS: RateLimit = { bucket: 'push-subscribe:address', max: 30, windowMs: 3_600_000 };
/** Real push services' endpoints are a few hundred characters. */
export const ENDPOINT_MAX = 1000;

/** `place:12`, `service:3` (all of it), `service:3:Almondbury` (one ward) or `severe_alerts`; null for anything else. */
export function parseSubscriptionTarget(raw: string): SubscriptionTarget | null {
  if (raw === 'severe_alerts') return { kind: 'severe_alerts' };
  const place = /^place:([1-9]\d{0,8})$/.exec(raw);
  if (place) return { kind: 'place', id: Number(place[1]) };
  const service = /^service:([1-9]\d{0,8})(?::(.{1,100}))?$/su.exec(raw);
  if (service) return { kind: 'service', id: Number(service[1]), ward: service[2]?.trim() ?? '' };
  return null;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Why a push endpoint is not acceptable, or null when it is. Push services are on the public
 * internet over https: — the worker POSTs to the endpoint, so an address on a private network
 * would let anyone make the server call inside it. A site served over plain http: (development
 * and tests) may also use a push service on this machine (https://localhost:…). Never http:
 * (web-push only speaks https:, so such a subscription could never be sent anything).
 */
export function pushEndpointProblem(endpoint: string, siteUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return 'The push address is not a web address.';
  }
  if (url.protocol !== 'https:') return 'The push address must start with https://.';
  if (url.username || url.password) return 'The push address must not contain a user name or password.';
  const host = url.hostname.toLowerCase();
  if (LOOPBACK_HOSTS.has(host) && /^http:/i.test(siteUrl)) return null;
  const literal = host.replace(/^\[|\]$/g, '');
  const isLiteral = /^[\d.]+$/.test(literal) || literal.includes(':');
  if (host === 'localhost' || host.endsWith('.localhost') || (isLiteral && !isPublicAddress(literal)) || !host.includes('.')) {
    return 'The push address must be on the public internet.';
  }
  return null;
}

/** Decodes base64url (padding allowed); null when it is not. */
function base64urlBytes(value: string): Buffer | null {
  const bare = value.replace(/=+$/, '');
  return /^[A-Za-z0-9_-]+$/.test(bare) ? Buffer.from(bare, 'base64url') : null;
}

const requestSchema = z.object({
  target: z.string({ error: 'Say what you want updates about.' }).max(200, { error: 'The thing to follow is not one we know.' }),
  subscription: z.object(
    {
      endpoint: z.string({ error: 'The browser did not send a push address.' }).min(1, { error: 'The browser did not send a push address.' }).max(ENDPOINT_MAX, { error: 'The push address is too long.' }),
      keys: z.object(
        {
          // An uncompressed P-256 public key (65 bytes) and a 16-byte secret, as the Push API gives them.
          p256dh: z
            .string({ error: 'The browser did not send its push key.' })
            .max(200)
            .refine((v) => { const b = base64urlBytes(v); return b !== null && b.length === 65 && b[0] === 4; }, { error: 'The browser’s push key is not valid.' }),
          auth: z
            .string({ error: 'The browser did not send its push secret.' })
            .max(100)
            .refine((v) => base64urlBytes(v)?.length === 16, { error: 'The browser’s push secret is not valid.' }),
        },
        { error: 'The browser did not send its push keys.' },
      ),
    },
    { error: 'The browser did not send a push subscription.' },
  ),
});

export interface PushSubscribeOptions {
  /** The site's public address (SITE_URL): the manage link's base and the loopback rule. */
  siteUrl: string;
  /** Whether web push is set up (both VAPID keys): without it nothing could ever be sent. */
  pushEnabled: boolean;
  /** The client's network address, for the hourly limit (only its keyed hash is stored). */
  clientAddress: string;
  now: Date;
}

export type PushSubscribeResult =
  | { ok: true; status: 200; manageUrl: string }
  | { ok: false; status: 400 | 429; message: string };

const refuse = (message: string, status: 400 | 429 = 400): PushSubscribeResult => ({ ok: false, status, message });

/** Whether `origin` (the request's Origin header) is the site's own (SITE_URL's). */
export function isOwnOrigin(origin: string | null, siteUrl: string): boolean {
  if (!origin) return false;
  try {
    return new URL(origin).origin === new URL(siteUrl).origin;
  } catch {
    return false;
  }
}

/** Checks that the target is something residents can follow: a published place, a service (and ward of it). */
async function targetProblem(db: Database, target: SubscriptionTarget): Promise<string | null> {
  if (target.kind === 'severe_alerts') return null;
  if (target.kind === 'place') {
    const [row] = await db.select({ id: places.id }).from(places).where(and(eq(places.id, target.id), eq(places.retired, false), sql`${places.currentRevisionId} IS NOT NULL`));
    return row ? null : 'We could not find that place. It may have closed for good.';
  }
  const [service] = await db.select({ id: services.id }).from(services).where(eq(services.id, target.id));
  if (!service) return 'We could not find that service.';
  if (target.ward === '') return null;
  const [ward] = await db
    .select({ id: places.id })
    .from(places)
    .where(and(eq(places.serviceId, target.id), eq(places.ward, target.ward), eq(places.retired, false)))
    .limit(1);
  return ward ? null : 'We could not find that area for this service.';
}

/**
 * Subscribes a browser to push messages about one thing: validates the request (already parsed
 * JSON), creates the browser's subscriber (or finds it by endpoint, taking its newest keys) and
 * the confirmed subscription, and returns the link to its private "manage my updates" page.
 * Subscribing twice to the same thing changes nothing.
 */
export async function subscribeBrowserToPush(db: Database, body: unknown, options: PushSubscribeOptions): Promise<PushSubscribeResult> {
  if (!options.pushEnabled) return refuse('Updates on this device are not switched on for this site. You can get updates by email instead.');
  const parsed = requestSchema.safeParse(body);
  if (!parsed.success) return refuse(parsed.error.issues[0]?.message ?? 'The request was not valid.');
  const { subscription } = parsed.data;
  const target = parseSubscriptionTarget(parsed.data.target);
  if (!target) return refuse('The thing to follow is not one we know.');
  const endpointProblem = pushEndpointProblem(subscription.endpoint, options.siteUrl);
  if (endpointProblem) return refuse(endpointProblem);
  const missing = await targetProblem(db, target);
  if (missing) return refuse(missing);

  const secret = await getHashSecret(db);
  const addressKey = hashClientAddress(options.clientAddress, secret);
  if (await isLimited(db, PUSH_SUBSCRIBE_PER_ADDRESS, addressKey, options.now)) {
    return refuse('There have been too many sign-ups from your network in the last hour. Please try again later.', 429);
  }

  const keys = { p256dh: subscription.keys.p256dh, auth: subscription.keys.auth };
  const subscriber = await findOrCreateBrowser(db, secret, subscription.endpoint, keys, options.now);

  const targetId = target.kind === 'severe_alerts' ? 0 : target.id;
  const ward = target.kind === 'service' ? target.ward : '';
  const [follows] = await db.select({ n: count() }).from(subscriptions).where(eq(subscriptions.subscriberId, subscriber.id));
  const [already] = await db
    .select({ id: subscriptions.id })
    .from(subscriptions)
    .where(and(eq(subscriptions.subscriberId, subscriber.id), eq(subscriptions.targetKind, target.kind), eq(subscriptions.targetId, targetId), eq(subscriptions.ward, ward)));
  if (!already && (follows?.n ?? 0) >= MAX_FOLLOWS_PER_BROWSER) {
    return refuse(`This device already gets updates about ${MAX_FOLLOWS_PER_BROWSER} things. Stop some of them first.`);
  }

  const token = subscriberToken(secret, subscriber.tokenSalt);
  await db.batch([
    // The newest keys win (a browser that subscribed again).
    db.update(subscribers).set({ pushKeys: keys, confirmedAt: sql`coalesce(${subscribers.confirmedAt}, ${options.now.getTime()})` }).where(eq(subscribers.id, subscriber.id)),
    db
      .insert(subscriptions)
      .values({ subscriberId: subscriber.id, targetKind: target.kind, targetId, ward, confirmedAt: options.now, createdAt: options.now })
      .onConflictDoUpdate({
        target: [subscriptions.subscriberId, subscriptions.targetKind, subscriptions.targetId, subscriptions.ward],
        set: { confirmedAt: sql`coalesce(${subscriptions.confirmedAt}, ${options.now.getTime()})` },
      }),
  ]);
  await recordEvent(db, PUSH_SUBSCRIBE_PER_ADDRESS, addressKey, options.now);
  logEvent('info', 'push subscription', { subscriber: subscriber.id, target: target.kind, targetId, ward: ward || undefined, new: !already });
  return { ok: true, status: 200, manageUrl: new URL(`/updates/${token}`, options.siteUrl).toString() };
}

/** The push subscriber with this endpoint (only push subscribers have one), created confirmed if there is none. */
async function findOrCreateBrowser(db: Database, secret: string, endpoint: string, keys: { p256dh: string; auth: string }, now: Date) {
  const find = async () => {
    const [row] = await db.select({ id: subscribers.id, tokenSalt: subscribers.tokenSalt }).from(subscribers).where(eq(subscribers.pushEndpoint, endpoint));
    return row;
  };
  let row = await find();
  if (!row) {
    // Two sign-ups from one browser at once: the unique endpoint lets one insert win, the other finds it.
    const tokenSalt = newTokenSalt();
    await db
      .insert(subscribers)
      .values({ channel: 'push', pushEndpoint: endpoint, pushKeys: keys, tokenHash: hashSubscriberToken(subscriberToken(secret, tokenSalt)), tokenSalt, confirmedAt: now, createdAt: now })
      .onConflictDoNothing();
    row = await find();
  }
  if (!row) throw new Error('The push subscriber was neither found nor created');
  return row;
}
