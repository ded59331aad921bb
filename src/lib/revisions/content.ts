// The content shapes a revision carries, one per kind, and how each maps onto the table that
// holds the published state. Markdown is rendered (and sanitised) here, at write time.
import type { AlertSeverity, ContentKind, PlaceStatus, STATUS_REASONS } from '../../../db/schema/index.ts';
import { renderMarkdown } from '../markdown/render.ts';

/** Times in revision JSON are ISO-8601 UTC strings (or null). */
type Iso = string | null;

/** Why a place's status is what it is: snow and ice, heating failure… */
export type StatusReason = (typeof STATUS_REASONS)[number];

export interface PlaceContent {
  serviceId: number;
  slug: string;
  identifier: string | null;
  name: string;
  category: string;
  address: string;
  postcode: string;
  ward: string;
  latitude: number | null;
  longitude: number | null;
  /**
   * The place's own phone number and website, when known. Absent from revisions written before
   * places had them: read a missing value as null.
   */
  phone?: string | null;
  website?: string | null;
  status: PlaceStatus;
  /**
   * Why the status is what it is, and when the place expects to reopen, when given. Absent from
   * revisions written before statuses had them: read a missing value as null.
   */
  reason?: StatusReason | null;
  expectedReopeningAt?: Iso;
  noteMarkdown: string;
  noteHtml: string;
  statusFrom: Iso;
  statusUntil: Iso;
  confirmedAt: Iso;
  retired: boolean;
}

export interface AlertContent {
  severity: AlertSeverity;
  headline: string;
  bodyMarkdown: string;
  bodyHtml: string;
  area: string;
  serviceSlugs: string[];
  startsAt: string;
  expiresAt: Iso;
  retired: boolean;
}

export interface PageContent {
  slug: string;
  title: string;
  summary: string;
  bodyMarkdown: string;
  bodyHtml: string;
  retired: boolean;
}

export interface ContentByKind {
  place: PlaceContent;
  alert: AlertContent;
  page: PageContent;
}

/** What an author writes: the content without its rendered HTML. */
export type PlaceDraft = Omit<PlaceContent, 'noteHtml'>;
export type AlertDraft = Omit<AlertContent, 'bodyHtml'>;
export type PageDraft = Omit<PageContent, 'bodyHtml'>;
export interface DraftByKind {
  place: PlaceDraft;
  alert: AlertDraft;
  page: PageDraft;
}

export type AnyDraft = { [K in ContentKind]: { kind: K; draft: DraftByKind[K] } }[ContentKind];
export type AnyContent = { [K in ContentKind]: { kind: K; content: ContentByKind[K] } }[ContentKind];

/** Renders the markdown of a draft, giving the full content to store in the revision. */
export function completeDraft(input: AnyDraft): AnyContent {
  switch (input.kind) {
    case 'place':
      return { kind: 'place', content: { ...input.draft, noteHtml: renderMarkdown(input.draft.noteMarkdown) } };
    case 'alert':
      return { kind: 'alert', content: { ...input.draft, bodyHtml: renderMarkdown(input.draft.bodyMarkdown) } };
    case 'page':
      return { kind: 'page', content: { ...input.draft, bodyHtml: renderMarkdown(input.draft.bodyMarkdown) } };
  }
}

const toDate = (iso: Iso): Date | null => (iso ? new Date(iso) : null);

/** The published-state columns of a place revision (without revision id and time). */
export function placeColumns(c: PlaceContent) {
  return {
    serviceId: c.serviceId, slug: c.slug, identifier: c.identifier, name: c.name, category: c.category,
    address: c.address, postcode: c.postcode, ward: c.ward, latitude: c.latitude, longitude: c.longitude,
    phone: c.phone ?? null, website: c.website ?? null, status: c.status, noteMarkdown: c.noteMarkdown, noteHtml: c.noteHtml, statusFrom: toDate(c.statusFrom),
    statusUntil: toDate(c.statusUntil), statusReason: c.reason ?? null, expectedReopeningAt: toDate(c.expectedReopeningAt ?? null),
    confirmedAt: toDate(c.confirmedAt), retired: c.retired,
  };
}

export function alertColumns(c: AlertContent) {
  return {
    severity: c.severity, headline: c.headline, bodyMarkdown: c.bodyMarkdown, bodyHtml: c.bodyHtml, area: c.area,
    serviceSlugs: c.serviceSlugs, startsAt: new Date(c.startsAt), expiresAt: toDate(c.expiresAt), retired: c.retired,
  };
}

export function pageColumns(c: PageContent) {
  return { slug: c.slug, title: c.title, summary: c.summary, bodyMarkdown: c.bodyMarkdown, bodyHtml: c.bodyHtml, retired: c.retired };
}
