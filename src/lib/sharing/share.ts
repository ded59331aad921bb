// What a shared link to a public page says: the Open Graph / Twitter card title (carrying the
// status: "Colne Valley High School: Closed today"), a short description, the page's absolute
// address, and the text an editor copies into a post, ending with the council's hashtag. Pure:
// the site address comes in, so the same words serve the page head and the staff pages. Times
// are written out in full ("7:12am Saturday 21 November"): a post outlives "today".
import { SEVERITY_LABEL, type AlertPhase } from '../alerts/service.ts';
import { htmlToPlainText } from '../markdown/render.ts';
import type { StatusSummary } from '../places/service.ts';
import { STATUS_PRESENTATION, type EffectiveStatus } from '../places/status.ts';
import type { Council } from '../settings/repository.ts';
import { formatDay, formatTime, londonDateKey } from '../time/london.ts';

export interface Share {
  /** og:title and twitter:title. */
  title: string;
  /** og:description and twitter:description: plain text, at most DESCRIPTION_MAX characters. */
  description: string;
  /** og:url: the page's absolute, canonical address. */
  url: string;
  /** The text an editor copies into a post: the title, the address and the hashtag. */
  text: string;
}

export const DESCRIPTION_MAX = 200;

const at = (date: Date) => `${formatTime(date)} ${formatDay(date)}`;

function shorten(text: string, max = DESCRIPTION_MAX): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1).replace(/\s+\S*$/, '')}…`;
}

function shareText(title: string, url: string, council: Pick<Council, 'hashtag'>): string {
  return [`${title}.`, url, council.hashtag].filter(Boolean).join(' ');
}

/**
 * A place's status as a short phrase: "Closed today" (until the end of today), "Closed until
 * 11:00am", "Closed until the end of Monday 23 November", "Open", "Not confirmed".
 */
export function statusPhrase(place: { statusUntil: Date | null; effective: EffectiveStatus }, now: Date): string {
  if (place.effective.status === 'unknown') return STATUS_PRESENTATION.unknown.label;
  const label = STATUS_PRESENTATION[place.effective.status].label;
  const until = place.statusUntil;
  if (!until) return label;
  const endOfDay = formatTime(until) === '11:59pm';
  if (londonDateKey(until) === londonDateKey(now)) return endOfDay ? `${label} today` : `${label} until ${formatTime(until)}`;
  return endOfDay ? `${label} until the end of ${formatDay(until)}` : `${label} until ${at(until)}`;
}

export interface PlaceToShare {
  name: string;
  slug: string;
  noteHtml: string;
  statusUntil: Date | null;
  effective: EffectiveStatus;
}

export function sharePlace(
  place: PlaceToShare,
  service: { slug: string },
  council: Pick<Council, 'hashtag'>,
  siteUrl: string,
  now: Date,
): Share {
  const title = `${place.name}: ${statusPhrase(place, now)}`;
  const url = new URL(`/services/${service.slug}/${place.slug}`, siteUrl).toString();
  const { effective } = place;
  const note = effective.lapsed ? '' : htmlToPlainText(place.noteHtml, siteUrl);
  const description = effective.lapsed
    ? `Nobody has confirmed the status since ${at(effective.lapsedAt ?? now)}.`
    : note || (effective.confirmedAt ? `Confirmed at ${at(effective.confirmedAt)}.` : 'Nobody has confirmed the status yet.');
  return { title, description: shorten(description), url, text: shareText(title, url, council) };
}

export interface AlertToShare {
  id: number;
  severity: keyof typeof SEVERITY_LABEL;
  headline: string;
  bodyHtml: string;
  startsAt: Date;
  expiresAt: Date | null;
}

/** An alert's title says how serious it is, and when it is not in force: "Warning: Icy roads (ended)". */
export function shareAlert(alert: AlertToShare, phase: AlertPhase, council: Pick<Council, 'hashtag'>, siteUrl: string): Share {
  const when = phase === 'expired' && alert.expiresAt ? ` (ended ${at(alert.expiresAt)})` : phase === 'scheduled' ? ` (from ${at(alert.startsAt)})` : '';
  const title = `${SEVERITY_LABEL[alert.severity]}: ${alert.headline}${when}`;
  const url = new URL(`/alerts/${alert.id}`, siteUrl).toString();
  return { title, description: shorten(htmlToPlainText(alert.bodyHtml, siteUrl)), url, text: shareText(title, url, council) };
}

/** A service's title carries its counts, most pressing first: "School closures: 23 closed, 4 partially open". */
export function shareService(
  service: { slug: string; name: string; summary: string },
  summary: StatusSummary,
  council: Pick<Council, 'hashtag'>,
  siteUrl: string,
): Share {
  const counts = summary.counts.slice(0, 3).map((c) => `${c.count} ${STATUS_PRESENTATION[c.status].label.toLowerCase()}`);
  const title = counts.length > 0 ? `${service.name}: ${counts.join(', ')}` : service.name;
  const url = new URL(`/services/${service.slug}`, siteUrl).toString();
  const updated = summary.lastUpdated ? ` Updated ${at(summary.lastUpdated)}.` : '';
  return { title, description: shorten(`${service.summary}${updated}`), url, text: shareText(title, url, council) };
}
