// The read models and form handling of the residents' update pages: /subscribe (ask for
// updates), /updates/{token} (the private page to change or stop them), its confirm and
// unsubscribe steps. Every form answers bad input with a GOV.UK error summary and keeps what
// was typed; nothing here says whether an address is already signed up.
import { z } from 'astro/zod';
import { findPublishedPlaceById, listPublishedPlaces } from '../places/repository.ts';
import { wardsOf } from '../places/service.ts';
import { loadChrome, type SiteChrome } from '../public/site.ts';
import { hashClientAddress, isLimited, recordEvent, type RateLimit } from '../auth/rate-limit.ts';
import { config } from '../server/config.ts';
import { getHashSecret } from '../settings/repository.ts';
import { getDb } from '../server/db.ts';
import type { Database } from '../server/database.ts';
import { findServiceBySlug, listServices } from '../services/repository.ts';
import { describeTarget, describeTargets } from './compose.ts';
import {
  confirmSubscriber,
  deleteSubscriber,
  findSubscriberByToken,
  listSubscriptions,
  removeSubscription,
  requestSubscription,
  setFrequency,
  type Frequency,
  type SubscriberRow,
  type SubscriptionTarget,
} from './subscriptions.ts';

export interface Issue {
  field: string;
  message: string;
}

export interface TargetView {
  /** As in the address: "place:12", "service:schools", "alerts:severe". */
  param: string;
  target: SubscriptionTarget;
  /** "Colne Valley High School", "Schools", "severe alerts". */
  name: string;
  /** The page it belongs to, for the back link. */
  path: string;
  /** A service's wards, to follow one area only. */
  wards: string[] | null;
}

/** Morning summary times offered: every quarter hour from 5am to noon. */
export const DIGEST_TIMES: readonly string[] = Array.from({ length: 29 }, (_, i) => {
  const minutes = 5 * 60 + i * 15;
  return `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
});

/** "6:30am" for a "06:30" option. */
export function digestTimeLabel(time: string): string {
  const [h, m] = time.split(':').map(Number) as [number, number];
  return `${h % 12 === 0 ? 12 : h % 12}:${String(m).padStart(2, '0')}${h < 12 ? 'am' : 'pm'}`;
}

async function resolveTarget(db: Database, param: string | null): Promise<TargetView | null> {
  const match = /^(place|service|alerts):([A-Za-z0-9-]+)$/.exec(param ?? '');
  if (!match) return null;
  const [, kind, key] = match as unknown as [string, string, string];
  if (kind === 'alerts') return key === 'severe' ? { param: 'alerts:severe', target: { kind: 'severe_alerts', id: 0, ward: '' }, name: 'severe alerts', path: '/', wards: null } : null;
  if (kind === 'place') {
    if (!/^\d{1,9}$/.test(key)) return null;
    const place = await findPublishedPlaceById(db, Number(key));
    if (!place || place.retired) return null;
    const services = await listServices(db);
    const service = services.find((s) => s.id === place.serviceId);
    return { param: `place:${place.id}`, target: { kind: 'place', id: place.id, ward: '' }, name: place.name, path: `/services/${service?.slug ?? ''}/${place.slug}`, wards: null };
  }
  const service = /^\d+$/.test(key) ? (await listServices(db)).find((s) => s.id === Number(key)) : await findServiceBySlug(db, key);
  if (!service) return null;
  const wards = wardsOf(await listPublishedPlaces(db, service.id));
  return { param: `service:${service.slug}`, target: { kind: 'service', id: service.id, ward: '' }, name: service.name, path: `/services/${service.slug}`, wards };
}

export interface SubscribeValues {
  email: string;
  ward: string;
  frequency: Frequency;
  digestTime: string;
}

export type SubscribePage =
  | {
      view: 'form';
      status: 200 | 400 | 429;
      chrome: SiteChrome;
      target: TargetView;
      values: SubscribeValues;
      issues: Issue[];
      /** The web push key, when push is set up (the "Get updates on this device" button). */
      pushPublicKey: string | null;
    }
  | { view: 'not-found'; status: 404; chrome: SiteChrome };

const pushPublicKey = config.notifications.push?.publicKey ?? null;

/** The target as POST /subscribe/push takes it: "place:12", "service:3", "severe_alerts". */
export function pushTargetOf(target: SubscriptionTarget): string {
  return target.kind === 'severe_alerts' ? 'severe_alerts' : `${target.kind}:${target.id}`;
}

const DEFAULT_VALUES: SubscribeValues = { email: '', ward: '', frequency: 'immediate', digestTime: '06:30' };

export async function loadSubscribePage(targetParam: string | null, now: Date): Promise<SubscribePage> {
  const db = await getDb();
  const [chrome, target] = await Promise.all([loadChrome(db, now), resolveTarget(db, targetParam)]);
  if (!target) return { view: 'not-found', status: 404, chrome };
  return { view: 'form', status: 200, chrome, target, values: DEFAULT_VALUES, issues: [], pushPublicKey };
}

// A practical check, as GOV.UK's: something@something.something, no spaces, not too long.
const emailSchema = z.string().max(254).regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/);

/** Reads the subscribe form: the values as typed, and what is wrong with them. */
export function readSubscribeForm(form: FormData, target: TargetView): { values: SubscribeValues; issues: Issue[] } {
  const text = (name: string) => String(form.get(name) ?? '').trim();
  const values: SubscribeValues = {
    email: text('email'),
    ward: text('ward'),
    frequency: text('frequency') === 'digest' ? 'digest' : 'immediate',
    digestTime: text('digest-time') || DEFAULT_VALUES.digestTime,
  };
  const issues: Issue[] = [];
  if (!values.email) issues.push({ field: 'email', message: 'Enter your email address' });
  else if (!emailSchema.safeParse(values.email).success) issues.push({ field: 'email', message: 'Enter an email address in the correct format, like name@example.com' });
  if (values.ward && !(target.wards ?? []).includes(values.ward)) issues.push({ field: 'ward', message: 'Choose an area from the list' });
  if (!['immediate', 'digest', ''].includes(text('frequency'))) issues.push({ field: 'frequency', message: 'Choose when you want to hear from us' });
  if (values.frequency === 'digest' && !DIGEST_TIMES.includes(values.digestTime)) issues.push({ field: 'digest-time', message: 'Choose a time for your morning summary' });
  return { values, issues };
}

export type SubscribeResult = { ok: true; redirect: string } | { ok: false; page: SubscribePage };

/** Sign-ups from one network address in an hour (a family behind one router is far below it). */
const SUBSCRIBE_PER_ADDRESS: RateLimit = { bucket: 'subscribe:address', max: config.notifications.subscriptionsPerAddressPerHour, windowMs: 3_600_000 };

export async function submitSubscribe(form: FormData, clientAddress: string, now: Date): Promise<SubscribeResult> {
  const db = await getDb();
  const [chrome, target] = await Promise.all([loadChrome(db, now), resolveTarget(db, String(form.get('target') ?? ''))]);
  if (!target) return { ok: false, page: { view: 'not-found', status: 404, chrome } };
  const { values, issues } = readSubscribeForm(form, target);
  if (issues.length > 0) return { ok: false, page: { view: 'form', status: 400, chrome, target, values, issues, pushPublicKey } };
  // The address is kept only as a keyed hash, for this count.
  const addressKey = hashClientAddress(clientAddress, await getHashSecret(db));
  if (await isLimited(db, SUBSCRIBE_PER_ADDRESS, addressKey, now)) {
    const busy = [{ field: 'email', message: 'There have been too many sign-ups from your network in the last hour. Try again later' }];
    return { ok: false, page: { view: 'form', status: 429, chrome, target, values, issues: busy, pushPublicKey } };
  }
  await recordEvent(db, SUBSCRIBE_PER_ADDRESS, addressKey, now);
  await requestSubscription(db, { email: values.email, target: { ...target.target, ward: values.ward }, frequency: values.frequency, digestTime: values.digestTime }, now);
  return { ok: true, redirect: `/subscribe/check-email?target=${encodeURIComponent(target.param)}` };
}

export async function loadCheckEmailPage(targetParam: string | null, now: Date): Promise<{ chrome: SiteChrome; target: TargetView | null }> {
  const db = await getDb();
  const [chrome, target] = await Promise.all([loadChrome(db, now), resolveTarget(db, targetParam)]);
  return { chrome, target };
}

// ─── The private page: /updates/{token} ───────────────────────────────────────────────────

export interface FollowView {
  id: number;
  name: string;
  confirmed: boolean;
}

export type ManagePage =
  | { view: 'manage'; status: 200 | 400; chrome: SiteChrome; token: string; subscriber: SubscriberRow; follows: FollowView[]; issues: Issue[]; flash: string | null }
  | { view: 'gone'; status: 404; chrome: SiteChrome };

const FLASH: Record<string, string> = {
  confirmed: 'Your updates have started.',
  removed: 'We will not send you updates about that any more.',
  saved: 'Your choice has been saved.',
};

export async function loadManagePage(token: string, flash: string | null, now: Date, issues: Issue[] = []): Promise<ManagePage> {
  const db = await getDb();
  const [chrome, subscriber] = await Promise.all([loadChrome(db, now), findSubscriberByToken(db, token)]);
  if (!subscriber) return { view: 'gone', status: 404, chrome };
  const rows = await listSubscriptions(db, subscriber.id);
  const follows = await Promise.all(rows.map(async (row) => ({ id: row.id, name: await describeTarget(db, row), confirmed: row.confirmedAt !== null })));
  return { view: 'manage', status: issues.length > 0 ? 400 : 200, chrome, token, subscriber, follows, issues, flash: flash ? (FLASH[flash] ?? null) : null };
}

export type ManageResult = { ok: true; redirect: string } | { ok: false; page: ManagePage };

/** The manage page's buttons: `action` = remove (with `subscription`), frequency, or stop. */
export async function updateFromManagePage(token: string, form: FormData, now: Date): Promise<ManageResult> {
  const db = await getDb();
  const subscriber = await findSubscriberByToken(db, token);
  if (!subscriber) return { ok: false, page: await loadManagePage(token, null, now) };
  const action = String(form.get('action') ?? '');
  if (action === 'stop') {
    await deleteSubscriber(db, subscriber.id);
    return { ok: true, redirect: '/subscribe/stopped' };
  }
  if (action === 'remove') {
    const id = Number(form.get('subscription'));
    if (Number.isInteger(id)) await removeSubscription(db, subscriber.id, id);
    return { ok: true, redirect: `/updates/${token}?done=removed` };
  }
  if (action === 'frequency') {
    const frequency = String(form.get('frequency') ?? '');
    const digestTime = String(form.get('digest-time') ?? '');
    const issues: Issue[] = [];
    if (frequency !== 'immediate' && frequency !== 'digest') issues.push({ field: 'frequency', message: 'Choose when you want to hear from us' });
    if (frequency === 'digest' && !DIGEST_TIMES.includes(digestTime)) issues.push({ field: 'digest-time', message: 'Choose a time for your morning summary' });
    if (issues.length > 0) return { ok: false, page: await loadManagePage(token, null, now, issues) };
    await setFrequency(db, subscriber.id, frequency as Frequency, frequency === 'digest' ? digestTime : subscriber.digestTime);
    return { ok: true, redirect: `/updates/${token}?done=saved` };
  }
  return { ok: false, page: await loadManagePage(token, null, now, [{ field: 'action', message: 'Choose what you want to change' }]) };
}

export async function confirmFromLink(token: string): Promise<boolean> {
  const db = await getDb();
  const subscriber = await findSubscriberByToken(db, token);
  if (!subscriber) return false;
  await confirmSubscriber(db, subscriber, new Date());
  return true;
}

/** The one-click unsubscribe (RFC 8058) and the "Stop all updates" button. True if there was anything to stop. */
export async function unsubscribeByToken(token: string): Promise<boolean> {
  const db = await getDb();
  const subscriber = await findSubscriberByToken(db, token);
  if (!subscriber) return false;
  await deleteSubscriber(db, subscriber.id);
  return true;
}

export async function loadTokenPage(token: string, now: Date): Promise<{ chrome: SiteChrome; found: boolean; follows: string[] }> {
  const db = await getDb();
  const [chrome, subscriber] = await Promise.all([loadChrome(db, now), findSubscriberByToken(db, token)]);
  if (!subscriber) return { chrome, found: false, follows: [] };
  const rows = await listSubscriptions(db, subscriber.id);
  return { chrome, found: true, follows: await describeTargets(db, rows) };
}

export async function loadPlainChrome(now: Date): Promise<SiteChrome> {
  return loadChrome(await getDb(), now);
}
