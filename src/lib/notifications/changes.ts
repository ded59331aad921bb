// What a published revision means to someone following it: the plain words of a notification
// ("Colne Valley High School: Closed today (snow and ice)"), or nothing at all when the edit
// changes nothing residents act on (a corrected address, a morning re-confirmation).
import type { ContentKind } from '../../../db/schema/index.ts';
import type { AlertContent, ContentByKind, PlaceContent } from '../revisions/content.ts';
import { STATUS_PRESENTATION, STATUS_REASON_LABEL, formatReopening } from '../places/status.ts';
import { htmlToText } from '../neighbours/text.ts';
import { formatTime, londonDateKey } from '../time/london.ts';

export interface PlaceChange {
  kind: 'place';
  placeId: number;
  serviceId: number;
  ward: string;
  name: string;
  slug: string;
  /** "Closed today (snow and ice)"; "Not confirmed since 4:00pm" for a lapse. */
  phrase: string;
  /** The status note as plain text, when there is one. */
  note: string;
  /** The revision it describes. */
  revisionId: number;
}

export interface AlertChange {
  kind: 'alert';
  alertId: number;
  severity: AlertContent['severity'];
  headline: string;
  serviceSlugs: string[];
  action: 'published' | 'updated' | 'withdrawn';
  revisionId: number;
}

export type NotifiableChange = PlaceChange | AlertChange;

/** What a place's status says in a sentence: "Closed today (snow and ice)", "Open". */
export function statusPhrase(content: PlaceContent, at: Date): string {
  let phrase = STATUS_PRESENTATION[content.status].label;
  if (content.status !== 'unknown' && content.statusUntil) {
    const until = new Date(content.statusUntil);
    phrase += londonDateKey(until) === londonDateKey(at) ? ' today' : ` until ${formatReopening(until, at)}`;
  }
  if (content.reason && content.reason !== 'other' && content.status !== 'open' && content.status !== 'unknown') {
    phrase += ` (${STATUS_REASON_LABEL[content.reason].toLowerCase()})`;
  }
  return phrase;
}

/** The parts of a place residents act on; a change to anything else sends nothing. */
function placeSignature(c: PlaceContent): string {
  return JSON.stringify([c.status, c.noteMarkdown.trim(), c.reason ?? null, c.statusUntil, c.expectedReopeningAt ?? null, c.retired]);
}

function alertSignature(c: AlertContent): string {
  return JSON.stringify([c.severity, c.headline, c.bodyMarkdown.trim(), c.expiresAt, c.startsAt, c.retired, c.area]);
}

export interface PublishedRevision<K extends ContentKind = ContentKind> {
  revisionId: number;
  kind: K;
  targetId: number;
  content: ContentByKind[K];
  /** The revision it replaced, or null for something new. */
  parent: ContentByKind[K] | null;
}

/**
 * The change a published revision announces, or null when there is nothing to tell: a new
 * place (nobody follows it yet), or an edit residents would not notice.
 */
export function describeRevision(revision: PublishedRevision, at: Date): NotifiableChange | null {
  if (revision.kind === 'place') {
    const content = revision.content as PlaceContent;
    const parent = revision.parent as PlaceContent | null;
    if (!parent || placeSignature(parent) === placeSignature(content) || content.retired) return null;
    return {
      kind: 'place',
      placeId: revision.targetId,
      serviceId: content.serviceId,
      ward: content.ward,
      name: content.name,
      slug: content.slug,
      phrase: statusPhrase(content, at),
      note: htmlToText(content.noteHtml),
      revisionId: revision.revisionId,
    };
  }
  if (revision.kind === 'alert') {
    const content = revision.content as AlertContent;
    const parent = revision.parent as AlertContent | null;
    if (parent && alertSignature(parent) === alertSignature(content)) return null;
    const action = content.retired ? (parent?.retired ? null : 'withdrawn') : parent && !parent.retired ? 'updated' : 'published';
    if (!action) return null;
    return {
      kind: 'alert',
      alertId: revision.targetId,
      severity: content.severity,
      headline: content.headline,
      serviceSlugs: content.serviceSlugs,
      action,
      revisionId: revision.revisionId,
    };
  }
  return null;
}

/** A status set "until" a time that has now passed: "Not confirmed since 4:00pm (was: Closed)". */
export function describeLapse(placeId: number, content: PlaceContent, revisionId: number): PlaceChange {
  const lapsedAt = new Date(content.statusUntil!);
  return {
    kind: 'place',
    placeId,
    serviceId: content.serviceId,
    ward: content.ward,
    name: content.name,
    slug: content.slug,
    phrase: `Not confirmed since ${formatTime(lapsedAt)} (was: ${STATUS_PRESENTATION[content.status].label})`,
    note: '',
    revisionId,
  };
}
