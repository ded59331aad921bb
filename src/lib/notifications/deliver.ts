// Sends one delivery: finds its recipient, composes its words and hands it to the right sender.
// Returns what to record (sent, or skipped with why); a failed send throws SendError.
import { eq, sql } from 'drizzle-orm';
import { accounts, deliveries, notificationEvents, places, subscribers, subscriptions, suggestions, webhooks } from '../../../db/schema/index.ts';
import type { Statement } from '../revisions/service.ts';
import type { Database } from '../server/database.ts';
import { maskEmail, SendError, type EmailSender, type PushSender, type WebhookSender } from './transports.ts';
import type { NotifiableChange } from './changes.ts';
import {
  changePath,
  changeTitle,
  composeChanges,
  composeConfirmation,
  composeOutcome,
  describeTargets,
  manageLines,
  toHtml,
  toText,
  type ComposedMessage,
  type SiteWords,
} from './compose.ts';
import { loadEventChanges, subscriptionFollows, type EventRow } from './fan-out.ts';
import { subscriberToken } from './tokens.ts';
import { deliverToWebSubHub, type WebSubSender } from './websub.ts';

export type DeliveryRow = typeof deliveries.$inferSelect;

export interface Senders {
  email: EmailSender;
  push: PushSender | null;
  webhook: WebhookSender;
  /** The WebSub hub's sender, when WEBSUB_HUB_URL is set. */
  webSub?: WebSubSender | null;
}

export interface DeliveryContext {
  db: Database;
  site: SiteWords;
  /** The database's secret, from which subscribers' private tokens are derived. */
  secret: string;
  senders: Senders;
  serviceIdsBySlug: Map<string, number>;
  serviceSlugsById: Map<number, string>;
  /** Events' changes, worked out once per event however many people are told of it. */
  eventCache: Map<number, { event: EventRow; changes: NotifiableChange[] }>;
  /** Names of followed things ("Colne Valley High School"), for a round. */
  targetNames: Map<string, string>;
}

export type DeliveryOutcome =
  | { sent: true; response: string; recipient: string; after?: Statement[] }
  | { sent: false; why: string; after?: Statement[] };

async function eventWithChanges(ctx: DeliveryContext, eventId: number) {
  const cached = ctx.eventCache.get(eventId);
  if (cached) return cached;
  const [event] = await ctx.db.select().from(notificationEvents).where(eq(notificationEvents.id, eventId));
  if (!event) return null;
  const entry = { event, changes: await loadEventChanges(ctx.db, event) };
  if (ctx.eventCache.size > 100) ctx.eventCache.delete(ctx.eventCache.keys().next().value!);
  ctx.eventCache.set(eventId, entry);
  return entry;
}

/** The latest change of each place or alert, in order: a summary says where things stand. */
function latestOfEach(changes: readonly NotifiableChange[]): NotifiableChange[] {
  const byTarget = new Map<string, NotifiableChange>();
  for (const change of changes) {
    const key = change.kind === 'place' ? `place:${change.placeId}` : `alert:${change.alertId}`;
    byTarget.delete(key);
    byTarget.set(key, change);
  }
  return [...byTarget.values()];
}

export async function deliver(ctx: DeliveryContext, delivery: DeliveryRow): Promise<DeliveryOutcome> {
  switch (delivery.recipientKind) {
    case 'subscriber':
      return deliverToSubscriber(ctx, delivery);
    case 'suggestion':
      return deliverOutcome(ctx, delivery);
    case 'account':
      return deliverToStaff(ctx, delivery);
    case 'webhook':
      return deliverToWebhook(ctx, delivery);
    case 'websub':
      return deliverToWebSubHub(ctx, delivery.eventId !== null ? ((await eventWithChanges(ctx, delivery.eventId))?.event ?? null) : null);
  }
}

async function deliverToSubscriber(ctx: DeliveryContext, delivery: DeliveryRow): Promise<DeliveryOutcome> {
  const [subscriber] = await ctx.db.select().from(subscribers).where(eq(subscribers.id, delivery.recipientId));
  if (!subscriber) return { sent: false, why: 'unsubscribed' };
  const token = subscriberToken(ctx.secret, subscriber.tokenSalt);
  const manageUrl = new URL(`/updates/${token}`, ctx.site.siteUrl).toString();
  const unsubscribeUrl = new URL(`/updates/${token}/unsubscribe`, ctx.site.siteUrl).toString();

  const follows = await ctx.db.select().from(subscriptions).where(eq(subscriptions.subscriberId, subscriber.id));
  let message: ComposedMessage;
  if (delivery.purpose === 'confirm') {
    const pending = await describeTargets(ctx.db, follows.filter((f) => f.confirmedAt === null), ctx.targetNames);
    if (pending.length === 0) return { sent: false, why: 'nothing left to confirm' };
    message = composeConfirmation(ctx.site, pending, new URL(`/updates/${token}/confirm`, ctx.site.siteUrl).toString());
  } else {
    const confirmed = follows.filter((f) => f.confirmedAt !== null);
    const eventIds = delivery.purpose === 'digest' ? (delivery.eventIds ?? []) : delivery.eventId !== null ? [delivery.eventId] : [];
    const changes: NotifiableChange[] = [];
    let at: Date | null = null;
    for (const eventId of eventIds) {
      const entry = await eventWithChanges(ctx, eventId);
      if (!entry) continue;
      at = entry.event.occurredAt;
      changes.push(...entry.changes.filter((change) => confirmed.some((f) => subscriptionFollows(f, change, ctx.serviceIdsBySlug))));
    }
    if (changes.length === 0 || !at) return { sent: false, why: 'no longer follows any of it' };
    message = composeChanges(ctx.site, delivery.purpose === 'digest' ? latestOfEach(changes) : changes, at, ctx.serviceSlugsById);
    if (delivery.purpose === 'digest') message.subject = `Morning summary: ${message.subject}`;
  }

  if (subscriber.channel === 'push') {
    if (!ctx.senders.push) throw new SendError('Web push is not set up (VAPID_PUBLIC_KEY, VAPID_PRIVATE_KEY)', false);
    const receipt = await ctx.senders.push.send({
      endpoint: subscriber.pushEndpoint!,
      keys: subscriber.pushKeys!,
      title: message.subject,
      body: toText(message.lines.filter((line) => !line.link)).trim(),
      url: message.url,
      key: delivery.key,
    });
    return { sent: true, response: receipt.response, recipient: 'a browser' };
  }
  const footer = delivery.purpose === 'confirm' ? [] : manageLines(await describeTargets(ctx.db, follows, ctx.targetNames), manageUrl, unsubscribeUrl);
  const receipt = await ctx.senders.email.send({
    to: subscriber.email!,
    subject: message.subject,
    text: toText(message.lines, footer),
    html: toHtml(message.lines, footer),
    key: delivery.key,
    unsubscribeUrl,
  });
  return { sent: true, response: receipt.response, recipient: maskEmail(subscriber.email!) };
}

async function targetTitle(ctx: DeliveryContext, suggestion: typeof suggestions.$inferSelect): Promise<string> {
  if (suggestion.targetKind === 'place' && suggestion.targetId !== null) {
    const [place] = await ctx.db.select({ name: places.name }).from(places).where(eq(places.id, suggestion.targetId));
    if (place) return place.name;
  }
  // The proposal itself names what it was about (a new place has no published row to ask).
  const [revision] = await ctx.db.all<{ content: string }>(sql`SELECT content FROM revisions WHERE suggestion_id = ${suggestion.id} ORDER BY id LIMIT 1`);
  const content = revision ? (JSON.parse(revision.content) as { name?: string; headline?: string; title?: string }) : {};
  return content.name ?? content.headline ?? content.title ?? 'your suggestion';
}

async function deliverOutcome(ctx: DeliveryContext, delivery: DeliveryRow): Promise<DeliveryOutcome> {
  const [suggestion] = await ctx.db.select().from(suggestions).where(eq(suggestions.id, delivery.recipientId));
  if (!suggestion?.contactEmail || !suggestion.contactToken || suggestion.outcome === 'waiting') return { sent: false, why: 'no address to write to' };
  const trackingUrl = new URL(`/suggestions/${suggestion.contactToken}`, ctx.site.siteUrl).toString();
  const message = composeOutcome(ctx.site, suggestion, await targetTitle(ctx, suggestion), trackingUrl);
  const receipt = await ctx.senders.email.send({
    to: suggestion.contactEmail,
    subject: message.subject,
    text: toText(message.lines),
    html: toHtml(message.lines),
    key: delivery.key,
    unsubscribeUrl: null,
  });
  // The address was kept for this one email: it goes now, with the token beside it.
  const forget = ctx.db.update(suggestions).set({ contactEmail: null, contactToken: null }).where(eq(suggestions.id, suggestion.id));
  return { sent: true, response: receipt.response, recipient: maskEmail(suggestion.contactEmail), after: [forget] };
}

async function deliverToStaff(ctx: DeliveryContext, delivery: DeliveryRow): Promise<DeliveryOutcome> {
  const [account] = await ctx.db.select({ email: accounts.email, disabled: accounts.disabledAt }).from(accounts).where(eq(accounts.id, delivery.recipientId));
  if (!account || account.disabled) return { sent: false, why: 'no such account' };
  const entry = delivery.eventId !== null ? await eventWithChanges(ctx, delivery.eventId) : null;
  if (!entry) return { sent: false, why: 'event gone' };
  let message: ComposedMessage;
  if (entry.event.kind === 'suggestion_waiting') {
    const [suggestion] = await ctx.db.select().from(suggestions).where(eq(suggestions.id, entry.event.suggestionId ?? -1));
    if (!suggestion || suggestion.outcome !== 'waiting') return { sent: false, why: 'already reviewed' };
    const minutes = Math.round((Date.now() - suggestion.createdAt.getTime()) / 60_000);
    const url = new URL(`/staff/review/${suggestion.id}`, ctx.site.siteUrl).toString();
    message = {
      subject: `A suggestion has waited ${minutes} minutes: ${await targetTitle(ctx, suggestion)}`,
      lines: [{ text: 'A resident’s suggestion is waiting for review.' }, { text: 'Review it', link: url }],
      url,
    };
  } else {
    // What they said, and the item's own coverage page (from there: draft an alert, mark a place).
    const [item] = await ctx.db.all<{ title: string; council: string }>(sql`
      SELECT i.title, c.name AS council FROM neighbour_items i JOIN neighbour_councils c ON c.id = i.council_id WHERE i.id = ${entry.event.neighbourItemId ?? -1}`);
    if (!item) return { sent: false, why: 'the item is no longer stored' };
    const url = new URL(`/staff/coverage/items/${entry.event.neighbourItemId}`, ctx.site.siteUrl).toString();
    message = {
      subject: `Not covered yet: ${item.council}: ${item.title}`,
      lines: [{ text: `${item.council} published “${item.title}”, in a service we have said nothing like about yet.` }, { text: 'See it and cover it', link: url }],
      url,
    };
  }
  const settingsUrl = new URL('/staff/notifications', ctx.site.siteUrl).toString();
  const footer = [{ text: 'Change what you are told about', link: settingsUrl }];
  const receipt = await ctx.senders.email.send({
    to: account.email,
    subject: message.subject,
    text: toText(message.lines, footer),
    html: toHtml(message.lines, footer),
    key: delivery.key,
    unsubscribeUrl: null,
  });
  return { sent: true, response: receipt.response, recipient: maskEmail(account.email) };
}

/** The JSON a partner's webhook receives for one event (documented in the README). */
export function webhookBody(event: EventRow, changes: readonly NotifiableChange[], site: SiteWords, serviceSlugsById: Map<number, string>, wanted: readonly string[]): string {
  const items = changes
    .filter((change) => wanted.length === 0 || (change.kind === 'place' ? wanted.includes(serviceSlugsById.get(change.serviceId) ?? '') : change.serviceSlugs.some((s) => wanted.includes(s))))
    .map((change) => ({
      kind: change.kind,
      id: change.kind === 'place' ? change.placeId : change.alertId,
      title: changeTitle(change),
      ...(change.kind === 'place'
        ? { service: serviceSlugsById.get(change.serviceId) ?? null, name: change.name, ward: change.ward, status: change.phrase, note: change.note }
        : { severity: change.severity, headline: change.headline, action: change.action, services: change.serviceSlugs }),
      url: new URL(changePath(change, serviceSlugsById), site.siteUrl).toString(),
    }));
  return JSON.stringify({ event: event.id, kind: event.kind, occurredAt: event.occurredAt.toISOString(), changes: items });
}

async function deliverToWebhook(ctx: DeliveryContext, delivery: DeliveryRow): Promise<DeliveryOutcome> {
  const [hook] = await ctx.db.select().from(webhooks).where(eq(webhooks.id, delivery.recipientId));
  if (!hook || !hook.active) return { sent: false, why: 'webhook removed or paused' };
  const entry = delivery.eventId !== null ? await eventWithChanges(ctx, delivery.eventId) : null;
  if (!entry) return { sent: false, why: 'event gone' };
  const body = webhookBody(entry.event, entry.changes, ctx.site, ctx.serviceSlugsById, hook.serviceSlugs);
  const receipt = await ctx.senders.webhook.send({ url: hook.url, secret: hook.secret, body, key: delivery.key }, delivery.attempts + 1);
  return { sent: true, response: receipt.response, recipient: hook.name };
}

