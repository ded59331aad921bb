// What each message says, in plain words: the status in the subject ("Colne Valley High School:
// Closed today (snow and ice)"), a link, the time, and — in every email but the confirmation —
// how to change or stop the updates. Built when the message is sent, from immutable revisions,
// so a message sent again after a crash says exactly the same thing.
import { eq } from 'drizzle-orm';
import { places, services, suggestions } from '../../../db/schema/index.ts';
import { escapeHtml } from '../open-data/serialize.ts';
import type { Database } from '../server/database.ts';
import { formatDay, formatTime } from '../time/london.ts';
import type { NotifiableChange } from './changes.ts';

export interface ComposedMessage {
  subject: string;
  /** Lines of the message; the HTML version is made from the same lines. */
  lines: MessageLine[];
  /** The page the message is about (a push notification opens it). */
  url: string;
}

export type MessageLine = { text: string; link?: string; strong?: boolean };

export interface SiteWords {
  siteUrl: string;
  councilName: string;
}

/** "7:12am on Wednesday 2 December" */
export function whenWords(date: Date): string {
  return `${formatTime(date)} on ${formatDay(date)}`;
}

const absolute = (site: SiteWords, path: string) => new URL(path, site.siteUrl).toString();

export function changeTitle(change: NotifiableChange): string {
  if (change.kind === 'place') return `${change.name}: ${change.phrase}`;
  const label = change.severity === 'severe' ? 'Severe alert' : change.severity === 'warning' ? 'Warning' : 'Notice';
  if (change.action === 'withdrawn') return `${label} withdrawn: ${change.headline}`;
  if (change.action === 'updated') return `${label} updated: ${change.headline}`;
  return `${label}: ${change.headline}`;
}

export function changePath(change: NotifiableChange, serviceSlugs: Map<number, string>): string {
  if (change.kind === 'place') return `/services/${serviceSlugs.get(change.serviceId) ?? ''}/${change.slug}`;
  return `/alerts/${change.alertId}`;
}

/** One message about one or many changes ("… and 2 more updates" in the subject). */
export function composeChanges(site: SiteWords, changes: readonly NotifiableChange[], at: Date, serviceSlugs: Map<number, string>): ComposedMessage {
  const first = changes[0]!;
  const subject = changes.length === 1 ? changeTitle(first) : `${changeTitle(first)} (and ${changes.length - 1} more ${changes.length === 2 ? 'update' : 'updates'})`;
  const lines: MessageLine[] = [];
  for (const change of changes) {
    lines.push({ text: changeTitle(change), strong: true });
    if (change.kind === 'place' && change.note) lines.push({ text: change.note });
    lines.push({ text: 'See it on the website', link: absolute(site, changePath(change, serviceSlugs)) });
  }
  lines.push({ text: `Updated at ${whenWords(at)}.` });
  return { subject, lines, url: absolute(site, changes.length === 1 ? changePath(first, serviceSlugs) : '/') };
}

/** Names of what subscriptions point at, in words; `cache` keeps them for a round of sending. */
export async function describeTargets(
  db: Database,
  rows: readonly { targetKind: string; targetId: number; ward: string }[],
  cache?: Map<string, string>,
): Promise<string[]> {
  const names: string[] = [];
  for (const row of rows) {
    const key = `${row.targetKind}:${row.targetId}:${row.ward}`;
    let name = cache?.get(key);
    if (name === undefined) {
      name = await describeTarget(db, row);
      cache?.set(key, name);
    }
    names.push(name);
  }
  return names;
}

/** Where a subscription points, in words: "Colne Valley High School", "Schools in Almondbury". */
export async function describeTarget(db: Database, target: { targetKind: string; targetId: number; ward: string }): Promise<string> {
  if (target.targetKind === 'severe_alerts') return 'Severe alerts for the whole area';
  if (target.targetKind === 'place') {
    const [place] = await db.select({ name: places.name }).from(places).where(eq(places.id, target.targetId));
    return place?.name ?? 'A place that has been removed';
  }
  const [service] = await db.select({ name: services.name }).from(services).where(eq(services.id, target.targetId));
  const name = service?.name ?? 'A service that has been removed';
  return target.ward ? `${name} in ${target.ward}` : name;
}

export function composeConfirmation(site: SiteWords, follows: readonly string[], confirmUrl: string): ComposedMessage {
  return {
    subject: `Confirm your updates from ${site.councilName}`,
    lines: [
      { text: `You asked for updates about: ${follows.join(', ')}.` },
      { text: 'To start getting them, open this link and press the button.' },
      { text: 'Confirm my updates', link: confirmUrl },
      { text: 'If you did not ask for this, ignore this email. We will not write again.' },
    ],
    url: confirmUrl,
  };
}

type SuggestionOutcomeRow = Pick<typeof suggestions.$inferSelect, 'outcome' | 'declineReason'>;

export function composeOutcome(site: SiteWords, suggestion: SuggestionOutcomeRow, about: string, trackingUrl: string): ComposedMessage {
  const words =
    suggestion.outcome === 'approved'
      ? { subject: `Your suggestion is now on the website: ${about}`, line: 'Thank you. We checked your suggestion and put it on the website.' }
      : suggestion.outcome === 'approved_with_changes'
        ? { subject: `Your suggestion is now on the website, with some changes: ${about}`, line: 'Thank you. We checked your suggestion and put it on the website. We changed some of it.' }
        : { subject: `We did not use your suggestion: ${about}`, line: 'Thank you for your suggestion. We did not use it this time.' };
  const lines: MessageLine[] = [{ text: words.line }];
  if (suggestion.outcome === 'declined' && suggestion.declineReason) lines.push({ text: `The reason: ${suggestion.declineReason}` });
  lines.push({ text: 'See what happened to your suggestion', link: trackingUrl });
  lines.push({ text: 'We will not email you again about it. We have now deleted your email address.' });
  return { subject: words.subject, lines, url: trackingUrl };
}

/** The footer of every update: why they get it, and how to change or stop it. */
export function manageLines(follows: readonly string[], manageUrl: string, unsubscribeUrl: string): MessageLine[] {
  return [
    { text: `You get these emails because you asked for updates about: ${follows.join(', ')}.` },
    { text: 'Change your updates', link: manageUrl },
    { text: 'Stop all updates', link: unsubscribeUrl },
  ];
}

export function toText(lines: readonly MessageLine[], footer: readonly MessageLine[] = []): string {
  const render = (line: MessageLine) => (line.link ? `${line.text}: ${line.link}` : line.text);
  const body = lines.map(render).join('\n\n');
  return footer.length > 0 ? `${body}\n\n---\n\n${footer.map(render).join('\n\n')}\n` : `${body}\n`;
}

export function toHtml(lines: readonly MessageLine[], footer: readonly MessageLine[] = []): string {
  const render = (line: MessageLine) => {
    const text = escapeHtml(line.text);
    if (line.link) return `<p><a href="${escapeHtml(line.link)}">${text}</a></p>`;
    return line.strong ? `<p><strong>${text}</strong></p>` : `<p>${text}</p>`;
  };
  const footerHtml = footer.length > 0 ? `<hr><div style="color:#505a5f">${footer.map(render).join('')}</div>` : '';
  return `<!doctype html><html lang="en"><body style="font-family:Arial,sans-serif;font-size:16px;line-height:1.4">${lines.map(render).join('')}${footerHtml}</body></html>`;
}
